// Mutant: a passive server sets its LeaderTimeout anew for every Query, before it looks at the
// epoch: an overthrown leader that can still send (but no longer hears) keeps every server from
// trying to lead, and once the real leader is gone nobody leads for as long as it sends.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  override onMessage(from: number, message: Parameters<ReferenceServer['onMessage']>[1]): void {
    // "A leader is about."
    if (message.type === 'Query' && this.role === 'passive') this.resetLeaderTimeout();
    super.onMessage(from, message);
  }
}
