// Mutant: a follower that installs a snapshot keeps the entries after it whenever its log is
// longer, without asking whether its log holds the snapshot's last entry with its term: entries
// of an old leader that never committed survive after a snapshot of a newer term.
import type { Raft, Snapshot } from '../../../labs/05-raft/src/protocol.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override onInstallSnapshot(leader: Parameters<ReferenceRaftNode['send']>[0], request: Extract<Raft['message'], { type: 'InstallSnapshot' }>): void {
    const snapshot: Snapshot = request.snapshot;
    if (request.term >= this.currentTerm && snapshot.lastIncludedIndex > this.lastApplied && snapshot.lastIncludedIndex < this.lastLogIndex()) {
      // The bug: the log's entry at lastIncludedIndex is taken to be the snapshot's, whatever its term.
      this.logEntries = this.logEntries.map((entry) => (entry.index === snapshot.lastIncludedIndex ? { ...entry, term: snapshot.lastIncludedTerm } : entry));
    }
    super.onInstallSnapshot(leader, request);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
