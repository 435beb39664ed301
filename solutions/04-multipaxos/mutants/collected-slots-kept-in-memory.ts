// Mutant: garbage collection deletes accepted:s from storage but keeps the proposals in memory.
// The log still grows without bound, and every P1b after a collection reports the slots that
// were collected, which no acceptor is meant to hold any more.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override collect(collectBelow: number): void {
    const kept = new Map(this.accepted);
    super.collect(collectBelow);
    for (const [slot, proposal] of kept) if (!this.accepted.has(slot)) this.accepted.set(slot, proposal);
  }
}
