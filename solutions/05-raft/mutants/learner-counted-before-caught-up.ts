// Mutant: a new server counts as caught up at once: the joint configuration is appended before it holds the log, and it counts in C_new's majority while it is still empty.
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override caughtUp(): boolean {
      return true;
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
