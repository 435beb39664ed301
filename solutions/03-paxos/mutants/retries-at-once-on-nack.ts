// Mutant: a proposer refused with a Nack for its current ballot starts a new attempt at once,
// instead of waiting its random Retry. Two proposers in step then interrupt each other for ever:
// each new Prepare lands between the other's phase 1 and its phase 2.
import type { NodeId } from 'distlab';
import type { Paxos } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct, sameBallot } from '../paxos.ts';

export class PaxosNode extends Correct {
  override onMessage(from: NodeId, message: Paxos['message']): void {
    super.onMessage(from, message);
    if (message.type === 'Nack' && this.ballot !== null && this.decided === null && sameBallot(message.ballot, this.ballot)) this.prepare();
  }
}
