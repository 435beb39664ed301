// Mutant: a Propose that comes while an attempt is under way starts phase 1 again with the
// attempt's own ballot, even once that ballot's Accept has gone out: a second attempt with one
// ballot, whose phase 1 may pick another value (the new one) than the first attempt's Accept.
import type { Paxos } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  override onInput(input: Paxos['input']): void {
    const ballot = this.ballot;
    if (input.type !== 'Propose' || this.decided !== null || ballot === null) {
      super.onInput(input);
      return;
    }
    this.value = input.value;
    this.phase1 = { promises: [], highest: null };
    for (const acceptor of this.config.acceptors) this.send(acceptor, { type: 'Prepare', ballot });
  }
}
