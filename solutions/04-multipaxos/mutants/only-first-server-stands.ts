// Mutant: only the first server ever arms its LeaderTimeout, so only it runs phase 1. While it
// leads nothing shows; down or cut off, nobody takes over until it comes back.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override resetLeaderTimeout(): void {
    if (this.id === this.servers[0]) super.resetLeaderTimeout();
    else this.cancelTimer({ type: 'LeaderTimeout' });
  }
}
