// Mutant: each Read of the recovery walk is sent once: a Read or its answer lost on the way
// leaves the slot short of a majority of answers for ever (the Overthrow is still sent again,
// but a server that granted already is not asked again).
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override resendReads(): void {
    let stalled = false;
    for (const walk of this.recovery.values()) {
      if (!walk.waitedOneHeartbeat) {
        walk.waitedOneHeartbeat = true;
        continue;
      }
      stalled = true;
    }
    if (!stalled) return;
    for (const peer of this.peers) {
      if (!this.grants.has(peer)) this.send(peer, { type: 'Overthrow', epoch: this.epoch });
    }
  }
}
