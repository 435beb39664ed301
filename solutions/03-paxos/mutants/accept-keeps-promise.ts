// Mutant: an acceptor that accepts a ballot above its promise keeps its old promise. It then
// promises ballots between the two, below what it has accepted.
import type { NodeId } from 'distlab';
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override onAccept(from: NodeId, ballot: Ballot, value: string): void {
    if (this.promised !== null && this.compareBallots(ballot, this.promised) < 0) {
      this.send(from, { type: 'Nack', ballot, promised: this.promised });
      return;
    }
    this.accepted = { ballot, value };
    this.storage.set('accepted', this.accepted);
    for (const learner of this.config.learners) this.send(learner, { type: 'Accepted', ballot, value });
    if (!this.config.learners.includes(ballot.proposer)) this.send(ballot.proposer, { type: 'Accepted', ballot, value });
  }
}
