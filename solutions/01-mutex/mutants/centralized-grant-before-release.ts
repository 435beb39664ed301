// Mutant (1A): grants a request at once when nobody is queued, without checking that the
// resource was released.
import type { NodeId } from 'distlab';
import type { Centralized } from '../../../labs/01-mutex/src/protocol.ts';
import { CentralizedNode as Correct } from '../centralized.ts';

export { LamportNode } from '../lamport.ts';
export { RicartAgrawalaNode } from '../ricartAgrawala.ts';
export { TokenRingNode } from '../tokenRing.ts';

export class CentralizedNode extends Correct {
  override onMessage(from: NodeId, message: Centralized['message']): void {
    if (message.type === 'Request' && this.waiting.length === 0) {
      this.grant(from);
      return;
    }
    super.onMessage(from, message);
  }
}
