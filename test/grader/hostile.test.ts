// The grader against hostile submissions to lab 0 (test/fixtures/hostile, one folder each; its
// first lines say what it attacks). Each must score exactly what its node behaviour earns,
// which is 0 for all of them but one, and every report of it must be complete and
// well-formed: valid JSON and Gradescope files, JUnit XML that parses, a terminal summary
// without raw control characters, an HTML report without injected markup, bounded text, and
// no hidden test, reference solution or file of the machine in any of them.
//
// Most are graded in this process with grade(), on test 0.1, which a do-nothing stub fails
// at its first seed. Those that attack the grader's own process (its reply channel, its
// memory, its life) and those whose terminal output matters are graded by the command, each
// in a process group of its own.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grade, setupFailureReport } from '../../grader/grade.ts';
import type { TestStatus } from '../../grader/isolation.ts';
import { projectRoot, SetupError } from '../../grader/labs.ts';
import { validateGradescopeResults } from '../../grader/reports/gradescope.ts';
import { reportWriters } from '../../grader/reports/index.ts';
import { validateReportJson } from '../../grader/reports/schema.ts';
import { formatSummary, type Style } from '../../grader/reports/terminal.ts';
import type { GradedTest, GradingReport } from '../../grader/results.ts';

const fixtures = join(projectRoot, 'test', 'fixtures', 'hostile');

/** Every temporary folder made here, removed at the end (links inside are removed, never followed). */
const temporaryFolders: string[] = [];
function temporaryFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  temporaryFolders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of temporaryFolders) rmSync(folder, { recursive: true, force: true });
});

/** How a graded submission must end. */
interface Graded {
  readonly kind: 'graded';
  /** The tests graded; 0.1 unless the attack needs another. */
  readonly tests?: readonly string[];
  /** The exact total; 0 unless said. */
  readonly score?: number;
  /**
   * Shrinking attempts per failing test, where the grader's own budget would only cost time:
   * the attack is in what every failure's report holds, not in which schedule it shrinks to.
   */
  readonly shrinkBudget?: number;
  /** The statuses each test may end with; failed or crashed unless said. */
  readonly statuses?: Readonly<Record<string, readonly TestStatus[]>>;
  /** What the reason of every test must say (a crash's cause). */
  readonly reason?: RegExp;
  /**
   * For the submissions that loop for ever by design, or break the runtime their own code runs
   * on (which may then loop): a short wall-clock limit, and 'timed out' allowed.
   */
  readonly mayLoop?: boolean;
  /**
   * Refused when the submission is loaded is as good as a verdict: code generation and dynamic
   * imports may be refused then, and a submission that breaks the built-ins at load may leave
   * its exports unreadable.
   */
  readonly setupErrorAllowed?: boolean;
  /** When it is refused at setup, what the reason must say. */
  readonly setupErrorMessage?: RegExp;
  /** What else the report of this submission must show. */
  readonly check?: (report: GradingReport) => void;
  /** Tests graded at once (the grader's default unless said): 1 grades them one after another in one child process. */
  readonly jobs?: number;
}

/** A submission the grader must refuse before any of its code runs. */
interface Refused {
  readonly kind: 'refused';
  /** What the setup error must say: the file at fault, and what it reached for. */
  readonly message: readonly RegExp[];
  /** Makes what git cannot hold portably (links) in the copy that is graded. */
  readonly prepare?: (folder: string) => void;
}

/** A submission graded by the command (`npm run grade`), reports on disk. */
interface Command {
  readonly kind: 'command';
  /** True when the submission cannot be loaded: exit code 2 and a setup-error report. */
  readonly setupError?: boolean;
  readonly prepare?: (folder: string) => void;
}

type Expectation = Graded | Refused | Command;

const failed: readonly TestStatus[] = ['failed'];
const failedOrCrashed: readonly TestStatus[] = ['failed', 'crashed'];
/** An endless loop of the node's own may end as a time-out; any verdict is fine, as long as there is one. */
const anyVerdict: readonly TestStatus[] = ['failed', 'crashed', 'timed out'];

