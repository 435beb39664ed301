import { Node, unreachable, type NodeId } from 'distlab';
import type { Centralized } from './protocol.ts';

/**
 * 1A. The coordinator (this.config.coordinator) owns the resource and grants it to one
 * requester at a time, first come, first served. Every node runs this class; the
 * coordinator's part and a requester's part are told apart by this.id.
 */
export class CentralizedNode extends Node<Centralized> {
  // Construction: fields here are this node's volatile state (plain data only).

  // Inputs from the test

  override onInput(input: Centralized['input']): void {
    switch (input.type) {
      case 'Acquire':
        // TODO: ask the coordinator.
        return;
      case 'Release':
        // TODO: tell the coordinator.
        return;
      default:
        unreachable(input);
    }
  }

  // Message handlers

  override onMessage(from: NodeId, message: Centralized['message']): void {
    switch (message.type) {
      case 'Request':
        // TODO (coordinator): grant now if the resource is free, else queue the requester.
        return;
      case 'Release':
        // TODO (coordinator): the resource is free: grant it to the oldest waiting requester.
        return;
      case 'Grant':
        // TODO: enter the critical section with this.output({ type: 'Enter' }).
        return;
      default:
        unreachable(message);
    }
  }
}
