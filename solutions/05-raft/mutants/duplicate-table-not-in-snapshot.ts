// Mutant: the snapshot holds the map but not the at-most-once table. A server restarted from it
// (or given it by the leader) no longer knows which commands were executed before it, and
// executes a retry, or a second copy of a command in the log after the snapshot, again.
import { KvServer as ReferenceKvServer } from '../kvServer.ts';

export { RaftNode } from '../raft.ts';
export { KvClient } from '../kvClient.ts';

export class KvServer extends ReferenceKvServer {
  protected override snapshotData(): string {
    return JSON.stringify({ ...this.kvState, sessions: {} });
  }
}
