// Mutant: the round goes up only when a Nack shows a higher promise. A retry after a timeout,
// with no Nack in between, starts a second attempt with the same ballot, and its phase 1 may
// pick another value than the first attempt's.
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override nextRound(): number {
    return Math.max(this.round, 1);
  }

  protected override onNack(promised: Ballot): void {
    this.round = Math.max(this.round, promised.round + 1);
  }
}
