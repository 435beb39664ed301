// Mutant (2A): follows whoever sends a Coordinator, even a lower id: a live higher node
// that missed the election never takes over from the lower one.
import type { NodeId } from 'distlab';
import type { Bully } from '../../../labs/02-election/src/protocol.ts';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  override onMessage(from: NodeId, message: Bully['message']): void {
    if (message.type === 'Coordinator') {
      this.follow(from);
      return;
    }
    super.onMessage(from, message);
  }
}
