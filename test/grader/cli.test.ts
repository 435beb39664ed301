// The grading command as users run it: exit codes, messages, report files, replay and interruption.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { validateGradescopeResults } from '../../grader/reports/gradescope.ts';
import { validateReportJson } from '../../grader/reports/schema.ts';
import type { GradingReport } from '../../grader/results.ts';

const execute = promisify(execFile);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function grade(...args: string[]): Promise<Run> {
  return gradeWith({}, ...args);
}

async function gradeWith(environment: Record<string, string>, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execute(process.execPath, ['--import', 'tsx', 'grader/cli.ts', ...args], {
      env: { ...process.env, NO_COLOR: '1', ...environment },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const outputFolder = () => mkdtempSync(join(tmpdir(), 'distlab-cli-'));

describe('npm run grade: usage errors exit with 2 and one clear message', () => {
  it('--help explains every option and exits 0', async () => {
    const run = await grade('--help');
    expect(run.code).toBe(0);
    for (const option of ['--impl', '--part', '--test', '--seeds', '--seed', '--visible-only', '--report', '--out', '--replay', '--in-process']) {
      expect(run.stdout).toContain(option);
    }
  });

  it.each([
    [[], /which lab\? Give its name first/],
    [['pingpong', '--frobnicate'], /^distlab grade: unknown option --frobnicate: see --help for the options$/m],
    [['pingpong', '--imp', 'student'], /unknown option --imp: did you mean --impl\? see --help for the options/],
    [['pingpong', '--visible-only', '--test', '0.1,0.7'], /--visible-only leaves out the hidden tests, and --test names 0\.7, which is hidden: give one or the other/],
    [['pingpong', '--replay', 'not-a-code', '--seed', '5'], /--replay re-runs the one recorded run, with its own seed and schedule, and writes its page: --seed does not go with it/],
    [['pingpong', '--seeds', 'many'], /--seeds needs a whole number/],
    [['pingpong', '--report', 'pdf'], /unknown report format pdf/],
    [['pingpong', '--test', '9.9'], /there is no test 9\.9 in 00-pingpong/],
    [['pingpong', '--impl', 'no/such/folder'], /--impl no\/such\/folder: no such file or folder/],
    [['tetris'], /unknown lab "tetris"/],
    [['pingpong', '--replay', 'not-a-code'], /neither a file nor a replay code/],
    [['pingpong', '--parallel', '2'], /--parallel goes with --class/],
    [['pingpong', '--class', 'x', '--parallel', '0'], /--parallel needs a whole number from 1 to 64/],
    [['pingpong', '--hidden'], /--hidden is no longer needed: a lab's hidden tests run wherever labs\/<lab>\/hidden\.ts is present/],
  ])('%j', async (args, message) => {
    const run = await grade(...args, '--report', args.includes('--report') ? (args[args.indexOf('--report') + 1] as string) : 'terminal');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a setup error still writes a report that says what went wrong', async () => {
    const out = outputFolder();
    const run = await grade('pingpong', '--impl', 'test/fixtures/pingpong/syntax-error.ts', '--report', 'json,junit', '--out', out);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/syntax-error\.ts:7:\d+: Expected "\)"/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as GradingReport;
    expect(report.setupError).toMatch(/cannot be loaded/);
    expect(validateReportJson(report)).toEqual([]);
    // The tests it would have run are listed, hidden ones included, and it says so.
    expect(report.tests.some((test) => test.visibility === 'hidden')).toBe(true);
    expect(report.options.hidden).toBe(true);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('<error');
  });
});

describe('npm run grade: grading', () => {
  it('the reference solution gets full points, exit 0, and every report validates', async () => {
    const out = outputFolder();
    const run = await grade('pingpong', '--report', 'terminal,json,html,junit,gradescope', '--out', out);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Total: 16\/16 points — 10 passed, 0 failed/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as GradingReport;
    expect(validateReportJson(report)).toEqual([]);
    expect(report.totals).toMatchObject({ score: 16, maxScore: 16, passed: 10 });
    const gradescope = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { tests: { visibility: string }[] };
    expect(validateGradescopeResults(gradescope)).toEqual([]);
    expect(gradescope.tests.map((test) => test.visibility)).toContain('after_published');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<testsuite [^>]*tests="10"[^>]*failures="0"/);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('the stub scores 0 and exits 1: every graded test fails for lack of progress', async () => {
    const out = outputFolder();
    const run = await grade('pingpong', '--impl', 'student', '--report', 'terminal,json', '--out', out);
    expect(run.code).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as GradingReport;
    expect(report.totals.score).toBe(0);
    expect(report.tests.every((test) => test.status === 'failed' && test.failure?.message.startsWith('no progress'))).toBe(true);
    // Hidden tests run wherever labs/<lab>/hidden.ts is present, as here.
    expect(report.options.hidden).toBe(true);
    expect(report.tests.filter((test) => test.visibility === 'hidden').map((test) => test.number)).toEqual(['0.7', '0.8', '0.9', '0.10']);
  });

  it("--visible-only grades what a student's handout grades: no hidden test", async () => {
    const out = outputFolder();
    const run = await grade('pingpong', '--visible-only', '--report', 'terminal,json', '--out', out);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as GradingReport;
    expect(report.options.hidden).toBe(false);
    expect(report.tests.map((test) => test.number)).toEqual(['0.1', '0.2', '0.3', '0.4', '0.5', '0.6']);
  });

  it('--seed runs one seed and --part rejects a part the lab does not have', async () => {
    const one = await grade('pingpong', '--test', '0.1', '--seed', '7', '--report', 'terminal');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/1\/1 seeds/);
    const part = await grade('pingpong', '--part', 'Z', '--report', 'terminal');
    expect(part.code).toBe(2);
    expect(part.stderr).toMatch(/there is no part "Z"/);
  });

  it('a replay from a report file reproduces the failure; --in-process gives the same verdict', async () => {
    const out = outputFolder();
    await grade('pingpong', '--impl', 'mutant:no-dedup', '--test', '0.3', '--report', 'json', '--out', out);
    const report = join(out, 'report.json');
    const [isolatedPage, inProcessPage] = [outputFolder(), outputFolder()];
    const isolated = await grade('pingpong', '--impl', 'mutant:no-dedup', '--replay', report, '--out', isolatedPage);
    const inProcess = await grade('pingpong', '--impl', 'mutant:no-dedup', '--replay', report, '--in-process', '--out', inProcessPage);
    expect(isolated.code).toBe(1);
    expect(inProcess.code).toBe(1);
    const verdict = (run: Run) => run.stdout.split('\n').find((line) => line.startsWith('failed: '));
    expect(verdict(isolated)).toMatch(/^failed: each ping answered at most once: ping \d+ was reported answered twice/);
    expect(verdict(inProcess)).toBe(verdict(isolated));
    // Each replay writes the page of the run it re-ran, with its trace and its nodes' states.
    for (const [run, folder] of [[isolated, isolatedPage], [inProcess, inProcessPage]] as const) {
      const page = join(folder, 'report.html');
      expect(run.stdout).toContain(`report: ${page}`);
      const html = readFileSync(page, 'utf8');
      expect(html).toContain('each ping answered at most once');
      expect(html).toContain('PongReceived');
      expect(html).toContain('"patches"');
    }
  });
});

describe('npm run grade: what it leaves behind', () => {
  it('nothing in the temporary folder, whether the grade is full, failing, a replay or a setup error', async () => {
    const temporary = outputFolder();
    const environment = { TMPDIR: temporary };
    const out = outputFolder();
    const runs = [
      await gradeWith(environment, 'pingpong', '--test', '0.1', '--report', 'json,html', '--out', out),
      await gradeWith(environment, 'pingpong', '--impl', 'mutant:no-dedup', '--test', '0.3', '--report', 'json,html', '--out', out),
      await gradeWith(environment, 'pingpong', '--impl', 'mutant:no-dedup', '--replay', join(out, 'report.json'), '--out', outputFolder()),
      await gradeWith(environment, 'pingpong', '--impl', 'test/fixtures/pingpong/syntax-error.ts', '--report', 'json', '--out', outputFolder()),
    ];
    expect(runs.map((run) => run.code)).toEqual([0, 1, 1, 2]);
    // tsx, which runs the grader's TypeScript, keeps its compile cache there (tsx-<user id>).
    expect(readdirSync(temporary).filter((name) => !/^tsx-\d+$/.test(name))).toEqual([]);
  });
});

describe('npm run grade: it ends', () => {
  it('even when something in its process would keep it running, once every report is written', async () => {
    const out = outputFolder();
    const started = Date.now();
    const run = await new Promise<Run>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--import', './test/fixtures/grader/lingering-handle.mjs', 'grader/cli.ts', 'pingpong', '--test', '0.1', '--report', 'json', '--out', out],
        // A generous bound, only so that a regression fails instead of hanging the suite.
        { env: { ...process.env, NO_COLOR: '1' }, timeout: 150_000 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
      );
    });
    expect(run.code, `after ${Date.now() - started} ms: ${run.stderr}`).toBe(0);
    expect(run.stderr).toMatch(/the grading was done and its reports written, but something kept the grader running for 10 s more: it stops now/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as GradingReport;
    expect(report.totals).toMatchObject({ score: 1, passed: 1 });
  }, 180_000);
});

describe('npm run grade: interruption', () => {
  it('SIGINT stops grading and still writes a report of what was graded', async () => {
    const out = outputFolder();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'grader/cli.ts', 'pingpong', '--impl', 'test/fixtures/pingpong/infinite-loop.ts', '--jobs', '1', '--timeout', '60', '--report', 'terminal,json', '--out', out],
      { env: { ...process.env, NO_COLOR: '1' } },
    );
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // 0.1 passes; 0.2 re-sends Pings, which sends the server into its endless loop.
        if (/PASS 0\.1/.test(stdout)) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as GradingReport;
    expect(report.interrupted).toBe(true);
    expect(report.tests[0]?.status).toBe('passed');
    expect(report.tests.slice(1).every((test) => test.status === 'not run')).toBe(true);
    expect(validateReportJson(report)).toEqual([]);
  });
});

describe('npm run grade: more usage errors', () => {
  it.each([
    [['pingpong', '--seed', '-1'], /--seed needs a value; to give one that starts with a dash, write --seed=VALUE/],
    [['pingpong', '--report='], /--report needs at least one format/],
    [['pingpong', '--test='], /--test needs at least one test number/],
    [['pingpong', '--trace', '5'], /--trace goes with --replay/],
  ])('%j', async (args, message) => {
    const run = await grade(...args, '--out', outputFolder());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
