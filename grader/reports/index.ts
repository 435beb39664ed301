import type { GradingReport } from '../results.ts';
import { writeGradescopeReport } from './gradescope.ts';
import { writeHtmlReport } from './html.ts';
import { writeJsonReport } from './json.ts';
import { writeJunitReport } from './junit.ts';

/** Writes one report file into the output folder and returns its path. */
export type ReportWriter = (report: GradingReport, outputDirectory: string) => string;

/** The file formats; `terminal` is printed rather than written. */
export const reportWriters: Readonly<Record<string, ReportWriter>> = {
  json: writeJsonReport,
  html: writeHtmlReport,
  junit: writeJunitReport,
  gradescope: writeGradescopeReport,
};

export const reportFormats = ['terminal', ...Object.keys(reportWriters)] as const;
