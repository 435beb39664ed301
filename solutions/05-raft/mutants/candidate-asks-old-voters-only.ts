// Mutant: a candidate asks only the voters of C_old for votes, also while C_old,new is in
// force: with a server of C_old down, no candidate reaches a majority of C_new, and the
// cluster has no leader until that server is back.
import type { NodeId } from 'distlab';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override electorate(): NodeId[] {
      return this.configuration.voters.filter((server) => server !== this.id);
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
