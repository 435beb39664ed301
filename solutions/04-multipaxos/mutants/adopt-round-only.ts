// Mutant: phase 1 adopts, for each slot, the reported proposal of the highest round, ballots
// of one round compared as equal: of two proposals of one round from different leaders it
// keeps the first it read, which may be the one that lost.
import type { PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override adoptFromPromises(reports: readonly (readonly PValue[])[]): Map<number, PValue> {
    const adopted = new Map<number, PValue>();
    for (const report of reports) {
      for (const pvalue of report) {
        const current = adopted.get(pvalue.slot);
        if (current === undefined || pvalue.ballot.round > current.ballot.round) adopted.set(pvalue.slot, pvalue);
      }
    }
    return adopted;
  }
}
