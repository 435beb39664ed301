// Mutant: a follower takes a value it accepted below the heartbeat's chosenBelow as chosen when
// it accepted it in any ballot of the heartbeat's leader: that leader's older ballot may have
// lost the slot to another leader's before it led again.
import type { Ballot, PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override acceptedInBallot(pvalue: PValue, ballot: Ballot): boolean {
    return pvalue.ballot.leader === ballot.leader;
  }
}
