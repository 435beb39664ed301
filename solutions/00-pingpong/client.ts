import { Node, unreachable, type NodeId } from 'distlab';
import type { PingPong } from '../../labs/00-pingpong/src/protocol.ts';

/**
 * Sends a Ping and re-sends it every `retryMs` until its Pong arrives; reports each answer
 * once, ignoring duplicates and answers to pings already answered.
 */
export class PingClient extends Node<PingPong> {
  /** Pings sent and not answered yet. */
  outstanding = new Set<number>();

  override onInput(input: PingPong['input']): void {
    switch (input.type) {
      case 'SendPing':
        if (this.outstanding.has(input.seq)) return;
        this.outstanding.add(input.seq);
        this.sendPing(input.seq);
        return;
      default:
        unreachable(input.type);
    }
  }

  override onMessage(_from: NodeId, message: PingPong['message']): void {
    switch (message.type) {
      case 'Pong':
        // A duplicate, or the answer to a re-sent ping that was already answered.
        if (!this.outstanding.delete(message.seq)) return;
        this.cancelTimer({ type: 'RetryPing', seq: message.seq });
        this.output({ type: 'PongReceived', seq: message.seq });
        return;
      case 'Ping':
        return;
      default:
        unreachable(message);
    }
  }

  override onTimer(timer: PingPong['timer']): void {
    switch (timer.type) {
      case 'RetryPing':
        if (this.outstanding.has(timer.seq)) this.sendPing(timer.seq);
        return;
      default:
        unreachable(timer.type);
    }
  }

  private sendPing(seq: number): void {
    this.send(this.config.server, { type: 'Ping', seq });
    this.setTimer({ type: 'RetryPing', seq }, this.config.retryMs);
  }
}
