// Mutant: never cancels the retry timer, and the timer re-sends the Ping without asking
// whether it was answered. Every ping is still reported exactly once, but Pings keep
// going out long after their answers came.
import type { PingPong } from '../../../labs/00-pingpong/src/protocol.ts';
import { PingClient as CorrectClient } from '../client.ts';

export { PingServer } from '../server.ts';

export class PingClient extends CorrectClient {
  override cancelTimer(_timer: PingPong['timer']): void {}

  override onTimer(timer: PingPong['timer']): void {
    this.send(this.config.server, { type: 'Ping', seq: timer.seq });
    this.setTimer(timer, this.config.retryMs);
  }
}
