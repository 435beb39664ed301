// `npm run watch` as a self-learner uses it: one seed of one test, its own fault schedule (never
// shrunk) and its whole trace, pass or fail, in a page of its own; bad input is one message.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { resolveImplementation } from '../../grader/implementation.ts';
import { Sandbox } from '../../grader/isolation.ts';
import { findLab } from '../../grader/labs.ts';
import { unpackViewerEvents, type PackedViewerEvent, type ViewerEvent } from '../../grader/reports/viewer/model.ts';

const execute = promisify(execFile);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The tsx loader by its path, so that the command also runs from a folder outside the repository. */
const tsxLoader = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;
const watchScript = resolve('grader/watch.ts');

async function watch(args: readonly string[], cwd = process.cwd()): Promise<Run> {
  try {
    const { stdout, stderr } = await execute(process.execPath, ['--import', tsxLoader, watchScript, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const temporaryFolder = () => mkdtempSync(join(tmpdir(), 'distlab-watch-'));

/** The events of the watched run's trace, as the page embeds them for its table and viewer. */
function traceEvents(page: string): ViewerEvent[] {
  const text = /<script type="application\/json" id="watched-trace-viewer">([^<]*)<\/script>/.exec(page)?.[1];
  expect(text).toBeDefined();
  return unpackViewerEvents((JSON.parse(text ?? '{}') as { events: PackedViewerEvent[] }).events);
}

/** The rows of the trace table in a page: the page's script draws one per embedded event. */
const traceRows = (page: string) => traceEvents(page).length;

/** The whole trace's length, as the terminal view gives it. */
function totalEvents(stdout: string): number {
  const match = /trace \(the last \d+ of (\d+) events/.exec(stdout);
  expect(match, stdout).not.toBeNull();
  return Number(match?.[1]);
}

// 0.5 crashes and restarts the server at times drawn from the seed: seed 1 draws four actions.
// The gives-up mutant fails it, and grading shrinks those four to two.
const seedOneSchedule = ['at 2207 ms: crash n0', 'at 2673 ms: restart n0', 'at 2903 ms: crash n0', 'at 4079 ms: restart n0'];

describe('npm run watch', () => {
  it('shows a passing run of the reference with its faults: the schedule, the trace and a page that holds them', async () => {
    const out = join(temporaryFolder(), 'page');
    const run = await watch(['pingpong', '0.5', '--out', out, '--trace', '5']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Watching 00-pingpong test 0.5 (every ping answered when the server crashes and restarts) with solutions, seed 1');
    expect(run.stdout).toContain(`fault schedule (4 drawn from seed 1; never shrunk):\n${seedOneSchedule.map((line) => `  ${line}\n`).join('')}`);
    expect(run.stdout).toMatch(/\npassed\. Every property held, for all \d+ events\.\n/);
    expect(run.stdout.match(/^ {2}#\d+ /gm), 'the last five events').toHaveLength(5);
    expect(run.stdout).toContain(`report: ${join(out, 'report.html')}`);
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    expect(page).toContain('id="watched"');
    expect(traceRows(page), 'every event of the run is a row').toBe(totalEvents(run.stdout));
    for (const line of seedOneSchedule) expect(page).toContain(`<li><code>${line}</code></li>`);
    expect(page).toContain('npm run watch -- pingpong 0.5 --seed 1');
  }, 60_000);

  it("shows a mutant's failing run whole, with the failure and the command that shrinks it", async () => {
    const out = join(temporaryFolder(), 'page');
    const run = await watch(['pingpong', '0.5', '--impl', 'mutant:gives-up', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`fault schedule (4 drawn from seed 1; never shrunk):\n${seedOneSchedule.map((line) => `  ${line}\n`).join('')}`);
    expect(run.stdout).toMatch(/\nfailed\. "every ping answered" broke at event #\d+, \d+ ms into the run\.\n {2}\d+ of 20 pings never answered/);
    expect(run.stdout).toContain('its smallest schedule: npm run grade -- pingpong --impl mutant:gives-up --test 0.5 --seed 1');
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    expect(page).toContain('<strong class="property">every ping answered</strong>');
    const violation = traceEvents(page).find((event) => event.k === 'violation');
    expect(violation).toBeDefined();
    expect(page).toContain(`href="#watched-trace-e${violation?.i}"`);
    expect(traceRows(page)).toBe(totalEvents(run.stdout));
  }, 60_000);

  it("runs the seed's own schedule, unshrunk, and the same trace every time", async () => {
    const lab = findLab('pingpong');
    const graded = await grade({ lab: 'pingpong', implementation: 'mutant:gives-up', tests: ['0.5'], seed: 1, typecheck: false });
    const failure = graded.tests[0]?.failure;
    expect(failure?.shrunkSchedule.length, 'grading shrank the failure').toBeLessThan(failure?.schedule.length ?? 0);
    const sandbox = await Sandbox.create(lab, resolveImplementation(lab, 'mutant:gives-up'));
    try {
      const first = await sandbox.watch('0.5', 1);
      const second = await sandbox.watch('0.5', 1);
      expect(first.status).toBe('failed');
      expect(first.outcome?.watched?.schedule, 'the schedule grading ran first, before shrinking').toEqual(failure?.schedule);
      expect(first.outcome?.watched?.totalEvents).toBe(first.outcome?.trace.length);
      expect(first.outcome?.trace[0]?.index, 'the trace from its first event').toBe(0);
      expect(second.outcome).toEqual(first.outcome);
    } finally {
      sandbox.dispose();
    }
  }, 60_000);

  it('shows what a search did: its states and the path to what it found', async () => {
    const out = join(temporaryFolder(), 'page');
    const run = await watch(['mutex', '1C.9', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nsearch: breadth-first search: \d+ states, depth \d+\n/);
    expect(run.stdout).toContain('path found (2 steps):\n  deliver Request n1 -> n0\n  deliver Reply n0 -> n1\n');
    expect(run.stdout).toMatch(/\nreplay it: npm run grade -- mutex --replay \S+\n/);
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    expect(page).toContain('Path found by the model checker');
    expect(page).toContain('<strong class="property">mutual exclusion</strong>');
  }, 60_000);

  it('writes into reports/watch/ by default, a folder of its own for each test, seed and implementation', async () => {
    const folder = temporaryFolder();
    const run = await watch(['pingpong', '0.1', '--seed', '3'], folder);
    expect(run.code).toBe(0);
    const page = join(folder, 'reports', 'watch', 'pingpong-0.1-seed3-solutions', 'report.html');
    expect(run.stdout).toContain(`report: ${page}`);
    expect(existsSync(page)).toBe(true);
  }, 60_000);

  const usageErrors: [string[], RegExp][] = [
    [[], /^distlab watch: which lab and which test\? Give both, e\.g\. npm run watch -- paxos 3\.4/],
    [['pingpong'], /which lab and which test\?/],
    [['nolab', '0.1'], /^distlab watch: unknown lab "nolab"\. Known labs: 00-pingpong \(pingpong\)/],
    [['pingpong', '9.9'], /^distlab watch: pingpong has no test "9\.9"\. Its tests: 0\.1, 0\.2, /],
    [['pingpong', '0.1', '--sed', '2'], /^distlab watch: unknown option --sed: did you mean --seed\? see --help for the options$/m],
    [['pingpong', '0.1', '--seed', 'two'], /^distlab watch: --seed needs a whole number from 0 to \d+, not "two"/],
    [['pingpong', '0.1', '--seed'], /^distlab watch: --seed needs a value/],
    [['pingpong', '0.1', '--impl', 'mutant:nope'], /^distlab watch: lab 00-pingpong has no mutant "nope"/],
    [['pingpong', '0.1', '0.2'], /^distlab watch: one lab and one test at a time/],
  ];
  // At once: each is a process that stops before it runs anything.
  it.concurrent.for(usageErrors)('%j: one message, exit code 2, nothing written', { timeout: 60_000 }, async ([args, message], { expect }) => {
    const out = join(temporaryFolder(), 'page');
    const run = await watch([...args, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});
