// Mutant: after the first one, every election timeout is exactly T (electionTimeoutMs[0]), not drawn at random in [T, 2T].
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  /** The first timeout of each incarnation, set in onStart, is still drawn at random. */
  private firstTimeoutSet = false;

  protected override resetElectionTimer(): void {
    if (!this.firstTimeoutSet) {
      this.firstTimeoutSet = true;
      super.resetElectionTimer();
      return;
    }
    this.cancelTimer({ type: 'ElectionTimeout' });
    this.setTimer({ type: 'ElectionTimeout' }, this.config.electionTimeoutMs[0]);
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
