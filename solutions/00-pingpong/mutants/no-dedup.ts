// Mutant: reports every Pong, including duplicates and late answers to re-sent pings.
import type { NodeId } from 'distlab';
import type { PingPong } from '../../../labs/00-pingpong/src/protocol.ts';
import { PingClient as CorrectClient } from '../client.ts';

export { PingServer } from '../server.ts';

export class PingClient extends CorrectClient {
  override onMessage(from: NodeId, message: PingPong['message']): void {
    if (message.type === 'Pong') {
      this.outstanding.delete(message.seq);
      this.cancelTimer({ type: 'RetryPing', seq: message.seq });
      this.output({ type: 'PongReceived', seq: message.seq });
      return;
    }
    super.onMessage(from, message);
  }
}
