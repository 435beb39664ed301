// Mutant: a proposer takes nothing from a Nack: its next ballot is one round above its own
// rounds only, so after a Nack from a higher promise its retries start below that promise
// and are refused again, one round at a time.
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override onNack(_promised: Ballot): void {}
}
