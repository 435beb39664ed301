// Mutant: re-sends a Ping at most three times, then gives up. Enough for lost messages,
// not for a server that is down for longer than three retry periods.
import type { PingPong } from '../../../labs/00-pingpong/src/protocol.ts';
import { PingClient as CorrectClient } from '../client.ts';

export { PingServer } from '../server.ts';

export class PingClient extends CorrectClient {
  retries = new Map<number, number>();

  override onTimer(timer: PingPong['timer']): void {
    const retries = this.retries.get(timer.seq) ?? 0;
    if (retries >= 3) return;
    this.retries.set(timer.seq, retries + 1);
    super.onTimer(timer);
  }
}
