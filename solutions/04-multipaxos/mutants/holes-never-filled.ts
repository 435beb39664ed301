// Mutant: a new leader proposes again only the slots some P1b reported (or that it knows are
// chosen), and continues above them: a slot nobody reported, a hole, is never filled with a
// no-op, and no slot after it is ever executed.
import type { Command, PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override proposalsAfterPhaseOne(adopted: ReadonlyMap<number, PValue>, lastSlot: number): Map<number, Command> {
    const proposals = super.proposalsAfterPhaseOne(adopted, lastSlot);
    for (const slot of [...proposals.keys()]) if (!adopted.has(slot) && !this.decisions.has(slot)) proposals.delete(slot);
    return proposals;
  }
}
