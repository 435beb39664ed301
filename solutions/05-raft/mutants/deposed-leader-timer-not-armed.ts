// Mutant: a leader that steps down on a newer term stops its heartbeats but does not start its
// election timer again (it stopped that timer when it became leader): it never stands until it
// grants a vote or hears from a new leader, and a stale server that deposed it cannot win.
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override stopLeading(): void {
    super.stopLeading();
    this.cancelTimer({ type: 'ElectionTimeout' });
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
