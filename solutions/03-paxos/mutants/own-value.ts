// Mutant: the proposer always proposes its own value in phase 2, ignoring the proposals
// the Promises report. A value already chosen can be replaced.
import type { AcceptedProposal } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override valueToPropose(highest: AcceptedProposal | null): string {
    return this.value ?? super.valueToPropose(highest);
  }
}
