// Mutant (2B): only the node that started an election waits for its Coordinator with a
// timeout; a node that joined by passing an Election on waits for ever.
import type { Ring } from '../../../labs/02-election/src/protocol.ts';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  starting = false;

  protected override startElection(): void {
    this.starting = true;
    super.startElection();
    this.starting = false;
  }

  override setTimer(timer: Ring['timer'], delay: number | readonly [number, number]): void {
    if (timer.type === 'CoordinatorTimeout' && !this.starting) return;
    super.setTimer(timer, delay);
  }
}
