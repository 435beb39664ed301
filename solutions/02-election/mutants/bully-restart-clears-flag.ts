// Mutant (2A): a restarted node clears startedBefore once it has held its election, as if the
// flag were used up: its next restart looks like a first start, and holds no election.
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  override onStart(): void {
    const restarted = this.storage.get('startedBefore') === true;
    super.onStart();
    if (restarted) this.storage.set('startedBefore', false);
  }
}
