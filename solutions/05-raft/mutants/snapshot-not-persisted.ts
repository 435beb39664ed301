// Mutant: on a Snapshot input the shortened log is stored but the snapshot that replaces the discarded entries is not.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override takeSnapshot(index: number, data: string): void {
    if (index <= this.snapshot.lastIncludedIndex || index > this.lastApplied) return;
    const lastIncludedTerm = this.termAt(index);
    this.logEntries = this.logEntries.slice(index - this.snapshot.lastIncludedIndex);
    this.snapshot = { lastIncludedIndex: index, lastIncludedTerm, data };
    this.storage.set('log', this.logEntries);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
