// Mutant (1D): Requests and Replies carry the current clock, which moves only when a message
// arrives: a node's later message can carry the stamp of its earlier one.
import type { NodeId } from 'distlab';
import type { RicartAgrawala } from '../../../labs/01-mutex/src/protocol.ts';
import { RicartAgrawalaNode as Correct } from '../ricartAgrawala.ts';

export { CentralizedNode } from '../centralized.ts';
export { LamportNode } from '../lamport.ts';
export { TokenRingNode } from '../tokenRing.ts';

export class RicartAgrawalaNode extends Correct {
  override onInput(input: RicartAgrawala['input']): void {
    if (input.type !== 'Acquire') {
      super.onInput(input);
      return;
    }
    this.requesting = true;
    this.requestTimestamp = this.clock;
    this.repliesFrom = [];
    this.broadcast({ type: 'Request', timestamp: this.requestTimestamp });
    this.maybeEnter();
  }

  protected override reply(to: NodeId): void {
    this.send(to, { type: 'Reply', timestamp: this.clock });
  }
}
