// Mutant: with several servers added at once, the leader appends the joint configuration as soon as one of them has caught up: the others count in C_new's majorities while they still lack the log.
import type { NodeId } from 'distlab';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode, type MembershipChange } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override learnersCaughtUp(change: MembershipChange): boolean {
      const current: readonly NodeId[] = this.configuration.newVoters ?? this.configuration.voters;
      const learners = change.newVoters.filter((server) => !current.includes(server));
      return learners.length === 0 || learners.some((server) => this.caughtUp(server, change));
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
