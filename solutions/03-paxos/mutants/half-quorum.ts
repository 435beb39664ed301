// Mutant: a "quorum" of half the acceptors, rounded up: Math.ceil(N / 2). A majority when N
// is odd, but with 4 acceptors two disjoint halves of 2 both count as a quorum.
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override quorum(): number {
    return Math.ceil(this.config.acceptors.length / 2);
  }
}
