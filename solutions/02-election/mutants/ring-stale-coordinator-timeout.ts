// Mutant (2B): a CoordinatorTimeout does not check which election set it: the timer of an
// election that is over fires during a later one, and the node drops out of it and starts yet
// another election, which costs messages (and the other nodes' elections) for nothing.
import type { Ring } from '../../../labs/02-election/src/protocol.ts';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  override onTimer(timer: Ring['timer']): void {
    if (timer.type === 'CoordinatorTimeout' && this.participant) {
      this.participant = false;
      this.startElection();
      return;
    }
    super.onTimer(timer);
  }
}
