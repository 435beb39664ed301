// Mutant: a server that takes over from a leader it followed leads a higher ballot at once,
// without phase 1: it continues at its own slotIn, and never learns what the acceptors accepted
// (or chose) in the slots there in earlier ballots. It proposes new commands over them. The
// very first election, with no leader yet, still runs phase 1.
import { MultiPaxosServer as SkipsPhaseOne } from './leader-skips-phase-one.ts';

export class MultiPaxosServer extends SkipsPhaseOne {
  /** Whether this incarnation ever followed a leader other than itself. */
  private followedALeader = false;

  protected override skipsPhaseOne(): boolean {
    if (this.leader !== null && this.leader !== this.id) this.followedALeader = true;
    return this.followedALeader;
  }
}
