// Mutant (1B): passes the token on as soon as it enters, instead of when it leaves (and,
// having got what it wanted, stops wanting it).
import { unreachable, type NodeId } from 'distlab';
import type { TokenRing } from '../../../labs/01-mutex/src/protocol.ts';
import { TokenRingNode as Correct } from '../tokenRing.ts';

export { CentralizedNode } from '../centralized.ts';
export { LamportNode } from '../lamport.ts';
export { RicartAgrawalaNode } from '../ricartAgrawala.ts';

export class TokenRingNode extends Correct {
  override onInput(input: TokenRing['input']): void {
    if (input.type === 'Release') return;
    super.onInput(input);
  }

  override onMessage(from: NodeId, message: TokenRing['message']): void {
    switch (message.type) {
      case 'Token':
        if (this.wanting) {
          this.wanting = false;
          this.output({ type: 'Enter' });
        }
        this.passToken();
        return;
      default:
        unreachable(message.type);
    }
  }
}
