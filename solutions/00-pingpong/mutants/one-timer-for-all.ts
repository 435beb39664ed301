// Mutant: one RetryPing timer for all pings, set again at every SendPing; when it fires it
// sends every outstanding Ping again. While new pings keep being asked for less than retryMs
// apart, it never fires, and a lost Ping waits until the stream stops.
import type { NodeId } from 'distlab';
import type { PingPong } from '../../../labs/00-pingpong/src/protocol.ts';
import { PingClient as CorrectClient } from '../client.ts';

export { PingServer } from '../server.ts';

const shared = { type: 'RetryPing', seq: 0 } as const;

export class PingClient extends CorrectClient {
  override onInput(input: PingPong['input']): void {
    if (this.outstanding.has(input.seq)) return;
    this.outstanding.add(input.seq);
    this.send(this.config.server, { type: 'Ping', seq: input.seq });
    this.cancelTimer(shared);
    this.setTimer(shared, this.config.retryMs);
  }

  override onMessage(_from: NodeId, message: PingPong['message']): void {
    if (message.type !== 'Pong' || !this.outstanding.delete(message.seq)) return;
    this.output({ type: 'PongReceived', seq: message.seq });
  }

  override onTimer(): void {
    if (this.outstanding.size === 0) return;
    for (const seq of this.outstanding) this.send(this.config.server, { type: 'Ping', seq });
    this.setTimer(shared, this.config.retryMs);
  }
}
