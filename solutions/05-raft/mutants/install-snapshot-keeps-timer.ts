// Mutant: an InstallSnapshot of the current term makes the server follow its sender but does not
// reset its election timer: a follower that gets nothing but snapshots stands against its leader.
import { RaftNode as ReferenceRaftNode, type LeaderRequest } from '../raft.ts';

export class RaftNode extends ReferenceRaftNode {
  protected override recognizeLeader(request: LeaderRequest): void {
    if (request.type !== 'InstallSnapshot') {
      super.recognizeLeader(request);
      return;
    }
    if (this.role === 'candidate') {
      this.role = 'follower';
      this.votes = [];
    }
    this.leaderId = request.leaderId;
    if (this.membershipMayChange()) this.heardFromLeaderAtMs = this.now();
  }
}
export { KvServer } from '../kvServer.ts';
export { KvClient } from '../kvClient.ts';
