// Mutant: a leader outputs MembershipChanged only for a change it made itself (a C_new of its own term): a new leader whose no-op commits an earlier leader's C_new applies it and says nothing, and nobody ever learns that the change is done.
import type { Raft } from '../../../labs/05-raft/src/protocol.ts';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    override output(value: Raft['output']): void {
      // The entry just applied is the C_new announced: only this leader's own change is.
      if (value.type === 'MembershipChanged' && this.termAt(this.lastApplied) !== this.currentTerm) return;
      super.output(value);
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
