// A subtle protocol bug (a client that gives up after three retries) fails only when the
// server is down long enough: the grader must find it, shrink the schedule to a 1-minimal
// one, give the same verdict in separate runs, and replay it exactly.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { FaultSchedule } from 'distlab/testing';
import { grade } from '../../grader/grade.ts';
import { replayOutcome, runOnce, runTest } from '../../grader/runTest.ts';
import { suite } from '../../labs/00-pingpong/suite.ts';
import * as floods from '../fixtures/pingpong/floods.ts';
import * as forgetsCrash from '../fixtures/pingpong/forgets-crash.ts';
import paxosSuite from '../../labs/03-paxos/suite.ts';
import * as promiseInMemory from '../../solutions/03-paxos/mutants/promise-in-memory.ts';

const run = promisify(execFile);
const implementation = 'test/fixtures/pingpong/forgets-crash.ts';

async function gradeOnce() {
  const report = await grade({ lab: 'pingpong', implementation, tests: ['0.5'], typecheck: false });
  const test = report.tests[0]!;
  expect(test.status).toBe('failed');
  return test.failure!;
}

describe('shrinking and replay', () => {
  it('a run that floods itself fails at its event limit, is shrunk in one run to no random fault, and replays the same', () => {
    const test = suite.tests.find((candidate) => candidate.number === '0.5')!;
    const seeds = Array.from({ length: test.seeds }, (_unused, index) => index + 1);
    const failure = runTest(suite, test, floods, { seeds }).failure!;
    expect(failure).toMatchObject({ kind: 'limit', limit: 'events', property: 'event limit', minimal: true });
    expect(failure.message).toMatch(/processed 200000 events/);
    // The random faults the seed drew play no part: one run without them shows it.
    expect(failure.schedule.length).toBeGreaterThan(0);
    expect(failure.shrunkSchedule).toEqual([]);
    expect(failure.shrinkRuns).toBeLessThanOrEqual(2);
    // Its last events, without their contents: the whole trace of 200,000 events is not kept.
    expect(failure.trace.length).toBeGreaterThan(0);
    expect(failure.trace.length).toBeLessThanOrEqual(200);
    const replayed = replayOutcome(suite, test, floods, failure.seed, failure.shrunkSchedule);
    expect(replayed.failure).toMatchObject({ kind: 'limit', property: 'event limit', step: failure.step });
  });

  it('gives the same verdict and the same shrunk schedule in two separate runs', async () => {
    const [first, second] = await Promise.all([gradeOnce(), gradeOnce()]);
    expect(second.seed).toBe(first.seed);
    expect(second.property).toBe(first.property);
    expect(second.message).toBe(first.message);
    expect(second.shrunkSchedule).toEqual(first.shrunkSchedule);
    expect(second.replayCode).toBe(first.replayCode);
  });

  it("keeps to a test's own cap on shrinking runs, which is below the grader's budget", () => {
    const test = suite.tests.find((candidate) => candidate.number === '0.5')!;
    const capped = { ...test, shrinkRuns: 3 };
    const seeds = Array.from({ length: test.seeds }, (_unused, index) => index + 1);
    const uncapped = runTest(suite, test, forgetsCrash, { seeds });
    const outcome = runTest(suite, capped, forgetsCrash, { seeds });
    expect(outcome.failure?.property).toBe('every ping answered');
    // Besides the cap: the runs that confirm the failure and record the shrunk run's trace.
    expect(outcome.failure?.shrinkRuns).toBeLessThanOrEqual(3 + 3);
    expect(outcome.failure?.shrinkRuns).toBeLessThan(uncapped.failure?.shrinkRuns ?? 0);
  });

  it('shrinks to a 1-minimal schedule: dropping any single action makes the run pass', async () => {
    const failure = await gradeOnce();
    expect(failure.property).toBe('every ping answered');
    expect(failure.minimal).toBe(true);
    expect(failure.shrunkSchedule.length).toBeLessThan(failure.schedule.length);
    expect(failure.shrunkSchedule.map((action) => action.type)).toEqual(['crash', 'restart']);
    const test = suite.tests.find((candidate) => candidate.number === '0.5')!;
    const again = runOnce(suite, test, forgetsCrash, failure.seed, failure.shrunkSchedule);
    expect(again.passed).toBe(false);
    // Without the crash the server never goes down: the run passes.
    const withoutCrash: FaultSchedule = failure.shrunkSchedule.filter((action) => action.type !== 'crash');
    expect(runOnce(suite, test, forgetsCrash, failure.seed, withoutCrash).passed).toBe(true);
  });

  it('the printed replay command reproduces the failure in another process, every time', async () => {
    const failure = await gradeOnce();
    const command = failure.replayCommand.replace(/^npm run grade -- /, '').split(' ');
    const outputs = await Promise.all(
      [1, 2].map(() =>
        run(process.execPath, ['--import', 'tsx', 'grader/cli.ts', ...command], { env: { ...process.env, NO_COLOR: '1' } }).then(
          () => 'exit 0',
          (error: { code: number; stdout: string }) => `exit ${error.code}\n${error.stdout}`,
        ),
      ),
    );
    expect(outputs[0]).toBe(outputs[1]);
    expect(outputs[0]).toMatch(/^exit 1\n/);
    expect(outputs[0]).toContain(`failed: every ping answered: ${failure.message}`);
    expect(outputs[0]).toContain(`seed ${failure.seed}`);
    // One numbering of events: the replay points at the event the report named.
    expect(outputs[0]).toContain(`(event #${failure.traceIndex ?? failure.step} at ${failure.timeMs} ms)`);
  });

  it('cuts the random actions after a safety violation at once, then removes stretches of them: a handful of runs, not hundreds', () => {
    const test = paxosSuite.tests.find((candidate) => candidate.number === '3.6')!;
    const failure = runTest(paxosSuite, test, promiseInMemory, { seeds: [1] }).failure!;
    expect(failure.property).toBe('durable before answering');
    const randomActions = (schedule: FaultSchedule) => schedule.length - (failure.scenarioActions ?? 0);
    expect(randomActions(failure.schedule)).toBeGreaterThanOrEqual(10);
    // One crash of the acceptor that keeps its promise in memory is all the bug needs.
    expect(randomActions(failure.shrunkSchedule)).toBe(1);
    expect(failure.minimal).toBe(true);
    // Confirming the failure, cutting what came after it, trying the last action alone.
    expect(failure.shrinkRuns).toBeLessThanOrEqual(5);
    const again = runOnce(paxosSuite, test, promiseInMemory, failure.seed, failure.shrunkSchedule);
    expect(again.failure?.property).toBe('durable before answering');
  });
});
