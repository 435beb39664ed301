// Mutant: the proposer adopts the value of the first Promise that reports one, not the one
// with the highest ballot. A lower ballot's value may never have been chosen, while a
// higher one's was.
import type { AcceptedProposal } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override outranks(_reported: AcceptedProposal, highest: AcceptedProposal | null): boolean {
    return highest === null;
  }
}
