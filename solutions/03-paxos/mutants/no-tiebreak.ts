// Mutant: ballots are compared by round only. Two proposers with the same round hold "the
// same" ballot, and acceptors promise and accept both.
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override compareBallots(left: Ballot, right: Ballot): number {
    return left.round - right.round;
  }
}
