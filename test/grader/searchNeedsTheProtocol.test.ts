// A search test judges the protocol, not only its safety and its goal: submissions that reach
// the goal without the protocol (a Lamport node that lets n0 in on its own say, acceptors that
// make up an accepted proposal, a lone proposer that skips phase 1) earn nothing from the
// search tests.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changedCopy } from '../labs/cheatFolders.ts';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';
import { runTest, type TestOutcome } from '../../grader/runTest.ts';
import { searchTest } from '../../framework/testing.ts';
import type { Paxos } from '../../labs/03-paxos/src/protocol.ts';
import { paxosSearch } from '../../labs/03-paxos/search.ts';
import paxosSuite, { type PaxosImplementation } from '../../labs/03-paxos/suite.ts';
import * as paxosSolution from '../../solutions/03-paxos/index.ts';

const limits = { memoryMb: 512, timeoutMs: 120_000 };
const scratchFolders: string[] = [];
afterAll(() => {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
});

describe('a search test and a node that solves nothing', () => {
  it("fails a Lamport node that enters on its own say on Lamport's rule for entering", async () => {
    const report = await grade({
      lab: 'mutex',
      implementation: join(projectRoot, 'test', 'fixtures', 'lone-entrant-mutex'),
      tests: ['1C.8'],
      limits,
      typecheck: false,
    });
    const [test] = report.tests;
    expect(test?.status).toBe('failed');
    expect(test?.score).toBe(0);
    expect(test?.failure?.property).toBe('hears from every other node before entering');
    expect(test?.failure?.message).toMatch(/n0 entered the critical section without sending a Request/);
  }, 180_000);

  it('fails a Lamport node whose Requests carry a field protocol.ts does not declare', async () => {
    const folder = changedCopy(
      join(projectRoot, 'solutions', '01-mutex'),
      'lamport.ts',
      [["this.broadcast({ type: 'Request', timestamp });", "this.broadcast({ type: 'Request', timestamp, queue: [this.id] } as never);"]],
      scratchFolders,
    );
    const report = await grade({ lab: 'mutex', implementation: folder, tests: ['1C.8'], limits, typecheck: false });
    const [test] = report.tests;
    expect(test?.status).toBe('failed');
    expect(test?.failure?.property).toBe('messages are as protocol.ts declares');
    expect(test?.failure?.message).toMatch(/the field "queue"/);
  }, 180_000);

  /** Grades a Paxos fixture: it scores 0, and every search test fails it on `property`. */
  async function expectPaxosSearchesFail(fixture: string, property: string): Promise<void> {
    const report = await grade({
      lab: 'paxos',
      implementation: join(projectRoot, 'test', 'fixtures', fixture),
      limits,
      typecheck: false,
    });
    expect(report.totals.score).toBe(0);
    const searches = report.tests.filter((test) => test.number.startsWith('3.S'));
    expect(searches.map((test) => test.number)).toEqual(['3.S1', '3.S2', '3.S3', '3.S4', '3.S5']);
    for (const test of searches) {
      expect(test.status, test.number).toBe('failed');
      expect(test.failure?.property, test.number).toBe(property);
    }
  }

  it('fails acceptors that store a proposal nobody asked for, on every Paxos search test and every run test', async () => {
    await expectPaxosSearchesFail('made-up-acceptances-paxos', 'accepts only what an Accept asked for');
  }, 180_000);

  it("fails a lone proposer that skips phase 1 on the proposer's rules, on every Paxos search test and every run test", async () => {
    await expectPaxosSearchesFail('one-phase-paxos', 'phase 2 follows its Promises');
  }, 180_000);
});

describe('a search test bounded by rounds', () => {
  it('names its bound when a proposer that skips round 1 never gets a value chosen in 3.S5', async () => {
    const folder = changedCopy(join(projectRoot, 'solutions', '03-paxos'), 'paxos.ts', [['return this.round + 1;', 'return this.round + 2;']], scratchFolders);
    const report = await grade({ lab: 'paxos', implementation: folder, tests: ['3.S5'], limits, typecheck: false });
    const [test] = report.tests;
    expect(test?.status).toBe('failed');
    expect(test?.failure?.property).toBe('a value is chosen');
    expect(test?.failure?.message).toMatch(/^no progress: .*What bounds this search: each proposer's tries are bounded by the rounds it prepares, counted from 1/);
  }, 180_000);
});

describe('a search test cut short by its state limit', () => {
  /** Lab 3's 3.S1 search on the reference Paxos, with its state limit lowered to `maxStates`. */
  function searchWithLimit(maxStates: number): TestOutcome {
    const test = searchTest<Paxos, PaxosImplementation>({
      kind: 'search',
      visibility: 'visible',
      part: '',
      number: '3.S1',
      name: "3.S1's search with a lower state limit",
      description: "3.S1's breadth-first search, bounded by `maxStates`.",
      points: 3,
      seeds: 1,
      search: (implementation) => ({
        strategy: 'bfs',
        expect: 'goal',
        settings: { ...paxosSearch(implementation.PaxosNode, { proposers: 2, acceptors: 3, proposerRules: true }), depthAfterGoal: 6, maxStates },
      }),
    });
    return runTest(paxosSuite, test, paxosSolution, { seeds: [1] });
  }

  it('fails, naming the limit and what makes a space too large, where it passed on the states it reached', () => {
    const cut = searchWithLimit(5_000);
    expect(cut.passed).toBe(false);
    expect(cut.failure?.property).toBe('search state limit');
    expect(cut.failure?.message).toMatch(/reached its limit of 5000 states at depth \d+/);
    expect(cut.failure?.message).toMatch(/a counter, a log of messages or a history kept in fields/);
    // The same search with room to finish passes: the failure is the limit's, not the protocol's.
    expect(searchWithLimit(500_000).passed).toBe(true);
  }, 180_000);
});
