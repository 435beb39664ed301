// Mutant: takes a re-sent Ping as good as answered. When the retry timer fires it sends the
// Ping again and reports the ping answered at once, before any Pong came back, although the
// Ping may be lost again or the server down. (A client that reports on the first send has
// the same bug, and fails the smoke test already; this one reports only on re-sends, which
// only a faulty network makes.)
import type { PingPong } from '../../../labs/00-pingpong/src/protocol.ts';
import { PingClient as CorrectClient } from '../client.ts';

export { PingServer } from '../server.ts';

export class PingClient extends CorrectClient {
  override onTimer(timer: PingPong['timer']): void {
    if (!this.outstanding.delete(timer.seq)) return;
    this.send(this.config.server, { type: 'Ping', seq: timer.seq });
    this.output({ type: 'PongReceived', seq: timer.seq });
  }
}
