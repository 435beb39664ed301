// Mutant: the up-to-date check compares only the logs' lengths: a longer log of an older term
// wins the vote over a shorter one whose last entry is newer (and committed).
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override isUpToDate(lastLogIndex: number): boolean {
    return lastLogIndex >= this.lastLogIndex();
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
