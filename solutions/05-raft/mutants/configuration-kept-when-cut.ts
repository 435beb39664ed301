// Mutant: a server keeps the configuration it is in when the entry that holds it is cut from its
// log (a new leader's entries replace it): the abandoned change stays in force. Leading later, it
// finishes a change nobody asked for, appending C_new after a log whose latest configuration is
// the old one.
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override updateConfiguration(): void {
      const configuration = this.configuration;
      const configurationIndex = this.configurationIndex;
      super.updateConfiguration();
      if (this.configurationIndex >= configurationIndex) return;
      this.configuration = configuration;
      this.configurationIndex = configurationIndex;
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
