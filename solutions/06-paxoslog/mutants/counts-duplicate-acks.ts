// Mutant: the leader counts StoreReply ok messages, not servers. A StoreReply the network
// delivered twice counts twice, and a slot is finalized before a majority stored it.
import type { NodeId } from 'distlab';
import { PaxosLogServer as ReferenceServer, type PendingStore } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  protected override countStored(pendingStore: PendingStore, from: NodeId): void {
    pendingStore.storedBy.push(from);
  }
}
