// Mutant: a restarted acceptor reads its promise back from storage but not the proposals it
// accepted (its accepted:s): its P1bs leave them out, and a new leader may fill a slot a
// majority accepted with something else.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  override onStart(): void {
    super.onStart();
    this.accepted.clear();
  }
}
