// The Gradescope autograder as Gradescope runs it: `npm run gradescope` builds autograder.zip,
// which is unpacked into a fake /autograder tree (AUTOGRADER_ROOT) where its setup.sh runs
// (Node already matches .nvmrc, so that is `npm ci`) and its run_autograder grades submissions
// of every kind: the reference nested as an LMS export nests it, the stub, a crash, a syntax
// error, an endless loop, a hostile one, and a grader that dies. Every results.json must be
// valid Gradescope output, and say what happened.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../grader/labs.ts';
import { validateGradescopeResults, type GradescopeResults } from '../../grader/reports/gradescope.ts';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end (killed after `limitMs`, so a hang fails the test instead of stalling it). */
function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; limitMs?: number } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? projectRoot, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const limit = setTimeout(() => child.kill('SIGKILL'), options.limitMs ?? 150_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(limit);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

const gradescope = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'grader/autograder.ts', ...args], { limitMs: 60_000 });

/** The Unix mode of every file in a zip, from its central directory (fflate does not report them). */
function unixModes(zip: Uint8Array): Map<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.byteLength - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  const modes = new Map<string, number>();
  let offset = view.getUint32(end + 16, true);
  for (let index = 0; index < view.getUint16(end + 10, true); index++) {
    const nameLength = view.getUint16(offset + 28, true);
    const name = new TextDecoder().decode(zip.subarray(offset + 46, offset + 46 + nameLength));
    modes.set(name, view.getUint32(offset + 38, true) >>> 16);
    offset += 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return modes;
}

/** Unpacks a zip as Gradescope does, into `folder`, with each file's permissions. */
function unpack(zip: Uint8Array, folder: string): void {
  const modes = unixModes(zip);
  for (const [name, bytes] of Object.entries(unzipSync(zip))) {
    const file = join(folder, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    chmodSync(file, (modes.get(name) ?? 0o644) & 0o777);
  }
}

const temporaryFolders: string[] = [];
function temporaryFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  temporaryFolders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of temporaryFolders) rmSync(folder, { recursive: true, force: true });
});

const nodeVersion = readFileSync(join(projectRoot, '.nvmrc'), 'utf8').trim().replace(/^v/, '');

/**
 * The environment the scripts run in. Where this Node is not .nvmrc's, a `node` that answers
 * `--version` as .nvmrc's stands in (setup.sh would otherwise download Node: not this test's
 * business, and not possible offline).
 */
function scriptEnvironment(work: string): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', DISTLAB_NODE_PREFIX: join(work, 'node-prefix') };
  if (process.version === `v${nodeVersion}`) return environment;
  const shim = join(work, 'node-shim');
  mkdirSync(shim, { recursive: true });
  writeFileSync(join(shim, 'node'), `#!/bin/sh\nif [ "$1" = "--version" ]; then echo v${nodeVersion}; else exec "${process.execPath}" "$@"; fi\n`, { mode: 0o755 });
  return { ...environment, PATH: `${shim}:${process.env.PATH ?? ''}` };
}

/** A fake /autograder: the bundle unpacked in source/, run_autograder copied beside it. */
interface Tree {
  readonly root: string;
  readonly environment: NodeJS.ProcessEnv;
}

interface Graded {
  readonly results: GradescopeResults;
  readonly text: string;
  readonly stderr: string;
}

/** Lays out one submission as Gradescope does (files in root/submission), runs `script`, and returns the validated results. */
async function grade(tree: Tree, files: Readonly<Record<string, string>>, script = 'run_autograder'): Promise<Graded> {
  const submission = join(tree.root, 'submission');
  rmSync(submission, { recursive: true, force: true });
  rmSync(join(tree.root, 'results'), { recursive: true, force: true });
  mkdirSync(submission, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(submission, path)), { recursive: true });
    writeFileSync(join(submission, path), text);
  }
  const ended = await run(join(tree.root, script), [], { cwd: tree.root, env: { ...tree.environment, AUTOGRADER_ROOT: tree.root } });
  expect(ended.code, ended.stderr).toBe(0);
  const resultsFile = join(tree.root, 'results', 'results.json');
  expect(existsSync(resultsFile), `no results.json; run_autograder said:\n${ended.stderr}`).toBe(true);
  const text = readFileSync(resultsFile, 'utf8');
  const results = JSON.parse(text) as GradescopeResults;
  expect(validateGradescopeResults(results)).toEqual([]);
  return { results, text, stderr: ended.stderr };
}

