// Mutant: a slot is taken as new when it is at or above slotOut, not when it is not decided
// yet: a slot decided out of order (one before it still missing) is output Chosen again each
// time the server hears of it, by a heartbeat or a Decision.
import type { Command } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override decide(slot: number, command: Command): void {
    if (slot < this.collectedBelow || slot < this.slotOut) return;
    this.decisions.set(slot, command);
    this.output({ type: 'Chosen', slot, command });
    this.executeDecided();
  }
}
