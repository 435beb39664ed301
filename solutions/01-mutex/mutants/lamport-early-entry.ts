// Mutant (1C): enters as soon as its own request heads its queue, without waiting to hear
// from every other node — whose earlier requests may still be on their way.
import { LamportNode as Correct } from '../lamport.ts';

export { CentralizedNode } from '../centralized.ts';
export { RicartAgrawalaNode } from '../ricartAgrawala.ts';
export { TokenRingNode } from '../tokenRing.ts';

export class LamportNode extends Correct {
  protected override maybeEnter(): void {
    if (this.myRequest === null || this.inCriticalSection) return;
    if (this.queue[0]?.[1] !== this.id) return;
    this.inCriticalSection = true;
    this.output({ type: 'Enter' });
  }
}