/** A submission that breaks the built-ins its own code runs on. */
const brokenRuntime: Graded = { kind: 'graded', mayLoop: true, setupErrorAllowed: true };

/**
 * A submission that changes a built-in as it loads, to attack what runs after it (the grader's
 * reads, the runtime's answers, the other nodes): the built-ins are frozen before any of its
 * code runs, so it cannot be loaded, and the reason says so.
 */
const changesBuiltInsAtLoad: Graded = { kind: 'graded', setupErrorAllowed: true, setupErrorMessage: /loading it threw: .*every node of a run shares them, so they are frozen/ };

const link = (target: string, name: string) => (folder: string) => symlinkSync(target.startsWith('/') ? target : join(projectRoot, target), join(folder, name));

const submissions: Readonly<Record<string, Expectation>> = {
  // Getters on Object.prototype named like the fields the grader reads.
  'prototype-getter-demonstrates': changesBuiltInsAtLoad,
  'prototype-getter-passed': changesBuiltInsAtLoad,
  'prototype-getter-cmd': changesBuiltInsAtLoad,
  'prototype-getter-type': changesBuiltInsAtLoad,
  'prototype-getter-score': changesBuiltInsAtLoad,
  'prototype-getter-status': changesBuiltInsAtLoad,
  'prototype-getter-then': changesBuiltInsAtLoad,
  'prototype-getter-tojson': changesBuiltInsAtLoad,
  // The built-ins checks are made of, replaced or patched: whatever they break of their own runtime, they pass nothing.
  'replaces-set': brokenRuntime,
  'replaces-map': brokenRuntime,
  'replaces-array-methods': brokenRuntime,
  'patches-array-iterator': brokenRuntime,
  'patches-collection-iterators': brokenRuntime,
  'replaces-json': brokenRuntime,
  'replaces-reflect': brokenRuntime,
  'replaces-object-methods': brokenRuntime,
  'patches-function-prototype': brokenRuntime,
  'patches-well-known-symbols': brokenRuntime,
  // A client without retries earns 0.1 and fails 0.2 (30% loss), whatever it does to the random source.
  'prototype-accessors-random-state': { ...changesBuiltInsAtLoad, tests: ['0.1', '0.2'] },
  // Stacks and errors.
  'prepare-stack-trace-throws': { kind: 'graded', statuses: { '0.1': failed } },
  'prepare-stack-trace-callsites': { kind: 'graded', statuses: { '0.1': failed } },
  'patches-error-prototype': changesBuiltInsAtLoad,
  // The ways out of a realm: code from strings, the objects it is handed, CommonJS, imports at run time.
  'function-constructor-from-this': { kind: 'graded', statuses: { '0.1': failed } },
  'arrow-function-constructor': { kind: 'graded', statuses: { '0.1': failed } },
  'indirect-eval': { kind: 'graded', statuses: { '0.1': failed } },
  'new-function': { kind: 'graded', statuses: { '0.1': failed }, setupErrorAllowed: true },
  'dynamic-import': { kind: 'graded', statuses: { '0.1': failed }, setupErrorAllowed: true },
  'dynamic-import-in-eval': { kind: 'graded', statuses: { '0.1': failed }, setupErrorAllowed: true },
  'import-meta': { kind: 'graded', statuses: { '0.1': failed }, setupErrorAllowed: true },
  'unicode-escaped-require': { kind: 'graded', statuses: { '0.1': failed } },
  'global-process': { kind: 'graded', statuses: { '0.1': failed } },
  'module-and-require-globals': { kind: 'graded', statuses: { '0.1': failed }, setupErrorAllowed: true },
  'arguments-callee-caller': { kind: 'graded', statuses: { '0.1': failed } },
  'walks-reachable-objects': { kind: 'graded', statuses: { '0.1': failed } },
  'reads-hidden-tests': changesBuiltInsAtLoad,
  'network-access': { kind: 'graded', statuses: { '0.1': failed } },
  // The reply token.
  'steals-token-handle-queue': { kind: 'graded' },
  'heap-snapshot-token': { kind: 'graded' },
  // Nondeterminism: correct only when a source other than the seed answers, or only on a re-run.
  'captures-math-random': { kind: 'graded', statuses: { '0.1': failed } },
  'captures-date': { kind: 'graded', statuses: { '0.1': failed } },
  'captures-performance': { kind: 'graded', statuses: { '0.1': failed } },
  'uses-intl-clock': { kind: 'graded', statuses: { '0.1': failed } },
  'gc-and-shared-memory': { kind: 'graded' },
  'module-state-rerun': { kind: 'graded', statuses: { '0.1': failed } },
  // Correct only once it finds a mark an earlier run in its realm left: each test's first seed runs in a realm earlier runs used.
  'remembers-earlier-runs': { kind: 'graded', tests: ['0.1', '0.3'], statuses: { '0.1': failed, '0.3': failed }, jobs: 1 },
  // Nodes of one run that talk through the realm's table of shapes, counting how often the writer lists a probe's keys.
  'shape-table-oracle': { kind: 'graded', tests: ['0.1', '0.5'], statuses: { '0.1': failed, '0.5': failed } },
  'stack-depth-probe': { kind: 'graded', statuses: { '0.1': failed } },
  'reads-stack-on-rerun': { kind: 'graded', statuses: { '0.1': failed } },
  // What crosses from the nodes: messages, outputs, logs, state, return values, what is thrown.
  'effects-throwing-accessors': { kind: 'graded', statuses: { '0.1': failed } },
  'effects-looping-proxy': { kind: 'graded', mayLoop: true },
  'effects-not-plain': { kind: 'graded' },
  'output-prototype-keys': { kind: 'graded', statuses: { '0.1': failed } },
  'state-markup-keys': {
    kind: 'graded',
    statuses: { '0.1': failed },
    // The viewer gets the markup, as data: the page must show it as text (checkReports).
    check: (report) => {
      const states = JSON.stringify(report.tests[0]?.failure?.states ?? []);
      expect(states).toContain('<script>alert(1)</script>');
      expect(states).toContain('polluted');
    },
  },
  'state-huge': {
    kind: 'graded',
    statuses: { '0.1': failed },
    // Past the budget of a run's node states, changed values are kept as a note that says so.
    check: (report) => {
      const failure = report.tests[0]?.failure;
      expect(failure?.trace.length ?? 0).toBeGreaterThan(100);
      expect(JSON.stringify(failure?.states ?? [])).toContain("(not kept: this run's node states passed");
    },
  },
  'log-throwing-conversions': { kind: 'graded', statuses: { '0.1': failed } },
  'state-throwing-accessor': { kind: 'graded' },
  'state-proxy-loops': { kind: 'graded', mayLoop: true },
  'throws-error-with-throwing-getters': { kind: 'graded', statuses: { '0.1': failed } },
  'throws-error-with-looping-getters': { kind: 'graded', mayLoop: true },
  'throws-proxy': { kind: 'graded', statuses: { '0.1': failed } },
  'throws-symbol': { kind: 'graded', statuses: { '0.1': failed } },
  'throws-null-prototype-object': { kind: 'graded', statuses: { '0.1': failed } },
  'returns-promise': { kind: 'graded' },
  'promise-jobs-at-load': { kind: 'graded', statuses: { '0.1': failed } },
  // How report.json keeps such messages short is tested on the writer itself (test/grader/reports.test.ts); here every report of a trace of them is whole.
  'deeply-nested-messages': { kind: 'graded', shrinkBudget: 10 },
  'returns-thenable': { kind: 'graded' },
  // Answers of the node runtime forged by patching the built-ins it answers with (../../framework/_realm/host.ts), some deeper than plain data
  // may be. The judging side's checks of forged answers, out of reach of node code now, are tested on a forging runtime: test/framework/tapeHostile.test.ts.
  'forges-deep-values': changesBuiltInsAtLoad,
  'forges-deep-output': changesBuiltInsAtLoad,
  'forges-deep-message': changesBuiltInsAtLoad,
  // Exports that are no classes, listed as node classes: found out when the cluster is set up, a verdict then.
  'forges-exports': { kind: 'graded', setupErrorAllowed: true },
  'forges-failure-markup': { kind: 'command', setupError: true },
  'lone-surrogates': { kind: 'command' },
  // What the node runtime writes its answers with and keeps its table of strings in, patched: the realm's own view changes, and the judging side checks every number it reads.
  'patches-tape-builtins': brokenRuntime,
  'poisons-string-table': brokenRuntime,
  // Export names are the submission's text: shown escaped, bounded and inert wherever the grader lists them.
  'registers-markup-names': { kind: 'command', setupError: true },
  // Loading.
  'top-level-loops': { kind: 'graded', mayLoop: true, setupErrorAllowed: true },
  'top-level-throws': { kind: 'command', setupError: true },
  // Floods and memory.
  'console-flood': { kind: 'graded', statuses: { '0.1': failed } },
  // Stopped by the memory limit, or, on a machine too busy to fill 4 GB within 15 s, by the stall limit.
  'array-buffers-4gb': { kind: 'graded', statuses: { '0.1': ['crashed', 'timed out'] }, reason: /memory|did not return/ },
  // The grader's own process and terminal.
  'ipc-garbage': { kind: 'command' },
  'forges-malformed-outcome': { kind: 'command' },
  'huge-error-message': { kind: 'command' },
  'huge-strings': { kind: 'command' },
  'kills-grader': { kind: 'command' },
  'ansi-escapes': { kind: 'command' },
  'control-character-filename': {
    kind: 'command',
    setupError: true,
    prepare: (folder) =>
      writeFileSync(join(folder, '\u001b[2J\u001b[H\u001b[32mAll tests passed. Total: 12 of 12 points\u001b[0m.ts'), 'export const broken = ;\n'),
  },
  // Shapes and their builders: odd names, names written to break out of a literal, full tables. What a correct node sends arrives whole.
  'shape-odd-field-names': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  'shape-name-injection': { kind: 'graded', statuses: { '0.1': failed } },
  'shape-table-exhaustion': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  'shape-builder-accessor': changesBuiltInsAtLoad,
  // Effects written as they happen, and taken back whole when refused; the answer tape's limit.
  'effects-refused-midway': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  'answer-tape-past-limit': changesBuiltInsAtLoad,
  // A run's own history as a side channel: a re-run that behaves otherwise must not make a report contradict itself.
  'observes-shape-builders': changesBuiltInsAtLoad,
  'state-getter-counts-reads': { kind: 'graded', statuses: { '0.1': failed } },
  // Fields named __proto__: a run keeps them as fields (the search's side: test/framework/boundaryAttacks.test.ts).
  'state-proto-field': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  'tells-search-by-proto-field': { kind: 'graded', statuses: { '0.1': failed } },
  'state-field-over-accessor': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  // Sizes and numbers at the edges of what crosses: a correct node's messages and timers arrive as sent.
  'tape-size-edges': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  'timer-extreme-delays': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  'bigint-many-digits': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  'storage-long-key': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  'answer-text-past-limit': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  'odd-containers-both-ways': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  'state-shared-expansion': { kind: 'graded' },
  // A setter on the runtime's shape records (put there through a patched Array.prototype.push).
  'shape-builder-loops': changesBuiltInsAtLoad,
  'message-keys-shift': { kind: 'graded', score: 1, statuses: { '0.1': ['passed'] } },
  // Imports, links and files that are not source: refused at setup, naming the file.
  'imports-node-fs': { kind: 'refused', message: [/index\.ts/, /node:fs/] },
  'imports-fs': { kind: 'refused', message: [/index\.ts/, /"fs"|'fs'|\bfs\b/] },
  'imports-child-process': { kind: 'refused', message: [/index\.ts/, /child_process/] },
  'imports-distlab-testing': { kind: 'refused', message: [/index\.ts/, /distlab\/testing/] },
  'imports-solution': { kind: 'refused', message: [/index\.ts/, /solutions/] },
  'imports-suite': { kind: 'refused', message: [/index\.ts/, /suite\.ts/] },
  'imports-package': { kind: 'refused', message: [/index\.ts/, /fast-check/] },
  'requires-node-fs': { kind: 'refused', message: [/files\.js/] },
  'imports-text-file': { kind: 'refused', message: [/notes\.txt/] },
  'imports-json-file': { kind: 'refused', message: [/data\.json/] },
  'links-index-to-solution': { kind: 'refused', message: [/index\.ts/], prepare: link('solutions/00-pingpong/index.ts', 'index.ts') },
  'links-folder-to-solution': { kind: 'refused', message: [/\blib\b/], prepare: link('solutions/00-pingpong', 'lib') },
  'hard-links-solution': {
    kind: 'refused',
    message: [/is a hard link \(the same file has 2 names\)/],
    prepare: (folder) => {
      // Elsewhere on the same file system as the copy graded (a hard link cannot cross one).
      const elsewhere = temporaryFolder('distlab-elsewhere-');
      for (const name of ['client.ts', 'server.ts', 'index.ts']) {
        copyFileSync(join(projectRoot, 'solutions', '00-pingpong', name), join(elsewhere, name));
        rmSync(join(folder, name), { force: true });
        linkSync(join(elsewhere, name), join(folder, name));
      }
    },
  },
  'links-text-to-secrets': {
    kind: 'refused',
    message: [/(passwd|solution|suite)\.txt/],
    prepare: (folder) => {
      link('/etc/passwd', 'passwd.txt')(folder);
      link('solutions/00-pingpong/client.ts', 'solution.txt')(folder);
      link('labs/00-pingpong/suite.ts', 'suite.txt')(folder);
    },
  },
};

