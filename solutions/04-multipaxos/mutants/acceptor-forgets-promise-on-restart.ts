// Mutant: a restarted acceptor does not read its promise back from storage: it starts from
// ballot {0, 0}, and accepts (and promises) ballots below the one it promised before the crash.
import type { Ballot } from '../../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer as ReferenceServer, zeroBallot } from '../server.ts';

export class MultiPaxosServer extends ReferenceServer {
  protected override readPromised(): Ballot {
    return zeroBallot;
  }
}
