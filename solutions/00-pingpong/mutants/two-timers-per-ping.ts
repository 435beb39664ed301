// Mutant: on SendPing the client sets a RetryPing timer of its own besides the one its first
// send sets: each timer re-sends the Ping and sets itself again, so an unanswered ping goes
// out twice every retry period.
import type { PingPong } from '../../../labs/00-pingpong/src/protocol.ts';
import { PingClient as CorrectClient } from '../client.ts';

export { PingServer } from '../server.ts';

export class PingClient extends CorrectClient {
  override onInput(input: PingPong['input']): void {
    const fresh = !this.outstanding.has(input.seq);
    super.onInput(input);
    if (fresh) this.setTimer({ type: 'RetryPing', seq: input.seq }, this.config.retryMs);
  }
}
