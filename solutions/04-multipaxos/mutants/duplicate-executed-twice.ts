// Mutant: the at-most-once check lives only in the leader's memory: it remembers the last
// sequence number it proposed for each client, and execution applies every chosen command
// without looking at the replicated table. A new leader does not remember what its predecessor
// proposed: a client's retry (or a stale copy of its previous request) is proposed again, and
// the command, now chosen in two slots, is applied twice.
import { applyKvCommand, kvSession, type KvApplication, type KvCommand, type NodeId } from 'distlab';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  /** By client: the last sequence number this server proposed while it led. Volatile, and this server's alone. */
  proposedHere = new Map<NodeId, number>();

  protected override onClientRequest(from: NodeId, command: KvCommand): void {
    if (this.role !== 'leader') {
      this.send(from, { type: 'ClientRedirect', sequence: command.sequence, leader: this.leader });
      return;
    }
    if (command.sequence <= (this.proposedHere.get(command.client) ?? 0)) {
      // Proposed here already: answered once executed.
      const session = kvSession(this.kvState, command.client);
      if (session !== undefined && session.sequence === command.sequence) this.reply(from, command.sequence, session.result);
      return;
    }
    this.proposedHere.set(command.client, command.sequence);
    this.propose(this.slotIn, command);
    this.slotIn++;
  }

  protected override execute(command: KvCommand): KvApplication {
    // The client's own entry taken out of the table: the command always looks new.
    const sessions = Object.fromEntries(Object.entries(this.kvState.sessions).filter(([client]) => client !== String(command.client)));
    return applyKvCommand({ ...this.kvState, sessions }, command);
  }
}