/** What no report may hold: the hidden test's name and description, the solution's code, a file of the machine, the runtime's secrets, or an escape's proof. */
const secrets = [
  'through partitions, loss and duplication',
  'cut off from the server several times',
  'outstanding.delete',
  "Lab 0's graded suite",
  'root:x:0:0',
  'DISTLAB_TOKEN',
  'ESCAPED',
];

/** Raw C0 and C1 control characters but tab and line feed, and the bidirectional overrides that reorder what a reader sees. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const rawControl = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The longest string a report may hold, and the largest report file: far above any limit the grader sets, far below what a submission can print. */
const longestString = 100_000;
const largestFileBytes = 20_000_000;

const plain = (text: string) => text;
const plainStyle: Style = { bold: plain, red: plain, green: plain, yellow: plain, dim: plain };

/** At most this many gradings at once (each starts two child processes in turn): a 2-core machine stays responsive. */
const parallelGradings = 3;
let running = 0;
const waiting: (() => void)[] = [];
async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (running >= parallelGradings) await new Promise<void>((resolvePromise) => waiting.push(resolvePromise));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** The folder that is graded: the fixture itself, or a copy with what `prepare` adds. */
function submissionFolder(name: string, prepare?: (folder: string) => void): string {
  if (prepare === undefined) return join(fixtures, name);
  const folder = join(temporaryFolder('distlab-hostile-'), name);
  if (existsSync(join(fixtures, name))) cpSync(join(fixtures, name), folder, { recursive: true });
  else mkdirSync(folder);
  prepare(folder);
  return folder;
}

