// Mutant: the client stores its sequence number when an operation returns, not before it sends
// it. A client that crashes in the middle of an operation restarts with the number before it,
// and its next operation reuses the number of the one it abandoned: if the servers executed that
// one, the new command is taken for its duplicate and answered with its result.
import { KvClient as ReferenceKvClient } from '../kvClient.ts';
import type { KvResult, NodeId } from 'distlab';

export { RaftNode } from '../raft.ts';
export { KvServer } from '../kvServer.ts';

export class KvClient extends ReferenceKvClient {
  protected override startNext(): void {
    const operation = this.queued.shift();
    if (operation === undefined) return;
    const sequence = (this.storage.get('kvClientSequence') ?? 0) + 1;
    this.current = { client: this.id, sequence, operation };
    this.redirectsFollowed = 0;
    if (this.leader !== null) this.sendTo(this.leader);
    else this.sendToNextServer();
  }

  protected override onReply(from: NodeId, result: KvResult): void {
    // Done: now the number is used up.
    if (this.current !== null) this.storage.set('kvClientSequence', this.current.sequence);
    super.onReply(from, result);
  }
}
