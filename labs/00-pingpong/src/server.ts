import { Node, unreachable, type NodeId } from 'distlab';
import type { PingPong } from './protocol.ts';

/** Answers every Ping with a Pong carrying the same sequence number. */
export class PingServer extends Node<PingPong> {
  // Construction: fields here are the server's volatile state (plain data only).

  // Message handlers

  override onMessage(from: NodeId, message: PingPong['message']): void {
    switch (message.type) {
      case 'Ping':
        // TODO: answer the ping.
        return;
      case 'Pong':
        return;
      default:
        unreachable(message);
    }
  }
}
