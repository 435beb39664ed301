// Mutant: the vote is granted without the up-to-date check on the candidate's log.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override isUpToDate(): boolean {
    return true;
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
