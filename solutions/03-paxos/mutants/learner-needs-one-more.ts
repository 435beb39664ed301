// Mutant: the learner waits for one acceptance more than a majority (`>` where `>=` belongs).
// Safe, and with every acceptor up it learns all the same; with a minority of the acceptors
// down for good it never learns.
import type { AcceptedProposal } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override isChosen(proposal: AcceptedProposal): boolean {
    const votes = this.heard.filter((known) => known !== null && known.ballot.round === proposal.ballot.round && known.ballot.proposer === proposal.ballot.proposer).length;
    return votes > this.quorum();
  }
}
