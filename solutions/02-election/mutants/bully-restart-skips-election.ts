// Mutant (2A): a restarted node does not hold an election: it waits, as at its first start,
// for a leader to make itself known. A recovered highest id never takes over by itself.
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  override onStart(): void {
    this.storage.set('startedBefore', true);
    this.watchLeader();
  }
}
