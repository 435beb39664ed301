// Mutant: the acceptor answers first and writes durable storage after. Within one reaction
// nothing seems wrong, but an acceptor that crashes between its answer and its write has
// told a proposer something its restart forgets.
import type { NodeId } from 'distlab';
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override onPrepare(from: NodeId, ballot: Ballot): void {
    if (this.promised !== null && this.compareBallots(ballot, this.promised) < 0) {
      this.send(from, { type: 'Nack', ballot, promised: this.promised });
      return;
    }
    this.send(from, { type: 'Promise', ballot, accepted: this.accepted });
    this.promise(ballot);
  }

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
