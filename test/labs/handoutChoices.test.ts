// Correct implementations written from a handout alone, each making a choice the handout
// offers that the reference does not, graded on the seeds where that choice once failed a
// property that demanded more than the handout does:
//
// - lab 4, test/fixtures/multipaxos/self-send: a leader that sends its P1a and P2a to itself
//   (the handout: "Send the P1a and P2a to yourself too ..., or call your acceptor's code
//   directly"), crashed in the reaction that sent a P1a, and runs phase 1 with that ballot again
//   after its restart, having never proposed in it;
// - lab 5, test/fixtures/raft/announces-before-output: a new leader that sends its AppendEntries
//   before its BecameLeader output, in the same reaction ("in that reaction");
// - lab 5, test/fixtures/raft/resends-on-failure (parts A to D): a leader that sends each batch
//   once and sends again only after a failed consistency check, so that a follower whose
//   answers are lost (hidden 5D.6) gets every entry and never needs the leader's snapshot;
// - lab 6, test/fixtures/paxoslog/slow-catch-up: Stores, Reads and catch-up Finalizes sent again
//   only every other heartbeat (the handout sets no rate), which on 6.8's lossy network can
//   need more than a second after the last operation returned to reach a lagging server.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';

const fixtures = join(projectRoot, 'test', 'fixtures');

describe('choices a handout offers', () => {
  it('lab 4: a leader whose P1a to itself died with it uses that ballot again, and passes', async () => {
    const report = await grade({ nodeStates: false, lab: '04-multipaxos', implementation: join(fixtures, 'multipaxos', 'self-send'), tests: ['4.20'], seed: 124, typecheck: false, jobs: 1 });
    expect(report.tests.map((test) => [test.number, test.status, test.failure?.property])).toEqual([['4.20', 'passed', undefined]]);
  });

  it('lab 6: a server that tries its catch-up every other heartbeat reaches every live replica on a lossy network, and passes', async () => {
    const report = await grade({ nodeStates: false, lab: '06-paxoslog', implementation: join(fixtures, 'paxoslog', 'slow-catch-up'), tests: ['6.8'], seed: 34, typecheck: false, jobs: 1 });
    expect(report.tests.map((test) => [test.number, test.status, test.failure?.property])).toEqual([['6.8', 'passed', undefined]]);
  });

  it('lab 5: a leader that sends entries again only after a failed consistency check, whose follower never needs its snapshot, passes', async () => {
    const report = await grade({ nodeStates: false, lab: '05-raft', implementation: join(fixtures, 'raft', 'resends-on-failure'), tests: ['5D.6'], seed: 1, typecheck: false, jobs: 1 });
    expect(report.tests.map((test) => [test.number, test.status, test.failure?.property])).toEqual([['5D.6', 'passed', undefined]]);
  });

  it('lab 5: a new leader that sends its AppendEntries before announcing itself, in the same reaction, passes', async () => {
    const report = await grade({ nodeStates: false, lab: '05-raft', implementation: join(fixtures, 'raft', 'announces-before-output'), tests: ['5A.1', '5B.1'], typecheck: false, jobs: 2 });
    expect(report.tests.map((test) => [test.number, test.status, test.failure?.property])).toEqual([
      ['5A.1', 'passed', undefined],
      ['5B.1', 'passed', undefined],
    ]);
  });
});
