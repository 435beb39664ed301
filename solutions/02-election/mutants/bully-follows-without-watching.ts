// Mutant (2A): following a new leader does not start the wait for its heartbeats; only a
// heartbeat from it does. A leader that dies before its first heartbeat is never suspected.
import type { NodeId } from 'distlab';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  following = false;

  protected override follow(leader: NodeId): void {
    this.following = true;
    try {
      super.follow(leader);
    } finally {
      this.following = false;
    }
  }

  protected override watchLeader(): void {
    if (!this.following) super.watchLeader();
  }
}
