// Mutant: the leader commits an entry of an earlier term once a majority holds it (Figure 8).
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override mayCommit(): boolean {
    return true;
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
