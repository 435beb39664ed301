// Mutant: the leader computes collectBelow from its followers' checkpoints and leaves its own
// out. A leader that is behind (it was cut off, then became the leader) deletes slots it has
// not learned or executed yet, and can never execute past them.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override collectBelow(): number {
    let lowest = Number.POSITIVE_INFINITY;
    for (const peer of this.peers) {
      const known = this.progress.get(peer);
      if (known === undefined) return this.collectedBelow;
      lowest = Math.min(lowest, known.checkpointSlot);
    }
    return Math.max(this.collectedBelow, this.peers.length === 0 ? this.checkpointSlot : lowest);
  }
}
