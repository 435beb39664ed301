// Mutant: a server that grants its vote keeps its election timer running, where it should reset it.
import type { NodeId } from 'distlab';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override grantVote(candidateId: NodeId): void {
    this.votedFor = candidateId;
    this.storage.set('votedFor', candidateId);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
