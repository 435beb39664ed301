// Mutant: an undecided learner asks only the other learners what was decided, not the
// proposers. A proposer learns the outcome of its own ballots; when no learner heard enough
// Accepted messages (lost, or it was down), nobody it asks knows, and it never learns.
import type { Paxos } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  override onTimer(timer: Paxos['timer']): void {
    if (timer.type !== 'AskDecision' || this.decided !== null) {
      super.onTimer(timer);
      return;
    }
    for (const node of this.config.learners) if (node !== this.id) this.send(node, { type: 'WhatIsDecided' });
    this.setTimer({ type: 'AskDecision' }, this.config.askEveryMs);
  }
}
