// Mutant: only the first server ever tries to lead; the others let their LeaderTimeout pass. Safe
// and live while n0 is up and reachable: a cluster whose leader is cut off then serves nobody
// until it is back.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override startOverthrow(): void {
    if (this.id !== this.servers[0]) return;
    super.startOverthrow();
  }
}
