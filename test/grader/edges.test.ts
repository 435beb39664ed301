// The grader's edges: a bad --out fails at once, --seeds has a stated bound, every error after
// the lab is named writes a report, --in-process warns, a failure of the grader itself still
// writes every report, and --class goes on whatever one submission does.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { gradeClass } from '../../grader/classGrading.ts';
import { grade, GraderFailure, gradeToEnd, maxSeeds, type CrashWatch } from '../../grader/grade.ts';
import { SetupError } from '../../grader/labs.ts';
import { encodeReplay } from '../../grader/replayCode.ts';
import { prepareOutputFolder, writeReportFile } from '../../grader/reports/outputFolder.ts';
import { validateReportJson } from '../../grader/reports/schema.ts';
import type { GradingReport } from '../../grader/results.ts';

const execute = promisify(execFile);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function gradeCommand(args: readonly string[], preload?: string): Promise<Run> {
  const imports = ['--import', 'tsx', ...(preload !== undefined ? ['--import', pathToFileURL(preload).href] : [])];
  try {
    const { stdout, stderr } = await execute(process.execPath, [...imports, 'grader/cli.ts', ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) {
    chmodSync(folder, 0o700);
    rmSync(folder, { recursive: true, force: true });
  }
});
function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'distlab-edges-'));
  folders.push(folder);
  return folder;
}

function readReport(folder: string): GradingReport {
  const report = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as GradingReport;
  expect(validateReportJson(report)).toEqual([]);
  return report;
}

const runningAsRoot = process.getuid?.() === 0;

// ---------------------------------------------------------------------------------------------

