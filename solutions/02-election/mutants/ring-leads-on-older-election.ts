// Mutant (2B): any Election of a node's that runs out of nodes to try makes it lead alone, not
// only its latest. An older one says nothing: a newer Election it passed on may have been
// acknowledged meanwhile by a node that came back, whose id is larger.
import type { NodeId } from 'distlab';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

type RingMessage = { readonly type: 'Election'; readonly candidate: NodeId; readonly hops: number } | { readonly type: 'Coordinator'; readonly leader: NodeId; readonly hops: number };

export class RingNode extends Correct {
  protected override sendOn(message: RingMessage, distance: number, unanswered?: number): void {
    // "Whichever of my Elections ran out of nodes, nobody else is alive."
    super.sendOn(message, distance, distance >= this.servers.length ? undefined : unanswered);
  }
}
