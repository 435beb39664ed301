// A handler that never returns is stopped once the child has been silent for the stall limit,
// not at the test's whole wall-clock limit; slow work that keeps reacting is never stopped.
// The wall-clock limits here are ten minutes (the loading limit a minute), far beyond what any
// of these runs needs: only the stall limit can end a loop before vitest's own timeout would
// fail the test.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { resolveImplementation } from '../../grader/implementation.ts';
import { Sandbox } from '../../grader/isolation.ts';
import { findLab, SetupError } from '../../grader/labs.ts';

const loops = 'test/fixtures/pingpong/infinite-loop.ts';
const limits = { timeoutMs: 600_000, memoryMb: 512, stallMs: 2_000 };

describe('a handler that never returns', () => {
  it('is stopped after the stall limit, and grading goes on with the next test', async () => {
    // 0.3 duplicates messages, which sends the fixture's server into its loop in seed 1.
    const report = await grade({ lab: 'pingpong', implementation: loops, tests: ['0.3', '0.6'], jobs: 1, limits, typecheck: false });
    const [looping, after] = report.tests;
    expect(looping?.status).toBe('timed out');
    expect(looping?.score).toBe(0);
    // The seed is run again, told of each reaction, to name the one that never returned.
    expect(looping?.reason).toBe(
      'a handler did not return for 2 s (an endless loop?) in seed 1: n0\'s onMessage("Ping" from n1), at 21 ms of simulated time, never returned (found by running the seed again); ' +
        `the test was stopped there, after 0 of 30 seeds; grade that seed alone: npm run grade -- pingpong --impl ${loops} --test 0.3 --seed 1`,
    );
    expect(after?.status, 'the next test gets a new process and passes').toBe('passed');
  }, 120_000);

  it('after a great many reactions is located too, within what is left of the wall-clock limit', async () => {
    // 150,000 reactions, then the loop: the run that locates it is told of every one.
    const report = await grade({ lab: 'pingpong', implementation: 'test/fixtures/pingpong/storm-then-stall.ts', tests: ['0.1', '0.6'], jobs: 1, limits, typecheck: false });
    const [looping, after] = report.tests;
    expect(looping?.status).toBe('timed out');
    expect(looping?.reason).toMatch(/^a handler did not return for 2 s \(an endless loop\?\) in seed 1: n0's onMessage\("Ping" from n0\), at 0 ms of simulated time, never returned \(found by running the seed again\)/);
    expect(after?.status, 'grading goes on').not.toBe('not run');
  }, 120_000);

  it('in a replay or a watch is stopped the same way', async () => {
    const lab = findLab('pingpong');
    const sandbox = await Sandbox.create(lab, resolveImplementation(lab, loops), limits);
    try {
      const replayed = await sandbox.replay('0.3', 1, []);
      expect(replayed.status).toBe('timed out');
      const located = 'n0\'s onMessage("Ping" from n1), at 21 ms of simulated time, never returned (found by running the seed again)';
      expect(replayed.reason).toBe(`a handler did not return for 2 s (an endless loop?) during the replay: ${located}; it was stopped there`);
      const watched = await sandbox.watch('0.3', 1);
      expect(watched.status).toBe('timed out');
      expect(watched.reason).toBe(`a handler did not return for 2 s (an endless loop?) during the watched run: ${located}; it was stopped there`);
    } finally {
      sandbox.dispose();
    }
  }, 120_000);

  it('at the top level of a module, while the submission loads, is a setup error after the stall limit', async () => {
    const lab = findLab('pingpong');
    const created = await Sandbox.create(lab, resolveImplementation(lab, 'test/fixtures/hostile/top-level-loops'), limits).then(
      (sandbox) => {
        sandbox.dispose();
        return 'loaded';
      },
      (error: unknown) => error,
    );
    expect(created).toBeInstanceOf(SetupError);
    expect((created as SetupError).message).toBe(
      'the implementation "test/fixtures/hostile/top-level-loops" cannot be loaded: its code at the top level of a module ran for 2 s without end (an endless loop?)',
    );
  }, 120_000);

  it('at the top level of a module is a stall even under a shorter wall-clock limit, which does not cover loading', async () => {
    const lab = findLab('pingpong');
    const created = await Sandbox.create(lab, resolveImplementation(lab, 'test/fixtures/hostile/top-level-loops'), { timeoutMs: 1_000, memoryMb: 512, stallMs: 2_000 }).then(
      (sandbox) => {
        sandbox.dispose();
        return 'loaded';
      },
      (error: unknown) => error,
    );
    expect(created).toBeInstanceOf(SetupError);
    expect((created as SetupError).message).toMatch(/cannot be loaded: its code at the top level of a module ran for 2 s without end \(an endless loop\?\)$/);
  }, 120_000);

  it('is left to the wall-clock limit when that limit is the shorter one', async () => {
    const lab = findLab('pingpong');
    const sandbox = await Sandbox.create(lab, resolveImplementation(lab, loops), { timeoutMs: 2_000, memoryMb: 512, stallMs: 15_000 });
    try {
      const replayed = await sandbox.replay('0.3', 1, []);
      expect(replayed.status).toBe('timed out');
      expect(replayed.reason).toMatch(/^the replay did not finish within 2 s of wall time/);
    } finally {
      sandbox.dispose();
    }
  }, 120_000);
});

describe('slow work that keeps reacting', () => {
  it('handlers that each take a long while, but return, pass under a 3 s stall limit', async () => {
    // Each Ping costs the server a hundred million steps of arithmetic (a tenth of a second to
    // most of one, depending on the machine), ten of them in the one seed: the beat after each
    // reaction, not after every so many, keeps the run alive however few they are.
    const folder = mkdtempSync(join(tmpdir(), 'distlab-stall-'));
    copyFileSync('test/fixtures/pingpong/base.ts', join(folder, 'base.ts'));
    writeFileSync(
      join(folder, 'index.ts'),
      [
        "import type { NodeId } from 'distlab';",
        "import { Server, type PingPong } from './base.ts';",
        "export { Client as PingClient } from './base.ts';",
        'export class PingServer extends Server {',
        "  override onMessage(from: NodeId, message: PingPong['message']): void {",
        '    let sum = 0;',
        '    for (let step = 0; step < 30_000_000; step++) sum = (sum + step) % 1_000_003;',
        '    if (sum >= 0) super.onMessage(from, message);',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const report = await grade({ lab: 'pingpong', implementation: folder, tests: ['0.1'], seed: 1, limits: { ...limits, stallMs: 3_000 }, typecheck: false });
    const [slow] = report.tests;
    expect(slow?.reason).toBeUndefined();
    expect(slow?.status).toBe('passed');
  }, 180_000);

  it('a breadth-first search of tens of thousands of states in one seed passes under a 1 s stall limit', async () => {
    // 3.S4 explores 43,063 states in a single request, with no seed ending on the way (seconds
    // of work on any machine): only the heartbeat from the realm's reactions keeps it alive.
    const report = await grade({ lab: 'paxos', implementation: 'solutions', tests: ['3.S4'], limits: { ...limits, stallMs: 1_000 }, typecheck: false });
    const [search] = report.tests;
    expect(search?.reason).toBeUndefined();
    expect(search?.status).toBe('passed');
    expect(search?.measurements?.states).toBe(43_063);
  }, 180_000);
});
