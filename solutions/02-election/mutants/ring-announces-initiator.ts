// Mutant (2B): the node that started an election announces itself when an Election comes
// back to it, instead of letting the largest id win.
import type { NodeId } from 'distlab';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  initiated = false;

  protected override startElection(): void {
    if (!this.participant) this.initiated = true;
    super.startElection();
  }

  protected override onElection(candidate: NodeId, hops: number): void {
    if (this.initiated && candidate !== this.id) {
      this.initiated = false;
      this.announce();
      return;
    }
    if (candidate === this.id) this.initiated = false;
    super.onElection(candidate, hops);
  }
}
