// Mutant (2A): once it follows a leader, a node ignores any higher node that later claims
// to lead, such as the highest id coming back after a crash.
import type { NodeId } from 'distlab';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  protected override follow(leader: NodeId): void {
    if (this.leader !== null && leader > this.leader) return;
    super.follow(leader);
  }
}
