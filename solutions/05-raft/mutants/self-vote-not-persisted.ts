// Mutant: a candidate stores its new currentTerm but not its vote for itself: votedFor stays
// what it was (null in the new term after a restart). Restarted in that term, it may vote for
// another candidate there, beside the one it gave itself.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override startElection(): void {
    const storage = this.storage;
    const storedVote = storage.get('votedFor') ?? null;
    super.startElection();
    // The term stays written; the vote for itself is taken back out of storage.
    storage.set('votedFor', storedVote);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
