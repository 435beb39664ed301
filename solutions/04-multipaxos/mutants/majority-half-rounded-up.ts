// Mutant: a majority is counted as half the servers, rounded up: right for 3 or 5 servers, but
// with 4, two of them complete phase 1 and choose, and the two halves of a split each go on.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override majority(): number {
    return Math.ceil(this.servers.length / 2);
  }
}
