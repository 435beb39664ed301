// Mutant: an AppendEntries without entries (a heartbeat) does not reset the follower's election timer.
import { RaftNode as ReferenceRaftNode, type LeaderRequest } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override recognizeLeader(request: LeaderRequest): void {
    if (this.role === 'candidate') {
      this.role = 'follower';
      this.votes = [];
    }
    this.leaderId = request.leaderId;
    if (request.type === 'InstallSnapshot' || request.entries.length > 0) this.resetElectionTimer();
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
