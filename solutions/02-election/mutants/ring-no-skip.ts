// Mutant (2B): never skips a successor: a message the successor does not acknowledge is
// simply sent to it again.
import type { Ring } from '../../../labs/02-election/src/protocol.ts';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  override onTimer(timer: Ring['timer']): void {
    if (timer.type === 'AckTimeout') {
      const pending = this.unacknowledged.get(timer.id);
      if (pending === undefined) return;
      this.unacknowledged.delete(timer.id);
      this.sendOn(pending.message, pending.distance);
      return;
    }
    super.onTimer(timer);
  }
}
