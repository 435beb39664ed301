// Mutant: a restarted server does not read its epoch back from storage (it still writes it): it
// starts from epoch 0, and grants overthrows and accepts stores below the epoch it had accepted.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override readEpoch(): number {
    return 0;
  }
}
