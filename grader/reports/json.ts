import { join } from 'node:path';
import type { GradingReport } from '../results.ts';
import { boundReport } from './untrusted.ts';
import { writeReportFile } from './outputFolder.ts';

/** `report.json`: the whole report, in the schema of docs/report-schema.json, its untrusted texts bounded. */
export function writeJsonReport(report: GradingReport, outputDirectory: string): string {
  const file = join(outputDirectory, 'report.json');
  return writeReportFile(file, `${JSON.stringify(boundReport(report), null, 2)}\n`);
}
