// Mutant: a follower appends entries without checking that its entry at prevLogIndex has prevLogTerm.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override termMatches(): boolean {
    return true;
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
