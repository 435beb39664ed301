// Mutant: when the leader holds no entry of the follower's conflicting term, it moves nextIndex back by one entry instead of to the follower's conflictIndex.
import type { NodeId } from 'distlab';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override backedUpNextIndex(follower: NodeId, conflictTerm: number | null, conflictIndex: number): number {
    if (conflictTerm === null || this.lastIndexOfTerm(conflictTerm) !== null) return super.backedUpNextIndex(follower, conflictTerm, conflictIndex);
    return Math.max(this.nextIndex[follower]! - 1, this.matchIndex[follower]! + 1, 1);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
