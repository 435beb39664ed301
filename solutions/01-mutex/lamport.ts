import { Node, unreachable, type NodeId } from 'distlab';
import type { Lamport } from '../../labs/01-mutex/src/protocol.ts';

/** (timestamp, id) pairs ordered as Lamport orders requests: by timestamp, then by id. */
export function earlier(timestamp: number, id: NodeId, otherTimestamp: number, otherId: NodeId): boolean {
  return timestamp < otherTimestamp || (timestamp === otherTimestamp && id < otherId);
}

/**
 * 1C. Every node keeps a copy of the queue of requests, ordered by (timestamp, id). A node
 * enters when its own request heads its queue and it has heard, from every other node, a
 * message stamped later than that request. Needs FIFO channels.
 */
export class LamportNode extends Node<Lamport> {
  clock = 0;
  /** Pending requests as [timestamp, id], ordered by (timestamp, id). */
  queue: [number, NodeId][] = [];
  /** The timestamp of this node's pending request, or null. */
  myRequest: number | null = null;
  inCriticalSection = false;
  /** The latest timestamp received from each other node. */
  latestFrom: Record<NodeId, number> = {};

  override onInput(input: Lamport['input']): void {
    switch (input.type) {
      case 'Acquire': {
        const timestamp = this.tick();
        this.myRequest = timestamp;
        this.enqueue(timestamp, this.id);
        this.broadcast({ type: 'Request', timestamp });
        this.maybeEnter();
        return;
      }
      case 'Release':
        this.inCriticalSection = false;
        this.myRequest = null;
        this.dequeue(this.id);
        this.broadcast({ type: 'Release', timestamp: this.tick() });
        return;
      default:
        unreachable(input);
    }
  }

  override onMessage(from: NodeId, message: Lamport['message']): void {
    this.receive(from, message.timestamp);
    switch (message.type) {
      case 'Request':
        this.enqueue(message.timestamp, from);
        this.send(from, { type: 'Reply', timestamp: this.tick() });
        break;
      case 'Reply':
        break;
      case 'Release':
        this.dequeue(from);
        break;
      default:
        unreachable(message);
    }
    this.maybeEnter();
  }

  /** Lamport's receive rule: the clock moves past every stamp it sees. */
  protected receive(from: NodeId, timestamp: number): void {
    this.clock = Math.max(this.clock, timestamp) + 1;
    this.latestFrom[from] = Math.max(this.latestFrom[from] ?? 0, timestamp);
  }

  /** A local event (a send): the clock advances and stamps it. */
  protected tick(): number {
    this.clock += 1;
    return this.clock;
  }

  protected maybeEnter(): void {
    if (this.myRequest === null || this.inCriticalSection) return;
    const head = this.queue[0];
    if (head === undefined || head[1] !== this.id) return;
    const mine = this.myRequest;
    const heardFromAll = this.peers.every((peer) => {
      const latest = this.latestFrom[peer];
      return latest !== undefined && earlier(mine, this.id, latest, peer);
    });
    if (!heardFromAll) return;
    this.inCriticalSection = true;
    this.output({ type: 'Enter' });
  }

  protected enqueue(timestamp: number, id: NodeId): void {
    this.queue.push([timestamp, id]);
    this.queue.sort(([leftTime, leftId], [rightTime, rightId]) => (earlier(leftTime, leftId, rightTime, rightId) ? -1 : 1));
  }

  private dequeue(id: NodeId): void {
    this.queue = this.queue.filter(([, owner]) => owner !== id);
  }
}
