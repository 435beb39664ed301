// Mutant: the leader counts a StoreReply ok whatever its epoch. A late answer to a Store it sent
// while leading an earlier epoch counts for what it stores in the same slot in its current one,
// and a slot is finalized before a majority stored it in one epoch.
import type { NodeId } from 'distlab';
import type { PaxosLog } from '../../../labs/06-paxoslog/src/protocol.ts';
import { PaxosLogServer as ReferenceServer } from '../server.ts';

type StoreReply = Extract<PaxosLog['message'], { type: 'StoreReply' }>;

export class PaxosLogServer extends ReferenceServer {
  protected override onStoreReply(from: NodeId, reply: StoreReply): void {
    super.onStoreReply(from, reply.ok ? { ...reply, epoch: this.epoch } : reply);
  }
}
