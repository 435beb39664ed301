// Mutant: a leader that is not in the committed C_new steps down at once, without telling the
// followers that C_new is committed: they learn it only from the next leader, once their timers
// run out, and until then they go on with C_old,new.
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override stepDownIfRemoved(): void {
      if (this.isVoter()) return;
      this.role = 'follower';
      this.leaderId = null;
      this.stopLeading();
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
