// Mutant: a restarted server works out its configuration before it reads back its snapshot and
// log, so it takes config.initialVoters until its log next changes the configuration: where the
// configuration in force is in its snapshot alone, it counts votes and acknowledgements among
// the first voters.
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    /** True until the configuration of a new incarnation has been worked out. */
    starting = false;

    override onStart(): void {
      this.starting = true;
      super.onStart();
    }

    protected override updateConfiguration(): void {
      if (!this.starting) {
        super.updateConfiguration();
        return;
      }
      this.starting = false;
      this.configuration = { voters: [...(this.config.initialVoters ?? this.servers)].sort((left, right) => left - right), newVoters: null };
      this.configurationIndex = 0;
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
