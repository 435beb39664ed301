// Mutant (2B): a restarted node clears startedBefore once it has started its election, as if
// the flag were used up: its next restart looks like a first start, and holds no election.
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  override onStart(): void {
    const restarted = this.storage.get('startedBefore') === true;
    super.onStart();
    if (restarted) this.storage.set('startedBefore', false);
  }
}
