// Mutant: the Heartbeat timer is set again whatever the role, and stepping down does not cancel
// it: a server that leads again starts a second chain beside the first, and its followers get
// twice as many heartbeats (three times, after a third leadership).
import { RaftNode as ReferenceRaftNode } from '../raft.ts';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import type { Raft } from '../../../labs/05-raft/src/protocol.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    override onTimer(timer: Raft['timer']): void {
      if (timer.type !== 'Heartbeat') return super.onTimer(timer);
      // "The timer keeps ticking; only a leader sends."
      if (this.role === 'leader') for (const peer of this.replicationTargets()) this.sendHeartbeat(peer);
      this.setTimer({ type: 'Heartbeat' }, this.config.heartbeatMs);
    }

    protected override stopLeading(): void {
      super.stopLeading();
      // The reference cancels the Heartbeat timer here; the bug keeps it.
      if (this.role !== 'leader') this.setTimer({ type: 'Heartbeat' }, this.config.heartbeatMs);
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
