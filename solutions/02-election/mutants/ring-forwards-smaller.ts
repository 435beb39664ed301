// Mutant (2B): a node that does not take part yet passes a smaller candidate on unchanged
// instead of putting its own id in its place; the initiator then finds its own id back.
import type { NodeId } from 'distlab';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  protected override onElection(candidate: NodeId, hops: number): void {
    if (candidate < this.id && !this.participant && hops <= this.servers.length) {
      this.participant = true;
      this.sendOn({ type: 'Election', candidate, hops: hops + 1 }, 1);
      return;
    }
    super.onElection(candidate, hops);
  }
}
