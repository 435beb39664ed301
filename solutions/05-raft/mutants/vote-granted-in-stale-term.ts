// Mutant: a RequestVote of an older term than the voter's is not refused ("reply false if
// term < currentTerm" left out): the voter grants it, in its own newer term, and has spent that
// term's vote on a candidate that cannot win it.
import type { NodeId } from 'distlab';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override onRequestVote(candidate: NodeId, term: number, candidateId: NodeId, lastLogIndex: number, lastLogTerm: number): void {
    const voteGranted = term <= this.currentTerm && (this.votedFor === null || this.votedFor === candidateId) && this.isUpToDate(lastLogIndex, lastLogTerm);
    if (voteGranted) this.grantVote(candidateId);
    this.send(candidate, { type: 'RequestVoteReply', term: this.currentTerm, voteGranted });
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
