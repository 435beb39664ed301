// Mutant: the learner counts acceptors that accepted the same value, whatever the ballot.
// A value accepted by a majority in different ballots has not been chosen.
import type { AcceptedProposal } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override isChosen(proposal: AcceptedProposal): boolean {
    const votes = this.heard.filter((known) => known !== null && known.value === proposal.value).length;
    return votes >= this.quorum();
  }
}
