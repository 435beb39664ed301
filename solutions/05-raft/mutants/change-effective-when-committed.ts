// Mutant: on a follower or a candidate, a configuration entry takes effect only once it is known to be committed, not as soon as it is in the log (the leader uses the one it appended): a candidate whose log ends with C_old,new wins with the votes of C_old alone.
import type { Configuration } from '../../../labs/05-raft/src/protocol.ts';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override configurationAt(index: number): { readonly configuration: Configuration; readonly index: number } | undefined {
      return super.configurationAt(this.role === 'leader' ? index : Math.min(index, this.commitIndex));
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
