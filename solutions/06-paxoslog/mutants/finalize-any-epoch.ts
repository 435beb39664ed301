// Mutant: a server that is told to finalize a slot flags whatever it holds there, whatever
// epoch it was stored in. An operation stored by an overthrown leader, never chosen, is then
// taken as the one the Finalize's leader chose in that slot.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

type FinalizeReply = ReturnType<ReferenceServer['answerFinalize']>;

export class PaxosLogServer extends ReferenceServer {
  protected override answerFinalize(epoch: number, slot: number): FinalizeReply {
    const held = this.record(slot);
    if (!held.finalized && this.slots.has(slot) && held.epoch !== epoch) {
      this.writeSlot(slot, { ...held, finalized: true });
      this.executeFinalized();
      return { type: 'FinalizeReply', epoch, slot, ok: true };
    }
    return super.answerFinalize(epoch, slot);
  }
}
