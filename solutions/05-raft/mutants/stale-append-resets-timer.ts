// Mutant: a follower resets its election timer on any AppendEntries, before it looks at the
// term: a deposed leader that can still send (but no longer hears) keeps every follower from
// standing, and once the real leader is gone nobody is elected for as long as it sends.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override onAppendEntries(leader: number, request: Parameters<ReferenceRaftNode['onAppendEntries']>[1]): void {
    // "We heard from a leader."
    this.resetElectionTimer();
    super.onAppendEntries(leader, request);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
