// Mutant (1C): a node takes any message from another node since its Acquire as that node's
// answer, whatever its stamp. A late Reply to its previous request then counts for the new
// one, while the sender's own earlier Request is still on its way behind it: both enter.
import type { NodeId } from 'distlab';
import type { Lamport } from '../../../labs/01-mutex/src/protocol.ts';
import { LamportNode as Correct } from '../lamport.ts';

export { CentralizedNode } from '../centralized.ts';
export { RicartAgrawalaNode } from '../ricartAgrawala.ts';
export { TokenRingNode } from '../tokenRing.ts';

export class LamportNode extends Correct {
  /** The nodes heard from since this node's Acquire. */
  heardSince: NodeId[] = [];

  override onInput(input: Lamport['input']): void {
    if (input.type === 'Acquire') this.heardSince = [];
    super.onInput(input);
  }

  protected override receive(from: NodeId, timestamp: number): void {
    super.receive(from, timestamp);
    if (!this.heardSince.includes(from)) this.heardSince.push(from);
  }

  protected override maybeEnter(): void {
    if (this.myRequest === null || this.inCriticalSection) return;
    const head = this.queue[0];
    if (head === undefined || head[1] !== this.id) return;
    if (!this.peers.every((peer) => this.heardSince.includes(peer))) return;
    this.inCriticalSection = true;
    this.output({ type: 'Enter' });
  }
}