/** Every string in a parsed JSON value. */
function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsIn(item);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* stringsIn(item);
    }
  }
}

/** Where an XML document is not well-formed: characters XML 1.0 cannot hold, stray markup, unbalanced elements. */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml)) problems.push('a character XML 1.0 cannot hold');
  const token =
    /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<|\]\]>|&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g;
  const open: string[] = [];
  for (const match of xml.matchAll(token)) {
    const [text, closing, name, , selfClosing] = match;
    if (text === '<' || text === ']]>' || text.startsWith('&')) {
      problems.push(`stray ${JSON.stringify(text)} at ${match.index}: ${JSON.stringify(xml.slice(Math.max(0, match.index - 40), match.index + 40))}`);
    } else if (name !== undefined) {
      if (closing === '/') {
        const expected = open.pop();
        if (expected !== name) problems.push(`</${name}> at ${match.index} closes <${expected ?? 'nothing'}>`);
      } else if (selfClosing !== '/') open.push(name);
    }
  }
  if (open.length > 0) problems.push(`not closed: ${open.join(', ')}`);
  return problems;
}

/** The reports' files as the command writes them, read back. */
interface WrittenReports {
  readonly json: string;
  readonly gradescope: string;
  readonly junit: string;
  readonly html: string;
}

function writeAll(report: GradingReport): WrittenReports {
  const folder = temporaryFolder('distlab-hostile-reports-');
  for (const writer of Object.values(reportWriters)) writer(report, folder, {});
  return readReports(folder);
}

