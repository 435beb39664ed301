// Mutant: after a failed consistency check the leader moves nextIndex back by one entry, ignoring conflictTerm and conflictIndex.
import type { NodeId } from 'distlab';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override backedUpNextIndex(follower: NodeId): number {
    return Math.max(this.nextIndex[follower]! - 1, 1);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
