import { Node, unreachable, type NodeId } from 'distlab';
import type { Lamport } from './protocol.ts';

/**
 * 1C. Lamport's algorithm. Every node keeps a queue of requests ordered by (timestamp, id)
 * and a Lamport clock; every message carries a timestamp. A node enters when its own
 * request heads its queue and it has received, from every other node, a message stamped
 * later than its request. Channels are FIFO.
 */
export class LamportNode extends Node<Lamport> {
  // Construction: fields here are this node's volatile state (plain data only).

  // Inputs from the test

  override onInput(input: Lamport['input']): void {
    switch (input.type) {
      case 'Acquire':
        // TODO: stamp a request, queue it, and send it to every other node (this.broadcast).
        return;
      case 'Release':
        // TODO: remove the request and tell every other node.
        return;
      default:
        unreachable(input);
    }
  }

  // Message handlers

  override onMessage(from: NodeId, message: Lamport['message']): void {
    switch (message.type) {
      case 'Request':
        // TODO: update the clock, queue the request, reply with a timestamp.
        return;
      case 'Reply':
        // TODO
        return;
      case 'Release':
        // TODO
        return;
      default:
        unreachable(message);
    }
  }
}
