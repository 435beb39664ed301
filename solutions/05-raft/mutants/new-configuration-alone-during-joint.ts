// Mutant: while the joint configuration is in force, elections and commitment count a majority of the new voters only, not of the old ones as well.
import type { NodeId } from 'distlab';
import type { Configuration } from '../../../labs/05-raft/src/protocol.ts';
import { KvServer as ReferenceKvServer } from '../kvServer.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export { KvClient } from '../kvClient.ts';

/** The bug, on the reference's Raft and on its key-value service alike. */
function withBug(Base: typeof ReferenceRaftNode) {
  return class extends Base {
    protected override quorumSets(configuration: Configuration): readonly (readonly NodeId[])[] {
      return configuration.newVoters === null ? [configuration.voters] : [configuration.newVoters];
    }
  };
}

export class RaftNode extends withBug(ReferenceRaftNode) {}
export class KvServer extends withBug(ReferenceKvServer) {}
