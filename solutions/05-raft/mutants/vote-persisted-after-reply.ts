// Mutant: the vote is written to durable storage after the RequestVoteReply that grants it is sent.
import type { NodeId } from 'distlab';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override onRequestVote(candidate: NodeId, term: number, candidateId: NodeId, lastLogIndex: number, lastLogTerm: number): void {
    const voteGranted =
      term === this.currentTerm &&
      (this.votedFor === null || this.votedFor === candidateId) &&
      this.isUpToDate(lastLogIndex, lastLogTerm);
    if (voteGranted) {
      this.votedFor = candidateId;
      this.resetElectionTimer();
    }
    this.send(candidate, { type: 'RequestVoteReply', term: this.currentTerm, voteGranted });
    if (voteGranted) this.storage.set('votedFor', candidateId);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
