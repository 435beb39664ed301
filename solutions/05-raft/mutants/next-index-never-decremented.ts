// Mutant: after a failed consistency check the leader retries from the same nextIndex, never moving it back.
import type { NodeId } from 'distlab';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override backedUpNextIndex(follower: NodeId): number {
    return this.nextIndex[follower]!;
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
