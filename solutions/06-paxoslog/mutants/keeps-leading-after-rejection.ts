// Mutant: a leader told that its epoch was overthrown (a Store, Query or Overthrow answered with
// a higher currentEpoch) adopts the higher epoch it learned and goes on leading, storing in that
// epoch, another server's: two leaders store in one epoch.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override onRejected(currentEpoch: number): void {
    if (this.role !== 'leader') {
      super.onRejected(currentEpoch);
      return;
    }
    this.writeEpoch(currentEpoch);
  }
}
