// Mutant: each server deletes from storage the accepted entries more than 10 slots below what it
// has executed, whatever collectBelow the leader sent: a server that lags, or restarts from an
// older checkpoint, may still need them from its peers' P1bs.
import type { AcceptedKey } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override collect(collectBelow: number): void {
    super.collect(collectBelow);
    for (const slot of [...this.accepted.keys()]) {
      if (slot >= this.slotOut - 10) continue;
      const key: AcceptedKey = `accepted:${slot}`;
      this.storage.delete(key);
      this.accepted.delete(slot);
    }
  }
}
