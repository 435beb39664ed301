// Mutant: on an Accept the acceptor writes its acceptance first and its raised promise after
// it, and on a restart reads the stored promise back as it is. A crash between the two writes
// leaves a promise below the ballot it accepted, and the restarted acceptor promises a ballot
// in between.
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import type { NodeId } from 'distlab';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override onAccept(from: NodeId, ballot: Ballot, value: string): void {
    if (this.promised !== null && this.compareBallots(ballot, this.promised) < 0) {
      this.send(from, { type: 'Nack', ballot, promised: this.promised });
      return;
    }
    this.accepted = { ballot, value };
    this.storage.set('accepted', this.accepted);
    this.promise(ballot);
    for (const learner of this.config.learners) this.send(learner, { type: 'Accepted', ballot, value });
    if (!this.config.learners.includes(ballot.proposer)) this.send(ballot.proposer, { type: 'Accepted', ballot, value });
  }
}
