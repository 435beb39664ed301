import { Node, unreachable, type NodeId } from 'distlab';
import type { PingPong } from './protocol.ts';

/**
 * Gets each ping answered exactly once, although the network may lose, duplicate and delay
 * messages and the server may crash and restart.
 */
export class PingClient extends Node<PingPong> {
  // Construction: fields here are the client's volatile state (plain data only).

  // Inputs from the test

  override onInput(input: PingPong['input']): void {
    switch (input.type) {
      case 'SendPing':
        // TODO: send a Ping to this.config.server, and make sure it is not lost for good.
        return;
      default:
        unreachable(input.type);
    }
  }

  // Message handlers

  override onMessage(_from: NodeId, message: PingPong['message']): void {
    switch (message.type) {
      case 'Pong':
        // TODO: report the answer with this.output({ type: 'PongReceived', seq }), once per ping.
        return;
      case 'Ping':
        return;
      default:
        unreachable(message);
    }
  }

  // Timer handlers

  override onTimer(timer: PingPong['timer']): void {
    switch (timer.type) {
      case 'RetryPing':
        // TODO
        return;
      default:
        unreachable(timer.type);
    }
  }
}
