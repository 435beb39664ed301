import { Node, unreachable, type NodeId } from 'distlab';
import type { Bully } from './protocol.ts';

/**
 * 2A. The bully algorithm: the highest live id leads. Timeouts are in this.config; every
 * message arrives within this.config.maxDelayMs. Report each new leader this node believes
 * in with this.output({ type: 'Leader', leader }).
 */
export class BullyNode extends Node<Bully> {
  // Construction: fields here are this node's volatile state (plain data only).

  override onStart(): void {
    // TODO: a restart (this.storage.get('startedBefore')) holds an election; a first start
    // records that it started, and (with heartbeats) waits to hear from a leader.
  }

  // Inputs from the test

  override onInput(input: Bully['input']): void {
    switch (input.type) {
      case 'SuspectLeader':
        // TODO: hold an election: Election to every higher id, then wait for an Ok.
        return;
      default:
        unreachable(input.type);
    }
  }

  // Message handlers

  override onMessage(from: NodeId, message: Bully['message']): void {
    switch (message.type) {
      case 'Election':
        // TODO: answer Ok, and hold an election of your own.
        return;
      case 'Ok':
        // TODO: a higher node takes over; wait for its Coordinator (not for ever).
        return;
      case 'Coordinator':
        // TODO
        return;
      case 'Heartbeat':
        // TODO
        return;
      default:
        unreachable(message);
    }
  }

  // Timer handlers

  override onTimer(timer: Bully['timer']): void {
    switch (timer.type) {
      case 'AnswerTimeout':
        // TODO: no Ok came: declare yourself leader and send Coordinator to all.
        return;
      case 'CoordinatorTimeout':
        // TODO
        return;
      case 'HeartbeatTick':
        // TODO
        return;
      case 'SuspectTimeout':
        // TODO
        return;
      default:
        unreachable(timer);
    }
  }
}
