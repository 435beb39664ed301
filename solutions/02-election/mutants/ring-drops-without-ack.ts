// Mutant (2B): drops an Election or a Coordinator that has been round the ring (hops > N)
// before acknowledging it: its sender, alive and well, takes this node for dead, skips it, and
// may end up declaring itself alone.
import type { NodeId } from 'distlab';
import type { Ring } from '../../../labs/02-election/src/protocol.ts';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  override onMessage(from: NodeId, message: Ring['message']): void {
    if ((message.type === 'Election' || message.type === 'Coordinator') && message.hops > this.servers.length) return;
    super.onMessage(from, message);
  }
}
