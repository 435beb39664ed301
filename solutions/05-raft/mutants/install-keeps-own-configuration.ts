// Mutant: after an InstallSnapshot, a server whose log then holds no configuration entry keeps
// the configuration it had, instead of the one the snapshot carries: it follows the entries it
// appends, and reads a snapshot's configuration only when it restarts from it.
import type { NodeId } from 'distlab';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import type { Raft } from '../../../labs/05-raft/src/protocol.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    installedSnapshot = false;

    protected override onInstallSnapshot(leader: NodeId, request: Extract<Raft['message'], { type: 'InstallSnapshot' }>): void {
      this.installedSnapshot = true;
      super.onInstallSnapshot(leader, request);
    }

    protected override updateConfiguration(): void {
      if (this.installedSnapshot && !this.logEntries.some((entry) => entry.configuration !== undefined)) return;
      super.updateConfiguration();
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