describe('--out: a folder that cannot take the reports fails at once', () => {
  const aFile = () => {
    const file = join(temporaryFolder(), 'a-file');
    writeFileSync(file, 'not a folder');
    return file;
  };

  it.each([
    ['a path under /proc', () => '/proc/distlab-reports', /cannot create the folder \/proc\/distlab-reports/],
    ['a file where a folder is needed', () => join(aFile(), 'reports'), /a-file is a file, not a folder/],
    ['a file itself', aFile, /a-file is a file, not a folder/],
    ['a folder in which no file can be made', () => '/proc/self', /cannot write files in \/proc\/self/],
  ])('%s', async (_name, out, message) => {
    if (!existsSync('/proc/self')) return;
    const run = await gradeCommand(['pingpong', '--test', '0.1', '--seeds', '1', '--report', 'terminal,json', '--out', out()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    // Nothing was graded.
    expect(run.stdout).not.toMatch(/Grading|PASS/);
  });

  it.skipIf(runningAsRoot)('a read-only folder', async () => {
    const folder = temporaryFolder();
    chmodSync(folder, 0o500);
    const run = await gradeCommand(['pingpong', '--test', '0.1', '--seeds', '1', '--report', 'json', '--out', folder]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot write files in .* \(EACCES\)/);
  });

  it('in --class too, before any submission is graded', async () => {
    const run = await gradeCommand(['pingpong', '--class', temporaryFolder(), '--report', 'terminal', '--out', '/proc/distlab-class']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--out \/proc\/distlab-class: cannot create the folder/);
  });

  it('a usable folder is made, folder by folder, and left without a trace of the check', () => {
    const root = temporaryFolder();
    const folder = join(root, 'a', 'b', 'c');
    expect(prepareOutputFolder(folder)).toBe(folder);
    expect(readdirSync(folder)).toEqual([]);
    expect(() => prepareOutputFolder('/proc/distlab/x')).toThrow(SetupError);
  });

  it('a report replaces a pipe in its place instead of blocking on it', () => {
    const folder = temporaryFolder();
    const file = join(folder, 'report.json');
    execFileSync('mkfifo', [file]);
    writeReportFile(file, '{}\n');
    expect(readFileSync(file, 'utf8')).toBe('{}\n');
    expect(readdirSync(folder)).toEqual(['report.json']);
  });
});

describe('--seeds has an upper bound, stated in --help and in the message', () => {
  it('the help states it', async () => {
    const run = await gradeCommand(['--help']);
    expect(run.stdout).toMatch(new RegExp(`--seeds <N> .*at most ${maxSeeds}`));
  });

  it.each([['1e9'], [String(maxSeeds + 1)]])('--seeds %s is refused before anything runs', async (seeds) => {
    const run = await gradeCommand(['pingpong', '--seeds', seeds, '--report', 'terminal']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--seeds needs a whole number from 1 to ${maxSeeds}, not "${seeds}"`);
  });

  it('grade() refuses it too', async () => {
    await expect(grade({ lab: 'pingpong', seeds: maxSeeds + 1 })).rejects.toThrow(new RegExp(`from 1 to ${maxSeeds}`));
  });
});

describe('every error after the lab is named writes the setup-error report', () => {
  it.each([
    ['an unknown option', ['--frobnicate'], /unknown option --frobnicate/],
    ['one submission given as a class', ['--class', 'test/fixtures/pingpong/second'], /--class test\/fixtures\/pingpong\/second: the folder has no submission folders in it; it holds index\.ts, as one submission does: grade one submission with --impl test\/fixtures\/pingpong\/second/],
    ['a bad number', ['--seeds', '0'], /--seeds needs a whole number from 1/],
    ['a bad --jobs', ['--jobs', '1000'], /--jobs needs a whole number from 1 to 64/],
    ['an unknown test', ['--test', '9.9'], /there is no test 9\.9 in 00-pingpong/],
    ['a bad --impl', ['--impl', 'no/such/folder'], /--impl no\/such\/folder: no such file or folder/],
    ['a missing class folder', ['--class', 'no/such/class'], /--class no\/such\/class: no such folder/],
  ])('%s', async (_name, args, message) => {
    const out = temporaryFolder();
    const run = await gradeCommand(['pingpong', ...args, '--report', 'json,junit', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    const report = readReport(out);
    expect(report.setupError).toMatch(message);
    // A class that could not be graded is named as the class.
    if (args.includes('--class')) expect(report.implementation).toBe(`the class in ${args[args.indexOf('--class') + 1] ?? ''}`);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<error [^>]*type="setup"/);
  });

  it('a submission that cannot be loaded: the report lists the tests it would have had, not run', async () => {
    const out = temporaryFolder();
    const run = await gradeCommand(['pingpong', '--impl', 'test/fixtures/pingpong/syntax-error.ts', '--test', '0.1,0.2', '--report', 'json', '--out', out]);
    expect(run.code).toBe(2);
    const report = readReport(out);
    expect(report.tests.map((test) => [test.number, test.status])).toEqual([
      ['0.1', 'not run'],
      ['0.2', 'not run'],
    ]);
    // Each test's reason says why in one line, the compiler's message included.
    expect(report.tests[0]?.reason).toMatch(/^not graded: the implementation .* cannot be loaded: .*syntax-error\.ts:7:\d+: Expected "\)"/);
    expect(report.totals).toMatchObject({ score: 0, maxScore: 3, notRun: 2 });
    expect(report.labTitle).toMatch(/^Lab 0: /);
  });

  it('module-level code that throws while loading: the message names its line in the student\'s file', async () => {
    const out = temporaryFolder();
    const run = await gradeCommand(['pingpong', '--impl', 'test/fixtures/pingpong/random-at-load.ts', '--test', '0.1', '--report', 'json', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/loading it threw: Math\.random\(\) is not allowed in node code.*\n\s+at random-at-load\.ts:4:\d+/);
    expect(run.stderr).not.toMatch(/submission entry/);
    expect(readReport(out).tests[0]?.reason).toMatch(/^not graded: .*Math\.random\(\) is not allowed/);
  });

  it('an unknown lab: the report says what was asked for', async () => {
    const out = temporaryFolder();
    const run = await gradeCommand(['tetris', '--report', 'json', '--out', out]);
    expect(run.code).toBe(2);
    expect(readReport(out)).toMatchObject({ lab: 'tetris', setupError: expect.stringMatching(/unknown lab "tetris"/) as unknown });
  });

  it('only the formats that exist are written when --report names one that does not', async () => {
    const out = temporaryFolder();
    const run = await gradeCommand(['pingpong', '--report', 'json,pdf', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown report format pdf/);
    expect(readdirSync(out)).toEqual(['report.json']);
  });
});

describe('--in-process', () => {
  it('warns that the code runs unsandboxed, on stderr and in the replay\'s heading', async () => {
    const code = encodeReplay({ lab: '00-pingpong', test: '0.1', seed: 1, schedule: [] });
    const run = await gradeCommand(['pingpong', '--replay', code, '--in-process', '--trace', '1']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: --in-process runs the implementation in this process, WITHOUT the sandbox/);
    expect(run.stderr).toMatch(/only to debug your own code/);
    expect(run.stdout.split('\n')[0]).toMatch(/in this process, unsandboxed/);
    const isolated = await gradeCommand(['pingpong', '--replay', code, '--trace', '1']);
    expect(isolated.stderr).not.toMatch(/warning/);
  });
});

// ---------------------------------------------------------------------------------------------
// The grader's own failure.

describe('a failure of the grader itself still gives the report of what was graded', () => {
  it('an exception while grading: the tests graded before are kept, the others are not run with the reason', async () => {
    let ended = 0;
    const end = await gradeToEnd({
      lab: 'pingpong',
      tests: ['0.1', '0.2', '0.3'],
      seeds: 1,
      jobs: 1,
      typecheck: false,
      onProgress: (event) => {
        if (event.type === 'test-end' && ++ended === 1) throw new Error('the progress display broke');
      },
    });
    expect(end.kind).toBe('grader error');
    expect(end.kind !== 'graded' && end.message).toMatch(/the grader itself failed: the progress display broke/);
    const report = end.report;
    expect(report.interrupted).toBe(true);
    expect(report.tests.map((test) => test.status)).toEqual(['passed', 'not run', 'not run']);
    expect(report.tests[1]?.reason).toBe('not graded: the grader itself failed (the progress display broke) before this test');
    expect(validateReportJson(JSON.parse(JSON.stringify(report)))).toEqual([]);
  });

  it('an exception before grading started: every test is listed, not run, with its points at stake', async () => {
    // Reported at once, while the submission is still being bundled.
    const crashes: CrashWatch = (listener) => {
      setImmediate(() => listener(new Error('the progress display broke at once')));
      return () => undefined;
    };
    let started = false;
    const end = await gradeToEnd({ lab: 'pingpong', tests: ['0.1', '0.3'], seeds: 1, jobs: 1, typecheck: false, onProgress: (event) => (started ||= event.type === 'start') }, crashes);
    expect(started).toBe(false);
    expect(end.kind).toBe('grader error');
    const report = end.report;
    expect(report.tests.map((test) => [test.number, test.status])).toEqual([
      ['0.1', 'not run'],
      ['0.3', 'not run'],
    ]);
    expect(report.totals.maxScore).toBeGreaterThan(0);
    expect(report.totals.score).toBe(0);
    expect(report.tests[0]?.reason).toMatch(/^not graded: the grader itself failed: the progress display broke at once/);
    expect(validateReportJson(JSON.parse(JSON.stringify(report)))).toEqual([]);
  });

  it('grade() throws a GraderFailure that carries the same report', async () => {
    const failure = await grade({
      lab: 'pingpong',
      tests: ['0.1', '0.2'],
      seeds: 1,
      jobs: 1,
      typecheck: false,
      onProgress: (event) => {
        if (event.type === 'test-end') throw new Error('boom');
      },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GraderFailure);
    expect((failure as GraderFailure).report.tests.map((test) => test.status)).toEqual(['passed', 'not run']);
  });

  it('an uncaught exception: the grading is stopped and reported as far as it went', async () => {
    const listeners = new Set<(error: unknown) => void>();
    const crashes: CrashWatch = (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
    const end = await gradeToEnd(
      {
        lab: 'pingpong',
        tests: ['0.1', '0.2', '0.3'],
        seeds: 1,
        jobs: 1,
        typecheck: false,
        onProgress: (event) => {
          if (event.type === 'test-end') for (const listener of listeners) listener(new Error('lost in an event handler'));
        },
      },
      crashes,
    );
    expect(end.kind).toBe('grader error');
    expect(end.report.tests[0]?.status).toBe('passed');
    expect(end.report.tests.slice(1).every((test) => test.status === 'not run' && /lost in an event handler/.test(test.reason ?? ''))).toBe(true);
    expect(listeners.size).toBe(0);
  });

  it('npm run grade: every report is written, and the exit code is 3', async () => {
    // A preloaded module that throws, outside any promise, right after 0.1 is reported.
    const preload = join(temporaryFolder(), 'throw-after-first-test.mjs');
    writeFileSync(
      preload,
      `const write = process.stdout.write.bind(process.stdout);
let thrown = false;
process.stdout.write = (chunk, ...rest) => {
  if (!thrown && String(chunk).includes('PASS 0.1')) {
    thrown = true;
    setImmediate(() => { throw new Error('injected failure of the grader'); });
  }
  return write(chunk, ...rest);
};
`,
    );
    const out = temporaryFolder();
    const run = await gradeCommand(
      ['pingpong', '--test', '0.1,0.2,0.3', '--seeds', '2', '--jobs', '1', '--no-typecheck', '--report', 'terminal,json,html,junit,gradescope', '--out', out],
      preload,
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/the grader itself failed: injected failure of the grader/);
    expect(readdirSync(out).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'results.json']);
    const report = readReport(out);
    expect(report.tests.map((test) => test.status)).toEqual(['passed', 'not run', 'not run']);
    expect(report.tests[2]?.reason).toMatch(/not graded: the grader itself failed: injected failure of the grader/);
    expect(run.stdout).toMatch(/Not run: not graded: the grader itself failed/);
  });
});

// ---------------------------------------------------------------------------------------------
// --class goes on.

const fixtures = 'test/fixtures/pingpong';

/** A submission folder: base.ts and the fixture as index.ts, or an index.ts with the given text. */
function submission(classFolder: string, name: string, entry: { fixture: string } | { text: string }): void {
  const folder = join(classFolder, name);
  mkdirSync(folder);
  copyFileSync(join(fixtures, 'base.ts'), join(folder, 'base.ts'));
  if ('fixture' in entry) copyFileSync(join(fixtures, entry.fixture), join(folder, 'index.ts'));
  else writeFileSync(join(folder, 'index.ts'), entry.text);
}

/** Rewrites its outcome's schedules into numbers as the result leaves, where the channel lets it. */
const malformedResult = `import { Server } from './base.ts';
export { Client as PingClient } from './base.ts';
export class PingServer extends Server {
  override onMessage(): void {
    try {
      const target = (globalThis as { process?: { _send?: (message: unknown, ...rest: unknown[]) => unknown } }).process;
      const original = target?._send;
      if (target && original) {
        target._send = function (message: { outcome?: { failure?: object } }, ...rest: unknown[]) {
          if (message.outcome?.failure) message.outcome.failure = { ...message.outcome.failure, schedule: 5, shrunkSchedule: 5, lastEvents: 'none' };
          return original.call(this, message, ...rest);
        };
      }
    } catch {
      // No way to the channel: a server that answers nothing.
    }
  }
}
`;

describe('npm run grade --class: whatever one submission does, the next is graded', () => {
  it('loading errors, links, crashes, endless loops and malformed results each get a row with their status', async () => {
    const classFolder = temporaryFolder();
    submission(classFolder, 'a-correct', { fixture: 'correct.ts' });
    submission(classFolder, 'b-syntax', { fixture: 'syntax-error.ts' });
    submission(classFolder, 'c-exits', { fixture: 'exits.ts' });
    submission(classFolder, 'd-loops', { fixture: 'infinite-loop.ts' });
    submission(classFolder, 'e-malformed', { text: malformedResult });
    symlinkSync(resolve(classFolder, 'a-correct'), join(classFolder, 'f-link'));
    submission(classFolder, 'g-correct', { fixture: 'correct.ts' });
    // Named like the gradebook: refused, and it has no folder of reports to collide with the file.
    submission(classFolder, 'class.csv', { fixture: 'correct.ts' });
    const out = temporaryFolder();
    // 0.3 duplicates messages: the server of c calls process.exit, the server of d loops (until --timeout).
    const run = await gradeCommand(['pingpong', '--class', classFolder, '--test', '0.1,0.3', '--seeds', '2', '--timeout', '2', '--no-typecheck', '--report', 'json', '--out', out]);
    expect(run.code).toBe(1);
    const rows = readFileSync(join(out, 'class.csv'), 'utf8').trim().split('\n').slice(1);
    const cells = rows.map((row) => row.split(','));
    expect(cells.map((row) => [row[0], row[1], row[2]])).toEqual([
      ['a-correct', 'graded', '3'],
      ['b-syntax', 'setup error', '0'],
      ['c-exits', 'graded', '1'],
      ['class.csv', 'setup error', '0'],
      ['d-loops', 'graded', '1'],
      ['e-malformed', 'graded', '0'],
      ['f-link', 'setup error', '0'],
      ['g-correct', 'graded', '3'],
    ]);
    expect(rows[1]).toMatch(/cannot be loaded/);
    expect(rows[3]).toMatch(/its name is one of the class summary's files: rename the folder/);
    expect(rows[6]).toMatch(/it is a link, not a folder/);
    // c and d lose 0.3 (how depends on how far the sandbox lets them go: a crash, a time-out, an
    // exception), and nothing is left not run.
    for (const row of [cells[2], cells[4]] as string[][]) {
      expect(Number(row[5]) + Number(row[6]) + Number(row[7])).toBe(1);
      expect(row[8]).toBe('0');
    }
    for (const name of ['a-correct', 'b-syntax', 'c-exits', 'd-loops', 'e-malformed', 'f-link', 'g-correct']) readReport(join(out, name));
    const summary = JSON.parse(readFileSync(join(out, 'class.json'), 'utf8')) as { submissions: { submission: string; status: string }[] };
    expect(summary.submissions.map((row) => row.status)).toEqual(['graded', 'setup error', 'graded', 'setup error', 'graded', 'graded', 'setup error', 'graded']);
  });

  it('submissions whose names differ only in case or in how a letter is encoded: the first is graded, the others refused and given no folder of reports', async () => {
    const classFolder = temporaryFolder();
    // José twice: with é as one character, and as e followed by a combining accent.
    const [composed, decomposed] = ['Jos\u00e9', 'Jose\u0301'];
    for (const name of ['Dana', 'dana', 'DANA', composed, decomposed]) submission(classFolder, name, { fixture: 'correct.ts' });
    const out = temporaryFolder();
    const reports = new Map<string, GradingReport>();
    const rows = await gradeClass(classFolder, { lab: 'pingpong', tests: ['0.1'], seeds: 1, jobs: 1, typecheck: false }, out, {
      onReport: (name, report) => {
        reports.set(name, report);
        // As a file system that ignores case shows it: DANA's report is Dana's and dana's too.
        for (const alias of name === 'DANA' ? ['DANA', 'Dana', 'dana'] : [name]) {
          mkdirSync(join(out, alias), { recursive: true });
          writeFileSync(join(out, alias, 'report.html'), '<!doctype html>');
        }
      },
    });
    const byName = new Map(rows.map((row) => [row.submission, row]));
    expect(byName.get('DANA')?.status).toBe('graded');
    expect(byName.get('DANA')?.score).toBe(1);
    for (const name of ['Dana', 'dana']) {
      expect(byName.get(name)?.status).toBe('setup error');
      expect(byName.get(name)?.reason).toMatch(/differs from the submission DANA's only in case .*: rename one of the two folders/);
    }
    const [firstJose, secondJose] = [composed, decomposed].sort();
    expect(byName.get(firstJose as string)?.status).toBe('graded');
    expect(byName.get(secondJose as string)?.reason).toMatch(new RegExp(`differs from the submission ${firstJose as string}'s only in case`));
    expect([...reports.keys()].sort()).toEqual(['DANA', firstJose].sort());
    const html = readFileSync(join(out, 'class.html'), 'utf8');
    expect(html).toContain('DANA/report.html');
    expect(html).not.toContain('Dana/report.html');
    expect(html).not.toContain('dana/report.html');
  });

  it('a failure of the grader while grading one submission is recorded, and the next is graded', async () => {
    const classFolder = temporaryFolder();
    for (const name of ['ada', 'bob', 'cy']) submission(classFolder, name, { fixture: 'correct.ts' });
    const listeners = new Set<(error: unknown) => void>();
    const crashes: CrashWatch = (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
    const reports = new Map<string, GradingReport>();
    let current = '';
    const rows = await gradeClass(
      classFolder,
      {
        lab: 'pingpong',
        tests: ['0.1', '0.2'],
        seeds: 1,
        jobs: 1,
        typecheck: false,
        onProgress: (event) => {
          if (event.type === 'start') current = event.implementation;
          if (event.type === 'test-end' && current.endsWith('bob')) for (const listener of listeners) listener(new Error('lost while grading bob'));
        },
      },
      temporaryFolder(),
      { crashes, onReport: (name, report) => reports.set(name, report) },
    );
    expect(rows.map((row) => [row.submission, row.status, row.score])).toEqual([
      ['ada', 'graded', 3],
      ['bob', 'grader error', 1],
      ['cy', 'graded', 3],
    ]);
    expect(rows[1]?.reason).toMatch(/the grader itself failed: lost while grading bob/);
    expect(reports.get('bob')?.tests.map((test) => test.status)).toEqual(['passed', 'not run']);
  });

  it('an interrupted class still writes its summary, with the submissions not graded', async () => {
    const classFolder = temporaryFolder();
    for (const name of ['ada', 'bob']) submission(classFolder, name, { fixture: 'correct.ts' });
    const controller = new AbortController();
    controller.abort();
    const out = temporaryFolder();
    const rows = await gradeClass(classFolder, { lab: 'pingpong', tests: ['0.1'], seeds: 1, typecheck: false, signal: controller.signal }, out, () => {});
    expect(rows.map((row) => [row.status, row.maxScore])).toEqual([
      ['not graded', 1],
      ['not graded', 1],
    ]);
    expect(readFileSync(join(out, 'class.csv'), 'utf8')).toContain('ada,not graded,0,1,0,0,0,0,1,grading was interrupted before this submission');
  });
});
