// Mutant: phase 1 adopts, per slot, the first proposal a P1b reported, not the one with the
// highest ballot: an older ballot's value can replace the one a majority chose since.
import type { PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override adoptFromPromises(reports: readonly (readonly PValue[])[]): Map<number, PValue> {
    const adopted = new Map<number, PValue>();
    for (const report of reports) for (const pvalue of report) if (!adopted.has(pvalue.slot)) adopted.set(pvalue.slot, pvalue);
    return adopted;
  }
}
