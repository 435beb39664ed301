import { Node, unreachable, type NodeId } from 'distlab';
import type { PingPong } from '../../labs/00-pingpong/src/protocol.ts';

/**
 * Answers every Ping with a Pong carrying the same sequence number. It keeps no state, so
 * a crash loses nothing and a duplicated Ping is simply answered twice: the client
 * discards the second answer.
 */
export class PingServer extends Node<PingPong> {
  override onMessage(from: NodeId, message: PingPong['message']): void {
    switch (message.type) {
      case 'Ping':
        this.send(from, { type: 'Pong', seq: message.seq });
        return;
      case 'Pong':
        return;
      default:
        unreachable(message);
    }
  }
}
