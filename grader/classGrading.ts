import { readdirSync } from 'node:fs';
import { complain, writeReports } from './cliOutput.ts';
import { join, resolve } from 'node:path';
import { describeError, gradeToEnd, notRunTests, setupErrorReport, type CrashWatch, type GradeOptions, type GradingEnd } from './grade.ts';
import { findLab, SetupError } from './labs.ts';
import type { ReportOptions } from './reports/index.ts';
import { prepareOutputFolder, writeReportFile } from './reports/outputFolder.ts';
import { styleFor } from './reports/terminal.ts';
import { boundText, escapeControls, terminalLine, textLimits } from './reports/untrusted.ts';
import { computeTotals, type GradingReport } from './results.ts';

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
}

/** A subfolder of the class folder to grade, or an entry that cannot be a submission, with why. */
interface ClassEntry {
  readonly name: string;
  readonly refused?: string;
}

/** The submissions in a class folder: every subfolder, in name order; links are listed, to be refused. */
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
    .filter((entry) => !entry.name.startsWith('.') && (entry.isDirectory() || entry.isSymbolicLink()))
    .map((entry): ClassEntry =>
      entry.isSymbolicLink() ? { name: entry.name, refused: 'it is a link, not a folder: copy the submission into the class folder' } : { name: entry.name },
    )
    .sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  if (listed.length === 0) throw new SetupError(`--class ${folder}: the folder has no submission folders in it`);
  return listed;
}

/** The submissions in a class folder: every subfolder, in name order. */
export function listSubmissions(folder: string): string[] {
  return listEntries(folder).map((entry) => entry.name);
}

function firstLine(text: string): string {
  return boundText(text.split('\n')[0] ?? '', textLimits.line);
}

function rowOf(submission: string, end: GradingEnd): ClassRow {
  const report = end.report;
  const { score, maxScore, passed, failed, crashed, timedOut, notRun } = report.totals;
  const status: SubmissionStatus = end.kind === 'graded' ? (report.interrupted ? 'interrupted' : 'graded') : end.kind;
  const reason = end.kind === 'graded' ? (report.interrupted ? 'grading was interrupted while it ran' : undefined) : firstLine(end.message);
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
  };
}

/**
 * A spreadsheet-safe CSV field: quoted when needed, control characters escaped, and a leading
 * `=`, `+`, `-` or `@` defused, so that no cell written from a submission's message is run as
 * a formula.
 */
function csvField(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : escapeControls(value);
  const defused = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",]/.test(defused) ? `"${defused.replace(/"/g, '""')}"` : defused;
}

const csvHeader = ['submission', 'status', 'score', 'max_score', 'passed', 'failed', 'crashed', 'timed_out', 'not_run', 'reason'];

function writeSummaries(outputDirectory: string, lab: string, rows: readonly ClassRow[]): void {
  const lines = rows.map((row) =>
    [row.submission, row.status, row.score, row.maxScore, row.passed, row.failed, row.crashed, row.timedOut, row.notRun, row.reason ?? '']
      .map(csvField)
      .join(','),
  );
  writeReportFile(join(outputDirectory, 'class.csv'), `${[csvHeader.join(','), ...lines].join('\n')}\n`);
  writeReportFile(join(outputDirectory, 'class.json'), `${JSON.stringify({ lab, submissions: rows }, null, 2)}\n`);
}

export interface ClassGradingHooks {
  /** Called with each submission's report as soon as it is graded (to write its files); a throw is recorded in its row. */
  readonly onReport: (submission: string, report: GradingReport) => void;
  /** Failures of the grader that no promise reports; one of them ends the submission being graded, not the class. */
  readonly crashes?: CrashWatch;
}

/**
 * Grades every submission folder of a class, one after the other, each in its own child
 * processes. Whatever one submission does (it cannot be loaded, it crashes or times out, its
 * results are malformed, the grader fails while grading it), grading goes on with the next
 * one, and its row says what happened. Writes `class.csv` and `class.json` in
 * `outputDirectory`, also when grading is interrupted.
 */
export async function gradeClass(
  folder: string,
  options: GradeOptions,
  outputDirectory: string,
  hooks: ClassGradingHooks | ((submission: string, report: GradingReport) => void),
): Promise<ClassRow[]> {
  const { onReport, crashes } = typeof hooks === 'function' ? { onReport: hooks, crashes: undefined } : hooks;
  const entries = listEntries(folder);
  const lab = findLab(options.lab);
  prepareOutputFolder(outputDirectory);
  const rows: ClassRow[] = [];
  for (const entry of entries) {
    if (options.signal?.aborted) {
      // Not graded, and no reports: the row still shows the points at stake.
      const reason = 'grading was interrupted before this submission';
      const totals = computeTotals(await notRunTests(options, reason));
      rows.push({ submission: entry.name, status: 'not graded', reason, ...totals });
      continue;
    }
    const implementation = join(resolve(folder), entry.name);
    let end: GradingEnd;
    if (entry.refused !== undefined) {
      const error = new SetupError(`the submission ${entry.name} cannot be graded: ${entry.refused}`);
      end = { kind: 'setup error', report: await setupErrorReport({ ...options, implementation }, error, new Date()), message: error.message };
    } else {
      end = await gradeToEnd({ ...options, implementation }, crashes);
    }
    let row = rowOf(entry.name, end);
    try {
      onReport(entry.name, end.report);
    } catch (error) {
      row = { ...row, reason: `${row.reason ? `${row.reason}; ` : ''}its reports could not be written: ${describeError(error)}` };
    }
    rows.push(row);
  }
  writeSummaries(outputDirectory, lab.id, rows);
  return rows;
}

/** What `npm run grade -- <lab> --class <folder>` was asked for. */
export interface ClassCommand {
  readonly classFolder: string;
  readonly grade: GradeOptions;
  /** Report formats for each submission. */
  readonly reports: readonly string[];
  readonly outputDirectory: string;
  readonly reportOptions: ReportOptions;
}

/** Grades a class from the command line; returns the exit code (0 all full marks, 1 not, 3 the grader failed). */
export async function runClassCommand(options: ClassCommand, signal: AbortSignal, crashes: CrashWatch): Promise<number> {
  const style = styleFor(process.stdout);
  const folder = options.classFolder;
  let reportProblems = false;
  const rows = await gradeClass(folder, { ...options.grade, signal }, options.outputDirectory, {
    crashes,
    onReport: (submission, report) => {
      const written = writeReports(report, options.reports, join(options.outputDirectory, submission), options.reportOptions);
      for (const problem of written.problems) complain(`${submission}: ${problem}`);
      if (written.problems.length > 0) {
        reportProblems = true;
        throw new Error(written.problems.join('; '));
      }
    },
  });
  for (const row of rows) {
    const verdict =
      row.status === 'graded' ? `${row.score}/${row.maxScore}` : style.red(`${row.status}: ${terminalLine(row.reason ?? '')}`);
    process.stdout.write(`  ${terminalLine(row.submission)}: ${verdict}\n`);
  }
  process.stdout.write(`graded ${rows.filter((row) => row.status !== 'not graded').length} of ${rows.length} submissions: ${terminalLine(join(options.outputDirectory, 'class.csv'))}\n`);
  if (reportProblems || rows.some((row) => row.status === 'grader error')) return 3;
  const allPassed = !signal.aborted && rows.every((row) => row.status === 'graded' && row.score === row.maxScore && row.notRun === 0);
  return allPassed ? 0 : 1;
}
