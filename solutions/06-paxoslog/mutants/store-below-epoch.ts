// Mutant: a server accepts a Store whatever its epoch. A store of an epoch below its own is
// written and answered ok (its own epoch stays as it was), so an overthrown leader can still
// reach a majority and finalize.
import type { Operation } from '../../../labs/06-paxoslog/src/protocol.ts';
import { PaxosLogServer as ReferenceServer } from '../server.ts';

type StoreReply = ReturnType<ReferenceServer['answerStore']>;

export class PaxosLogServer extends ReferenceServer {
  protected override answerStore(epoch: number, slot: number, operation: Operation): StoreReply {
    if (epoch >= this.epoch) return super.answerStore(epoch, slot, operation);
    const held = this.record(slot);
    if (!held.finalized) this.writeSlot(slot, { epoch, operation, finalized: false });
    return { type: 'StoreReply', epoch, slot, ok: true };
  }
}
