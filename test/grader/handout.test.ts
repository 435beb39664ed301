// The student handout (`npm run handout`), as a new student meets it: built once into a
// temporary folder, installed with `npm ci`, type-checked and linted, then `npm test` and
// `npm run grade -- mutex` run on its stubs. Nothing in it may lead to the reference
// solutions or tell what the hidden tests are.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSuite } from '../../grader/grade.ts';
import { listLabs } from '../../grader/labs.ts';
import { checkStubsCommitted } from '../../grader/handout.ts';
import type { GradingReport } from '../../grader/results.ts';
import type { SuiteTest } from 'distlab/testing';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a student's shell: none of this test run's vitest or distlab settings,
 * nor the variables of the npm command that started it; no colour.
 */
function studentEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(VITEST|DISTLAB_|TEST$|NODE_ENV$|NODE_OPTIONS$|FORCE_COLOR$|npm_(?!config_cache$))/.test(name)) continue;
    environment[name] = value;
  }
  return { ...environment, NO_COLOR: '1', CI: 'true' };
}

/** Runs a command to its end (killed after `timeoutMs`, so nothing hangs). */
function run(command: string, args: readonly string[], cwd: string, timeoutMs = 240_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: studentEnvironment(), timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const npm = (cwd: string, ...args: string[]) => run('npm', args, cwd);
const buildHandout = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'grader/handout.ts', ...args], process.cwd(), 60_000);

/** Every file under `folder` (its installed packages and reports aside), relative to it. */
function filesUnder(folder: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        if (path === folder && (entry.name === 'node_modules' || entry.name === 'reports')) continue;
        walk(full);
      } else {
        found.push(relative(folder, full));
      }
    }
  };
  walk(folder);
  return found.sort();
}

interface VitestReport {
  readonly testResults: readonly {
    readonly name: string;
    readonly assertionResults: readonly { readonly title: string; readonly ancestorTitles: readonly string[]; readonly status: string; readonly failureMessages: readonly string[] }[];
  }[];
}

const labs = listLabs();
let root: string;
let handout: string;
let build: Run;
let studentFiles: string[];
let refusals = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'distlab-handout-'));
  handout = join(root, 'course');
  build = await buildHandout('--out', handout);
  studentFiles = existsSync(handout) ? filesUnder(handout) : [];
}, 60_000);

afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('npm run handout --out DIR', () => {
  it('writes every lab and says what it wrote and the next two commands', () => {
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    for (const lab of labs) expect(build.stdout).toContain(lab.id);
    expect(build.stdout).toMatch(/Next:\n {2}cd \S+ && npm ci\n {2}npm run grade -- pingpong\n/);
  });

  it("holds the student's repository: stubs, visible suites, handouts, student docs, its own package, README and workflow", () => {
    for (const file of [
      'README.md', 'package.json', 'package-lock.json', 'tsconfig.json', 'vitest.config.ts', '.nvmrc', '.gitignore', 'eslint.config.js',
      '.github/workflows/grade.yml', 'docs/framework.md', 'docs/grading.md', 'framework/index.ts', 'framework/testing.ts', 'grader/cli.ts',
    ]) {
      expect(studentFiles, file).toContain(file);
    }
    for (const lab of labs) {
      for (const file of ['README.md', 'suite.ts', 'checks.ts', 'src/index.ts', `${lab.shortName}.test.ts`]) expect(studentFiles).toContain(`labs/${lab.id}/${file}`);
    }
    expect(studentFiles).toContain('labs/03-paxos/search.ts');
    const manifest = JSON.parse(readFileSync(join(handout, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: unknown; devDependencies: unknown };
    const own = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: unknown; devDependencies: unknown };
    expect(Object.keys(manifest.scripts).sort()).toEqual(expect.arrayContaining(['grade', 'lint', 'test', 'typecheck']));
    expect(Object.keys(manifest.scripts).filter((name) => !['grade', 'lint', 'test', 'typecheck', 'watch', 'check-history'].includes(name))).toEqual([]);
    expect([manifest.dependencies, manifest.devDependencies]).toEqual([own.dependencies, own.devDependencies]);
    expect(readFileSync(join(handout, '.gitignore'), 'utf8')).toMatch(/node_modules/);
    expect(readFileSync(join(handout, '.gitignore'), 'utf8')).toMatch(/reports/);
  });

  it("leaves out what stays with staff: solutions, mutants, hidden tests, golden traces, the staff's tests, benchmark, tools and docs", () => {
    const staffOnly = studentFiles.filter((file) =>
      /^(solutions|test|bench|\.ci)\//.test(file) ||
      /(^|\/)(hidden\.ts|mutants(\.ts|\/)|scenarios\.json|costs\.ts|search\.test\.ts)/.test(file) ||
      /^docs\/(staff|performance|testing)\.md$/.test(file) ||
      /^grader\/(handout|soak|autograder)/.test(file),
    );
    expect(staffOnly, 'staff files in the handout').toEqual([]);
  });

  it('no file names a solutions/ path or imports the solutions', () => {
    const mentions = studentFiles.flatMap((file) =>
      readFileSync(join(handout, file), 'utf8')
        .split('\n')
        .map((line, index) => ({ file, line: index + 1, text: line.trim() }))
        .filter(({ text }) => /\bsolutions\//.test(text) || /(from|import\()\s*['"][^'"]*solutions/.test(text)),
    );
    expect(mentions, 'a student has no solutions/ folder: these lines point at one').toEqual([]);
  });

  it("no file holds a hidden test's name or description", async () => {
    const hidden: SuiteTest<unknown>[] = [];
    for (const lab of labs.filter((candidate) => candidate.hiddenTestsFile !== undefined)) {
      for (const test of (await loadSuite(lab)).tests.filter((candidate) => candidate.visibility === 'hidden')) hidden.push(test);
    }
    expect(hidden.length, 'the labs have hidden tests to look for').toBeGreaterThan(0);
    const leaks = studentFiles.flatMap((file) => {
      const text = readFileSync(join(handout, file), 'utf8');
      return hidden.filter((test) => text.includes(test.name) || text.includes(test.description)).map((test) => `${file}: ${test.number} ${test.name}`);
    });
    expect(leaks, 'hidden tests named in the handout').toEqual([]);
  });

  it('every link between its documents leads to a file it has', () => {
    const broken = studentFiles
      .filter((file) => file.endsWith('.md'))
      .flatMap((file) =>
        [...readFileSync(join(handout, file), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
          .map((match) => match[1] as string)
          .filter((target) => !/^[a-z]+:/.test(target) && !existsSync(join(handout, dirname(file), target)))
          .map((target) => `${file} -> ${target}`),
      );
    expect(broken, 'links to files the handout does not have').toEqual([]);
  });

  it('every npm command its files show is one of its scripts', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(handout, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const unknown = studentFiles.flatMap((file) =>
      [...readFileSync(join(handout, file), 'utf8').matchAll(/npm run ([a-z][\w:-]*)/g)]
        .map((match) => match[1] as string)
        .filter((script) => !scripts.includes(script))
        .map((script) => `${file}: npm run ${script}`),
    );
    expect(unknown, 'commands a student cannot run in the handout').toEqual([]);
  });

  it('its README gives the two-command quick start, where the code goes, replaying, and links to every lab', () => {
    const readme = readFileSync(join(handout, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm run grade -- pingpong');
    expect(readme).toMatch(/^npm test\s+#/m);
    expect(readme).toContain('labs/<lab>/src/');
    expect(readme).toContain('--replay <code>');
    for (const lab of labs) expect(readme).toContain(`](labs/${lab.id}/README.md)`);
    expect(readme).not.toMatch(/\{\{|\}\}/);
  });

  it('its workflow installs the Node of .nvmrc with npm ci and grades the student code of every lab, keeping the reports', () => {
    const workflow = readFileSync(join(handout, '.github/workflows/grade.yml'), 'utf8');
    expect(workflow).toMatch(/^on:\n {2}push:/m);
    expect(workflow).toContain('node-version-file: .nvmrc');
    expect(workflow).toContain('npm ci');
    expect(workflow).toContain(`lab: [${labs.map((lab) => lab.shortName).join(', ')}]`);
    expect(workflow).toContain('npm run grade -- ${{ matrix.lab }} --impl student --report terminal,json,html --out reports/${{ matrix.lab }}');
    expect(workflow).toMatch(/if: always\(\)\n\s+uses: actions\/upload-artifact@v4\n\s+with:\n\s+name: reports-\$\{\{ matrix\.lab \}\}\n\s+path: reports\/\$\{\{ matrix\.lab \}\}/);
  });

  it.each([
    [['--out', '<non-empty>'], /--out \S+ is not empty: name a new or empty folder/],
    [['--out', '<new>', '--labs', 'pingpong,tetris'], /unknown lab "tetris"\. Known labs: 00-pingpong \(pingpong\)/],
    [['--out', '<new>', '--frobnicate'], /unknown option --frobnicate: the options are --out <dir>, --labs <labs> and --help\. See --help\./],
    [['<new>'], /unexpected \S+: give the folder with --out <dir>/],
    [[], /where to\? Give the folder with --out <dir>/],
  ])('refuses %j with one clear message and exit code 2, writing nothing', async (args, message) => {
    const nonEmpty = join(root, 'non-empty');
    mkdirSync(nonEmpty, { recursive: true });
    writeFileSync(join(nonEmpty, 'notes.txt'), 'mine');
    const fresh = join(root, `refused-${refusals++}`);
    const refused = await buildHandout(...args.map((arg) => (arg === '<non-empty>' ? nonEmpty : arg === '<new>' ? fresh : arg)));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(message);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(nonEmpty)).toEqual(['notes.txt']);
  });
});

describe('stubs someone worked in', () => {
  it('are refused, naming the files and the fix, in a git checkout; committed stubs, and a folder outside git, are not', () => {
    const checkout = join(root, 'stub-checkout');
    const stub = join(checkout, 'labs', '00-pingpong', 'src');
    mkdirSync(stub, { recursive: true });
    writeFileSync(join(stub, 'index.ts'), '// TODO\n');
    const git = (...args: string[]) => execFileSync('git', ['-C', checkout, '-c', 'user.name=staff', '-c', 'user.email=staff@example.org', ...args], { stdio: 'ignore' });
    // Outside git: nothing to compare with.
    expect(() => checkStubsCommitted(checkout, ['00-pingpong'])).not.toThrow();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'stubs');
    expect(() => checkStubsCommitted(checkout, ['00-pingpong'])).not.toThrow();
    writeFileSync(join(stub, 'index.ts'), 'export const solved = true;\n');
    writeFileSync(join(stub, 'helpers.ts'), 'export {};\n');
    expect(() => checkStubsCommitted(checkout, ['00-pingpong'])).toThrow(
      /^the stubs have changes that are not committed \(labs\/00-pingpong\/src\/helpers\.ts, labs\/00-pingpong\/src\/index\.ts\), and a handout copies them as they are\. If they are your own work on a lab, put them aside \(git stash\)/,
    );
    // Another lab's stub is not this handout's business.
    expect(() => checkStubsCommitted(checkout, ['01-mutex'])).not.toThrow();
    git('add', '-A');
    git('commit', '-qm', 'new stubs');
    expect(() => checkStubsCommitted(checkout, ['00-pingpong'])).not.toThrow();
  });
});

describe('the handout on a fresh machine', () => {
  it('installs with npm ci', async () => {
    const install = await npm(handout, 'ci', '--prefer-offline', '--no-audit', '--no-fund');
    expect(install.code, install.stderr).toBe(0);
  }, 300_000);

  it('type-checks and lints clean, every lab included', async () => {
    const [typecheck, lint] = await Promise.all([npm(handout, 'run', 'typecheck'), npm(handout, 'run', 'lint')]);
    expect(typecheck.code, typecheck.stdout + typecheck.stderr).toBe(0);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
  }, 300_000);

  it("npm test runs each lab's visible tests on the stubs, and each fails for lack of progress", async () => {
    const results = join(root, 'vitest.json');
    const tested = await npm(handout, 'test', '--', '--reporter=default', '--reporter=json', `--outputFile=${results}`);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toMatch(new RegExp(`Test Files\\s+${labs.length} failed \\(${labs.length}\\)`));
    expect(tested.stdout).toMatch(/Tests\s+\d+ failed \(\d+\)/);
    const report = JSON.parse(readFileSync(results, 'utf8')) as VitestReport;
    for (const lab of labs) {
      const visible = (await loadSuite(lab)).tests.filter((test) => test.visibility === 'visible');
      const file = report.testResults.find((result) => result.name.endsWith(`labs/${lab.id}/${lab.shortName}.test.ts`));
      expect(file, `${lab.id}'s test file ran`).toBeDefined();
      const byNumber = new Map(file!.assertionResults.map((result) => [result.title.split(' ')[0], result]));
      // The visible tests and nothing else: no hidden test, no staff check.
      expect([...byNumber.keys()]).toEqual(visible.map((test) => test.number));
      for (const test of visible) {
        const result = byNumber.get(test.number)!;
        expect(result.ancestorTitles.join(' ')).toMatch(/with student/);
        expect(result.status).toBe('failed');
        const message = result.failureMessages.join('\n');
        // A test worth points fails as a stub does: nothing happened. A demonstration
        // (0 points) fails because nothing happened to demonstrate.
        expect(message, `${lab.id} ${test.number}`).toMatch(test.points > 0 ? /no progress/ : /no progress|did not happen/);
        // The headline, not the trace: a trace may well say "(not given: node crashed)".
        const headline = message.split('\n').slice(0, 2).join('\n');
        expect(headline, `${lab.id} ${test.number}`).not.toMatch(/cannot be loaded|timed out|crashed|no such file|not found/i);
      }
    }
  }, 300_000);

  it('npm run grade -- mutex grades the stub: 0 points, exit code 1, "no progress" messages, no hidden test', async () => {
    const graded = await npm(handout, 'run', 'grade', '--', 'mutex');
    expect(graded.code, graded.stderr).toBe(1);
    expect(graded.stdout).toContain('Grading 01-mutex with student');
    expect(graded.stdout).toMatch(/Total: 0\/\d+ points — 0 passed, \d+ failed/);
    expect(graded.stdout).toContain('no progress: no node entered the critical section');
    expect(graded.stdout).toContain('replay: npm run grade -- mutex --impl student --replay ');
    const report = JSON.parse(readFileSync(join(handout, 'reports', 'latest', 'report.json'), 'utf8')) as GradingReport;
    const mutex = labs.find((lab) => lab.shortName === 'mutex')!;
    const visible = (await loadSuite(mutex)).tests.filter((test) => test.visibility === 'visible');
    expect(report.tests.map((test) => test.number)).toEqual(visible.map((test) => test.number));
    expect(report.options.hidden).toBe(false);
    expect(report.tests.every((test) => test.status === 'failed' && test.score === 0)).toBe(true);
    for (const test of report.tests.filter((candidate) => candidate.maxScore > 0)) {
      expect(JSON.stringify(test.failure), test.number).toMatch(/no progress/);
    }
  }, 300_000);

  it('offers only the student code: --help lists no solutions or mutants, and --impl solutions says why not', async () => {
    const help = await npm(handout, 'run', 'grade', '--', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('student    your code in labs/<lab>/src (the default)');
    expect(help.stdout).not.toMatch(/solutions|mutant/);
    // Staff options (a class, Gradescope's visibility, hidden tests) are not a student's.
    expect(help.stdout).not.toMatch(/Course staff|--class|--visible-only|--hidden-visibility|--student-commands/);
    const refused = await npm(handout, 'run', 'grade', '--', 'mutex', '--impl', 'solutions');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/lab 01-mutex has no reference solutions here \(this is a student handout\): use --impl student/);
  }, 120_000);
});
