// Mutant: when a Pong answers a re-sent ping, the reaction first reports a ping nobody asked
// for (one past the highest seq it was given: an off-by-one in its retry bookkeeping) and
// then the right answer. The last output of every reaction is right; only a check that
// reads every output sees the stray one.
import type { NodeId } from 'distlab';
import type { PingPong } from '../../../labs/00-pingpong/src/protocol.ts';
import { PingClient as CorrectClient } from '../client.ts';

export { PingServer } from '../server.ts';

export class PingClient extends CorrectClient {
  /** Pings sent more than once. */
  resent = new Set<number>();
  highestAsked = 0;

  override onInput(input: PingPong['input']): void {
    this.highestAsked = Math.max(this.highestAsked, input.seq);
    super.onInput(input);
  }

  override onTimer(timer: PingPong['timer']): void {
    if (this.outstanding.has(timer.seq)) this.resent.add(timer.seq);
    super.onTimer(timer);
  }

  override onMessage(from: NodeId, message: PingPong['message']): void {
    if (message.type === 'Pong' && this.outstanding.has(message.seq) && this.resent.has(message.seq)) {
      this.output({ type: 'PongReceived', seq: this.highestAsked + 1 });
    }
    super.onMessage(from, message);
  }
}
