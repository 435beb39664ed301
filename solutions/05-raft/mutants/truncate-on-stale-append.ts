// Mutant: a follower deletes the entries after those of an AppendEntries even when they all match (a stale request cuts its log).
import type { LogEntry } from '../../../labs/05-raft/src/protocol.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  /** Only the snapshot's entries are kept: any other entry already in the log is replaced, with all that follow it. */
  protected override holdsEntry(entry: LogEntry): boolean {
    return entry.index <= this.snapshot.lastIncludedIndex;
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
