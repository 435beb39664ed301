// Mutant: a follower that promises another server's higher ballot leaves its own LeaderTimeout
// running: when it fires, moments later, the follower starts phase 1 over the candidate it has
// just promised, and the two duel instead of one of them leading.
import type { NodeId } from 'distlab';
import type { Ballot } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  private answeringPrepare = false;

  protected override answerPrepare(candidate: NodeId, ballot: Ballot): ReturnType<ReferenceServer['answerPrepare']> {
    this.answeringPrepare = true;
    try {
      return super.answerPrepare(candidate, ballot);
    } finally {
      this.answeringPrepare = false;
    }
  }

  protected override resetLeaderTimeout(): void {
    // The bug: a promise does not reset the timer (heartbeats and the rest still do).
    if (this.answeringPrepare) return;
    super.resetLeaderTimeout();
  }
}
