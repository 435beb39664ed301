// Mutant: phase 1 adopts, for each slot, a reported client command over a reported no-op,
// whatever their ballots (a no-op "holds nothing"): a no-op chosen in a higher ballot is
// replaced by a command of a lower one that lost.
import type { PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override outranks(reported: PValue, adopted: PValue): boolean {
    if ((reported.command === null) !== (adopted.command === null)) return adopted.command === null;
    return super.outranks(reported, adopted);
  }
}
