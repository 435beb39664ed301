// Mutant: a majority is counted as half the servers, rounded up: right for 3 or 5 servers, but
// with 4, two servers overthrow, store and finalize, and each half of the cluster goes on alone.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override majority(): number {
    return Math.ceil(this.servers.length / 2);
  }
}
