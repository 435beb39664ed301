// Mutant (2B): a participant forwards a smaller candidate (replaced by its own id) instead
// of swallowing it. Still elects the largest id, with many more messages.
import type { NodeId } from 'distlab';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  protected override onElection(candidate: NodeId, hops: number): void {
    if (candidate < this.id && this.participant && hops <= this.servers.length) {
      this.sendOn({ type: 'Election', candidate: this.id, hops: 1 }, 1);
      return;
    }
    super.onElection(candidate, hops);
  }
}
