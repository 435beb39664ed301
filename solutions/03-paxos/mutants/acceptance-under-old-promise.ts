// Mutant: the acceptor records an acceptance under the ballot it had promised before, not
// under the Accept's ballot (it answers Accepted with the right one). When the Accept
// outranks its promise, what it stores, and reports in its next Promises, is a lower ballot
// than what it accepted.
import type { NodeId } from 'distlab';
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override onAccept(from: NodeId, ballot: Ballot, value: string): void {
    if (this.promised !== null && this.compareBallots(ballot, this.promised) < 0) {
      this.send(from, { type: 'Nack', ballot, promised: this.promised });
      return;
    }
    const previous = this.promised ?? ballot;
    this.promise(ballot);
    this.accepted = { ballot: previous, value };
    this.storage.set('accepted', this.accepted);
    for (const learner of this.config.learners) this.send(learner, { type: 'Accepted', ballot, value });
    if (!this.config.learners.includes(ballot.proposer)) this.send(ballot.proposer, { type: 'Accepted', ballot, value });
  }
}
