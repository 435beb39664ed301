// Mutant: the leader reads an AppendEntriesReply of an earlier term as if it were of its own.
// The reply answers an earlier leadership's AppendEntries: its matchIndex counts entries that
// another leader may since have replaced in this leader's log, so an entry of the new term can
// be committed on fewer than a majority.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

type AppendEntriesReply = Parameters<ReferenceRaftNode['onAppendEntriesReply']>[1];

export class RaftNode extends ReferenceRaftNode {
  protected override onAppendEntriesReply(follower: number, reply: AppendEntriesReply): void {
    // "A success is a success."
    super.onAppendEntriesReply(follower, reply.term < this.currentTerm ? { ...reply, term: this.currentTerm } : reply);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
