// Mutant: an acceptor's Promise reports the first proposal it accepted since it last started,
// not its highest-ballot one. A value chosen in a later ballot is then hidden from the next
// proposer, which may get another value chosen.
import type { AcceptedProposal, Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import type { NodeId } from 'distlab';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  firstAccepted: AcceptedProposal | null = null;

  protected override onPrepare(from: NodeId, ballot: Ballot): void {
    const highest = this.accepted;
    this.accepted = this.firstAccepted ?? highest;
    super.onPrepare(from, ballot);
    this.accepted = highest;
  }

  protected override onAccept(from: NodeId, ballot: Ballot, value: string): void {
    super.onAccept(from, ballot, value);
    this.firstAccepted ??= this.accepted;
  }
}
