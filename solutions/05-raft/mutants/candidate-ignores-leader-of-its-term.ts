// Mutant: a candidate does not step down on an AppendEntries of its own term, and its election timer runs on.
import { RaftNode as ReferenceRaftNode, type LeaderRequest } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override recognizeLeader(request: LeaderRequest): void {
    if (this.role === 'candidate') return;
    super.recognizeLeader(request);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
