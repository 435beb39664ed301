// Mutant: a slot of the recovery walk that an older leader's late Finalize finalized meanwhile
// is stored again all the same, in the new epoch and not finalized: the finalized slot changes.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override settleIfAnswered(slot: number): void {
    const walk = this.recovery.get(slot);
    if (walk === undefined || walk.answeredBy.length < this.majority()) return;
    this.recovery.delete(slot);
    this.store(slot, walk.choice.operation);
  }
}
