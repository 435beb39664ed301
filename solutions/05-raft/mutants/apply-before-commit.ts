// Mutant: a follower applies the entries it appends without waiting for the leader to commit them.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override followLeaderCommit(_leaderCommit: number, lastNewIndex: number): void {
    this.commitIndex = Math.max(this.commitIndex, lastNewIndex);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
