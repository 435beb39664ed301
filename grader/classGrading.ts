// `npm run grade -- <lab> --class <folder>`: every submission of a class, graded a few at a time,
// resumable, summed up in a gradebook (class.csv, class.json) and a page (class.html).
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { complain, writeReports } from './cliOutput.ts';
import {
  checkSeedOptions,
  describeError,
  grade,
  gradeToEnd,
  loadSuite,
  notRun,
  selectTests,
  seedCount,
  setupErrorReport,
  summaryLine,
  type CrashWatch,
  type GradeOptions,
  type GradingEnd,
} from './grade.ts';
import { findEntryFile, type EntryDiscovery } from './implementation.ts';
import { defaultLimits, defaultStallMs } from './isolation.ts';
import { findLab, projectRoot, SetupError, type LabInfo } from './labs.ts';
import { writeClassSummary, type ClassSubmission, type ClassTest, type TestResult } from './reports/classSummary.ts';
import type { ReportOptions } from './reports/index.ts';
import { prepareOutputFolder, writeReportFile } from './reports/outputFolder.ts';
import { styleFor } from './reports/terminal.ts';
import { boundText, escapeControls, terminalLine, textLimits } from './reports/untrusted.ts';
import { computeTotals, type GradedTest, type GradingReport } from './results.ts';
import { maxFolderDepth, maxSubmissionEntries } from './submissionFiles.ts';

/**
 * How one submission of a class fared: `graded` (whatever its score), `setup error` (it could
 * not be loaded), `grader error` (the grader failed while grading it), `interrupted` (grading
 * was stopped while it ran) or `not graded` (grading was stopped before it).
 */
export type SubmissionStatus = 'graded' | 'setup error' | 'grader error' | 'interrupted' | 'not graded';

/** One submission's line in the class summary. */
export interface ClassRow {
  readonly submission: string;
  readonly status: SubmissionStatus;
  /** Why it was not graded in full, or why its reports are missing: one line. */
  readonly reason?: string;
  readonly score: number;
  readonly maxScore: number;
  readonly passed: number;
  readonly failed: number;
  readonly crashed: number;
  readonly timedOut: number;
  readonly notRun: number;
  readonly setupError?: string;
  /** The entry file graded, relative to the submission's folder (`lab1/src/index.ts`). */
  readonly entry?: string;
  /** Other index files found in the submission and not graded: which was chosen, and why. */
  readonly note?: string;
  /** The first lines of its setup error, or of its type errors, paths relative to the submission. */
  readonly errors?: readonly string[];
  /** Graded by an earlier run of the same command (same files, suite and options), and kept. */
  readonly reused?: boolean;
  /** Each test's status and score, in suite order. */
  readonly tests?: readonly TestResult[];
}

// ---------------------------------------------------------------------------------------------
// The submissions in a class folder

/** A subfolder of the class folder to grade, or an entry that cannot be a submission, with why. */
interface ClassEntry {
  readonly name: string;
  readonly refused?: string;
  /** No folder of reports: its name is taken, by a summary file or by another submission's folder. */
  readonly noReportFolder?: true;
}

/** Names of the class's own summary files: a submission folder by one of these names would clash with them. */
const summaryFiles = new Set(['class.csv', 'class.json', 'class.html']);

const byName = (left: { readonly name: string }, right: { readonly name: string }) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0);

/**
 * The submissions in a class folder: every subfolder, in name order. Links and archives are
 * listed, to be refused with the reason (a link could point anywhere; an archive needs
 * unpacking); other files (an export's metadata) are left out.
 */
function listEntries(folder: string): ClassEntry[] {
  const path = resolve(folder);
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SetupError(`--class ${folder}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : `cannot be read (${String(code)})`}`);
  }
  const listed = entries
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== '__MACOSX')
    .flatMap((entry): ClassEntry[] => {
      if (entry.isSymbolicLink()) return [{ name: entry.name, refused: 'it is a link, not a folder: copy the submission into the class folder' }];
      if (entry.isFile() && /\.(zip|tar|tgz|tar\.gz|7z|rar)$/i.test(entry.name)) {
        return [{ name: entry.name, refused: 'it is an archive, not a folder: unpack it into a folder of its own in the class folder' }];
      }
      if (!entry.isDirectory()) return [];
      if (summaryFiles.has(entry.name.toLowerCase())) {
        return [{ name: entry.name, refused: "its name is one of the class summary's files: rename the folder", noReportFolder: true }];
      }
      return [{ name: entry.name }];
    })
    .sort(byName);
  if (listed.length === 0) {
    // Source files right in it: one submission, given where a class was expected.
    const sources = entries.filter((entry) => entry.isFile() && /\.(ts|js)$/.test(entry.name)).map((entry) => entry.name);
    throw new SetupError(
      `--class ${folder}: the folder has no submission folders in it` +
        (sources.length > 0
          ? `; it holds ${sources.includes('index.ts') ? 'index.ts' : sources[0]}, as one submission does: grade one submission with --impl ${folder}, or put each submission in a folder of its own in the class folder`
          : ': put each submission in a folder of its own in it'),
    );
  }
  return refuseSameFolderNames(listed);
}

/**
 * Submissions whose names differ only in case (`Dana`, `dana`) or in how an accented letter is
 * encoded would share one folder of reports on a file system that ignores case (macOS's,
 * Windows's) or normalizes names, where the reports are often read: each but the first in name
 * order is refused, and writes no reports that could stand in for the first one's.
 */
function refuseSameFolderNames(entries: readonly ClassEntry[]): ClassEntry[] {
  const firstByFolder = new Map<string, string>();
  return entries.map((entry) => {
    const folder = entry.name.normalize('NFC').toLowerCase();
    const first = firstByFolder.get(folder);
    if (first === undefined) {
      firstByFolder.set(folder, entry.name);
      return entry;
    }
    return {
      name: entry.name,
      refused: `its name differs from the submission ${first}'s only in case or in how its letters are encoded, so their reports would share a folder where names are compared without case: rename one of the two folders`,
      noReportFolder: true,
    };
  });
}

