// Mutant: a new leader does not read what earlier leaders stored. For each slot it has not
// finalized, up to the highest lastUsedSlot of the grants, it stores again what it holds itself
// (a no-op where it holds nothing): an operation a majority stored without it is overwritten.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override startRecovery(lastUsed: number): void {
    for (let slot = this.nextToExecute; slot <= lastUsed; slot++) {
      if (this.role !== 'leader') return;
      const held = this.record(slot);
      if (!held.finalized) this.store(slot, held.operation);
    }
  }
}
