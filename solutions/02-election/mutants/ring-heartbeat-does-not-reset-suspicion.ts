// Mutant (2B): a heartbeat from the leader does not restart the suspicion timer: every node
// suspects its leader suspectAfterMs after it learned it, however many heartbeats came since,
// and the ring holds an election every few hundred ms for nothing.
import type { NodeId } from 'distlab';
import type { Ring } from '../../../labs/02-election/src/protocol.ts';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  override onMessage(from: NodeId, message: Ring['message']): void {
    if (message.type === 'Heartbeat' && from === this.leader) return;
    super.onMessage(from, message);
  }
}
