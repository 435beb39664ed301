// Mutant: a leader refuses a change only while a change it started itself is in progress, and not before it has committed an entry of its own term: a new leader whose log ends with an earlier leader's unfinished joint configuration starts its own at once, from that configuration's new voters, and the old voters that never received it elect a leader of their own.
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override membershipRefusal(): string | null {
      if (this.membershipChange !== null) return 'another change is in progress: its new servers are catching up';
      // Only this leader's own configuration entries are looked at.
      const ownEntry = this.configurationIndex > this.snapshot.lastIncludedIndex && this.termAt(this.configurationIndex) === this.currentTerm;
      if (ownEntry && (this.configuration.newVoters !== null || this.configurationIndex > this.commitIndex)) return 'another change of this leader is in progress';
      return null;
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
