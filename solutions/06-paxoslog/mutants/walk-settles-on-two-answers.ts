// Mutant: the recovery walk settles a slot once two servers answered (itself and one granter):
// a majority with 3 servers, but 2 of 5, so with 5 a new leader may miss an operation that a
// majority stored without the one granter it heard from.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override settleIfAnswered(slot: number): void {
    const walk = this.recovery.get(slot);
    if (walk === undefined || walk.answeredBy.length < 2) return;
    this.recovery.delete(slot);
    if (this.record(slot).finalized) return;
    this.store(slot, walk.choice.operation);
  }
}
