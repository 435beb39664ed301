// Mutant: a walk that lacks a majority of answers sends its Reads again, but never its
// Overthrow: when a granter goes down for good before it answers, the servers that did not
// grant are never asked, and the walk waits for ever.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override resendReads(): void {
    for (const [slot, walk] of this.recovery) {
      if (!walk.waitedOneHeartbeat) {
        walk.waitedOneHeartbeat = true;
        continue;
      }
      for (const server of this.grants.keys()) {
        if (!walk.answeredBy.includes(server)) this.send(server, { type: 'Read', epoch: this.epoch, slot });
      }
    }
  }
}
