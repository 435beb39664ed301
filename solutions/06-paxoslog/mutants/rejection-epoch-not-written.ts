// Mutant: a server whose epoch a reply rejects becomes passive, but neither writes nor notes
// the higher epoch the reply carried. It stands again in an epoch the cluster has left, after a
// restart too, and is refused.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override onRejected(currentEpoch: number): void {
    // "Overthrown: step down."
    if (currentEpoch > this.epoch && this.role !== 'passive') this.becomePassive();
  }
}
