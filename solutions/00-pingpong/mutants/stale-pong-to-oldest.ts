// Mutant: takes a Pong it does not expect (a duplicate, or the late answer to a ping already
// answered) as the answer to its oldest outstanding ping, as if Pongs came back in the order
// of the Pings. On a network that neither duplicates nor delays past the retry time every
// Pong is expected, so this passes the smoke test. (A client that takes every Pong as the
// answer to its oldest ping fails the smoke test already: there, the Pong of a later ping
// sometimes overtakes that of an earlier one.)
import type { NodeId } from 'distlab';
import type { PingPong } from '../../../labs/00-pingpong/src/protocol.ts';
import { PingClient as CorrectClient } from '../client.ts';

export { PingServer } from '../server.ts';

export class PingClient extends CorrectClient {
  override onMessage(from: NodeId, message: PingPong['message']): void {
    if (message.type !== 'Pong' || this.outstanding.has(message.seq)) return super.onMessage(from, message);
    // A Set iterates in insertion order: the first element is the oldest ping asked for.
    const oldest = this.outstanding.values().next();
    if (oldest.done === true) return;
    super.onMessage(from, { type: 'Pong', seq: oldest.value });
  }
}
