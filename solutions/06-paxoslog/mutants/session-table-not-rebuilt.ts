// Mutant: a restarted server executes its finalized log again into the key-value map, but starts
// its at-most-once table empty: a client's retry of a command executed before the crash is stored
// in a new slot and executed a second time.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  override onStart(): void {
    super.onStart();
    this.kvState = { ...this.kvState, sessions: {} };
  }
}
