import { Node, unreachable, type NodeId } from 'distlab';
import type { TokenRing } from './protocol.ts';

/**
 * 1B. One token travels the ring n0 -> n1 -> ... -> n(N-1) -> n0 (this.servers in order).
 * n0 creates it when it starts. Only the node holding the token may enter.
 */
export class TokenRingNode extends Node<TokenRing> {
  // Construction: fields here are this node's volatile state (plain data only).

  override onStart(): void {
    // TODO: n0 starts with the token.
  }

  // Inputs from the test

  override onInput(input: TokenRing['input']): void {
    switch (input.type) {
      case 'Acquire':
        // TODO
        return;
      case 'Release':
        // TODO
        return;
      default:
        unreachable(input);
    }
  }

  // Message handlers

  override onMessage(_from: NodeId, message: TokenRing['message']): void {
    switch (message.type) {
      case 'Token':
        // TODO: enter with this.output({ type: 'Enter' }) if this node wants the resource, else pass the token on.
        return;
      default:
        unreachable(message.type);
    }
  }
}
