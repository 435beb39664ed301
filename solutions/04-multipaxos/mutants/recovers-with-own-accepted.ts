// Mutant: a new leader catches a replica up below its checkpoint with its own acceptances, not
// with what phase 1 reported: a proposal it accepted that lost to another in a later ballot is
// sent as if it had been chosen.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override becomeLeader(): void {
    super.becomeLeader();
    if (this.role !== 'leader') return;
    this.recoverable = new Map([...this.accepted].filter(([slot]) => slot < this.slotOut && slot >= this.collectedBelow && !this.decisions.has(slot)));
  }
}
