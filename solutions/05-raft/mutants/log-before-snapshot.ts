// Mutant: on a Snapshot input, the server writes the shortened log first and the snapshot after
// it. A crash between the two writes leaves a log that starts past the stored snapshot's end:
// the entries in between, acknowledged and perhaps committed, are gone after the restart.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override takeSnapshot(index: number, data: string): void {
    if (index <= this.snapshot.lastIncludedIndex || index > this.lastApplied) return;
    const lastIncludedTerm = this.termAt(index);
    const configuration = this.configurationAt(index)?.configuration;
    this.logEntries = this.logEntries.slice(index - this.snapshot.lastIncludedIndex);
    // The log first.
    this.persistLog();
    this.snapshot = { lastIncludedIndex: index, lastIncludedTerm, data, ...(configuration === undefined ? {} : { configuration }) };
    this.storage.set('snapshot', this.snapshot);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
