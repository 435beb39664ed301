// Mutant: a restarted proposer starts again from round 0 instead of the round of its own
// stored promise, so its next ballots are ones it may have used before the crash.
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  override onStart(): void {
    super.onStart();
    this.round = 0;
  }
}