function readReports(folder: string): WrittenReports {
  const read = (file: string) => {
    const path = join(folder, file);
    expect(existsSync(path), `${file} is written`).toBe(true);
    return readFileSync(path, 'utf8');
  };
  return { json: read('report.json'), gradescope: read('results.json'), junit: read('junit.xml'), html: read('report.html') };
}

/** Complete and well-formed, bounded, inert, and holding nothing it must not. */
function checkReports(written: WrittenReports, terminal: string): GradingReport {
  for (const [format, text] of Object.entries(written)) {
    expect(Buffer.byteLength(text), `${format} is bounded`).toBeLessThan(largestFileBytes);
  }
  const report = JSON.parse(written.json) as GradingReport;
  expect(validateReportJson(report), 'report.json follows its schema').toEqual([]);
  const gradescope: unknown = JSON.parse(written.gradescope);
  expect(validateGradescopeResults(gradescope), 'results.json follows Gradescope’s specification').toEqual([]);
  expect(xmlProblems(written.junit), 'junit.xml is well-formed').toEqual([]);
  for (const [source, value] of [['report.json', report], ['results.json', gradescope]] as const) {
    let longest = 0;
    for (const text of stringsIn(value)) longest = Math.max(longest, text.length);
    expect(longest, `every string of ${source} is bounded`).toBeLessThanOrEqual(longestString);
  }
  expect(terminal, 'the terminal shows control characters escaped').not.toMatch(rawControl);
  expect(written.html, 'the HTML report holds no markup of the submission').not.toMatch(/<img src=x|<script>alert|<injected/);
  for (const [format, text] of Object.entries({ ...written, terminal })) {
    for (const secret of secrets) expect(text, `${format} holds nothing it must not`).not.toContain(secret);
  }
  return report;
}

