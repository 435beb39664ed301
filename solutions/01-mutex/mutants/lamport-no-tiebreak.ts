// Mutant (1C): orders requests by timestamp alone. Equal timestamps keep the order in which
// each node happened to queue them, so two nodes can each see their own request first.
import type { NodeId } from 'distlab';
import { LamportNode as Correct } from '../lamport.ts';

export { CentralizedNode } from '../centralized.ts';
export { RicartAgrawalaNode } from '../ricartAgrawala.ts';
export { TokenRingNode } from '../tokenRing.ts';

export class LamportNode extends Correct {
  protected override enqueue(timestamp: number, id: NodeId): void {
    this.queue.push([timestamp, id]);
    this.queue.sort(([left], [right]) => left - right);
  }

  protected override maybeEnter(): void {
    if (this.myRequest === null || this.inCriticalSection) return;
    const head = this.queue[0];
    if (head === undefined || head[1] !== this.id) return;
    const mine = this.myRequest;
    if (!this.peers.every((peer) => (this.latestFrom[peer] ?? 0) > mine)) return;
    this.inCriticalSection = true;
    this.output({ type: 'Enter' });
  }
}
