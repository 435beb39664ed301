// Mutant: a granted vote is kept in memory only: votedFor is not written to durable storage.
import type { NodeId } from 'distlab';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override grantVote(candidateId: NodeId): void {
    this.votedFor = candidateId;
    this.resetElectionTimer();
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
