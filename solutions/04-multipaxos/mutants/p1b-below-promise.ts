// Mutant: an acceptor answers a P1a below its promise with a P1b (keeping its higher promise)
// instead of Preempted. Nothing unsafe is accepted, but a candidate of the lower ballot counts
// it towards a majority, takes over, and proposes in a ballot that acceptor will refuse.
import type { NodeId } from 'distlab';
import type { Ballot } from '../../../labs/04-multipaxos/src/protocol.ts';
import { compareBallots, MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override answerPrepare(candidate: NodeId, ballot: Ballot): ReturnType<ReferenceServer['answerPrepare']> {
    if (compareBallots(ballot, this.promised) >= 0) return super.answerPrepare(candidate, ballot);
    return { type: 'P1b', ballot, accepted: [...this.accepted.values()].sort((left, right) => left.slot - right.slot) };
  }
}
