// Mutant: the proposer counts every Promise for one of its own ballots toward the current
// attempt. A late Promise from an older ballot was made before the acceptor accepted
// whatever it accepted since, so its report is stale.
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override isCurrentBallot(ballot: Ballot): boolean {
    return this.ballot !== null && ballot.proposer === this.id;
  }
}
