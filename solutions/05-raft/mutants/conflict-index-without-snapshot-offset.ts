// Mutant: a follower's fast-backup hint counts indexes from the first entry it keeps, not from index 1: after a snapshot, conflictIndex falls short by the snapshot's last index.
import type { NodeId } from 'distlab';
import type { Raft } from '../../../labs/05-raft/src/protocol.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  override send(to: NodeId, message: Raft['message']): void {
    if (message.type === 'AppendEntriesReply' && !message.success && message.conflictIndex > 0) {
      super.send(to, { ...message, conflictIndex: message.conflictIndex - this.snapshot.lastIncludedIndex });
      return;
    }
    super.send(to, message);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
