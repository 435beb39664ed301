import { Node, unreachable, type NodeId } from 'distlab';
import type { RicartAgrawala } from './protocol.ts';

/**
 * 1D. Ricart and Agrawala's algorithm. A node asks every other node and enters once all
 * have replied. It replies to a request at once, unless it is in the critical section or
 * is itself asking with an earlier (timestamp, id): then it defers the reply until it leaves.
 */
export class RicartAgrawalaNode extends Node<RicartAgrawala> {
  // Construction: fields here are this node's volatile state (plain data only).

  // Inputs from the test

  override onInput(input: RicartAgrawala['input']): void {
    switch (input.type) {
      case 'Acquire':
        // TODO
        return;
      case 'Release':
        // TODO: send the deferred replies.
        return;
      default:
        unreachable(input);
    }
  }

  // Message handlers

  override onMessage(from: NodeId, message: RicartAgrawala['message']): void {
    switch (message.type) {
      case 'Request':
        // TODO: reply now, or defer.
        return;
      case 'Reply':
        // TODO: enter with this.output({ type: 'Enter' }) once every other node replied.
        return;
      default:
        unreachable(message);
    }
  }
}