/** The submissions in a class folder: every subfolder, in name order. */
export function listSubmissions(folder: string): string[] {
  return listEntries(folder).map((entry) => entry.name);
}

// ---------------------------------------------------------------------------------------------
// Fingerprints: a submission's earlier grading is reused only when its files, the lab's suite
// (with the grader and framework that run it) and the options are all the same.

/** Bytes of file contents hashed in one tree; beyond them a file counts by its size and time. */
const hashedBytesLimit = 64 * 1024 * 1024;

interface HashBudget {
  entries: number;
  bytes: number;
}

/** Adds a regular file's contents to `hash`, read without following a link or waiting on a pipe. */
function hashFile(hash: Hash, path: string, budget: HashBudget): void {
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    hash.update(`unreadable ${String((error as NodeJS.ErrnoException).code)}\n`);
    return;
  }
  try {
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) {
      hash.update('not a file\n');
      return;
    }
    if (stats.size > budget.bytes) {
      hash.update(`size ${stats.size} modified ${stats.mtimeMs}\n`);
      return;
    }
    budget.bytes -= stats.size;
    const chunk = Buffer.alloc(Math.min(1024 * 1024, Math.max(1, stats.size)));
    for (let position = 0; position < stats.size; ) {
      const count = readSync(descriptor, chunk, 0, chunk.length, position);
      if (count === 0) break;
      hash.update(chunk.subarray(0, count));
      position += count;
    }
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Adds a folder's tree to `hash`: every name, in order, and the contents of its files; a link
 * by where it points, never followed. Bounded like the copy of a submission.
 */
function hashTree(hash: Hash, root: string, folder: string, depth: number, budget: HashBudget, skip: (name: string) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(join(root, folder)).sort();
  } catch (error) {
    hash.update(`unlistable ${folder} ${String((error as NodeJS.ErrnoException).code)}\n`);
    return;
  }
  for (const name of names) {
    if (skip(name)) continue;
    if (--budget.entries < 0) {
      hash.update('too many entries\n');
      return;
    }
    const path = folder === '' ? name : `${folder}/${name}`;
    const full = join(root, path);
    const stats = lstatSync(full, { throwIfNoEntry: false });
    if (stats === undefined) continue;
    if (stats.isSymbolicLink()) {
      hash.update(`link ${path} -> ${readlinkSync(full)}\n`);
    } else if (stats.isDirectory()) {
      hash.update(`folder ${path}\n`);
      if (depth < maxFolderDepth) hashTree(hash, root, path, depth + 1, budget, skip);
    } else if (stats.isFile()) {
      hash.update(`file ${path} ${stats.size}\n`);
      hashFile(hash, full, budget);
    } else {
      hash.update(`other ${path}\n`);
    }
  }
}

const skipTooling = (name: string) => name.startsWith('.') || name === 'node_modules' || name === '__MACOSX';

/** A submission folder's fingerprint: the names and contents of everything the grader could look at. */
function submissionFingerprint(folder: string): string {
  const hash = createHash('sha256');
  hashTree(hash, folder, '', 0, { entries: maxSubmissionEntries, bytes: hashedBytesLimit }, skipTooling);
  return hash.digest('hex');
}

/** The fingerprint of what grades: the lab's folder, the framework, the grader, the locked dependencies, Node. */
function suiteFingerprint(lab: LabInfo): string {
  const hash = createHash('sha256');
  hash.update(`node ${process.version}\n`);
  for (const folder of [lab.directory, join(projectRoot, 'framework'), join(projectRoot, 'grader')]) {
    hash.update(`tree ${relative(projectRoot, folder)}\n`);
    hashTree(hash, folder, '', 0, { entries: 20_000, bytes: hashedBytesLimit }, skipTooling);
  }
  const lock = join(projectRoot, 'package-lock.json');
  if (existsSync(lock)) hashFile(hash, lock, { entries: 1, bytes: hashedBytesLimit });
  return hash.digest('hex');
}

/**
 * The options that decide a grading's results and reports, as fingerprinted. The timeout is
 * left out here: the one in effect is compared on its own, so that a class keeps one timeout.
 */
function optionsFingerprint(lab: LabInfo, options: GradeOptions, reportSettings: unknown, suite: string): string {
  const decisive = {
    lab: lab.id,
    part: options.part ?? null,
    tests: options.tests ?? [],
    seeds: options.seeds ?? null,
    seed: options.seed ?? null,
    visibleOnly: options.visibleOnly === true,
    memoryMb: options.limits?.memoryMb ?? defaultLimits.memoryMb,
    timeoutGiven: options.limits?.timeoutMs ?? null,
    shrinkBudget: options.shrinkBudget ?? null,
    typecheck: options.typecheck === true,
    reportSettings: reportSettings ?? null,
    suite,
  };
  return createHash('sha256').update(JSON.stringify(decisive)).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// What a finished submission leaves behind for the next run: `<out>/<name>/class-entry.json`.

const recordFile = 'class-entry.json';
const recordVersion = 1;

interface SubmissionRecord {
  readonly recordVersion: typeof recordVersion;
  readonly optionsFingerprint: string;
  readonly submissionFingerprint: string;
  readonly timeoutMs: number;
  readonly row: ClassRow;
}

/** Rows worth keeping: a verdict on the submission. An interruption or the grader's own failure is not one. */
function isFinal(row: ClassRow): boolean {
  return row.status === 'graded' || row.status === 'setup error';
}

function readRecord(outputDirectory: string, name: string): SubmissionRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(join(outputDirectory, name, recordFile), 'utf8')) as Partial<SubmissionRecord>;
    const row = record.row;
    if (
      record.recordVersion !== recordVersion ||
      typeof record.optionsFingerprint !== 'string' ||
      typeof record.submissionFingerprint !== 'string' ||
      typeof record.timeoutMs !== 'number' ||
      typeof row !== 'object' ||
      row === null ||
      row.submission !== name ||
      !isFinal(row) ||
      !Array.isArray(row.tests)
    ) {
      return undefined;
    }
    return record as SubmissionRecord;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Rows

