// Mutant: command-outranks-no-op in a leader that proposes what phase 1 bound at its first
// heartbeat tick, not at once (the handout allows batching proposals at a heartbeat). The
// wrong command for slot 1 is proposed a period after the client's next command in slot 2.
import type { Command, PValue } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  /** What phase 1 bound, proposed at the next heartbeat tick. */
  boundByPhaseOne: [number, Command][] = [];

  protected override outranks(reported: PValue, adopted: PValue): boolean {
    if ((reported.command === null) !== (adopted.command === null)) return adopted.command === null;
    return super.outranks(reported, adopted);
  }

  protected override proposalsAfterPhaseOne(adopted: ReadonlyMap<number, PValue>, lastSlot: number): Map<number, Command> {
    this.boundByPhaseOne = [...super.proposalsAfterPhaseOne(adopted, lastSlot)];
    return new Map();
  }

  protected override onHeartbeatTick(): void {
    const bound = this.boundByPhaseOne;
    this.boundByPhaseOne = [];
    for (const [slot, command] of bound) if (this.role === 'leader' && !this.proposals.has(slot)) this.propose(slot, command);
    super.onHeartbeatTick();
  }
}
