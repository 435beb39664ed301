// Mutant: every Preempted carries the refused ballot as its promise, not the acceptor's: the
// stale leader learns of nothing higher, so it does not step down, and a refused candidate
// does not learn the round it must outrank.
import type { NodeId } from 'distlab';
import type { MultiPaxos } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  override send(to: NodeId, message: MultiPaxos['message']): void {
    super.send(to, message.type === 'Preempted' ? { ...message, promised: message.ballot } : message);
  }
}
