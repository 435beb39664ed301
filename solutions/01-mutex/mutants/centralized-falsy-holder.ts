// Mutant (1A): the coordinator asks `!this.holder` whether the resource is free: when n0 holds
// it, id 0 reads as "nobody", and the next request is granted while n0 is still inside.
import type { NodeId } from 'distlab';
import type { Centralized } from '../../../labs/01-mutex/src/protocol.ts';
import { CentralizedNode as Correct } from '../centralized.ts';

export { LamportNode } from '../lamport.ts';
export { RicartAgrawalaNode } from '../ricartAgrawala.ts';
export { TokenRingNode } from '../tokenRing.ts';

export class CentralizedNode extends Correct {
  override onMessage(from: NodeId, message: Centralized['message']): void {
    if (message.type === 'Request') {
      if (!this.holder) this.grant(from);
      else this.waiting.push(from);
      return;
    }
    super.onMessage(from, message);
  }
}
