// Mutant (2A): a heartbeat from any node higher than itself makes a node follow that node, even
// one lower than its leader: a late heartbeat of the old leader, after the new leader's
// Coordinator, takes the followers back to the old one until the new leader's next heartbeat.
import type { NodeId } from 'distlab';
import type { Bully } from '../../../labs/02-election/src/protocol.ts';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  override onMessage(from: NodeId, message: Bully['message']): void {
    if (message.type === 'Heartbeat' && from !== this.leader && from > this.id) {
      this.follow(from);
      return;
    }
    super.onMessage(from, message);
  }
}
