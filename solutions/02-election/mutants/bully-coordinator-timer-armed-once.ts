// Mutant (2A): keeps a flag so that it never sets a second CoordinatorTimeout while one is
// pending, and clears it only when the timer fires. A Coordinator cancels the timer and leaves
// the flag set: from its second election on, the node waits for a Coordinator for ever.
import type { Bully } from '../../../labs/02-election/src/protocol.ts';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  coordinatorTimerArmed = false;

  override setTimer(timer: Bully['timer'], delay: number | readonly [number, number]): void {
    if (timer.type === 'CoordinatorTimeout') {
      if (this.coordinatorTimerArmed) return;
      this.coordinatorTimerArmed = true;
    }
    super.setTimer(timer, delay);
  }

  override onTimer(timer: Bully['timer']): void {
    if (timer.type === 'CoordinatorTimeout') this.coordinatorTimerArmed = false;
    super.onTimer(timer);
  }
}
