import { Node, unreachable, type NodeId } from 'distlab';
import type { Ring } from './protocol.ts';

/**
 * 2B. Chang and Roberts' ring election, over the ring n0 -> n1 -> ... -> n(N-1) -> n0
 * (this.servers in order), acknowledging every Election and Coordinator and skipping a
 * successor that does not acknowledge in time. Report each new leader this node believes in
 * with this.output({ type: 'Leader', leader }).
 */
export class RingNode extends Node<Ring> {
  // Construction: fields here are this node's volatile state (plain data only).

  override onStart(): void {
    // TODO: a restart holds an election; a first start records that it started.
  }

  // Inputs from the test

  override onInput(input: Ring['input']): void {
    switch (input.type) {
      case 'SuspectLeader':
        // TODO: become a participant and send Election with your own id to your successor.
        return;
      default:
        unreachable(input.type);
    }
  }

  // Message handlers

  override onMessage(from: NodeId, message: Ring['message']): void {
    switch (message.type) {
      case 'Election':
        // TODO: acknowledge; forward the larger id; swallow a smaller one if already a participant;
        // your own id back means you have the largest: send Coordinator around.
        return;
      case 'Coordinator':
        // TODO
        return;
      case 'Ack':
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

  override onTimer(timer: Ring['timer']): void {
    switch (timer.type) {
      case 'AckTimeout':
        // TODO: the successor seems dead: send to the one after it.
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
