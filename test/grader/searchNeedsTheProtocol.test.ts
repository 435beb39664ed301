// A search test judges the protocol, not only its safety and its goal: submissions that reach
// the goal without the protocol (a Lamport node that lets n0 in on its own say, acceptors that
// make up an accepted proposal, a lone proposer that skips phase 1) earn nothing from the
// search tests.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';

const limits = { memoryMb: 512, timeoutMs: 120_000 };

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
