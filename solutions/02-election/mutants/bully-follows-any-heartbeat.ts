// Mutant (2A): a heartbeat from any node that is not its leader makes a node follow that
// node, even a lower one: after a partition heals, the highest leader may follow the lower.
import type { NodeId } from 'distlab';
import type { Bully } from '../../../labs/02-election/src/protocol.ts';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  override onMessage(from: NodeId, message: Bully['message']): void {
    if (message.type === 'Heartbeat' && from !== this.leader) {
      this.follow(from);
      return;
    }
    super.onMessage(from, message);
  }
}
