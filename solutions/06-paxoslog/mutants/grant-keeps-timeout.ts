// Mutant: a server that grants an Overthrow notes who leads but leaves its LeaderTimeout
// running: when its timer was about to fire, it overthrows the candidate it has just backed.
import { PaxosLogServer as ReferenceServer } from '../server.ts';

export class PaxosLogServer extends ReferenceServer {
  private granting = false;
  private inHeardFromLeader = false;

  protected override answerOverthrow(epoch: number): ReturnType<ReferenceServer['answerOverthrow']> {
    this.granting = true;
    try {
      return super.answerOverthrow(epoch);
    } finally {
      this.granting = false;
    }
  }

  protected override heardFromLeader(epoch: number): void {
    this.inHeardFromLeader = true;
    try {
      super.heardFromLeader(epoch);
    } finally {
      this.inHeardFromLeader = false;
    }
  }

  // Stepping down (a candidate or leader granting a higher epoch) still sets the timer; only the grant's own reset is left out.
  protected override resetLeaderTimeout(): void {
    if (this.granting && this.inHeardFromLeader) return;
    super.resetLeaderTimeout();
  }
}
