// Mutant: the leader drops every AppendEntriesReply whose term is not its own before it looks at the term: a follower whose term has run ahead (it stood for election while cut off) refuses the leader's AppendEntries with its higher term, and the leader goes on leading the old term until that follower's own candidacy reaches it.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  override onMessage(from: number, message: Parameters<ReferenceRaftNode['onMessage']>[1]): void {
    // "A reply to an older or newer term is stale": the higher term goes with it.
    if (message.type === 'AppendEntriesReply' && message.term !== this.currentTerm) return;
    super.onMessage(from, message);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