/** A failure's trace must not contradict its message: "none answered" with answers in the trace is a lie, unless the report calls the run nondeterministic. */
function checkConsistent(test: GradedTest): void {
  const failure = test.failure;
  if (failure === undefined || /nondeterministic/i.test(JSON.stringify(test))) return;
  if (/none of the \d+ pings was answered/.test(failure.message)) {
    const answers = [...failure.trace, ...failure.lastEvents].filter((event) => event.kind === 'output');
    expect(answers, `${test.number}: the trace of a failure where no ping was answered shows no answer`).toEqual([]);
  }
}

function checkGraded(name: string, expectation: Graded, report: GradingReport, terminal: string): void {
  const tests = expectation.tests ?? ['0.1'];
  expect(report.tests.map((test) => test.number)).toEqual(tests);
  for (const test of report.tests) {
    const allowed = expectation.statuses?.[test.number] ?? (expectation.mayLoop === true ? anyVerdict : failedOrCrashed);
    expect(allowed, `${name} ${test.number}: ${test.status} (${test.reason ?? test.failure?.message.slice(0, 300) ?? ''})`).toContain(test.status);
    if (test.status !== 'passed') {
      expect(test.score).toBe(0);
      expect(test.demonstration, 'a failure is no demonstration').toBeUndefined();
    }
    if (expectation.reason !== undefined) expect(test.reason ?? '').toMatch(expectation.reason);
    checkConsistent(test);
  }
  expect(report.totals.score, `${name} scores what its behaviour earns`).toBe(expectation.score ?? 0);
  expect(terminal).toMatch(new RegExp(`Total: ${expectation.score ?? 0}/`));
}

