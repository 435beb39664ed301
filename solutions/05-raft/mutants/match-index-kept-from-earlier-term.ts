// Mutant: a leader elected again takes up the matchIndex of its earlier leadership. What a
// follower acknowledged then may since have been replaced by another leader, so an entry of the
// new term can be counted on a server that never stored it, and committed on fewer than a majority.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  /** matchIndex as this server's last leadership left it: "followers keep what they acknowledged." */
  private earlierMatchIndex: number[] = [];

  protected override stopLeading(): void {
    this.earlierMatchIndex = this.matchIndex;
    super.stopLeading();
  }

  protected override becomeLeader(): void {
    super.becomeLeader();
    this.earlierMatchIndex.forEach((matchIndex, server) => {
      if (matchIndex > (this.matchIndex[server] ?? 0)) this.matchIndex[server] = matchIndex;
    });
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
