// Mutant: a server whose LeaderTimeout fires leads a higher ballot at once, without phase 1:
// it continues at its own slotIn, and never learns what the acceptors accepted (or chose) in the
// slots there in earlier ballots. It proposes new commands over them. Every run catches it at its
// first proposal ("phase 2 follows phase 1"), so it is no graded mutant: the search tests use it
// (labs/04-multipaxos/search.test.ts), and leader-skips-phase-one-on-takeover is the subtle one.
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  /** Whether this LeaderTimeout skips phase 1: here always. */
  protected skipsPhaseOne(): boolean {
    return true;
  }

  protected override startPhaseOne(): void {
    if (!this.skipsPhaseOne()) {
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
