// What the grading command writes besides its reports' contents: messages on stderr, and the
// report files of one grading in the formats asked for.
import { describeError } from './grade.ts';
import type { GradingReport } from './results.ts';
import { reportWriters, type ReportOptions, type ReportWriter } from './reports/index.ts';
import { prepareOutputFolder } from './reports/outputFolder.ts';
import { removeOtherReports } from './reports/runFolders.ts';
import { terminalBlock, terminalLine, textLimits } from './reports/untrusted.ts';

/** A message on stderr: the grader's own words, with whatever they quote from a submission escaped. */
export function complain(message: string): void {
  process.stderr.write(`distlab grade: ${terminalBlock(message, textLimits.setupError)}\n`);
}

export interface Written {
  readonly files: readonly string[];
  /** Formats that could not be written, with why. */
  readonly problems: readonly string[];
  /** An earlier grading's report files of other formats, removed from the folder. */
  readonly removed?: readonly string[];
}

/** Writes every file format asked for; one that fails does not keep the others from being written. */
export function writeReports(report: GradingReport, formats: readonly string[], outputDirectory: string, reportOptions: ReportOptions): Written {
  const fileFormats = formats.filter((format) => format !== 'terminal');
  if (fileFormats.length === 0) return { files: [], problems: [] };
  try {
    prepareOutputFolder(outputDirectory);
  } catch (error) {
    return { files: [], problems: [describeError(error)] };
  }
  const files: string[] = [];
  const problems: string[] = [];
  for (const format of fileFormats) {
    try {
      files.push((reportWriters[format] as ReportWriter)(report, outputDirectory, reportOptions));
    } catch (error) {
      problems.push(`the ${format} report could not be written: ${describeError(error)}`);
    }
  }
  return { files, problems, removed: removeOtherReports(outputDirectory, fileFormats) };
}

/** Tells where the reports went (on `stream`) and what could not be written (on stderr). */
export function announce(written: Written, stream: NodeJS.WriteStream): void {
  for (const file of written.files) stream.write(`report: ${terminalLine(file)}\n`);
  for (const file of written.removed ?? []) stream.write(`removed: ${terminalLine(file)} (an earlier grading's, in a format not asked for this time)\n`);
  for (const problem of written.problems) complain(problem);
}

