import type { GradingReport } from '../results.ts';
import { writeGradescopeReport, type GradescopeOptions } from './gradescope.ts';
import { writeHtmlReport } from './html.ts';
import { writeJsonReport } from './json.ts';
import { writeJunitReport } from './junit.ts';

/** Settings of the report files that do not belong in the report itself. */
export type ReportOptions = GradescopeOptions;

/** Writes one report file into the output folder and returns its path. */
export type ReportWriter = (report: GradingReport, outputDirectory: string, options: ReportOptions) => string;

/** The file formats; `terminal` is printed rather than written. */
export const reportWriters: Readonly<Record<string, ReportWriter>> = {
  json: writeJsonReport,
  html: writeHtmlReport,
  junit: writeJunitReport,
  gradescope: writeGradescopeReport,
};

export const reportFormats = ['terminal', ...Object.keys(reportWriters)] as const;
