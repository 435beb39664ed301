import { join } from 'node:path';
import type { GradedTest, GradingReport } from '../results.ts';
import { formatDemonstration, formatFailure, type Style } from './terminal.ts';
import { boundReport, escapeControls } from './untrusted.ts';
import { writeReportFile } from './outputFolder.ts';

/**
 * `junit.xml`: one `<testsuite>` for the lab, one `<testcase>` per test, for CI systems
 * (GitLab, Jenkins, GitHub test reporters). Everything a submission printed is escaped, and
 * characters XML 1.0 cannot hold are removed, so the file is well-formed whatever it contains.
 */
export function writeJunitReport(report: GradingReport, outputDirectory: string): string {
  const file = join(outputDirectory, 'junit.xml');
  return writeReportFile(file, junitXml(report));
}

const plain = (text: string) => text;
const plainStyle: Style = { bold: plain, red: plain, green: plain, yellow: plain, dim: plain };

/** ANSI escape sequences (colours, cursor moves): noise outside a terminal. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ansiSequence = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;
/** Everything outside XML 1.0's `Char` production: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF. */
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text as XML 1.0 can hold it: ANSI sequences removed; other control characters, lone
 * surrogates and bidirectional overrides as visible escapes (`\x07`, `\u202e`); anything else
 * XML cannot hold (U+FFFE, U+FFFF) removed.
 */
export function xmlSafeText(text: string): string {
  return escapeControls(text.replace(ansiSequence, ''), 'keep').replace(notXmlChar, '');
}

const textEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes character data (element content). */
export function escapeXmlText(text: string): string {
  return xmlSafeText(text).replace(/[&<>"']/g, (character) => textEntities[character] as string);
}

/** Escapes an attribute value; tabs and line breaks become references so parsers keep them. */
export function escapeXmlAttribute(text: string): string {
  return xmlSafeText(text).replace(/[&<>"'\t\n\r]/g, (character) => textEntities[character] ?? `&#${character.charCodeAt(0)};`);
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXmlAttribute(String(value))}"`)
    .join('');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** An attribute holds one short line; the element's body has the rest. */
function shortLine(text: string, limit = 500): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

function testcase(report: GradingReport, test: GradedTest): string[] {
  const classname = test.part ? `${report.lab}.${test.part}` : report.lab;
  const lines = [`    <testcase${attributes({ classname, name: `${test.number} ${test.name}`, time: seconds(test.wallMs) })}>`];
  // The failure block without its heading (the test case's name) and without the output (in <system-out>).
  const details = escapeXmlText(formatFailure({ ...test, output: undefined }, plainStyle).slice(1).join('\n'));
  switch (test.status) {
    case 'passed':
      break;
    case 'failed': {
      const failure = test.failure;
      const message = failure ? `${failure.property}: ${failure.message}` : (test.reason ?? 'failed');
      lines.push(`      <failure${attributes({ message: shortLine(message), type: failure?.kind ?? 'failure' })}>${details}</failure>`);
      break;
    }
    case 'crashed':
    case 'timed out': {
      const message = `${test.status}${test.reason ? `: ${test.reason}` : ''}`;
      const type = test.status === 'crashed' ? 'crash' : 'timeout';
      lines.push(`      <error${attributes({ message: shortLine(message), type })}>${details}</error>`);
      break;
    }
    case 'not run':
      lines.push(`      <skipped${attributes({ message: shortLine(test.reason ?? 'not run') })}/>`);
      break;
  }
  // A demonstration that passed: what broke and how to replay it (its heading is the test case's name), then the output.
  const demonstration = formatDemonstration(test, plainStyle).slice(1).map((line) => line.replace(/^ {2}/, ''));
  const systemOut = test.output ? [...demonstration, ...(demonstration.length > 0 ? ['', 'output:'] : []), test.output] : demonstration;
  if (systemOut.length > 0) lines.push(`      <system-out>${escapeXmlText(systemOut.join('\n'))}</system-out>`);
  if (lines.length === 1) return [lines[0]!.replace(/>$/, '/>')];
  lines.push('    </testcase>');
  return lines;
}

/** The whole document. A setup error becomes one extra `setup` test case with an `<error>`, so CI does not go green on an empty suite. */
export function junitXml(unbounded: GradingReport): string {
  const report = boundReport(unbounded);
  const totals = report.totals;
  const setupError = report.setupError;
  const tests = report.tests.length + (setupError !== undefined ? 1 : 0);
  const errors = totals.crashed + totals.timedOut + (setupError !== undefined ? 1 : 0);
  const counts = { tests, failures: totals.failed, errors, skipped: totals.notRun, time: seconds(report.durationMs) };
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: `distlab ${report.lab}`, ...counts })}>`,
    `  <testsuite${attributes({ name: report.lab, ...counts, timestamp: report.startedAt.replace(/Z$/, '') })}>`,
    '    <properties>',
    ...Object.entries({
      labTitle: report.labTitle,
      implementation: report.implementation,
      score: `${totals.score}/${totals.maxScore}`,
      interrupted: String(report.interrupted),
      ...(report.options.seeds !== undefined ? { seeds: String(report.options.seeds) } : {}),
      ...(report.options.seed !== undefined ? { seed: String(report.options.seed) } : {}),
      ...(report.options.part !== undefined ? { part: report.options.part } : {}),
      hidden: String(report.options.hidden),
    }).map(([name, value]) => `      <property${attributes({ name, value })}/>`),
    '    </properties>',
  ];
  if (setupError !== undefined) {
    lines.push(
      `    <testcase${attributes({ classname: report.lab, name: 'setup', time: '0.000' })}>`,
      `      <error${attributes({ message: shortLine(setupError), type: 'setup' })}>${escapeXmlText(setupError)}</error>`,
      '    </testcase>',
    );
  }
  for (const test of report.tests) lines.push(...testcase(report, test));
  if (report.typeErrors.length > 0) {
    const text = `Type errors (${report.typeErrors.length}; grading went on):\n${report.typeErrors.join('\n')}`;
    lines.push(`    <system-err>${escapeXmlText(text)}</system-err>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
