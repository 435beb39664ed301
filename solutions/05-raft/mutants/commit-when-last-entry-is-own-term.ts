// Mutant: the leader counts replicas of any entry once its own last entry is of its term, instead of asking that of the entry it commits.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override mayCommit(): boolean {
    return this.lastLogTerm() === this.currentTerm;
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