async function gradeInProcess(name: string, expectation: Graded): Promise<void> {
  const options = {
    lab: 'pingpong',
    implementation: submissionFolder(name),
    tests: [...(expectation.tests ?? ['0.1'])],
    // A stub fails 0.1 within a second of processor time: the limit is a last resort, except
    // for the submissions that loop by design, which the stall limit stops sooner.
    limits: expectation.mayLoop === true ? { memoryMb: 256, timeoutMs: 10_000, stallMs: 3_000 } : { memoryMb: 256, timeoutMs: 60_000 },
    typecheck: false,
    ...(expectation.shrinkBudget !== undefined ? { shrinkBudget: expectation.shrinkBudget } : {}),
    ...(expectation.jobs !== undefined ? { jobs: expectation.jobs } : {}),
  };
  let report: GradingReport;
  try {
    report = await inTurn(() => grade(options));
  } catch (error) {
    expect(error, `${name} is graded, not refused: ${String(error)}`).toBeInstanceOf(SetupError);
    expect(expectation.setupErrorAllowed, `${name} may be refused at setup: ${(error as Error).message}`).toBe(true);
    if (expectation.setupErrorMessage !== undefined) expect((error as Error).message).toMatch(expectation.setupErrorMessage);
    checkReports(writeAll(setupFailureReport('pingpong', name, error as Error, new Date())), (error as Error).message);
    return;
  }
  const terminal = formatSummary(report, plainStyle);
  checkGraded(name, expectation, checkReports(writeAll(report), terminal), terminal);
  expectation.check?.(report);
}

async function gradeRefused(name: string, expectation: Refused): Promise<void> {
  const implementation = submissionFolder(name, expectation.prepare);
  let outcome: GradingReport | Error;
  try {
    outcome = await inTurn(() => grade({ lab: 'pingpong', implementation, tests: ['0.1'], limits: { memoryMb: 256, timeoutMs: 60_000 }, typecheck: false }));
  } catch (error) {
    outcome = error instanceof Error ? error : new Error(String(error));
  }
  if (!(outcome instanceof Error)) {
    const summary = outcome.tests.map((test) => `${test.number} ${test.status} ${test.score}/${test.maxScore}`).join(', ');
    expect.fail(`${name} must be refused before any of its code runs, but was graded: ${summary}`);
  }
  expect(outcome).toBeInstanceOf(SetupError);
  for (const pattern of expectation.message) expect(outcome.message).toMatch(pattern);
  checkReports(writeAll(setupFailureReport('pingpong', name, outcome, new Date())), outcome.message);
}

