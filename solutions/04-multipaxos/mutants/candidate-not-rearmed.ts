// Mutant: a server that starts phase 1 does not set its LeaderTimeout again. When its P1as are
// lost (the others are down, or it is cut off), it waits for ever for promises that will not come.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override startPhaseOne(): void {
    super.startPhaseOne();
    if (this.role === 'candidate') this.cancelTimer({ type: 'LeaderTimeout' });
  }
}
