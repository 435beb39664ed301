// Mutant: phase 1 adopts, for each slot, a reported client command over a reported no-op,
// whatever their ballots (a no-op "holds nothing"): a no-op chosen in a higher ballot is
// replaced by a command of a lower one that lost.
import type { PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { compareBallots, MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override adoptFromPromises(reports: readonly (readonly PValue[])[]): Map<number, PValue> {
    const adopted = new Map<number, PValue>();
    for (const report of reports) {
      for (const pvalue of report) {
        const current = adopted.get(pvalue.slot);
        const outranks =
          current === undefined ||
          (current.command === null && pvalue.command !== null) ||
          ((current.command === null) === (pvalue.command === null) && compareBallots(pvalue.ballot, current.ballot) > 0);
        if (outranks) adopted.set(pvalue.slot, pvalue);
      }
    }
    return adopted;
  }
}
