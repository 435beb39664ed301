// Mutant: a follower restarts its election timer only for an AppendEntries that succeeds (and
// for an InstallSnapshot), not for every one from the current leader: a follower whose log
// lags, whose answers are lost, keeps failing the consistency check, times out and stands.
import type { NodeId } from 'distlab';
import type { Raft } from '../../../labs/05-raft/src/protocol.ts';
import { RaftNode as ReferenceRaftNode } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  /** False while an AppendEntries that fails its checks is handled. */
  restartsTimer = true;

  protected override resetElectionTimer(): void {
    if (this.restartsTimer) super.resetElectionTimer();
  }

  protected override onAppendEntries(leader: NodeId, request: Extract<Raft['message'], { type: 'AppendEntries' }>): void {
    this.restartsTimer =
      request.term >= this.currentTerm && request.prevLogIndex <= this.lastLogIndex() && this.termMatches(request.prevLogIndex, request.prevLogTerm);
    try {
      super.onAppendEntries(leader, request);
    } finally {
      this.restartsTimer = true;
    }
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
