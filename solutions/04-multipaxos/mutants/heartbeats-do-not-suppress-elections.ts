// Mutant: a follower's LeaderTimeout is not reset by the leader's heartbeats: every follower
// runs phase 1 whenever its timeout fires, and leaders depose one another for ever.
import type { Ballot } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override followLeader(ballot: Ballot): void {
    this.leader = ballot.leader;
  }
}
