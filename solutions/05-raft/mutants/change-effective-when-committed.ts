// Mutant: a configuration entry takes effect only once it is committed, not as soon as it is in the log (the leader commits the joint configuration with the old one alone).
import type { Configuration } from '../../../labs/05-raft/src/protocol.ts';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override configurationAt(index: number): { readonly configuration: Configuration; readonly index: number } | undefined {
      return super.configurationAt(Math.min(index, this.commitIndex));
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
