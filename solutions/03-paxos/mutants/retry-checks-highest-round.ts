// Mutant: a Retry timer is matched against the highest round seen rather than the round of the
// attempt it was set for. Once a Nack tells of a higher round, the proposer ignores its own
// retry and stops trying: it is saved only while the proposer that promised that round goes on.
import type { Paxos } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  override onTimer(timer: Paxos['timer']): void {
    if (timer.type === 'Retry') {
      if (this.ballot !== null && timer.attempt === this.round && this.decided === null) this.prepare();
      return;
    }
    super.onTimer(timer);
  }
}