function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Paths in a message as the submission's author knows them: relative to the submission's
 * folder (`lab1/src/index.ts:7:17`). A path is cut where it reaches the entry file's folder,
 * however it was written before (absolute, relative to wherever the grader ran, or the
 * temporary copy the grader builds, whose name means nothing to anyone).
 */
function submissionRelative(text: string, implementationPath: string, discovery: EntryDiscovery | undefined): string {
  if (discovery === undefined) return text;
  const sourceFolder = resolve(discovery.entryFile, '..');
  const entryFolder = relative(implementationPath, sourceFolder).split('\\').join('/');
  const prefix = entryFolder === '' ? '' : `${entryFolder}/`;
  const fromHere = relative(process.cwd(), sourceFolder).replace(/^(\.\.\/)+/, '');
  const markers = [escapeForPattern(sourceFolder), ...(fromHere !== '' ? [escapeForPattern(fromHere)] : []), 'distlab-[A-Za-z0-9]{6}/submission'];
  let result = text;
  for (const marker of markers) {
    // From the start of the path (after a space, a quote or a parenthesis) to the folder's end.
    result = result.replace(new RegExp(`(^|[\\s"'(])[^\\s"'(]*?${marker}/`, 'gm'), (_match, start: string) => `${start}${prefix}`);
  }
  return result;
}

/**
 * A submission's report as its author gets it: the staff's path to the class folder
 * (`/home/ta/fall/submissions/alice`) becomes the submission's name (`alice`) wherever it
 * appears, in the implementation's label and in every message. The path is replaced in the
 * report's JSON text in its JSON spelling, which cannot reach across a string's end, so the
 * result is the same report with other text in its strings.
 */
export function namedAsSubmitted(report: GradingReport, implementationPath: string, name: string): GradingReport {
  const text = JSON.stringify(report);
  const jsonSpelling = (value: string) => JSON.stringify(value).slice(1, -1);
  const renamed = renamedIn(text, pathSpellings(implementationPath).map(jsonSpelling), jsonSpelling(name));
  return renamed === text ? report : (JSON.parse(renamed) as GradingReport);
}

/**
 * The staff's path to a submission as messages spell it: absolute, and as the compiler and the
 * bundler name it, relative to where the grader runs. The longer first: one spelling may hold
 * the other (`../../tmp/class/alice` holds `/tmp/class/alice`).
 */
function pathSpellings(implementationPath: string): string[] {
  const fromHere = relative(process.cwd(), implementationPath);
  return [implementationPath, ...(fromHere.includes(sep) ? [fromHere] : [])].sort((left, right) => right.length - left.length);
}

function renamedIn(text: string, spellings: readonly string[], name: string): string {
  let renamed = text;
  for (const spelling of spellings) renamed = renamed.split(spelling).join(name);
  return renamed;
}

/** A setup error without the implementation's path in front (the row already names the submission). */
function withoutLabel(message: string, implementationPath: string): string {
  return message.split(`the implementation "${implementationPath}" `).join('');
}

/** The first line of a setup error, and when it ends with a colon, the line that says where. */
function setupReason(message: string): string {
  return boundText(summaryLine(message), textLimits.line);
}

/** Lines of errors kept in a row (the report has them all). */
const rowErrorLines = 6;

function errorLines(report: GradingReport, message: string | undefined): string[] {
  if (message !== undefined) {
    const lines = message.split('\n').map((line) => line.trim()).filter(Boolean);
    // A message of one line is the row's reason already: the errors column would say it twice.
    return lines.slice(1, 1 + rowErrorLines).map((line) => boundText(line, textLimits.line));
  }
  const typeErrors = report.typeErrors.map((line) => boundText(line.split('\n')[0] ?? '', textLimits.line));
  if (typeErrors.length <= rowErrorLines) return typeErrors;
  return [...typeErrors.slice(0, rowErrorLines - 1), `… and ${typeErrors.length - rowErrorLines + 1} more type errors (see the report)`];
}

function testResult(test: GradedTest): TestResult {
  const failure = test.failure;
  return {
    number: test.number,
    status: test.status,
    score: test.score,
    ...(failure !== undefined ? { property: boundText(failure.property, textLimits.line), message: boundText(failure.message, textLimits.line) } : {}),
    ...(test.reason !== undefined ? { reason: boundText(test.reason, textLimits.line) } : {}),
  };
}

/**
 * Why a graded submission lost the points of tests that ran out of time, for the row's reason:
 * the class's limits are tighter than a single grading's, so the gradebook says which tests and why.
 */
export function timedOutReason(tests: readonly GradedTest[]): string | undefined {
  const timedOut = tests.filter((test) => test.status === 'timed out');
  if (timedOut.length === 0) return undefined;
  const first = timedOut[0] as GradedTest;
  const others = timedOut.length > 1 ? ` (and ${timedOut.slice(1, 4).map((test) => test.number).join(', ')}${timedOut.length > 4 ? ', ...' : ''})` : '';
  return boundText(`timed out: ${first.number}${others}: ${first.reason ?? 'it ran past its time limit'}`, textLimits.line);
}

