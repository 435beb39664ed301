// Mutant: the proposer counts Promise messages, not acceptors. A Promise the network
// delivered twice then counts twice, and phase 2 starts with a minority behind it.
import type { NodeId } from 'distlab';
import type { AcceptedProposal, Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override onPromise(from: NodeId, ballot: Ballot, accepted: AcceptedProposal | null): void {
    const phase1 = this.phase1;
    if (phase1 === null || !this.isCurrentBallot(ballot)) return;
    phase1.promises.push(from);
    if (accepted !== null && this.outranks(accepted, phase1.highest)) phase1.highest = accepted;
    if (phase1.promises.length < this.quorum()) return;
    const value = this.valueToPropose(phase1.highest);
    this.phase1 = null;
    for (const acceptor of this.config.acceptors) this.send(acceptor, { type: 'Accept', ballot, value });
  }
}
