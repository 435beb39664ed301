// Mutant: a follower that knows a leader ignores every RequestVote, however long ago it heard
// from it, in every part: the rule against removed servers without its time limit. When the
// leader crashes, its followers listen to candidates only once their own election timers fire, so
// the first candidate is ignored and stands again, a timeout later.
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override ignoresRequestVote(): boolean {
      return this.role === 'follower' && this.leaderId !== null;
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
