// Mutant: a leader or candidate that gets a Preempted for its own ballot remembers the higher
// round, but does not step down: cut off from the acceptor that promised the higher ballot's
// P1a, it goes on proposing and heartbeating in a ballot a majority has left behind.
import type { Ballot } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override onPreempted(_ballot: Ballot, promised: Ballot): void {
    this.noteRound(promised);
  }
}
