// Mutant: the retry period is written in as 100 ms, the visible tests' retryMs, instead of read
// from this.config.retryMs: with a longer one configured, Pings go again too soon.
import type { PingPong } from '../../../labs/00-pingpong/src/protocol.ts';
import { PingClient as CorrectClient } from '../client.ts';

export { PingServer } from '../server.ts';

export class PingClient extends CorrectClient {
  override onInput(input: PingPong['input']): void {
    if (this.outstanding.has(input.seq)) return;
    this.outstanding.add(input.seq);
    this.ping(input.seq);
  }

  override onTimer(timer: PingPong['timer']): void {
    if (this.outstanding.has(timer.seq)) this.ping(timer.seq);
  }

  private ping(seq: number): void {
    this.send(this.config.server, { type: 'Ping', seq });
    this.setTimer({ type: 'RetryPing', seq }, 100);
  }
}
