// Mutant: a follower takes every value it accepted below the heartbeat's chosenBelow as chosen,
// whatever the ballot it accepted it in: a value of an older ballot may not be the one chosen.
import type { Ballot, PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override acceptedInBallot(_pvalue: PValue, _ballot: Ballot): boolean {
    return true;
  }
}
