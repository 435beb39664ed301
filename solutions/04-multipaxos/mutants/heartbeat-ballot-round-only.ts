// Mutant: a follower takes a value it accepted below the heartbeat's chosenBelow as chosen when
// it accepted it in the heartbeat's round, whoever led that ballot: a value of another leader's
// ballot of the same round may have lost.
import type { Ballot, PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override acceptedInBallot(pvalue: PValue, ballot: Ballot): boolean {
    return pvalue.ballot.round === ballot.round;
  }
}
