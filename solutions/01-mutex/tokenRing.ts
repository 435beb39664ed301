import { Node, unreachable, type NodeId } from 'distlab';
import type { TokenRing } from '../../labs/01-mutex/src/protocol.ts';

/**
 * 1B. A single token travels the ring n0 -> n1 -> ... -> n0; only its holder may enter.
 * A node that does not want the resource passes the token on at once.
 */
export class TokenRingNode extends Node<TokenRing> {
  wanting = false;
  /** True from the moment the token arrives until it is passed on. */
  holdingToken = false;

  override onStart(): void {
    if (this.id === 0) this.receiveToken();
  }

  override onInput(input: TokenRing['input']): void {
    switch (input.type) {
      case 'Acquire':
        this.wanting = true;
        return;
      case 'Release':
        this.wanting = false;
        this.passToken();
        return;
      default:
        unreachable(input);
    }
  }

  override onMessage(_from: NodeId, message: TokenRing['message']): void {
    switch (message.type) {
      case 'Token':
        this.receiveToken();
        return;
      default:
        unreachable(message.type);
    }
  }

  private receiveToken(): void {
    this.holdingToken = true;
    if (this.wanting) this.output({ type: 'Enter' });
    else this.passToken();
  }

  protected passToken(): void {
    this.holdingToken = false;
    this.send(this.successor(), { type: 'Token' });
  }

  private successor(): NodeId {
    const ring = this.servers;
    return ring[(ring.indexOf(this.id) + 1) % ring.length] as NodeId;
  }
}
