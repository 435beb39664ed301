// Mutant: a leader that restarted from a checkpoint does not propose again the slots below it
// that phase 1 reported: a replica behind that checkpoint (down or cut off while they were
// chosen) is sent nothing for them, and never executes them.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override recover(_slot: number): void {}
}
