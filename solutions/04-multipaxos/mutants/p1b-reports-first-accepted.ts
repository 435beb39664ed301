// Mutant: a P1b reports, for each slot, the first proposal the acceptor accepted there since it
// last started, not its latest. A command chosen in a later ballot is then hidden from the next
// leader, which may get another command chosen in its slot.
import type { NodeId } from 'distlab';
import type { Ballot, Command, PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  /** By slot, the first proposal accepted there since this server last started. */
  firstAccepted = new Map<number, PValue>();

  protected override answerPrepare(candidate: NodeId, ballot: Ballot): ReturnType<ReferenceServer['answerPrepare']> {
    const latest = this.accepted;
    this.accepted = new Map([...latest].map(([slot, pvalue]) => [slot, this.firstAccepted.get(slot) ?? pvalue]));
    try {
      return super.answerPrepare(candidate, ballot);
    } finally {
      this.accepted = latest;
    }
  }

  protected override answerAccept(ballot: Ballot, slot: number, command: Command): ReturnType<ReferenceServer['answerAccept']> {
    const answer = super.answerAccept(ballot, slot, command);
    const held = this.accepted.get(slot);
    if (held !== undefined && !this.firstAccepted.has(slot)) this.firstAccepted.set(slot, held);
    return answer;
  }
}
