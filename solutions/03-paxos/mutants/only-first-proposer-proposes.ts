// Mutant: only the first proposer acts on Propose; the others ignore it. With one proposer at
// work there is never a duel, so the code for contention is never run.
import type { Paxos } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as ReferencePaxosNode } from '../paxos.ts';

export class PaxosNode extends ReferencePaxosNode {
  override onInput(input: Paxos['input']): void {
    if (this.id === this.config.proposers[0]) super.onInput(input);
  }
}
