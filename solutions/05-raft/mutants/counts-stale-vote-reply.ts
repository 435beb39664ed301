// Mutant: a candidate counts a granted RequestVoteReply of an earlier term as a vote of its
// current one. A vote granted for its previous candidacy, arriving late, then counts again after
// it stood anew, and two servers can win the same term.
import type { NodeId } from 'distlab';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override onRequestVoteReply(voter: NodeId, term: number, voteGranted: boolean): void {
    // "A vote is a vote."
    super.onRequestVoteReply(voter, term < this.currentTerm ? this.currentTerm : term, voteGranted);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
