// Mutant: the snapshot keeps the service's state but not the configuration of the entries it
// replaces. A server added later that catches up from it, or one restarted from it, falls back
// to config.initialVoters and counts majorities of the wrong servers.
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override takeSnapshot(index: number, data: string): void {
      if (index <= this.snapshot.lastIncludedIndex || index > this.lastApplied) return;
      const lastIncludedTerm = this.termAt(index);
      this.logEntries = this.logEntries.slice(index - this.snapshot.lastIncludedIndex);
      this.snapshot = { lastIncludedIndex: index, lastIncludedTerm, data };
      this.storage.set('snapshot', this.snapshot);
      this.persistLog();
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
