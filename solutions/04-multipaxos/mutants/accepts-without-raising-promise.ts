// Mutant: an acceptor that accepts a P2a of a ballot above its promise does not raise its
// promise to that ballot. A leader of a lower ballot that missed the higher one's P1a can then
// have this acceptor accept its own proposal over the higher one in the same slot.
import type { Ballot, Command, MultiPaxos, PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { compareBallots, MultiPaxosServer as ReferenceServer, sameBallot, sameCommand } from '../server.ts';

type Message<Type extends MultiPaxos['message']['type']> = Extract<MultiPaxos['message'], { type: Type }>;

export class MultiPaxosServer extends ReferenceServer {
  protected override answerAccept(ballot: Ballot, slot: number, command: Command): Message<'P2b' | 'Preempted'> {
    if (compareBallots(ballot, this.promised) < 0) return { type: 'Preempted', ballot, promised: this.promised };
    const held = this.accepted.get(slot);
    if (held === undefined || !sameBallot(held.ballot, ballot) || !sameCommand(held.command, command)) {
      const pvalue: PValue = { ballot, slot, command };
      this.storage.set(`accepted:${slot}`, pvalue);
      this.accepted.set(slot, pvalue);
    }
    return { type: 'P2b', ballot, slot, command };
  }
}
