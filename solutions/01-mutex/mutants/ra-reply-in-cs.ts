// Mutant (1D): answers every request at once while inside the critical section, as if the
// request it made were over once it got in.
import type { NodeId } from 'distlab';
import { earlier } from '../lamport.ts';
import { RicartAgrawalaNode as Correct } from '../ricartAgrawala.ts';

export { CentralizedNode } from '../centralized.ts';
export { LamportNode } from '../lamport.ts';
export { TokenRingNode } from '../tokenRing.ts';

export class RicartAgrawalaNode extends Correct {
  protected override mustDefer(timestamp: number, from: NodeId): boolean {
    return !this.inCriticalSection && this.requesting && earlier(this.requestTimestamp, this.id, timestamp, from);
  }
}
