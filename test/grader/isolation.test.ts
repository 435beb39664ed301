// The grader against deliberately broken copies of lab 0: each is graded as it should be,
// and grading goes on with the next test.
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { resolveImplementation } from '../../grader/implementation.ts';
import { maxTimeoutSeconds, Sandbox, suggestedTimeoutSeconds, testTimeoutMs } from '../../grader/isolation.ts';
import { findLab, SetupError } from '../../grader/labs.ts';

const fixture = (name: string) => `test/fixtures/pingpong/${name}.ts`;

/**
 * 0.1 is fault-free (no duplicate Ping ever arrives); 0.3 duplicates half the messages. The
 * wall-clock limit is the grader's default, far beyond what these runs need even on a busy
 * machine, so that a memory limit or a pass is never overtaken by it.
 */
async function gradeFixture(name: string, extra: { memoryMb?: number; typecheck?: boolean } = {}) {
  const report = await grade({
    lab: 'pingpong',
    implementation: fixture(name),
    tests: ['0.1', '0.3'],
    limits: { memoryMb: extra.memoryMb ?? 256 },
    typecheck: extra.typecheck ?? false,
  });
  const [smoke, duplicated] = report.tests;
  expect(smoke?.status, 'the misbehaviour only starts on a duplicate, so the smoke test passes').toBe('passed');
  return { report, duplicated: duplicated! };
}

describe('isolation of a broken submission', () => {
  it('a correct copy passes', async () => {
    const { duplicated, report } = await gradeFixture('correct');
    expect(duplicated.status).toBe('passed');
    expect(report.totals.score).toBe(report.totals.maxScore);
  });

  it('an endless loop in a handler times out, and grading goes on', async () => {
    // The one short wall-clock limit in this file: only 0.3 makes the server loop. 0.1 and 0.6
    // (no duplicates) need a few hundredths of a second of processor time, and the limit
    // starts once the child has loaded, so they pass within it even on a busy machine.
    const report = await grade({
      lab: 'pingpong',
      implementation: fixture('infinite-loop'),
      tests: ['0.1', '0.3', '0.6'],
      jobs: 1,
      limits: { timeoutMs: 5_000, memoryMb: 256 },
      typecheck: false,
    });
    const [before, looping, after] = report.tests;
    expect(before?.status).toBe('passed');
    expect(looping?.status).toBe('timed out');
    expect(looping?.score).toBe(0);
    expect(looping?.reason).toMatch(
      /^no result within 5 s of wall time, after 0 of 30 seeds: either a handler loops without end, or this machine is slow or busy; /,
    );
    expect(looping?.reason, 'the way to give it more time').toContain(
      `npm run grade -- pingpong --impl ${fixture('infinite-loop')} --test 0.3 --seeds 30 --timeout 10`,
    );
    expect(after?.status, 'the test after the one that timed out is graded as usual').toBe('passed');
  });

  it('a replay that never returns times out with the same explanation', async () => {
    const lab = findLab('pingpong');
    const sandbox = await Sandbox.create(lab, resolveImplementation(lab, fixture('infinite-loop')), { timeoutMs: 2_000, memoryMb: 256 });
    try {
      const replayed = await sandbox.replay('0.3', 1, []);
      expect(replayed.status).toBe('timed out');
      expect(replayed.reason).toMatch(
        /^the replay did not finish within 2 s of wall time: either a handler loops without end, or this machine is slow or busy; .* --timeout/,
      );
    } finally {
      sandbox.dispose();
    }
  });

  it('an exception in a handler fails the test, naming the node and the handler', async () => {
    const { duplicated } = await gradeFixture('throws');
    expect(duplicated.status).toBe('failed');
    expect(duplicated.failure?.property).toBe('no exceptions');
    expect(duplicated.failure?.message).toMatch(/^n0 threw in onMessage\(Ping\): TypeError: cannot read properties/);
    expect(duplicated.failure?.replayCommand).toMatch(/^npm run grade -- pingpong --impl .*throws\.ts --replay /);
  });

  it("a failure's trace comes with the nodes' states, for the HTML report, and without them where none are wanted", async () => {
    const { duplicated } = await gradeFixture('throws');
    expect(duplicated.failure?.states?.length ?? 0).toBeGreaterThan(0);
    const withoutStates = await grade({ lab: 'pingpong', implementation: fixture('throws'), tests: ['0.3'], limits: { memoryMb: 256 }, typecheck: false, nodeStates: false });
    const failure = withoutStates.tests[0]?.failure;
    expect(failure?.states).toBeUndefined();
    expect(failure?.trace).toEqual(duplicated.failure?.trace);
    expect(failure?.replayCode).toBe(duplicated.failure?.replayCode);
  });

  it('a message that is not plain data fails the test, naming the field and where the node sent it', async () => {
    const { duplicated } = await gradeFixture('function-in-message');
    expect(duplicated.status).toBe('failed');
    expect(duplicated.failure?.property).toBe('plain data');
    // The runtime's own frames (its send, its copy) are left out: the first is the node's call.
    expect(duplicated.failure?.message).toMatch(/^n0 threw in onMessage\(Ping\): PlainDataError: message\.later is a function\.[^\n]*\n\s+at PingServer\.answerAgain \(function-in-message\.ts:13:10\)\n\s+at PingServer\.onDuplicatePing \(function-in-message\.ts:9:10\)/);
  });

  it('deep recursion fails the test with the stack overflow', async () => {
    const { duplicated } = await gradeFixture('recursion');
    expect(duplicated.status).toBe('failed');
    expect(duplicated.failure?.message).toMatch(/RangeError: Maximum call stack size exceeded/);
  });

  it('runaway memory crashes the test with a clear reason', async () => {
    const { duplicated } = await gradeFixture('memory', { memoryMb: 96 });
    expect(duplicated.status).toBe('crashed');
    expect(duplicated.reason).toMatch(/ran out of memory/);
  });

  it('process.exit() in a handler fails the test: node code has no process', async () => {
    const { duplicated } = await gradeFixture('exits');
    expect(duplicated.status).toBe('failed');
    expect(duplicated.failure?.message).toMatch(/n0 threw in onMessage\(Ping\): ReferenceError: process is not defined/);
  });

  it('an unhandled promise rejection crashes the test', async () => {
    const { duplicated } = await gradeFixture('rejection');
    expect(duplicated.status).toBe('crashed');
    expect(duplicated.reason).toMatch(/unhandled promise rejection.*lost ping/);
  });

  it('type errors are reported and grading goes on', async () => {
    const { duplicated, report } = await gradeFixture('type-error', { typecheck: true });
    expect(duplicated.status).toBe('passed');
    expect(report.typeErrors).toEqual([expect.stringMatching(/type-error\.ts:7:\d+ Type 'number' is not assignable to type 'string'/)]);
  });
});

