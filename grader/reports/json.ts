import { join } from 'node:path';
import type { GradingReport } from '../results.ts';
import { boundReport } from './untrusted.ts';
import { writeReportFile } from './outputFolder.ts';

/** How many levels of `report.json` are indented: a trace's events, and what they carry, are one line each. */
const indentedLevels = 5;

/**
 * JSON indented two spaces for its first `levels` levels, each value below them on one line.
 * Indenting every level would let a submission's deeply nested message, small as compact JSON,
 * grow a hundredfold (a line and an indent per number) and make the report too large to write.
 */
export function readableJson(value: unknown, levels = indentedLevels, indent = ''): string {
  if (levels === 0 || value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item: unknown) => `${inner}${item === undefined || typeof item === 'function' ? 'null' : readableJson(item, levels - 1, inner)}`);
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, item]) => item !== undefined && typeof item !== 'function');
  if (entries.length === 0) return '{}';
  const fields = entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${readableJson(item, levels - 1, inner)}`);
  return `{\n${fields.join(',\n')}\n${indent}}`;
}

/** `report.json`: the whole report, in the schema of docs/report-schema.json, its untrusted texts bounded. */
export function writeJsonReport(report: GradingReport, outputDirectory: string): string {
  const file = join(outputDirectory, 'report.json');
  return writeReportFile(file, `${readableJson(boundReport(report))}\n`);
}
