// Mutant: an acceptor's Promise reports the value it accepted under the ballot it is promising,
// not under the ballot it accepted it in. Every report then ties with every other, and the
// proposer keeps whichever came first: a value chosen in a later ballot can lose to an older one.
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import type { NodeId } from 'distlab';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override onPrepare(from: NodeId, ballot: Ballot): void {
    const accepted = this.accepted;
    if (accepted !== null && (this.promised === null || this.compareBallots(ballot, this.promised) >= 0)) this.accepted = { ballot, value: accepted.value };
    super.onPrepare(from, ballot);
    this.accepted = accepted;
  }
}
