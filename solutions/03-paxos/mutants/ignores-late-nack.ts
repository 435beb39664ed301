// Mutant: a proposer takes the promise from a Nack only when it answers its current ballot: a
// Nack that comes back after the proposer retried is dropped, though it tells of a promise its
// next ballot must outrank.
import type { NodeId } from 'distlab';
import type { Paxos } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  override onMessage(from: NodeId, message: Paxos['message']): void {
    if (message.type === 'Nack') {
      const current = this.ballot;
      if (current === null || message.ballot.round !== current.round || message.ballot.proposer !== current.proposer) return;
    }
    super.onMessage(from, message);
  }
}
