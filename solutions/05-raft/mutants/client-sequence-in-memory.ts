// Mutant: the client counts its sequence numbers in a field, not in storage. Restarted, it
// starts again from 1: its next command reuses a number the servers have executed, and is
// taken for a duplicate of the old one (skipped, and answered with the old result, or not at all).
import { KvClient as ReferenceKvClient } from '../kvClient.ts';

export { RaftNode } from '../raft.ts';
export { KvServer } from '../kvServer.ts';

export class KvClient extends ReferenceKvClient {
  lastSequence = 0;

  protected override startNext(): void {
    const operation = this.queued.shift();
    if (operation === undefined) return;
    this.lastSequence++;
    this.current = { client: this.id, sequence: this.lastSequence, operation };
    this.redirectsFollowed = 0;
    if (this.leader !== null) this.sendTo(this.leader);
    else this.sendToNextServer();
  }
}
