// Mutant: a leader reads a QueryReply only for its catch-up figure, never for its epoch: an
// overthrown leader whose log is idle goes on believing it leads, and heartbeats in its old
// epoch, until a client's Store is rejected.
import type { NodeId } from 'distlab';
import type { PaxosLog } from '../../../labs/06-paxoslog/src/protocol.ts';
import { PaxosLogServer as ReferenceServer } from '../server.ts';

type QueryReply = Extract<PaxosLog['message'], { type: 'QueryReply' }>;

export class PaxosLogServer extends ReferenceServer {
  protected override onQueryReply(from: NodeId, reply: QueryReply): void {
    super.onQueryReply(from, { ...reply, currentEpoch: reply.epoch });
  }
}
