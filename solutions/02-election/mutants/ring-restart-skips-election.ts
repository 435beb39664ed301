// Mutant (2B): a restarted node does not start an election: it waits, as at its first start,
// for a leader to make itself known. A recovered highest id never takes over by itself.
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  override onStart(): void {
    this.storage.set('startedBefore', true);
    this.watchLeader();
  }
}
