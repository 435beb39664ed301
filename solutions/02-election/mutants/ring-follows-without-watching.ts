// Mutant (2B): following the leader a Coordinator names does not start the wait for its
// heartbeats; only a heartbeat from it does. A leader that dies before its first heartbeat is
// never suspected.
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

  protected override watchLeader(): void {
    if (!this.coordinating) super.watchLeader();
  }
}
