import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { grade, loadSuite, notRun, seedsFor, selectTests, setupFailureReport, type GradeOptions } from './grade.ts';
import { findLab, SetupError } from './labs.ts';
import type { GradingReport } from './results.ts';

/** One submission's line in the class summary. */
export interface ClassRow {
  readonly submission: string;
  readonly score: number;
  readonly maxScore: number;
  readonly passed: number;
  readonly failed: number;
  readonly crashed: number;
  readonly timedOut: number;
  readonly notRun: number;
  readonly setupError?: string;
}

/** The submissions in a class folder: every subfolder, in name order. */
export function listSubmissions(folder: string): string[] {
  const path = resolve(folder);
  if (!existsSync(path)) throw new SetupError(`--class ${folder}: no such folder`);
  const names = readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) throw new SetupError(`--class ${folder}: the folder has no submission folders in it`);
  return names;
}

function rowOf(submission: string, report: GradingReport): ClassRow {
  const { score, maxScore, passed, failed, crashed, timedOut, notRun } = report.totals;
  return { submission, score, maxScore, passed, failed, crashed, timedOut, notRun, ...(report.setupError ? { setupError: report.setupError } : {}) };
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Grades every submission folder of a class, one after the other, each in its own child
 * processes. A submission that cannot be loaded gets a setup-error report and 0 points;
 * grading goes on with the next one. Writes `class.csv` and `class.json` in `outputDirectory`.
 */
export async function gradeClass(
  folder: string,
  options: GradeOptions,
  outputDirectory: string,
  onReport: (submission: string, report: GradingReport) => void,
): Promise<ClassRow[]> {
  const rows: ClassRow[] = [];
  const submissions = listSubmissions(folder);
  const lab = findLab(options.lab);
  const selected = selectTests(await loadSuite(lab), options);
  for (const submission of submissions) {
    if (options.signal?.aborted) break;
    const startedAt = new Date();
    let report: GradingReport;
    try {
      report = await grade({ ...options, implementation: join(resolve(folder), submission) });
    } catch (error) {
      if (!(error instanceof SetupError)) throw error;
      // A submission that cannot be loaded scores 0 of the points it could have had.
      const tests = selected.map((test) => notRun(test, seedsFor(test, options).length, 'the submission could not be loaded'));
      report = setupFailureReport(lab.id, submission, error, startedAt, tests);
    }
    onReport(submission, report);
    rows.push(rowOf(submission, report));
  }
  mkdirSync(outputDirectory, { recursive: true });
  const header = ['submission', 'score', 'max_score', 'passed', 'failed', 'crashed', 'timed_out', 'not_run', 'setup_error'];
  const lines = rows.map((row) =>
    [row.submission, row.score, row.maxScore, row.passed, row.failed, row.crashed, row.timedOut, row.notRun, row.setupError?.split('\n')[0] ?? '']
      .map(csvField)
      .join(','),
  );
  writeFileSync(join(outputDirectory, 'class.csv'), `${[header.join(','), ...lines].join('\n')}\n`);
  writeFileSync(join(outputDirectory, 'class.json'), `${JSON.stringify({ lab: options.lab, submissions: rows }, null, 2)}\n`);
  return rows;
}
