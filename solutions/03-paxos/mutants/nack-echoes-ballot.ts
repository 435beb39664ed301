// Mutant: a Nack for a refused Prepare carries the refused ballot as its promise, not the
// acceptor's promise: the proposer learns nothing from it and climbs one round per retry.
import type { NodeId } from 'distlab';
import type { Ballot } from '../../../labs/03-paxos/src/protocol.ts';
import { PaxosNode as Correct } from '../paxos.ts';

export class PaxosNode extends Correct {
  protected override onPrepare(from: NodeId, ballot: Ballot): void {
    if (this.promised !== null && this.compareBallots(ballot, this.promised) < 0) {
      this.send(from, { type: 'Nack', ballot, promised: ballot });
      return;
    }
    super.onPrepare(from, ballot);
  }
}
