// Mutant: a client whose command gets no answer in time gives up on it and sends the operation
// again as a new command, with the next sequence number. If the first was executed (its reply
// was lost), the servers cannot tell, and the operation takes effect twice.
import { KvClient as ReferenceKvClient } from '../kvClient.ts';

export { RaftNode } from '../raft.ts';
export { KvServer } from '../kvServer.ts';

export class KvClient extends ReferenceKvClient {
  protected override onRetryTimeout(): void {
    const current = this.current;
    if (current !== null) {
      const sequence = (this.storage.get('kvClientSequence') ?? 0) + 1;
      this.storage.set('kvClientSequence', sequence);
      this.current = { ...current, sequence };
    }
    super.onRetryTimeout();
  }
}
