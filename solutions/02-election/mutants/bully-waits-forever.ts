// Mutant (2A): after an Ok, waits for the Coordinator for ever. If the node that answered
// dies before announcing itself, the election never ends.
import type { Bully } from '../../../labs/02-election/src/protocol.ts';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  override setTimer(timer: Bully['timer'], delay: number | readonly [number, number]): void {
    if (timer.type === 'CoordinatorTimeout') return;
    super.setTimer(timer, delay);
  }
}
