// Mutant (2B): a node starts a new election whenever it is told to, even while it is a
// participant already: two suspicions in a row send two Elections round the ring, and each
// later one costs the whole ring its messages again.
import { RingNode as Correct } from '../ring.ts';

export { BullyNode } from '../bully.ts';

export class RingNode extends Correct {
  protected override startElection(): void {
    this.participant = false;
    super.startElection();
  }
}
