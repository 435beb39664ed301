// Mutant (part E): the service loads a snapshot into its state machine only when it restarts
// from one; a snapshot the leader installs moves Raft past the entries it replaces, but the
// key-value map and the at-most-once table stay as they were before.
import type { NodeId } from 'distlab';
import type { Raft } from '../../../labs/05-raft/src/protocol.ts';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode } from '../raft.ts';

export { RaftNode };
export { KvClient } from '../kvClient.ts';

export class KvServer extends ReferenceKvServer {
  installingFromLeader = false;

  protected override onInstallSnapshot(leader: NodeId, request: Extract<Raft['message'], { type: 'InstallSnapshot' }>): void {
    this.installingFromLeader = true;
    try {
      super.onInstallSnapshot(leader, request);
    } finally {
      this.installingFromLeader = false;
    }
  }

  override output(value: Raft['output']): void {
    if (value.type === 'SnapshotInstalled' && this.installingFromLeader) {
      RaftNode.prototype.output.call(this, value);
      return;
    }
    super.output(value);
  }
}
