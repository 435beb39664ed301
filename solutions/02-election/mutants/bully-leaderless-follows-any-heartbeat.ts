// Mutant (2A): a node that knows no leader follows the sender of any Heartbeat, even a lower
// one. A restarted node that is now the highest live id, its election under way, takes the
// lower leader's next heartbeat as settling it, and nothing ever changes that.
import type { NodeId } from 'distlab';
import type { Bully } from '../../../labs/02-election/src/protocol.ts';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  override onMessage(from: NodeId, message: Bully['message']): void {
    if (message.type === 'Heartbeat' && this.leader === null && from !== this.id) {
      this.follow(from);
      return;
    }
    super.onMessage(from, message);
  }
}
