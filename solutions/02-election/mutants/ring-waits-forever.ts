// Mutant (2B): a participant waits for the Coordinator for ever. If the Election is lost
// with a crashed node, the participants never start a new one.
import type { Ring } from '../../../labs/02-election/src/protocol.ts';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  override setTimer(timer: Ring['timer'], delay: number | readonly [number, number]): void {
    if (timer.type === 'CoordinatorTimeout') return;
    super.setTimer(timer, delay);
  }
}