interface CommandRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run grade -- ...` in a process group of its own, so that a submission that kills its group kills nothing else. */
function runCommand(args: readonly string[]): Promise<CommandRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'grader/cli.ts', ...args], {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Only the end of a flood matters, and the test must not hold all of it.
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString('utf8')).slice(-1_000_000);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-1_000_000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

async function gradeByCommand(name: string, expectation: Command): Promise<void> {
  const implementation = submissionFolder(name, expectation.prepare);
  const out = temporaryFolder('distlab-hostile-out-');
  const run = await inTurn(() =>
    runCommand(['pingpong', '--impl', implementation, '--test', '0.1', '--no-typecheck', '--timeout', '60', '--report', 'terminal,json,html,junit,gradescope', '--out', out]),
  );
  const said = `exit ${String(run.code)} ${String(run.signal)}\n${run.stderr.slice(-2_000)}`;
  expect(run.signal, `the grader is not killed: ${said}`).toBeNull();
  expect(run.code, `the grader ends as it should: ${said}`).toBe(expectation.setupError === true ? 2 : 1);
  expect(run.stderr, 'no internal error').not.toMatch(/internal error/);
  const terminal = `${run.stdout}\n${run.stderr}`;
  const report = checkReports(readReports(out), terminal);
  if (expectation.setupError === true) {
    expect(report.setupError, 'the report says why grading could not start').toEqual(expect.any(String));
    expect(report.totals.score).toBe(0);
    return;
  }
  expect(report.setupError).toBeUndefined();
  checkGraded(name, { kind: 'graded' }, report, terminal);
}

describe.concurrent('hostile submissions score what their behaviour earns, and every report stays whole', () => {
  for (const [name, expectation] of Object.entries(submissions)) {
    it(`${name} (${expectation.kind})`, async () => {
      if (expectation.kind === 'graded') await gradeInProcess(name, expectation);
      else if (expectation.kind === 'refused') await gradeRefused(name, expectation);
      else await gradeByCommand(name, expectation);
    }, 300_000);
  }
});

/** The records of a CSV file, keyed by its header's names. */
function csvRecords(text: string): Record<string, string>[] {
  const lines = text.trim().split('\n').map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((match) => (match[1] ?? '').replace(/^"|"$/g, '').replace(/""/g, '"')));
  const [header = [], ...records] = lines;
  return records.map((fields) => Object.fromEntries(header.map((name, index) => [name, fields[index] ?? ''])));
}

describe('hostile submissions in a class', () => {
  it('--class grades every submission folder, whatever one of them does, and shows their names inert', async () => {
    const classFolder = temporaryFolder('distlab-hostile-class-');
    cpSync(join(fixtures, 'ipc-garbage'), join(classFolder, 'a-garbage'), { recursive: true });
    cpSync(join(fixtures, 'kills-grader'), join(classFolder, 'b-killer'), { recursive: true });
    mkdirSync(join(classFolder, 'c-correct'));
    cpSync(join(projectRoot, 'test', 'fixtures', 'pingpong', 'base.ts'), join(classFolder, 'c-correct', 'base.ts'));
    cpSync(join(projectRoot, 'test', 'fixtures', 'pingpong', 'correct.ts'), join(classFolder, 'c-correct', 'index.ts'));
    symlinkSync(resolve(projectRoot, 'solutions', '00-pingpong'), join(classFolder, 'd-linked'));
    cpSync(join(fixtures, 'prototype-getter-demonstrates'), join(classFolder, 'e-\u001b[2Jcleared'), { recursive: true });
    const out = temporaryFolder('distlab-hostile-class-out-');
    const run = await inTurn(() => runCommand(['pingpong', '--class', classFolder, '--test', '0.1', '--no-typecheck', '--timeout', '60', '--report', 'json', '--out', out]));
    const said = `exit ${String(run.code)} ${String(run.signal)}\n${run.stdout.slice(-2_000)}\n${run.stderr.slice(-2_000)}`;
    expect(run.signal, said).toBeNull();
    expect(run.code, said).toBe(1);
    expect(`${run.stdout}\n${run.stderr}`, 'submission names are shown inert').not.toMatch(rawControl);
    const rows = csvRecords(readFileSync(join(out, 'class.csv'), 'utf8'));
    const row = (prefix: string) => rows.find((record) => record.submission?.startsWith(prefix)) ?? {};
    expect(rows.map((record) => record.submission), 'one row per submission folder, the linked one included').toHaveLength(5);
    expect(row('a-garbage')).toMatchObject({ score: '0', max_score: '1' });
    expect(row('b-killer')).toMatchObject({ score: '0', max_score: '1' });
    expect(row('c-correct')).toMatchObject({ score: '1', max_score: '1', passed: '1' });
    const linked = row('d-linked');
    expect(linked, 'a linked submission is refused, not graded as the solution it points to').toMatchObject({ score: '0', passed: '0' });
    expect(linked.setup_error ?? linked.reason, 'its row says why').toMatch(/\S/);
    expect(row('e-'), 'a getter named demonstrates passes nothing').toMatchObject({ score: '0', max_score: '1' });
    for (const name of ['a-garbage', 'b-killer', 'c-correct']) {
      expect(validateReportJson(JSON.parse(readFileSync(join(out, name, 'report.json'), 'utf8'))), name).toEqual([]);
    }
  }, 300_000);
});
