// Mutant: a restarted proposer takes its round from its own acceptor's accepted proposal
// instead of its promise. A Prepare its own acceptor promised but no Accept followed (the
// proposer reached no majority) leaves no accepted proposal: the ballot is used again.
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  override onStart(): void {
    super.onStart();
    if (this.isProposer()) this.round = this.accepted?.ballot.round ?? 0;
  }
}
