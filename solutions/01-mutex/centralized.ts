import { Node, unreachable, type NodeId } from 'distlab';
import type { Centralized } from '../../labs/01-mutex/src/protocol.ts';

/**
 * 1A. One node, the coordinator, owns the resource: it grants it to one requester at a
 * time, in the order the requests arrived. Every other node asks it and tells it when done.
 */
export class CentralizedNode extends Node<Centralized> {
  // Coordinator only: who holds the resource, and who waits, oldest first.
  holder: NodeId | null = null;
  waiting: NodeId[] = [];

  override onInput(input: Centralized['input']): void {
    switch (input.type) {
      case 'Acquire':
        this.send(this.config.coordinator, { type: 'Request' });
        return;
      case 'Release':
        this.send(this.config.coordinator, { type: 'Release' });
        return;
      default:
        unreachable(input);
    }
  }

  override onMessage(from: NodeId, message: Centralized['message']): void {
    switch (message.type) {
      case 'Request':
        if (this.holder === null) this.grant(from);
        else this.waiting.push(from);
        return;
      case 'Release':
        this.holder = null;
        this.grantNext();
        return;
      case 'Grant':
        this.output({ type: 'Enter' });
        return;
      default:
        unreachable(message);
    }
  }

  protected grantNext(): void {
    const next = this.waiting.shift();
    if (next !== undefined) this.grant(next);
  }

  protected grant(to: NodeId): void {
    this.holder = to;
    this.send(to, { type: 'Grant' });
  }
}
