// Mutant (2A): takes a Coordinator from a node below the leader it knows for a stale one and
// ignores it, unless it is holding an election itself. A node that took no part in the
// election that replaced a dead leader goes on believing the dead one.
import type { NodeId } from 'distlab';
import type { Bully } from '../../../labs/02-election/src/protocol.ts';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  override onMessage(from: NodeId, message: Bully['message']): void {
    if (message.type === 'Coordinator' && !this.electing && this.leader !== null && from < this.leader) return;
    super.onMessage(from, message);
  }
}
