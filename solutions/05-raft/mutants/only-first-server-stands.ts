// Mutant: only the first server ever arms its election timer, so only it stands for election.
// While it leads nothing shows; cut off, nobody replaces it until it comes back.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override resetElectionTimer(): void {
      if (this.id === this.servers[0]) super.resetElectionTimer();
      else this.cancelTimer({ type: 'ElectionTimeout' });
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
