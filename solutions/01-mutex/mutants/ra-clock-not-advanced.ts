// Mutant (1D): on receipt the clock just ticks, instead of moving past the received stamp. The
// clocks are no longer Lamport clocks, and mutual exclusion goes with them: a node that answers a
// Request stamped 24 and then asks with its own clock at 19 wins against that earlier request,
// and both enter (hidden 1D.8 shows it on most seeds).
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
