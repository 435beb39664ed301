// Mutant: a follower that installs a snapshot always discards its whole log, also the entries
// after the snapshot's last index that match the leader's and that it has acknowledged. The
// leader sends them again; but a follower that crashes before they are back has lost entries
// the leader counted as stored.
import type { Raft, Snapshot } from '../../../labs/05-raft/src/protocol.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override onInstallSnapshot(leader: Parameters<ReferenceRaftNode['send']>[0], request: Extract<Raft['message'], { type: 'InstallSnapshot' }>): void {
    const snapshot: Snapshot = request.snapshot;
    // The bug: the entries after the snapshot are dropped before the reference decides whether to keep them.
    if (request.term >= this.currentTerm && snapshot.lastIncludedIndex > this.lastApplied) this.logEntries = this.logEntries.filter((entry) => entry.index <= snapshot.lastIncludedIndex);
    super.onInstallSnapshot(leader, request);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
