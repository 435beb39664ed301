// Mutant (2B): keeps a flag so that it never sets a second CoordinatorTimeout while one is
// pending, clears it only when the timer fires, and cancels the timer when a Coordinator
// comes. From its second election on, a participant has no coordinator timeout: an election
// whose candidate dies is never started again.
import type { NodeId } from 'distlab';
import type { Ring } from '../../../labs/02-election/src/protocol.ts';
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  coordinatorTimerArmed = false;

  override setTimer(timer: Ring['timer'], delay: number | readonly [number, number]): void {
    if (timer.type === 'CoordinatorTimeout') {
      if (this.coordinatorTimerArmed) return;
      this.coordinatorTimerArmed = true;
    }
    super.setTimer(timer, delay);
  }

  override onTimer(timer: Ring['timer']): void {
    if (timer.type === 'CoordinatorTimeout') this.coordinatorTimerArmed = false;
    super.onTimer(timer);
  }

  protected override onCoordinator(leader: NodeId, hops: number): void {
    if (leader !== this.id && hops <= this.servers.length) this.cancelTimer({ type: 'CoordinatorTimeout', election: this.election });
    super.onCoordinator(leader, hops);
  }
}
