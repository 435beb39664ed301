// Mutant: phase 1 adopts, for each slot, the reported proposal of the highest round, ballots
// of one round compared as equal: of two proposals of one round from different leaders it
// keeps the first it read, which may be the one that lost.
import type { PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override outranks(reported: PValue, adopted: PValue): boolean {
    return reported.ballot.round > adopted.ballot.round;
  }
}