function rowOf(submission: string, end: GradingEnd, implementationPath: string, discovery: EntryDiscovery | undefined): ClassRow {
  const report = end.report;
  const { score, maxScore, passed, failed, crashed, timedOut, notRun } = report.totals;
  const status: SubmissionStatus = end.kind === 'graded' ? (report.interrupted ? 'interrupted' : 'graded') : end.kind;
  // As its reports name it: paths inside the submission relative to it, the submission itself by its name.
  const spellings = pathSpellings(implementationPath);
  const asSubmitted = (text: string) => renamedIn(submissionRelative(text, implementationPath, discovery), spellings, submission);
  const relativeText = (text: string) => asSubmitted(withoutLabel(text, implementationPath));
  const setupMessage = end.kind === 'setup error' ? relativeText(end.message) : undefined;
  const reason =
    end.kind === 'graded'
      ? report.interrupted
        ? 'grading was interrupted while it ran: run the same command again to grade it'
        : timedOutReason(report.tests)
      : setupMessage !== undefined
        ? setupReason(setupMessage)
        : setupReason(end.message);
  const errors = errorLines(report, setupMessage).map(asSubmitted);
  return {
    submission,
    status,
    ...(reason !== undefined ? { reason } : {}),
    score,
    maxScore,
    passed,
    failed,
    crashed,
    timedOut,
    notRun,
    ...(report.setupError !== undefined ? { setupError: report.setupError } : {}),
    ...(discovery !== undefined ? { entry: discovery.relativePath } : {}),
    ...(discovery !== undefined && discovery.note !== '' ? { note: discovery.note } : {}),
    ...(errors.length > 0 ? { errors } : {}),
    tests: report.tests.map(testResult),
  };
}

/** A row for a submission without a grading of its own: all its tests not run, for `reason`. */
function pendingRow(submission: string, tests: readonly GradedTest[], status: SubmissionStatus, reason: string): ClassRow {
  return { submission, status, reason, ...computeTotals(tests), tests: tests.map(testResult) };
}

// ---------------------------------------------------------------------------------------------
// The gradebook

/**
 * A spreadsheet-safe CSV field: control characters escaped, a leading `=`, `+`, `-` or `@`
 * defused (after any spaces: spreadsheets skip them), so that no cell written from a
 * submission's name or message is run as a formula; and quoted when it holds a quote or any
 * character a spreadsheet may split on (`,`, `;`, `|`, a tab), so that no part of it becomes a
 * cell of its own, one that could start with a formula, in a locale whose separator is not `,`.
 */
