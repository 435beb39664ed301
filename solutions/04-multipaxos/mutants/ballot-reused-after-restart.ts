// Mutant: a server's new ballot is one round above the highest round it has seen in messages,
// and that count is not read back from its stored promise on a restart: a restarted server
// that hears no other ballot before it stands runs phase 1 again with a ballot it already used.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  override onStart(): void {
    super.onStart();
    // "The rounds seen start from nothing." The reference starts from its stored promise.
    this.highestRound = 0;
  }

  protected override nextRound(): number {
    return this.highestRound + 1;
  }
}
