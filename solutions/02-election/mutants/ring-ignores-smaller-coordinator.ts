// Mutant (2B): passes on and follows a Coordinator that names a node smaller than itself,
// without starting an election of its own. A node that was down during that election, and
// announced itself meanwhile, follows the smaller leader while the others follow it.
import type { NodeId } from 'distlab';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  coordinating = false;

  protected override onCoordinator(leader: NodeId, hops: number): void {
    this.coordinating = true;
    try {
      super.onCoordinator(leader, hops);
    } finally {
      this.coordinating = false;
    }
  }

  protected override startElection(): void {
    if (!this.coordinating) super.startElection();
  }
}
