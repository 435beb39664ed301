// Mutant: the acceptor accepts every Accept, whatever it promised. A proposer whose ballot
// was overtaken by another's Prepare still gets its value accepted.
import type { NodeId } from 'distlab';
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override onAccept(_from: NodeId, ballot: Ballot, value: string): void {
    this.accepted = { ballot, value };
    this.storage.set('accepted', this.accepted);
    for (const learner of this.config.learners) this.send(learner, { type: 'Accepted', ballot, value });
    if (!this.config.learners.includes(ballot.proposer)) this.send(ballot.proposer, { type: 'Accepted', ballot, value });
  }
}