export function csvField(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : escapeControls(value);
  const defused = /^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]/u.test(text) ? `'${text}` : text;
  return /[",;|\t\uff0c\uff1b]/u.test(defused) ? `"${defused.replace(/"/g, '""')}"` : defused;
}

/**
 * The lab's parts among the tests graded, in order, each with its name as the tests' numbers
 * show it (part `A` of lab 1 is `1A`); none where the lab has no parts.
 */
function partsOf(tests: readonly ClassTest[]): { readonly part: string; readonly label: string }[] {
  const parts = new Map<string, string>();
  for (const test of tests) {
    if (test.part !== '' && !parts.has(test.part)) parts.set(test.part, test.number.split('.')[0] ?? test.part);
  }
  return [...parts].map(([part, label]) => ({ part, label }));
}

/**
 * `class.csv`: one row per submission. `score` and `max_score` are the totals; then the
 * counts, the reason, one column per part (`part_1A`: its points) and per test (`test_1A.1`:
 * its points), the entry file graded, the note on other entry files, and the errors.
 */
function gradebookCsv(tests: readonly ClassTest[], rows: readonly ClassRow[]): string {
  const parts = partsOf(tests);
  const header = [
    'submission', 'status', 'score', 'max_score', 'passed', 'failed', 'crashed', 'timed_out', 'not_run', 'reason',
    ...parts.map((part) => `part_${part.label}`),
    ...tests.map((test) => `test_${test.number}`),
    'entry', 'note', 'errors',
  ];
  const lines = rows.map((row) => {
    const scoreOf = (number: string) => row.tests?.find((test) => test.number === number)?.score ?? 0;
    const partScore = (part: { readonly part: string }) => tests.filter((test) => test.part === part.part).reduce((sum, test) => sum + scoreOf(test.number), 0);
    return [
      row.submission, row.status, row.score, row.maxScore, row.passed, row.failed, row.crashed, row.timedOut, row.notRun, row.reason ?? '',
      ...parts.map(partScore),
      ...tests.map((test) => scoreOf(test.number)),
      row.entry ?? '', row.note ?? '', (row.errors ?? []).join(' | '),
    ]
      .map(csvField)
      .join(',');
  });
  return `${[header.map(csvField).join(','), ...lines].join('\n')}\n`;
}

/** How the class is graded, saved in class.json so that a resumed run grades the rest the same way. */
interface ClassSettings {
  readonly optionsFingerprint: string;
  readonly timeoutMs: number;
  /** Where the timeout came from, in words. */
  readonly timeoutSource: string;
}

interface Summaries {
  readonly outputDirectory: string;
  readonly lab: LabInfo;
  readonly labTitle: string;
  readonly tests: readonly ClassTest[];
  /** Null when they are not to be kept for the next run. */
  readonly settings: ClassSettings | null;
  readonly settingsText: string;
  /** The submissions that have no folder of reports: a folder by their name is another's. */
  readonly withoutReportFolder: ReadonlySet<string>;
}

/** Writes class.csv, class.json and class.html; a failure to write one leaves the others written. */
function writeSummaries(summaries: Summaries, rows: readonly ClassRow[]): string[] {
  const { outputDirectory, lab, tests } = summaries;
  const problems: string[] = [];
  const attempt = (what: string, write: () => void) => {
    try {
      write();
    } catch (error) {
      problems.push(`${what} could not be written: ${describeError(error)}`);
    }
  };
  attempt('class.csv', () => writeReportFile(join(outputDirectory, 'class.csv'), gradebookCsv(tests, rows)));
  attempt('class.json', () =>
    writeReportFile(
      join(outputDirectory, 'class.json'),
      `${JSON.stringify({ lab: lab.id, labTitle: summaries.labTitle, settings: summaries.settings, tests, submissions: rows }, null, 2)}\n`,
    ),
  );
  attempt('class.html', () =>
    writeClassSummary(
      {
        lab: lab.id,
        labTitle: summaries.labTitle,
        settings: summaries.settingsText,
        tests,
        submissions: rows.map(
          (row): ClassSubmission => ({
            name: row.submission,
            status: row.status,
            score: row.score,
            maxScore: row.maxScore,
            reason: row.reason ?? '',
            entry: row.entry ?? '',
            note: row.note ?? '',
            errors: row.errors ?? [],
            hasHtmlReport: !summaries.withoutReportFolder.has(row.submission) && existsSync(join(outputDirectory, row.submission, 'report.html')),
            tests: row.tests ?? [],
          }),
        ),
      },
      outputDirectory,
    ),
  );
  return problems;
}

function readSettings(outputDirectory: string, fingerprint: string): ClassSettings | undefined {
  try {
    const settings = (JSON.parse(readFileSync(join(outputDirectory, 'class.json'), 'utf8')) as { settings?: Partial<ClassSettings> | null }).settings;
    if (settings === null || settings === undefined || settings.optionsFingerprint !== fingerprint || typeof settings.timeoutMs !== 'number' || typeof settings.timeoutSource !== 'string') return undefined;
    return settings as ClassSettings;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The timeout of a class

/** A class's timeout per test, from the reference solution: this many times its slowest test... */
export const timeoutFactor = 5;
/**
 * ...and at least twice the stall limit: a handler that never returns is then stopped by the
 * stall limit (after 15 s, naming the handler), and a busy machine's slow test has time...
 */
export const minimumClassTimeoutMs = 2 * defaultStallMs;
/** ...and at most the grader's default. */
export const maximumClassTimeoutMs = defaultLimits.timeoutMs;

/**
 * The timeout per test for a class graded without --timeout: {@link timeoutFactor} times the
 * wall time of the reference solution's slowest test on this machine, with the same options,
 * from {@link minimumClassTimeoutMs} to {@link maximumClassTimeoutMs}. A handler that never
 * returns costs its test the stall limit (15 s) whatever the timeout; any other runaway test
 * then costs seconds, not the grader's two minutes. Without a reference solution here, or
 * when it does not pass in time, the grader's default.
 */
async function referenceTimeout(options: GradeOptions, lab: LabInfo): Promise<{ timeoutMs: number; source: string }> {
  const fallback = (why: string) => ({ timeoutMs: defaultLimits.timeoutMs, source: `the grader's default (${why})` });
  if (!lab.hasSolutions) return fallback('no reference solution here to time');
  let report: GradingReport;
  try {
    report = await grade({ ...options, implementation: 'solutions', typecheck: false, jobs: Math.max(1, availableParallelism()), onProgress: () => {} });
  } catch (error) {
    return fallback(`the reference solution could not be graded: ${describeError(error)}`);
  }
  if (report.interrupted) return fallback('timing the reference solution was interrupted');
  const slow = report.tests.find((test) => test.status === 'timed out' || test.status === 'crashed');
  if (slow !== undefined) return fallback(`the reference solution's test ${slow.number} ${slow.status} here`);
  const slowest = report.tests.reduce((longest, test) => (test.wallMs > longest.wallMs ? test : longest), report.tests[0] as GradedTest);
  const timeoutMs = Math.min(maximumClassTimeoutMs, Math.max(minimumClassTimeoutMs, Math.ceil((timeoutFactor * slowest.wallMs) / 1000) * 1000));
  return { timeoutMs, source: `${timeoutFactor} × the reference solution's slowest test here, ${slowest.number} in ${(slowest.wallMs / 1000).toFixed(1)} s` };
}

// ---------------------------------------------------------------------------------------------
// Grading a class

/** What happens as a class is graded, for a command to print. */
export type ClassEvent =
  | {
      readonly type: 'start';
      readonly lab: LabInfo;
      readonly submissions: number;
      readonly reused: number;
      /** Submissions graded before with other options, suite or grader: graded again, their earlier results replaced. */
      readonly optionsChanged: number;
      readonly parallel: number;
      readonly jobs: number;
      readonly timeoutMs: number;
      readonly timeoutSource: string;
    }
  | { readonly type: 'timing reference' }
  /** A submission's grading begins. */
  | { readonly type: 'grading'; readonly submission: string }
  | { readonly type: 'graded'; readonly row: ClassRow; readonly done: number; readonly toGrade: number }
  /** A summary file (class.csv, class.json, class.html) could not be written. */
  | { readonly type: 'problem'; readonly message: string };

export interface ClassGradingHooks {
  /** Called with each submission's report as soon as it is graded (to write its files); a throw is recorded in its row. */
  readonly onReport: (submission: string, report: GradingReport) => void;
  /** Failures of the grader that no promise reports; one of them ends the submissions being graded, not the class. */
  readonly crashes?: CrashWatch;
  /** Submissions graded at once (default 1); each runs `options.jobs` tests at a time. */
  readonly parallel?: number;
  /** Without a timeout in the options: time the reference solution to choose one (see {@link referenceTimeout}). */
  readonly timeReference?: boolean;
  /** Whatever else decides what `onReport` writes (report formats): part of the fingerprint. */
  readonly reportSettings?: unknown;
  /** Told what happens; without it, a summary file that cannot be written is an exception at the end. */
  readonly onEvent?: (event: ClassEvent) => void;
}

/**
 * Grades every submission folder of a class, `parallel` at a time, each in its own child
 * processes, finding each one's `index.ts` at any depth. Whatever one submission does (it
 * cannot be loaded, it crashes or times out, its results are malformed, the grader fails
 * while grading it), grading goes on with the others, and its row says what happened.
 *
 * Resumable: a submission graded by an earlier run into the same `outputDirectory`, with the
 * same files, suite and options (`<name>/class-entry.json` holds their fingerprint), is not
 * graded again; its row is kept, marked `reused`. Writes `class.csv`, `class.json` and
 * `class.html` in `outputDirectory` as it goes and at the end, also when interrupted.
 */
export async function gradeClass(
  folder: string,
  options: GradeOptions,
  outputDirectory: string,
  hooks: ClassGradingHooks | ((submission: string, report: GradingReport) => void),
): Promise<ClassRow[]> {
  const settings: ClassGradingHooks = typeof hooks === 'function' ? { onReport: hooks } : hooks;
  const entries = listEntries(folder);
  const lab = findLab(options.lab);
  checkSeedOptions(options);
  const suite = await loadSuite(lab);
  const selected = selectTests(suite, options);
  if (selected.length === 0) throw new SetupError(`no test of ${lab.id} matches the options given`);
  prepareOutputFolder(outputDirectory);
  const unlock = lockClassFolder(outputDirectory);
  try {
    return await gradeLockedClass(folder, options, outputDirectory, settings, entries, lab, suite, selected);
  } finally {
    unlock();
  }
}

async function gradeLockedClass(
  folder: string,
  options: GradeOptions,
  outputDirectory: string,
  settings: ClassGradingHooks,
  entries: readonly ClassEntry[],
  lab: LabInfo,
  suite: Awaited<ReturnType<typeof loadSuite>>,
  selected: ReturnType<typeof selectTests>,
): Promise<ClassRow[]> {
  const tests: ClassTest[] = selected.map((test) => ({ number: test.number, name: test.name, part: test.part, maxScore: test.points }));
  const notRunAll = (reason: string) => selected.map((test) => notRun(test, seedCount(test, options), reason));

  const optionsKey = optionsFingerprint(lab, options, settings.reportSettings, suiteFingerprint(lab));
  const fingerprints = entries.map((entry) => (entry.refused === undefined ? submissionFingerprint(join(resolve(folder), entry.name)) : ''));
  const earlier = entries.map((entry) => (entry.refused === undefined ? readRecord(outputDirectory, entry.name) : undefined));
  const records = earlier.map((record, index) =>
    record !== undefined && record.optionsFingerprint === optionsKey && record.submissionFingerprint === fingerprints[index] ? record : undefined,
  );
  const optionsChanged = earlier.filter((record) => record !== undefined && record.optionsFingerprint !== optionsKey).length;

  // One timeout for the whole class: as given, as an earlier run of this class chose it, or
  // from the reference solution.
  let timeout: { timeoutMs: number; source: string };
  const given = options.limits?.timeoutMs;
  const saved = readSettings(outputDirectory, optionsKey);
  const recorded = records.find((record) => record !== undefined)?.timeoutMs;
  if (given !== undefined) timeout = { timeoutMs: given, source: 'given with --timeout' };
  else if (saved !== undefined) timeout = { timeoutMs: saved.timeoutMs, source: saved.timeoutSource };
  else if (recorded !== undefined) timeout = { timeoutMs: recorded, source: 'as the earlier run of this class chose it' };
  else if (settings.timeReference === true && !records.every((record) => record !== undefined) && options.signal?.aborted !== true) {
    settings.onEvent?.({ type: 'timing reference' });
    timeout = await referenceTimeout(options, lab);
  } else timeout = { timeoutMs: defaultLimits.timeoutMs, source: "the grader's default" };
  // A timeout chosen while grading was being interrupted is not the class's: the next run chooses again.
  const keepTimeout = options.signal?.aborted !== true;
  const reused = records.map((record) => (record !== undefined && record.timeoutMs === timeout.timeoutMs ? record : undefined));

  const jobs = Math.max(1, options.jobs ?? 2);
  const parallel = Math.max(1, Math.floor(settings.parallel ?? 1));
  const classSettings: ClassSettings = { optionsFingerprint: optionsKey, timeoutMs: timeout.timeoutMs, timeoutSource: timeout.source };
  const settingsText = [
    options.seed !== undefined ? `seed ${options.seed}` : options.seeds !== undefined ? `seeds 1..${options.seeds}` : 'default seeds',
    options.part !== undefined ? `part ${options.part}` : '',
    options.tests !== undefined && options.tests.length > 0 ? `tests ${options.tests.join(', ')}` : '',
    options.visibleOnly === true ? 'visible tests only' : lab.hiddenTestsFile !== undefined ? 'hidden tests included' : '',
    `timeout per test ${Math.round(timeout.timeoutMs / 1000)} s: ${timeout.source}`,
  ].filter(Boolean).join(' · ');
  const withoutReportFolder = new Set(entries.filter((entry) => entry.noReportFolder !== undefined).map((entry) => entry.name));
  const summaries: Summaries = { outputDirectory, lab, labTitle: suite.title, tests, settings: keepTimeout ? classSettings : null, settingsText, withoutReportFolder };

  const waiting = notRunAll('not graded yet: grading was still running (run the same command again to grade it)');
  const rows: ClassRow[] = entries.map((entry, index) => {
    const record = reused[index];
    return record !== undefined ? { ...record.row, reused: true } : pendingRow(entry.name, waiting, 'not graded', 'not graded yet: grading was still running (run the same command again to grade it)');
  });
  const toGrade = entries.map((_entry, index) => index).filter((index) => reused[index] === undefined);
  settings.onEvent?.({
    type: 'start',
    lab,
    submissions: entries.length,
    reused: entries.length - toGrade.length,
    optionsChanged,
    parallel: Math.min(parallel, Math.max(1, toGrade.length)),
    jobs,
    timeoutMs: timeout.timeoutMs,
    timeoutSource: timeout.source,
  });
  const summaryProblems = new Set<string>();
  const updateSummaries = () => {
    for (const problem of writeSummaries(summaries, rows)) summaryProblems.add(problem);
  };
  updateSummaries();

  // Its author replays a failure in their own checkout: printed commands say --impl student.
  const gradeOptions: GradeOptions = { commandName: 'student', ...options, limits: { ...options.limits, timeoutMs: timeout.timeoutMs } };
  let done = 0;
  const gradeOne = async (index: number) => {
    const entry = entries[index] as ClassEntry;
    const implementation = join(resolve(folder), entry.name);
    settings.onEvent?.({ type: 'grading', submission: entry.name });
    // An earlier run's record is stale from now on, whatever this grading comes to.
    if (entry.refused === undefined) rmSync(join(outputDirectory, entry.name, recordFile), { force: true });
    let discovery: EntryDiscovery | undefined;
    let end: GradingEnd;
    try {
      if (entry.refused !== undefined) throw new SetupError(`the submission ${entry.name} cannot be graded: ${entry.refused}`);
      discovery = findEntryFile(lab, implementation, entry.name);
      end = await gradeToEnd({ ...gradeOptions, implementation }, settings.crashes);
    } catch (thrown) {
      // A folder that cannot be read (its permissions) is the submission's problem, like one that cannot be loaded.
      const error = thrown instanceof SetupError ? thrown : new SetupError(`the submission ${entry.name} cannot be read: ${describeError(thrown)}`);
      end = { kind: 'setup error', report: await setupErrorReport({ ...gradeOptions, implementation }, error, new Date()), message: error.message };
    }
    let row = rowOf(entry.name, end, implementation, discovery);
    let written = true;
    try {
      // A folder named like a summary file has no folder of reports: that name is the summary's (or another submission's).
      if (entry.noReportFolder === undefined) settings.onReport(entry.name, namedAsSubmitted(end.report, implementation, entry.name));
    } catch (error) {
      written = false;
      row = { ...row, reason: `${row.reason ? `${row.reason}; ` : ''}its reports could not be written: ${describeError(error)}` };
    }
    if (written && isFinal(row) && entry.refused === undefined) {
      const record: SubmissionRecord = {
        recordVersion,
        optionsFingerprint: optionsKey,
        submissionFingerprint: fingerprints[index] as string,
        timeoutMs: timeout.timeoutMs,
        row,
      };
      try {
        prepareOutputFolder(join(outputDirectory, entry.name));
        writeReportFile(join(outputDirectory, entry.name, recordFile), `${JSON.stringify(record)}\n`);
      } catch (error) {
        row = { ...row, reason: `${row.reason ? `${row.reason}; ` : ''}it will be graded again next time: ${describeError(error)}` };
      }
    }
    rows[index] = row;
    done += 1;
    settings.onEvent?.({ type: 'graded', row, done, toGrade: toGrade.length });
    updateSummaries();
  };

  const queue = [...toGrade];
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      if (options.signal?.aborted) {
        queue.unshift(index);
        return;
      }
      try {
        await gradeOne(index);
      } catch (error) {
        // The grader's own failure with one submission (its reports, its record): the others go on.
        const name = entries[index]?.name as string;
        rows[index] = pendingRow(name, notRunAll('not graded: the grader itself failed'), 'grader error', `the grader itself failed: ${describeError(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, Math.max(1, toGrade.length)) }, worker));
  // Not graded, and no reports: the row still shows the points at stake.
  const interrupted = notRunAll('grading was interrupted before this submission');
  for (const index of queue) {
    rows[index] = pendingRow(entries[index]?.name as string, interrupted, 'not graded', 'grading was interrupted before this submission: run the same command again to grade the rest');
  }
  updateSummaries();
  if (summaryProblems.size > 0) {
    if (settings.onEvent === undefined) throw new Error([...summaryProblems].join('; '));
    for (const message of summaryProblems) settings.onEvent({ type: 'problem', message });
  }
  return rows;
}

/** The file that marks an output folder as being written by a class grading. */
export const classLockFile = '.class-grading.lock';

/**
 * Another class grading is writing into the same output folder. Not the submissions' problem
 * and not the folder's: nothing is written, so that the grading under way keeps its folder.
 */
export class ClassFolderBusy extends SetupError {}

/** Whether process `pid` is running (one of another user counts). */
function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks `outputDirectory` as this grading's until the returned function is called. Two
 * gradings into one folder would write each other's rows and records; a mark left by a
 * grading that no longer runs (a crash, a reboot) is taken over.
 */
function lockClassFolder(outputDirectory: string): () => void {
  const path = join(outputDirectory, classLockFile);
  const mine = `${JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() })}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, mine, { flag: 'wx' });
      return () => {
        try {
          if (readFileSync(path, 'utf8') === mine) rmSync(path, { force: true });
        } catch {
          // Gone already, or unreadable: nothing of ours to take back.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new SetupError(`cannot write into ${outputDirectory}: ${describeError(error)}`);
    }
    let holder: { pid?: unknown; startedAt?: unknown } = {};
    try {
      holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
    } catch {
      // A mark half written, or not one of ours: its writer is judged by the process id below.
    }
    const pid = typeof holder.pid === 'number' && Number.isSafeInteger(holder.pid) && holder.pid > 0 ? holder.pid : undefined;
    if (pid !== undefined && processRunning(pid)) {
      const since = typeof holder.startedAt === 'string' ? ` since ${boundText(holder.startedAt, 40)}` : '';
      throw new ClassFolderBusy(
        `another class grading (process ${pid}${since}) is writing into ${outputDirectory}: wait for it to finish, or give another --out ` +
          `(if no grading is running there, delete ${path})`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new ClassFolderBusy(`another class grading keeps taking ${outputDirectory}: give another --out`);
}

// ---------------------------------------------------------------------------------------------
// The command

/** What `npm run grade -- <lab> --class <folder>` was asked for. */
export interface ClassCommand {
  readonly classFolder: string;
  readonly grade: GradeOptions;
  /** Report formats for each submission. */
  readonly reports: readonly string[];
  readonly outputDirectory: string;
  readonly reportOptions: ReportOptions;
  /** Submissions graded at once; by default as many as the machine has cores, divided by the jobs of each. */
  readonly parallel?: number;
}

/**
 * How a class shares the machine: `jobs` tests of `parallel` submissions at a time, about one
 * child process per core. By default one test per submission and as many submissions as cores
 * (one submission's copy, bundle and type check overlap the others' tests); with --jobs N,
 * cores / N submissions.
 */
export function classConcurrency(jobs: number | undefined, parallel: number | undefined, cores = availableParallelism()): { jobs: number; parallel: number } {
  const testsAtOnce = jobs ?? 1;
  return { jobs: testsAtOnce, parallel: parallel ?? Math.max(1, Math.floor(cores / testsAtOnce)) };
}

function seconds(milliseconds: number): string {
  return milliseconds < 10_000 ? `${(milliseconds / 1000).toFixed(1)} s` : `${Math.round(milliseconds / 1000)} s`;
}

/** Grades a class from the command line; returns the exit code (0 all full marks, 1 not, 3 the grader failed). */
export async function runClassCommand(options: ClassCommand, signal: AbortSignal, crashes: CrashWatch): Promise<number> {
  const style = styleFor(process.stdout);
  const out = process.stdout;
  const startedMs = Date.now();
  let reportProblems = false;
  const concurrency = classConcurrency(options.grade.jobs, options.parallel);
  const verdict = (row: ClassRow) =>
    row.status === 'graded'
      ? `${row.score}/${row.maxScore}${row.note !== undefined ? style.yellow(` — ${terminalLine(row.note)}`) : ''}`
      : style.red(`${row.status}: ${terminalLine(row.reason ?? '')}`);
  const rows = await gradeClass(options.classFolder, { ...options.grade, jobs: concurrency.jobs, signal }, options.outputDirectory, {
    crashes,
    parallel: concurrency.parallel,
    timeReference: true,
    reportSettings: { reports: [...options.reports].sort(), reportOptions: options.reportOptions },
    onReport: (submission, report) => {
      const written = writeReports(report, options.reports, join(options.outputDirectory, submission), options.reportOptions);
      for (const problem of written.problems) complain(`${submission}: ${problem}`);
      if (written.problems.length > 0) {
        reportProblems = true;
        throw new Error(written.problems.join('; '));
      }
    },
    onEvent: (event) => {
      if (event.type === 'problem') {
        complain(event.message);
        reportProblems = true;
      } else if (event.type === 'grading') {
        // Said when it is graded.
      } else if (event.type === 'timing reference') out.write('Timing the reference solution to choose the timeout per test (--timeout S to give one)...\n');
      else if (event.type === 'start') {
        const toGrade = event.submissions - event.reused;
        if (toGrade === 0) {
          out.write(
            `All ${event.submissions} submissions of ${event.lab.id} were graded before with the same files, suite and options: nothing to grade ` +
              '(delete <out>/<name>/class-entry.json to grade one again)\n',
          );
          return;
        }
        out.write(
          `${style.bold(`Grading ${toGrade} of ${event.submissions} submissions of ${event.lab.id}`)}, ${event.parallel} at a time, ` +
            `each running ${event.jobs} ${event.jobs === 1 ? 'test' : 'tests'} at a time; timeout per test ${seconds(event.timeoutMs)} (${terminalLine(event.timeoutSource)})\n`,
        );
        if (event.reused > 0) {
          out.write(
            `Keeping ${event.reused} graded before with the same files, suite and options (delete <out>/<name>/class-entry.json to grade one again)\n`,
          );
        }
        if (event.optionsChanged > 0) {
          out.write(
            style.yellow(
              `${event.optionsChanged} ${event.optionsChanged === 1 ? 'was' : 'were'} graded before with other options (seeds, tests, part, timeout, report formats), ` +
                'or another suite or grader: each is graded again, and its earlier results are replaced as it is. ' +
                'To keep them, stop now (Ctrl-C leaves the ones not yet graded as they were) and give the earlier options, or another --out.',
            ) + '\n',
          );
        }
      } else {
        out.write(`  [${event.done}/${event.toGrade}] ${terminalLine(event.row.submission)}: ${verdict(event.row)}\n`);
      }
    },
  });
  const count = (status: SubmissionStatus) => rows.filter((row) => row.status === status).length;
  const reusedCount = rows.filter((row) => row.reused === true).length;
  const tally = [
    `${count('graded')} graded`,
    count('setup error') > 0 ? `${count('setup error')} could not be loaded` : '',
    count('grader error') > 0 ? style.red(`${count('grader error')} grader errors`) : '',
    count('interrupted') + count('not graded') > 0 ? style.yellow(`${count('interrupted') + count('not graded')} not graded: run the same command again to grade them`) : '',
    reusedCount > 0 ? `${reusedCount} of the ${rows.length} kept from before` : '',
  ].filter(Boolean);
  out.write(`${rows.length} submissions in ${seconds(Date.now() - startedMs)}: ${tally.join(', ')}\n`);
  out.write(`gradebook: ${terminalLine(join(options.outputDirectory, 'class.csv'))}\nsummary: ${terminalLine(join(options.outputDirectory, 'class.html'))}\n`);
  if (reportProblems || rows.some((row) => row.status === 'grader error')) return 3;
  const allPassed = !signal.aborted && rows.every((row) => row.status === 'graded' && row.score === row.maxScore && row.notRun === 0);
  return allPassed ? 0 : 1;
}
