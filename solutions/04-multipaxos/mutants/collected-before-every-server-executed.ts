// Mutant: the leader computes collectBelow from the servers that answered its heartbeats, not
// from all of them: a server cut off or down, which has not checkpointed those slots, still
// needs them, and they are deleted everywhere.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override collectBelow(): number {
    let lowest = this.checkpointSlot;
    for (const known of this.progress.values()) lowest = Math.min(lowest, known.checkpointSlot);
    return Math.max(this.collectedBelow, lowest);
  }
}
