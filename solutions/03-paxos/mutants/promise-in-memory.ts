// Mutant: the acceptor keeps its promise in memory only (the accepted proposal is still
// written to storage). After a restart it has forgotten what it promised.
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override promise(ballot: Ballot): void {
    this.promised = ballot;
  }
}
