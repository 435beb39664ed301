// Mutant (1D): on receipt the clock just ticks, instead of moving past the received stamp.
// Mutual exclusion still holds (replies compare the stamps in the messages), but the
// clocks are no longer Lamport clocks.
import { unreachable, type NodeId } from 'distlab';
import type { RicartAgrawala } from '../../../labs/01-mutex/src/protocol.ts';
import { RicartAgrawalaNode as Correct } from '../ricartAgrawala.ts';

export { CentralizedNode } from '../centralized.ts';
export { LamportNode } from '../lamport.ts';
export { TokenRingNode } from '../tokenRing.ts';

export class RicartAgrawalaNode extends Correct {
  override onMessage(from: NodeId, message: RicartAgrawala['message']): void {
    this.clock += 1;
    switch (message.type) {
      case 'Request':
        if (this.mustDefer(message.timestamp, from)) this.deferred.push(from);
        else this.reply(from);
        return;
      case 'Reply':
        if (!this.repliesFrom.includes(from)) this.repliesFrom.push(from);
        this.maybeEnter();
        return;
      default:
        unreachable(message);
    }
  }
}
