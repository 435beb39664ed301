// Mutant: a follower installs any InstallSnapshot newer than its own snapshot, even one that
// covers no more than what it has already applied: the service goes back to the snapshot's
// state, and the entries after it are applied a second time.
import type { Raft } from '../../../labs/05-raft/src/protocol.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';

export { KvClient } from '../kvClient.ts';

type InstallSnapshot = Extract<Raft['message'], { type: 'InstallSnapshot' }>;

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override onInstallSnapshot(leader: number, request: InstallSnapshot): void {
      // "Newer than my snapshot: take it." (The reference takes a snapshot only past lastApplied.)
      const index = request.snapshot.lastIncludedIndex;
      if (request.term >= this.currentTerm && index > this.snapshot.lastIncludedIndex && index <= this.lastApplied) this.lastApplied = index - 1;
      super.onInstallSnapshot(leader, request);
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
