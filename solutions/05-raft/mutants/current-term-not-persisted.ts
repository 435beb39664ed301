// Mutant: currentTerm is kept in memory only: a new term is never written to durable storage.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override persistTermAndVote(): void {
    this.storage.set('votedFor', this.votedFor);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
