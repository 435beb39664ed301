// Mutant (2A): takes "holding an election" to end with the Ok: a node that waits for the
// Coordinator and gets an Election from a lower id starts a whole new election of its own.
import type { NodeId } from 'distlab';
import type { Bully } from '../../../labs/02-election/src/protocol.ts';
import { BullyNode as Correct } from '../bully.ts';

export { RingNode } from '../ring.ts';

export class BullyNode extends Correct {
  override onMessage(from: NodeId, message: Bully['message']): void {
    if (message.type === 'Election' && this.waitingForCoordinator) this.electing = false;
    super.onMessage(from, message);
  }
}
