// Mutant: a server never ignores a RequestVote, even while it hears from a current leader: a
// removed server that never received C_new stands with ever higher terms, and each of its
// requests makes the remaining voters adopt its term and depose their leader.
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override ignoresRequestVote(): boolean {
      return false;
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
