// Mutant: a candidate counts its own vote twice when it tallies the votes it received (with 5 servers, its own vote and one other elect it).
import type { NodeId } from 'distlab';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override onRequestVoteReply(voter: NodeId, term: number, voteGranted: boolean): void {
    if (this.role !== 'candidate' || term !== this.currentTerm || !voteGranted || this.votes.includes(voter)) return;
    this.votes.push(voter);
    this.votes.sort((left, right) => left - right);
    if (this.votes.length + 1 >= this.majority()) this.becomeLeader();
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