const read = (path: string) => readFileSync(join(projectRoot, path), 'utf8');
const pingpongFixture = (name: string) => read(join('test', 'fixtures', 'pingpong', name));

/** The reference solution as a student submits it: its files beside the handout's protocol.ts. */
function referenceFiles(folder: string): Record<string, string> {
  const files: Record<string, string> = { [`${folder}/protocol.ts`]: read('labs/00-pingpong/src/protocol.ts') };
  for (const name of ['index.ts', 'client.ts', 'server.ts']) {
    files[`${folder}/${name}`] = read(join('solutions', '00-pingpong', name)).replaceAll('../../labs/00-pingpong/src/protocol.ts', './protocol.ts');
  }
  return files;
}

const stubFiles = (folder: string) =>
  Object.fromEntries(['index.ts', 'client.ts', 'server.ts', 'protocol.ts'].map((name) => [`${folder}/${name}`, read(join('labs', '00-pingpong', 'src', name))]));

/** Every line of the results that holds a command to paste. */
function commandLines(text: string): string[] {
  const results = JSON.parse(text) as GradescopeResults;
  const outputs = [results.output ?? '', ...(results.tests ?? []).map((test) => test.output ?? '')];
  return outputs.flatMap((output) => output.split('\n')).filter((line) => line.includes('npm run grade'));
}

const totalOf = (results: GradescopeResults) => (results.tests ?? []).reduce((sum, test) => sum + (test.max_score ?? 0), 0);

