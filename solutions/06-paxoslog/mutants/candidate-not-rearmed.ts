// Mutant: a server that starts an overthrow does not set its LeaderTimeout again. When its
// Overthrows are lost, it waits for ever for grants that will not come, and the servers that
// could lead instead find its epoch above theirs.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override startOverthrow(): void {
    super.startOverthrow();
    if (this.role === 'candidate') this.cancelTimer({ type: 'LeaderTimeout' });
  }
}
