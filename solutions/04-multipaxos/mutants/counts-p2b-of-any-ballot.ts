// Mutant: the leader counts a P2b towards a slot's majority whatever ballot it answers, as long
// as its command is the one proposed there. A P2b of the leader's earlier ballot that arrives late
// then adds to the acceptances of its new ballot: a command accepted by two servers in one ballot
// and one in another is taken as chosen.
import type { NodeId } from 'distlab';
import type { Ballot, Command } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override onAccepted(from: NodeId, _ballot: Ballot, slot: number, command: Command): void {
    super.onAccepted(from, this.ballot, slot, command);
  }
}
