// Mutant (2B): the node that started the election keeps the Coordinator when it reaches it,
// as if the message had come back to where it began: the nodes after it never learn the leader.
import type { NodeId } from 'distlab';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  initiated = false;

  protected override startElection(): void {
    if (!this.participant) this.initiated = true;
    super.startElection();
  }

  protected override onCoordinator(leader: NodeId, hops: number): void {
    if (this.initiated && leader !== this.id) {
      this.initiated = false;
      this.participant = false;
      if (this.leader !== leader) {
        this.leader = leader;
        this.output({ type: 'Leader', leader });
      }
      return;
    }
    this.initiated = false;
    super.onCoordinator(leader, hops);
  }
}
