// Mutant: a Preempted makes the leader or candidate a follower, but the higher round it names
// is not remembered. Its next ballot is one round above its own, which may still be below the
// promise that refused it: it is refused again, and climbs one round per try.
import type { Ballot } from '../../../labs/04-multipaxos/src/protocol.ts';
import { compareBallots, MultiPaxosServer as ReferenceServer, sameBallot } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override onPreempted(ballot: Ballot, promised: Ballot): void {
    if (this.role === 'follower' || !sameBallot(ballot, this.ballot) || compareBallots(promised, this.ballot) <= 0) return;
    this.becomeFollower();
  }
}
