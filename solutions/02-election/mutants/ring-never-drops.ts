// Mutant (2B): ignores hops: an Election whose candidate died goes round and round the ring,
// passed on by every node, and no new election can win.
import type { NodeId } from 'distlab';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  protected override onElection(candidate: NodeId, hops: number): void {
    super.onElection(candidate, Math.min(hops, this.servers.length));
  }
}
