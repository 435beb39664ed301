// Mutant (1A): serves the newest waiting request first (a stack instead of a queue).
import { CentralizedNode as Correct } from '../centralized.ts';

export { LamportNode } from '../lamport.ts';
export { RicartAgrawalaNode } from '../ricartAgrawala.ts';
export { TokenRingNode } from '../tokenRing.ts';

export class CentralizedNode extends Correct {
  protected override grantNext(): void {
    const next = this.waiting.pop();
    if (next !== undefined) this.grant(next);
  }
}
