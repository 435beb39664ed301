// Grading a whole class: submissions found at any depth, graded a few at a time, resumed after
// an interruption, and summed up in a gradebook (class.csv, class.json) and a page (class.html).
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { classConcurrency, classLockFile, csvField, gradeClass, timedOutReason } from '../../grader/classGrading.ts';
import { findEntryFile } from '../../grader/implementation.ts';
import { findLab } from '../../grader/labs.ts';
import { renderClassSummary, type ClassSubmission } from '../../grader/reports/classSummary.ts';
import { validateReportJson } from '../../grader/reports/schema.ts';
import type { GradedTest, GradingReport } from '../../grader/results.ts';

const execute = promisify(execFile);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const command = (args: readonly string[]) => ['--import', 'tsx', 'grader/cli.ts', ...args];

async function grade(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execute(process.execPath, command(args), { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const temporaryFolder = (prefix = 'distlab-class-') => mkdtempSync(join(tmpdir(), prefix));

const pingpong = 'test/fixtures/pingpong';

/** A pingpong submission: `fixture` as `<path>` (an index.ts at any depth), base.ts beside it. */
function submission(classFolder: string, path: string, fixture: string): void {
  const file = join(classFolder, path);
  mkdirSync(dirname(file), { recursive: true });
  copyFileSync(join(pingpong, 'base.ts'), join(dirname(file), 'base.ts'));
  copyFileSync(join(pingpong, fixture), file);
}

/** The records of a CSV file, keyed by its header's names. */
function csvRecords(text: string): Record<string, string>[] {
  const lines = text
    .trim()
    .split('\n')
    .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((match) => (match[1] ?? '').replace(/^"|"$/g, '').replace(/""/g, '"')));
  const [header = [], ...records] = lines;
  return records.map((fields) => Object.fromEntries(header.map((name, index) => [name, fields[index] ?? ''])));
}

function csvOf(out: string): { header: string; records: Record<string, string>[] } {
  const text = readFileSync(join(out, 'class.csv'), 'utf8');
  return { header: text.split('\n')[0] ?? '', records: csvRecords(text) };
}

/** `[k/N] name:` lines: the submissions a run graded itself. */
function gradedNames(stdout: string): string[] {
  return [...stdout.matchAll(/^\s+\[\d+\/\d+\] (.+?): /gm)].map((match) => match[1] as string).sort();
}

describe('npm run grade --class: a whole class', () => {
  it('finds each index.ts at any depth, grades past a broken one, and writes the file and line of a compile error', async () => {
    const classFolder = temporaryFolder();
    submission(classFolder, 'ada/index.ts', 'correct.ts');
    submission(classFolder, 'Bob Jones_42/lab0/src/index.ts', 'throws.ts');
    submission(classFolder, 'cy/lab0/index.ts', 'syntax-error.ts');
    // A whole repository: the lab's own src wins over any shallower index.ts.
    submission(classFolder, 'dee/distlab/labs/00-pingpong/src/index.ts', 'correct.ts');
    mkdirSync(join(classFolder, 'dee', 'distlab', 'framework'));
    writeFileSync(join(classFolder, 'dee', 'distlab', 'framework', 'index.ts'), 'export {};\n');
    submission(classFolder, 'eve/src/index.ts', 'rejection.ts');
    // Two copies: the one set aside is not graded, and the row says so.
    submission(classFolder, 'fay/lab0/src/index.ts', 'correct.ts');
    submission(classFolder, 'fay/lab0-old/src/index.ts', 'throws.ts');
    // An import the bundler refuses: its message names the folder, as the grader's working folder sees it.
    submission(classFolder, 'gil/index.ts', 'correct.ts');
    writeFileSync(join(classFolder, 'gil', 'data.json'), '{}\n');
    writeFileSync(join(classFolder, 'gil', 'index.ts'), `import data from './data.json';\nexport const loaded = data;\n${readFileSync(join(classFolder, 'gil', 'index.ts'), 'utf8')}`);
    // Loads, but exports none of the lab's classes.
    mkdirSync(join(classFolder, 'hal'));
    writeFileSync(join(classFolder, 'hal', 'index.ts'), 'export const nothing = 0;\n');
    writeFileSync(join(classFolder, 'class-export-metadata.yml'), 'not a submission\n');
    const out = temporaryFolder();
    const run = await grade('pingpong', '--class', classFolder, '--test', '0.1,0.3', '--seeds', '2', '--report', 'json,html', '--out', out, '--no-typecheck');
    expect(run.code, run.stderr).toBe(1);
    // No --timeout: the class's own, from the reference solution's times, at least twice the stall limit.
    expect(run.stdout).toMatch(/timeout per test 30 s \(5 × the reference solution's slowest test here/);
    expect(gradedNames(run.stdout)).toEqual(['Bob Jones_42', 'ada', 'cy', 'dee', 'eve', 'fay', 'gil', 'hal']);
    const { header, records } = csvOf(out);
    expect(header).toBe('submission,status,score,max_score,passed,failed,crashed,timed_out,not_run,reason,test_0.1,test_0.3,entry,note,errors');
    const row = (name: string) => records.find((record) => record.submission === name) ?? {};
    expect(records.map((record) => record.submission)).toEqual(['Bob Jones_42', 'ada', 'cy', 'dee', 'eve', 'fay', 'gil', 'hal']);
    expect(row('ada')).toMatchObject({ status: 'graded', score: '3', max_score: '3', 'test_0.1': '1', 'test_0.3': '2', entry: 'index.ts', note: '', errors: '' });
    expect(row('Bob Jones_42')).toMatchObject({ status: 'graded', score: '1', failed: '1', 'test_0.3': '0', entry: 'lab0/src/index.ts' });
    expect(row('cy')).toMatchObject({ status: 'setup error', score: '0', not_run: '2', entry: 'lab0/index.ts' });
    expect(row('cy').reason).toBe('cannot be loaded: lab0/index.ts:7:17: Expected ")" but found "{"');
    expect(row('cy').errors).toBe('lab0/index.ts:7:17: Expected ")" but found "{" | if (seq > 1 {');
    expect(row('dee')).toMatchObject({ status: 'graded', score: '3', entry: 'distlab/labs/00-pingpong/src/index.ts', note: '' });
    // Its row names the submission as its reports do, never by the staff's path to it.
    expect(row('gil')).toMatchObject({ status: 'setup error' });
    expect(row('gil').errors).toMatch(/^index\.ts:1:18: .*your own \.ts files in gil\. \| import data from/);
    // A setup error of one line is the reason, and only the reason: the errors column does not say it again.
    expect(row('hal')).toMatchObject({ status: 'setup error', errors: '' });
    expect(row('hal').reason).toMatch(/PingClient/);
    expect(row('eve')).toMatchObject({ status: 'graded', crashed: '1', 'test_0.3': '0' });
    expect(row('fay')).toMatchObject({ status: 'graded', score: '3', entry: 'lab0/src/index.ts' });
    expect(row('fay').note).toMatch(/^graded lab0\/src\/index\.ts, not lab0-old\/src\/index\.ts \(the others are in folders named like copies set aside/);
    // The student replays a failure in their own checkout.
    const bobReport = JSON.parse(readFileSync(join(out, 'Bob Jones_42', 'report.json'), 'utf8')) as GradingReport;
    expect(bobReport.tests[1]?.failure?.replayCommand).toMatch(/^npm run grade -- pingpong --impl student --replay \S+$/);
    const cyReport = JSON.parse(readFileSync(join(out, 'cy', 'report.json'), 'utf8')) as GradingReport;
    expect(cyReport.setupError).toMatch(/index\.ts:7:17: Expected "\)" but found "\{"/);
    // Reports go to students: they name the submission as its author knows it, never the staff's folders.
    expect(cyReport.implementation).toBe('cy');
    expect(JSON.parse(readFileSync(join(out, 'gil', 'report.json'), 'utf8'))).toMatchObject({ setupError: expect.stringMatching(/your own \.ts files in gil\b/) as unknown });
    for (const name of ['ada', 'Bob Jones_42', 'cy', 'gil']) {
      for (const file of ['report.json', 'report.html']) {
        const text = readFileSync(join(out, name, file), 'utf8');
        expect(text, `${name}/${file}`).not.toContain(classFolder);
        // Nor as the compiler and the bundler spell it, relative to where the grader ran.
        expect(text, `${name}/${file}`).not.toContain(relative(process.cwd(), classFolder));
      }
    }
    for (const name of ['ada', 'Bob Jones_42', 'cy', 'dee', 'eve', 'fay']) {
      expect(validateReportJson(JSON.parse(readFileSync(join(out, name, 'report.json'), 'utf8'))), name).toEqual([]);
    }
    const summary = readFileSync(join(out, 'class.html'), 'utf8');
    expect(summary).toContain('<a href="Bob%20Jones_42/report.html">Bob Jones_42</a>');
    expect(summary).toMatch(/<svg class="plot"[^>]*>[\s\S]*<rect class="bar"/);
    const classJson = JSON.parse(readFileSync(join(out, 'class.json'), 'utf8')) as { settings: { timeoutMs: number }; tests: { number: string }[] };
    expect(classJson.settings.timeoutMs).toBe(30_000);
    expect(classJson.tests.map((test) => test.number)).toEqual(['0.1', '0.3']);
  }, 120_000);

  it('has a column per part and per test, with the points of each', async () => {
    const lab = findLab('mutex');
    const classFolder = temporaryFolder();
    // Laid out like labs/01-mutex/src: the reference's files, their imports pointed beside them.
    const reference = (folder: string) => {
      mkdirSync(folder, { recursive: true });
      copyFileSync(join(lab.studentDirectory, 'protocol.ts'), join(folder, 'protocol.ts'));
      for (const name of readdirSync(lab.solutionDirectory).filter((file) => file.endsWith('.ts') && file !== 'mutants.ts')) {
        const text = readFileSync(join(lab.solutionDirectory, name), 'utf8').replace(/(['"])(?:\.\.\/)+labs\/01-mutex\/src\/protocol\.ts\1/g, "'./protocol.ts'");
        writeFileSync(join(folder, name), text);
      }
    };
    reference(join(classFolder, 'ada', 'src'));
    // Part A done, the rest the stub.
    mkdirSync(join(classFolder, 'bob'));
    for (const name of readdirSync(lab.studentDirectory)) copyFileSync(join(lab.studentDirectory, name), join(classFolder, 'bob', name));
    const solved = temporaryFolder();
    reference(solved);
    copyFileSync(join(solved, 'centralized.ts'), join(classFolder, 'bob', 'centralized.ts'));
    const out = temporaryFolder();
    const run = await grade('mutex', '--class', classFolder, '--test', '1A.1,1A.2,1B.1', '--seed', '1', '--timeout', '60', '--report', 'json', '--out', out, '--no-typecheck');
    expect(run.stdout).toMatch(/timeout per test 60 s \(given with --timeout\)/);
    const { header, records } = csvOf(out);
    expect(header).toBe('submission,status,score,max_score,passed,failed,crashed,timed_out,not_run,reason,part_1A,part_1B,test_1A.1,test_1A.2,test_1B.1,entry,note,errors');
    expect(records.map((record) => [record.submission, record.score, record.part_1A, record.part_1B, record['test_1A.1'], record['test_1A.2'], record['test_1B.1']])).toEqual([
      ['ada', '5', '4', '1', '1', '3', '1'],
      ['bob', '4', '4', '0', '1', '3', '0'],
    ]);
  }, 60_000);

  it('grades the rest of the class after a submission whose code stops the bundler', async () => {
    const classFolder = temporaryFolder();
    submission(classFolder, 'ada/index.ts', 'correct.ts');
    // Blocks nested 200,000 deep overflow the stack of esbuild's parser, which ends its service
    // process: every build after it would fail, were the service not started again.
    submission(classFolder, 'bob/index.ts', 'correct.ts');
    writeFileSync(join(classFolder, 'bob', 'deep.ts'), `export function deep(): void ${'{'.repeat(200_000)}${'}'.repeat(200_000)}\n`);
    writeFileSync(join(classFolder, 'bob', 'index.ts'), "export { Client as PingClient, Server as PingServer } from './base.ts';\nexport { deep } from './deep.ts';\n");
    submission(classFolder, 'cy/index.ts', 'correct.ts');
    const out = temporaryFolder();
    const run = await grade('pingpong', '--class', classFolder, '--test', '0.1', '--seed', '1', '--parallel', '1', '--report', 'json', '--out', out, '--no-typecheck');
    expect(run.code).toBe(1);
    const { records } = csvOf(out);
    expect(records.map((record) => [record.submission, record.status, record.score])).toEqual([
      ['ada', 'graded', '1'],
      ['bob', 'setup error', '0'],
      ['cy', 'graded', '1'],
    ]);
    expect(records[1]?.reason).toMatch(/^cannot be loaded: the bundler \(esbuild\) stopped twice while it read this code, as it does when code is nested hundreds of thousands of levels deep/);
  }, 120_000);

  it('resumes after the grader is killed: the submissions graded are kept, the others graded', async () => {
    const classFolder = temporaryFolder();
    const names = ['ada', 'bob', 'cy'];
    for (const name of names) submission(classFolder, `${name}/lab0/index.ts`, 'correct.ts');
    const out = temporaryFolder();
    const args = ['pingpong', '--class', classFolder, '--test', '0.2', '--seed', '3', '--report', 'json,html', '--out', out, '--no-typecheck', '--timeout', '60'];
    const child = spawn(process.execPath, command(args), { env: { ...process.env, NO_COLOR: '1' }, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // The first submission's reports and record are written: a crash, then.
    const finished = () => names.filter((name) => existsSync(join(out, name, 'class-entry.json')));
    while (finished().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGKILL');
    await exited;
    const kept = finished();
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(names.length);
    const keptReports = new Map(kept.map((name) => [name, readFileSync(join(out, name, 'report.json'), 'utf8')]));

    const resumed = await grade(...args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`Keeping ${kept.length} graded before with the same files, suite and options`);
    expect(gradedNames(resumed.stdout)).toEqual(names.filter((name) => !kept.includes(name)));
    for (const [name, report] of keptReports) expect(readFileSync(join(out, name, 'report.json'), 'utf8'), name).toBe(report);
    const { records } = csvOf(out);
    expect(records.map((record) => [record.submission, record.status, record.score])).toEqual(names.map((name) => [name, 'graded', '2']));
    const nothingLeft = await grade(...args);
    expect(nothingLeft.stdout).toContain('All 3 submissions of 00-pingpong were graded before with the same files, suite and options: nothing to grade');
    expect(gradedNames(nothingLeft.stdout)).toEqual([]);

    // A changed submission is graded again; nothing else is.
    writeFileSync(join(classFolder, 'cy', 'lab0', 'index.ts'), `${readFileSync(join(classFolder, 'cy', 'lab0', 'index.ts'), 'utf8')}\n// a late fix\n`);
    const again = await grade(...args);
    expect(gradedNames(again.stdout)).toEqual(['cy']);
    // Other options are another grading: every submission is graded again.
    const otherSeed = await grade(...args.map((value) => (value === '3' ? '4' : value)));
    expect(gradedNames(otherSeed.stdout)).toEqual(names);
    // ... and says so before it replaces what was there.
    expect(otherSeed.stdout).toContain('3 were graded before with other options (seeds, tests, part, timeout, report formats), or another suite or grader: each is graded again');
  }, 120_000);

  it('refuses an output folder another class grading is writing into, and takes over one whose grading is gone', async () => {
    const classFolder = temporaryFolder();
    submission(classFolder, 'ada/index.ts', 'correct.ts');
    const out = temporaryFolder();
    const args = ['pingpong', '--class', classFolder, '--test', '0.2', '--seed', '3', '--report', 'json', '--out', out, '--no-typecheck', '--timeout', '60'];
    // A grading that runs: this very process holds the folder.
    writeFileSync(join(out, classLockFile), JSON.stringify({ pid: process.pid, startedAt: '2026-12-05T10:00:00.000Z' }));
    const busy = await grade(...args);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain(`another class grading (process ${process.pid} since 2026-12-05T10:00:00.000Z) is writing into ${out}: wait for it to finish, or give another --out`);
    expect(readdirSync(out)).toEqual([classLockFile]);

    // A grading that is gone (killed, or the machine rebooted) left its mark: taken over, and removed at the end.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise<void>((resolve) => gone.on('exit', () => resolve()));
    writeFileSync(join(out, classLockFile), JSON.stringify({ pid: gone.pid, startedAt: '2026-12-05T10:00:00.000Z' }));
    const graded = await grade(...args);
    expect(graded.code, graded.stderr).toBe(0);
    expect(csvOf(out).records.map((record) => [record.submission, record.score])).toEqual([['ada', '2']]);
    expect(existsSync(join(out, classLockFile))).toBe(false);
  }, 60_000);

  it('grades submissions in parallel, never more at once than asked', async () => {
    const classFolder = temporaryFolder();
    for (const name of ['ada', 'bob', 'cy']) submission(classFolder, `${name}/index.ts`, 'correct.ts');
    const mostAtOnce = async (parallel: number) => {
      const grading = new Set<string>();
      let most = 0;
      await gradeClass(classFolder, { lab: 'pingpong', tests: ['0.2'], seed: 1, jobs: 1, typecheck: false }, temporaryFolder(), {
        parallel,
        onReport: () => {},
        onEvent: (event) => {
          if (event.type === 'grading') grading.add(event.submission);
          if (event.type === 'graded') grading.delete(event.row.submission);
          most = Math.max(most, grading.size);
        },
      });
      return most;
    };
    expect(await mostAtOnce(1)).toBe(1);
    expect(await mostAtOnce(2)).toBe(2);
  }, 60_000);

  it("says in a graded row's reason which tests ran out of time, and why", () => {
    const test = (number: string, status: GradedTest['status'], reason?: string): GradedTest => ({
      number,
      name: number,
      part: number.slice(0, 2),
      kind: 'run',
      visibility: 'visible',
      description: '',
      maxScore: 2,
      score: status === 'passed' ? 2 : 0,
      status,
      ...(reason !== undefined ? { reason } : {}),
      seedsPlanned: 10,
      seedsRun: 3,
      wallMs: 30_000,
    });
    expect(timedOutReason([test('2A.1', 'passed'), test('2A.2', 'failed')])).toBeUndefined();
    expect(timedOutReason([test('2A.1', 'passed'), test('2B.5', 'timed out', 'no result within 30 s of wall time, after 3 of 10 seeds'), test('2B.6', 'timed out')])).toBe(
      'timed out: 2B.5 (and 2B.6): no result within 30 s of wall time, after 3 of 10 seeds',
    );
  });

  it('shares the machine: about one child process per core', () => {
    expect(classConcurrency(undefined, undefined, 2)).toEqual({ jobs: 1, parallel: 2 });
    expect(classConcurrency(undefined, undefined, 8)).toEqual({ jobs: 1, parallel: 8 });
    expect(classConcurrency(2, undefined, 8)).toEqual({ jobs: 2, parallel: 4 });
    expect(classConcurrency(4, undefined, 2)).toEqual({ jobs: 4, parallel: 1 });
    expect(classConcurrency(undefined, 3, 2)).toEqual({ jobs: 1, parallel: 3 });
  });
});

describe("a submission's index.ts, at any depth", () => {
  const lab = findLab('pingpong');
  const layout = (files: readonly string[]) => {
    const folder = temporaryFolder('distlab-entry-');
    for (const file of files) {
      mkdirSync(dirname(join(folder, file)), { recursive: true });
      writeFileSync(join(folder, file), '');
    }
    return folder;
  };

  it.each([
    [['index.ts', 'src/index.ts'], 'index.ts', ''],
    // A stray index.ts above the student's src/: graded, since it is the shallowest, and the note names the other.
    [['index.ts', 'src/index.ts', 'src/server.ts', 'src/client.ts'], 'index.ts', /^graded index\.ts, the shallowest, not src\/index\.ts, which is beside more of labs\/00-pingpong\/src's file names but inside its folder/],
    // A helper module's index.ts below the real one is no rival.
    [['index.ts', 'server.ts', 'client.ts', 'util/index.ts'], 'index.ts', ''],
    [['Dana/lab0/src/index.ts', 'Dana/lab0/src/server.ts'], 'Dana/lab0/src/index.ts', ''],
    [['repo/framework/index.ts', 'repo/labs/00-pingpong/src/index.ts'], 'repo/labs/00-pingpong/src/index.ts', ''],
    [['lab0/index.ts', 'lab0/server.ts', 'lab0/client.ts', 'lab1/index.ts'], 'lab0/index.ts', /not lab1\/index\.ts \(the one beside the most of labs\/00-pingpong\/src's file names/],
    [['a/index.ts', 'b/index.ts'], 'a/index.ts', /not b\/index\.ts \(the first by name of several that look equally right/],
    [['Copy of lab0/index.ts', 'lab0/src/index.ts'], 'lab0/src/index.ts', /the others are in folders named like copies set aside/],
    [['dist/index.js', 'node_modules/x/index.ts', '.git/index.ts', '__MACOSX/index.ts'], 'dist/index.js', ''],
  ])('%j: %s', (files, expected, note) => {
    const found = findEntryFile(lab, layout(files));
    expect(found.relativePath).toBe(expected);
    if (note === '') expect(found.note).toBe('');
    else expect(found.note).toMatch(note);
  });

  it('says what is wrong when there is none: no index.ts, or an archive to unpack', () => {
    expect(() => findEntryFile(lab, layout(['notes.txt']), 'Dana')).toThrow(/^Dana: no index.ts in the folder or in any folder inside it/);
    expect(() => findEntryFile(lab, layout(['Dana.zip']), 'Dana')).toThrow(/^Dana: no index.ts in the folder, only the archive Dana.zip: unpack it/);
  });
});

describe('class.csv cells', () => {
  it('defuse a formula, even after spaces, and quote what needs quoting', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField(' =HYPERLINK("x")')).toBe(`"' =HYPERLINK(""x"")"`);
    expect(csvField('\u00a0@SUM(A1)')).toBe("'\u00a0@SUM(A1)");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('alice, bob')).toBe('"alice, bob"');
    // A spreadsheet that splits on ";" (or "|", or a tab) must not find a formula in a part of a field.
    expect(csvField('q;=HYPERLINK(CHAR(104)&A3);x/index.ts')).toBe('"q;=HYPERLINK(CHAR(104)&A3);x/index.ts"');
    expect(csvField('ok|=1+2')).toBe('"ok|=1+2"');
    expect(csvField('alice')).toBe('alice');
    expect(csvField(12)).toBe('12');
  });
});

describe('class.html', () => {
  const tests = [
    { number: '0.1', name: 'every ping answered', part: '', maxScore: 1 },
    { number: '0.3', name: 'duplicates', part: '', maxScore: 2 },
  ];
  const hostileName = '"><img src=x onerror=alert(1)> <b>Mallory</b>';
  const hostileMessage = '</pre><script>alert("pwned")</script> ping 17 answered twice';
  /** A graded submission that fails `failing` (or none) with `message`. */
  const submissionOf = (name: string, failing?: { readonly test: string; readonly message: string }): ClassSubmission => {
    const results = tests.map((test) =>
      test.number === failing?.test
        ? { number: test.number, status: 'failed' as const, score: 0, property: 'each ping answered at most once', message: failing.message }
        : { number: test.number, status: 'passed' as const, score: test.maxScore },
    );
    return {
      name,
      status: 'graded',
      score: results.reduce((sum, result) => sum + result.score, 0),
      maxScore: 3,
      reason: '',
      entry: 'index.ts',
      note: '',
      errors: [],
      hasHtmlReport: true,
      tests: results,
    };
  };
  const page = renderClassSummary({
    lab: '00-pingpong',
    labTitle: 'Lab 0',
    settings: 'default seeds',
    tests,
    submissions: [
      submissionOf('ada'),
      submissionOf('bob', { test: '0.3', message: 'ping 3 answered twice' }),
      submissionOf('cy', { test: '0.3', message: 'the server gave up' }),
      submissionOf('eve', { test: '0.3', message: 'ping 17 answered twice' }),
      submissionOf(hostileName, { test: '0.1', message: hostileMessage }),
      { ...submissionOf('dee'), status: 'setup error', score: 0, errors: ['lab0/index.ts:7:17: Expected ")" but found "{"'], hasHtmlReport: false, tests: [] },
    ],
  });

  it('groups failures by property and message, numbers aside, the tests most often failed first', () => {
    const row = /<tr>\s*<td class="nowrap"><code>0\.3<\/code>[\s\S]*?<\/tr>/.exec(page)?.[0] ?? '';
    expect(row).toContain('3 of 5');
    expect([...row.matchAll(/<strong>(\d+)×<\/strong>/g)].map((match) => match[1])).toEqual(['2', '1']);
    expect(row).toContain('ping 3 answered twice');
    expect(row).toContain('2 variants that differ only in numbers');
    expect(page.indexOf('<code>0.3</code>')).toBeLessThan(page.indexOf('<code>0.1</code>'));
  });

  it('shows every submission, linked to its report, and the distribution of scores', () => {
    expect(page).toContain('<a href="ada/report.html">ada</a>');
    expect(page).not.toContain('href="dee/report.html"');
    expect(page).toContain('lab0/index.ts:7:17: Expected &quot;)&quot; but found &quot;{&quot;');
    // One bar per score from 0 to 3: one 0 (the setup error), three 1s, one 2, one 3.
    expect(/<desc id="histogram-desc">([^<]*)<\/desc>/.exec(page)?.[1]).toBe('0: 1, 1: 3, 2: 1, 3: 1');
  });

  it('shows hostile names and messages as text: no markup, no script, no way out of a link', () => {
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<b>Mallory');
    expect(page).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(page).toContain(`href="${encodeURIComponent(hostileName)}/report.html"`);
    expect([...page.matchAll(/<script/g)]).toHaveLength(0);
    expect(page).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; style-src &#x27;sha256-/);
  });
});