describe('submissions that cannot be loaded are setup errors', () => {
  const setupError = async (name: string) => {
    const error = await grade({ lab: 'pingpong', implementation: fixture(name), tests: ['0.1'] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SetupError);
    return (error as SetupError).message;
  };

  it('an import of node:fs is refused before any code runs', async () => {
    expect(await setupError('imports-fs')).toMatch(/imports "node:fs", which a submission may not use/);
  });

  it('a syntax error names the file and line', async () => {
    expect(await setupError('syntax-error')).toMatch(/syntax-error\.ts:7:\d+: Expected "\)"/);
  });

  it('a missing export names what is missing', async () => {
    expect(await setupError('missing-export')).toMatch(/does not export PingClient/);
  });

  it('an unknown lab lists the known ones', async () => {
    const error = await grade({ lab: 'paxos-made-simple' }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/unknown lab "paxos-made-simple". Known labs: 00-pingpong \(pingpong\)/);
  });
});

describe('a submission cannot forge its verdict', () => {
  it('replacing the reply path fails the run instead of passing it', async () => {
    const report = await grade({ lab: 'pingpong', implementation: fixture('forges-result'), tests: ['0.1'], typecheck: false });
    const [test] = report.tests;
    expect(test?.status).toBe('failed');
    expect(test?.score).toBe(0);
    // The submission's realm has no `process`: there is no reply path to reach.
    expect(test?.failure?.message).toMatch(/n1 threw in onStart\(\): ReferenceError: process is not defined/);
  });
});

describe('a submission cannot patch the built-ins', () => {
  it("patching its own realm's Set, Map and Array, to hide a double answer, fails the node that tries", async () => {
    const report = await grade({ lab: 'pingpong', implementation: fixture('patches-builtins'), tests: ['0.1'], typecheck: false });
    expect(report.tests[0]?.status).toBe('failed');
    expect(report.tests[0]?.score).toBe(0);
    expect(report.tests[0]?.failure?.message).toMatch(/^n1 threw in onStart\(\): TypeError: Cannot assign to read only property 'has' of object '\[object Set\]'/);
  });
});

describe('a submission cannot touch the file system', () => {
  it('a write through process.getBuiltinModule is impossible: the realm has no process', async () => {
    const { existsSync } = await import('node:fs');
    const forged = '/tmp/distlab-forged-report.json';
    const { duplicated } = await gradeFixture('writes-file');
    expect(existsSync(forged)).toBe(false);
    expect(duplicated.status).toBe('failed');
    expect(duplicated.failure?.message).toMatch(/ReferenceError: process is not defined/);
  });
});

describe('the wall-clock limit per test', () => {
  it('is 120 s for a test on its own seeds or fewer, and grows with --seeds beyond them, up to a day', () => {
    expect(testTimeoutMs(20, 20, undefined)).toBe(120_000);
    expect(testTimeoutMs(20, 1, undefined)).toBe(120_000);
    // Lab 3's 3.S3 runs 3 seeds of about 2 s each; --seeds 300 asks for 100 times as many.
    expect(testTimeoutMs(3, 300, undefined)).toBe(12_000_000);
    expect(testTimeoutMs(1, 10_000, undefined)).toBe(86_400_000);
  });

  it('is exactly what --timeout gives, whatever the seeds', () => {
    expect(testTimeoutMs(20, 500, 30_000)).toBe(30_000);
    expect(testTimeoutMs(20, 20, 600_000)).toBe(600_000);
  });
});

describe('the time suggested after a test ran out of it', () => {
  it('is enough for every seed at the pace of those done, and half again; twice the limit when none was done; never past the bound', () => {
    // 24 of 200 seeds in 2 s: about 17 s for all 200, 25 with the margin.
    expect(suggestedTimeoutSeconds(2_000, 200, 24)).toBe(25);
    expect(suggestedTimeoutSeconds(5_000, 30, 0)).toBe(10);
    expect(suggestedTimeoutSeconds(120_000, 10_000, 1)).toBe(suggestedTimeoutSeconds(120_000, 10_000, 2));
    expect(suggestedTimeoutSeconds(120_000, 10_000, 1)).toBe(maxTimeoutSeconds);
  });
});
