// Mutant (2B): a node whose Election found every other node dead leads, but stays a
// participant: it swallows the Election of a node that comes back, and when its coordinator
// timeout runs out it starts a new election to the dead nodes, every second, for ever.
import type { Ring } from '../../../labs/02-election/src/protocol.ts';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  override onTimer(timer: Ring['timer']): void {
    const before = this.leader;
    super.onTimer(timer);
    // Only an Election that ran out of nodes to try makes a node lead in reaction to an AckTimeout.
    if (timer.type === 'AckTimeout' && this.leader === this.id && before !== this.id) this.participant = true;
  }
}
