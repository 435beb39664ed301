// Mutant: when a lagging server answers a catch-up Finalize with missing, the leader does
// nothing: the server never holds the operation, so it never finalizes that slot nor executes
// anything after it.
import type { NodeId } from 'distlab';
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override onFinalizeMissing(_from: NodeId, _slot: number): void {}
}