describe('npm run gradescope: usage errors exit with 2 and one clear message', () => {
  it.each([
    [[], /which lab\? Give its name first/],
    [['pingpong'], /where to\? Give the folder for autograder\.zip with --out/],
    [['tetris', '--out', 'x'], /unknown lab "tetris"/],
    [['pingpong', 'mutex', '--out', 'x'], /one lab per autograder/],
    [['pingpong', '--out', 'x', '--timeout', '0'], /--timeout needs a whole number from 1 to 86400, not "0"/],
    [['pingpong', '--out', 'x', '--overall-timeout', '3000'], /--overall-timeout needs a whole number from 1 to 2400/],
    [['pingpong', '--out', 'x', '--hidden-visibility', 'never'], /--hidden-visibility never: use hidden, after_due_date or after_published/],
    [['pingpong', '--out', 'x', '--frobnicate'], /unknown option --frobnicate: see --help for the options/],
    [['pingpong', '--out', 'package.json'], /--out package\.json: .*package\.json is a file, not a folder/],
  ])('%j', async (args, message) => {
    const ended = await gradescope(...args);
    expect(ended.code).toBe(2);
    expect(ended.stderr).toMatch(message);
    expect(ended.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the autograder bundle, unpacked and run as Gradescope runs it', () => {
  let zip: Uint8Array;
  let tree: Tree;

  beforeAll(async () => {
    const out = temporaryFolder('distlab-gradescope-out-');
    // The main bundle; one whose tests time out after 2 s, for the endless loop; one that stops all grading after 8 s.
    const builds = await Promise.all([
      gradescope('pingpong', '--out', join(out, 'main')),
      gradescope('0', '--out', join(out, 'short-tests'), '--timeout', '2', '--jobs', '2'),
      gradescope('00-pingpong', '--out', join(out, 'short-overall'), '--overall-timeout', '8'),
    ]);
    for (const build of builds) expect(build.code, build.stderr).toBe(0);
    expect(builds[0]?.stdout).toMatch(/6 visible, 4 hidden .* 16 points in all/);
    zip = readFileSync(join(out, 'main', 'autograder.zip'));

    const root = temporaryFolder('distlab-autograder-');
    tree = { root, environment: scriptEnvironment(root) };
    unpack(zip, join(root, 'source'));
    // Gradescope copies run_autograder from the source; the two variants go beside it.
    copyFileSync(join(root, 'source', 'run_autograder'), join(root, 'run_autograder'));
    for (const variant of ['short-tests', 'short-overall']) {
      const file = unzipSync(readFileSync(join(out, variant, 'autograder.zip')))['run_autograder'] as Uint8Array;
      writeFileSync(join(root, `run_autograder_${variant}`), file, { mode: 0o755 });
    }
    const setup = await run(join(root, 'source', 'setup.sh'), [], { cwd: root, env: tree.environment, limitMs: 170_000 });
    expect(setup.code, `${setup.stdout}\n${setup.stderr}`).toBe(0);
    expect(setup.stdout).toContain(`Node v${nodeVersion} is already installed`);
    expect(setup.stdout).toContain('ready to grade 00-pingpong');
  }, 180_000);

  it("holds the scripts at the zip's root (executable), the lab's handout with its hidden tests, and nothing of the staff's", () => {
    const modes = unixModes(zip);
    expect((modes.get('setup.sh') ?? 0) & 0o777).toBe(0o755);
    expect((modes.get('run_autograder') ?? 0) & 0o777).toBe(0o755);
    const names = [...modes.keys()];
    for (const name of ['package.json', 'package-lock.json', '.nvmrc', 'grader/cli.ts', 'grader/autograder/run.ts', 'labs/00-pingpong/suite.ts', 'labs/00-pingpong/hidden.ts']) {
      expect(names).toContain(name);
    }
    expect(names.filter((name) => name.startsWith('solutions/') || name.includes('mutant') || name.startsWith('labs/01-'))).toEqual([]);
    const setup = new TextDecoder().decode(unzipSync(zip)['setup.sh']);
    expect(setup).toContain(`node_version='${nodeVersion}'`);
  });

  it('grades the reference solution, nested folders deep as an LMS export has it, with full points, the hidden tests included', async () => {
    // Beside it, an older copy set aside: not graded, and the student is told which was.
    const files = { ...referenceFiles('Dana Smith_123/lab0/src'), 'Dana Smith_123/lab0-old/index.ts': read('labs/00-pingpong/src/index.ts') };
    const { results, text } = await grade(tree, files);
    const tests = results.tests ?? [];
    expect(tests.map((test) => [test.number, test.status])).toEqual(['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '0.10'].map((number) => [number, 'passed']));
    expect(tests.find((test) => test.number === '0.7')).toMatchObject({ score: 2, max_score: 2, visibility: 'after_published' });
    expect(results.score).toBe(16);
    expect(totalOf(results)).toBe(16);
    expect(results.output).toContain('implementation submission/Dana Smith_123/lab0/src');
    expect(results.output).toContain('The submission has more than one index.ts: graded Dana Smith_123/lab0/src/index.ts, not Dana Smith_123/lab0-old/index.ts');
    expect(results.output).not.toContain('Type errors');
    expect(text).not.toContain(tree.root);
    // The staff's reports lie beside results.json.
    expect(JSON.parse(readFileSync(join(tree.root, 'results', 'report.json'), 'utf8'))).toMatchObject({ lab: '00-pingpong', totals: { score: 16 } });
    expect(readFileSync(join(tree.root, 'results', 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('grades the stub with 0 points, and every replay command names the code as --impl student', async () => {
    const { results, text } = await grade(tree, stubFiles('src'));
    expect(results.score).toBe(0);
    expect((results.tests ?? []).every((test) => test.status === 'failed' && test.score === 0)).toBe(true);
    const commands = commandLines(text);
    expect(commands.length).toBeGreaterThanOrEqual(6);
    for (const command of commands) {
      expect(command).toContain('--impl student');
      expect(command).not.toMatch(/\/autograder|submission/);
    }
    expect(text).not.toContain(tree.root);
  });

  it('grades a submission whose handler throws: the tests it breaks fail with the exception, the others pass', async () => {
    const { results, text } = await grade(tree, { 'lab0/index.ts': pingpongFixture('throws.ts'), 'lab0/base.ts': pingpongFixture('base.ts') });
    const tests = results.tests ?? [];
    expect(tests.find((test) => test.number === '0.1')?.status).toBe('passed');
    const failed = tests.filter((test) => test.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.some((test) => (test.output ?? '').includes('cannot read properties of undefined'))).toBe(true);
    expect(results.score).toBeLessThan(14);
    for (const command of commandLines(text)) expect(command).toContain('--impl student');
  });

  it('scores a submission with a syntax error 0, naming the line and what is wrong', async () => {
    const { results } = await grade(tree, { 'lab0/index.ts': pingpongFixture('syntax-error.ts'), 'lab0/base.ts': pingpongFixture('base.ts') });
    expect(results.score).toBe(0);
    expect(results.output).toMatch(/Grading could not start/);
    expect(results.output).toMatch(/index\.ts:7:\d+: Expected "\)" but found "\{"/);
  });

  it('ends an endless loop at the per-test limit and keeps the results of the other tests', async () => {
    const { results } = await grade(tree, { 'index.ts': pingpongFixture('infinite-loop.ts'), 'base.ts': pingpongFixture('base.ts') }, 'run_autograder_short-tests');
    const tests = results.tests ?? [];
    expect(tests).toHaveLength(10);
    expect(tests.some((test) => test.tags?.includes('timed out'))).toBe(true);
    expect(results.score).toBeLessThan(16);
  });

  it('stops grading at the overall limit and still leaves results that say why', async () => {
    const { results } = await grade(tree, { 'index.ts': pingpongFixture('infinite-loop.ts'), 'base.ts': pingpongFixture('base.ts') }, 'run_autograder_short-overall');
    expect(results.output).toMatch(/limit of 8 seconds/);
    expect(results.score).toBeLessThan(16);
  });

  it('grades a hostile submission that tries to kill the grader and its process group: 0 points, every test reported', async () => {
    const { results } = await grade(tree, { 'index.ts': read('test/fixtures/hostile/kills-grader/index.ts') });
    expect(results.score).toBe(0);
    expect(results.tests ?? []).toHaveLength(10);
  });

  it('says what to upload when the submission has no index.ts', async () => {
    const { results } = await grade(tree, { 'README.md': '# my lab\n' });
    expect(results).toMatchObject({ score: 0, tests: [] });
    expect(results.output).toMatch(/^The submission: no index\.ts in the folder or in any folder inside it.*\. Upload the files of labs\/00-pingpong\/src/);
  });

  it('still leaves results when the grader itself is killed, and when setup never ran', async () => {
    // A second tree, whose grader dies at once (as an out-of-memory kill would end it).
    const root = temporaryFolder('distlab-autograder-broken-');
    unpack(zip, join(root, 'source'));
    copyFileSync(join(root, 'source', 'run_autograder'), join(root, 'run_autograder'));
    const broken: Tree = { root, environment: tree.environment };

    const withoutPackages = await grade(broken, referenceFiles('src'));
    expect(withoutPackages.results).toMatchObject({ score: 0, tests: [] });
    expect(withoutPackages.results.output).toMatch(/The autograder failed before it could write its results \(exit code 1\)\. This is not a problem with your code/);

    symlinkSync(join(tree.root, 'source', 'node_modules'), join(root, 'source', 'node_modules'));
    // The grader says what results.json holds while it runs, and where it was told to write.
    const spy = [
      "import { readFileSync } from 'node:fs';",
      "let placeholder = 'no results.json';",
      "try { placeholder = String(JSON.parse(readFileSync(`${process.env.AUTOGRADER_ROOT}/results/results.json`, 'utf8')).output); } catch {}",
      "process.stderr.write(`grading 00-pingpong\\nwhile grading: ${placeholder}\\nout: ${process.argv[process.argv.indexOf('--out') + 1]}\\n`);",
      "process.kill(process.pid, 'SIGKILL');",
    ];
    writeFileSync(join(root, 'source', 'grader', 'cli.ts'), spy.join('\n'));
    const killed = await grade(broken, referenceFiles('src'));
    expect(killed.results).toMatchObject({ score: 0, tests: [] });
    expect(killed.results.output).toMatch(/The grader was killed \(SIGKILL\) before it could write its results/);
    expect(killed.results.output).toContain('grading 00-pingpong');
    // Gradescope finds results at every moment: run_autograder's placeholder stays while the grader runs, and the grader
    // writes elsewhere, so that one outliving a killed supervisor cannot replace what run_autograder wrote then.
    expect(killed.stderr).toMatch(/while grading: Grading did not finish: the autograder stopped before it could write any result/);
    const graderOut = /out: (.*)/.exec(killed.stderr)?.[1] ?? '';
    expect(graderOut).not.toBe('');
    expect(graderOut.startsWith(join(root, 'results'))).toBe(false);
  });
});
