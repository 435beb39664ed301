// Mutant: the acceptor writes its promise before answering a Prepare, but on an Accept it
// tells the learners first and writes the acceptance after.
import type { NodeId } from 'distlab';
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override onAccept(from: NodeId, ballot: Ballot, value: string): void {
    if (this.promised !== null && this.compareBallots(ballot, this.promised) < 0) {
      this.send(from, { type: 'Nack', ballot, promised: this.promised });
      return;
    }
    for (const learner of this.config.learners) this.send(learner, { type: 'Accepted', ballot, value });
    if (!this.config.learners.includes(ballot.proposer)) this.send(ballot.proposer, { type: 'Accepted', ballot, value });
    this.promise(ballot);
    this.accepted = { ballot, value };
    this.storage.set('accepted', this.accepted);
  }
}
