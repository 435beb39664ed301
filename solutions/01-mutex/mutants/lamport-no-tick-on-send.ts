// Mutant (1C): the clock moves only when a message arrives, never before a send. A node's later
// message can carry the stamp of its earlier one (a Release, then the next Request, both
// stamped 2), though a message sent after receiving stamp t still carries more than t.
import { LamportNode as Correct } from '../lamport.ts';

export { CentralizedNode } from '../centralized.ts';
export { RicartAgrawalaNode } from '../ricartAgrawala.ts';
export { TokenRingNode } from '../tokenRing.ts';

export class LamportNode extends Correct {
  protected override tick(): number {
    return this.clock;
  }
}
