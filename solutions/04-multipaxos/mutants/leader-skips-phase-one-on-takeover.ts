// Mutant: a server that takes over from a leader it followed leads a higher ballot at once,
// without phase 1: it continues at its own slotIn, and never learns what the acceptors accepted
// (or chose) in the slots there in earlier ballots. It proposes new commands over them. The
// very first election, with no leader yet, still runs phase 1.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  /** Whether this incarnation ever followed a leader other than itself. */
  private followedALeader = false;

  protected override startPhaseOne(): void {
    if (this.leader !== null && this.leader !== this.id) this.followedALeader = true;
    if (!this.followedALeader) {
      super.startPhaseOne();
      return;
    }
    this.ballot = { round: Math.max(this.highestRound, this.promised.round) + 1, leader: this.id };
    this.promise(this.ballot);
    this.role = 'leader';
    this.leader = this.id;
    this.proposals = new Map();
    this.progress = new Map();
    this.cancelTimer({ type: 'LeaderTimeout' });
    this.output({ type: 'BecameLeader', ballot: this.ballot });
    this.slotIn = Math.max(this.slotIn, this.slotOut);
    this.sendHeartbeats();
    this.setTimer({ type: 'HeartbeatTick' }, this.config.heartbeatMs);
  }
}
