import { join } from 'node:path';
import { describeSearchEvent } from 'distlab/testing';
import type { GradedTest, GradingReport } from '../results.ts';
import { formatFailure, formatSeries, splitMeasurements, type Style } from './terminal.ts';
import { boundReport, escapeControls } from './untrusted.ts';
import { writeReportFile } from './outputFolder.ts';

// Gradescope's autograder output, `results.json`, as specified at
// https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format").

export type GradescopeVisibility = 'hidden' | 'after_due_date' | 'after_published' | 'visible';
export type GradescopeFormat = 'text' | 'html' | 'simple_format' | 'md' | 'ansi';

export interface GradescopeTest {
  readonly score?: number;
  readonly max_score?: number;
  readonly status?: 'passed' | 'failed';
  readonly name?: string;
  readonly name_format?: GradescopeFormat;
  readonly number?: string;
  readonly output?: string;
  readonly output_format?: GradescopeFormat;
  readonly tags?: readonly string[];
  readonly visibility?: GradescopeVisibility;
  readonly extra_data?: Record<string, unknown>;
}

/** The top level. The spec has no top-level `max_score`: Gradescope takes the maximum from the assignment's settings. */
export interface GradescopeResults {
  readonly score?: number;
  readonly execution_time?: number;
  readonly output?: string;
  readonly output_format?: GradescopeFormat;
  readonly test_output_format?: GradescopeFormat;
  readonly test_name_format?: GradescopeFormat;
  readonly visibility?: GradescopeVisibility;
  readonly stdout_visibility?: GradescopeVisibility;
  readonly extra_data?: Record<string, unknown>;
  readonly tests?: readonly GradescopeTest[];
  readonly leaderboard?: readonly { readonly name: string; readonly value: number | string; readonly order?: 'asc' | 'desc' }[];
}

export interface GradescopeOptions {
  /** When students see hidden tests' results; default `after_published` (when staff publish grades). */
  readonly hiddenVisibility?: 'hidden' | 'after_due_date' | 'after_published';
}

/** `results.json` for Gradescope; put it (or copy it) to /autograder/results/results.json. */
export function writeGradescopeReport(report: GradingReport, outputDirectory: string, options: GradescopeOptions = {}): string {
  const file = join(outputDirectory, 'results.json');
  return writeReportFile(file, `${JSON.stringify(gradescopeResults(report, options), null, 2)}\n`);
}

const plain = (text: string) => text;
const plainStyle: Style = { bold: plain, red: plain, green: plain, yellow: plain, dim: plain };

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ansiSequence = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const hasLoneSurrogate = new RegExp(loneSurrogate.source);

/**
 * Text for a "text" output box: no ANSI sequences or C0 control characters, valid UTF-16 (lone
 * surrogates become U+FFFD), and C1 controls and bidirectional overrides as visible escapes.
 */
function cleanText(text: string): string {
  const cleaned = text.replace(ansiSequence, '').replace(/\r\n?/g, '\n').replace(controlCharacter, '').replace(loneSurrogate, '\uFFFD');
  return escapeControls(cleaned, 'keep');
}

/** Keeps the output box readable: the last lines of a long output. */
function lastLines(text: string, count: number): string {
  const lines = text.split('\n');
  return lines.length > count ? [`… (${lines.length - count} earlier lines left out)`, ...lines.slice(-count)].join('\n') : text;
}

/** What a student reads under a test: the failure block (property, message, seed, shrunk schedule, replay command) or why it crashed, timed out or did not run. */
function testOutput(test: GradedTest): string {
  const lines: string[] = [];
  if (test.description) lines.push(test.description, '');
  if (test.status === 'passed') {
    const demonstration = test.demonstration;
    if (demonstration) {
      lines.push(
        `Passed: seed ${demonstration.seed} broke "${demonstration.property}", as this demonstration expects (${test.seedsRun}/${test.seedsPlanned} seeds run).`,
        '',
        `Demonstrated: ${demonstration.property}: ${demonstration.message}`,
        `Seed ${demonstration.seed}, event #${demonstration.step} at ${demonstration.timeMs} ms.`,
        ...(demonstration.path ?? []).map((event, index) => `  ${index + 1}. ${describeSearchEvent(event)}`),
        `Replay: ${demonstration.replayCommand}`,
      );
    } else {
      lines.push(`Passed on ${test.seedsRun}/${test.seedsPlanned} seeds.`);
    }
    // Plain figures on one line; each series (`measured@2`, `measured@3`, ...) on its own.
    const { series, plain } = splitMeasurements(test.measurements);
    if (plain.length > 0) lines.push(`Measurements: ${plain.map(([key, value]) => `${key}=${String(value)}`).join(', ')}`);
    if (series.length > 0) lines.push(`${plain.length > 0 ? 'Series' : 'Measurements'}:`, ...series.map((one) => `  ${formatSeries(one, Math.max(...series.map((other) => other.name.length)))}`));
  } else {
    // formatFailure's first line is the test's number and name, which Gradescope shows already.
    lines.push(...formatFailure({ ...test, output: undefined }, plainStyle).slice(1).map((line) => line.replace(/^ {2}/, '')));
    if (test.status === 'not run' && test.reason === undefined) lines.push('This test did not run.');
    if (test.output) lines.push('', 'Output (last lines):', lastLines(test.output, 40));
  }
  if (test.visibility === 'hidden' && (test.failure !== undefined || test.demonstration !== undefined)) {
    lines.push('', "A hidden test: its command above needs the course's hidden tests, which your handout does not have, so only your course staff can run it.");
  }
  return cleanText(lines.join('\n'));
}

function summary(report: GradingReport, hiddenVisibility: GradescopeVisibility): string {
  const lines = [`${report.labTitle} (${report.lab}), implementation ${report.implementation}`];
  if (report.setupError !== undefined) lines.push('', `Grading could not start: ${report.setupError}`);
  const visible = report.tests.filter((test) => test.visibility === 'visible');
  const count = (status: GradedTest['status']) => visible.filter((test) => test.status === status).length;
  if (visible.length > 0) {
    const parts = [`${count('passed')} passed`, `${count('failed')} failed`];
    if (count('crashed')) parts.push(`${count('crashed')} crashed`);
    if (count('timed out')) parts.push(`${count('timed out')} timed out`);
    if (count('not run')) parts.push(`${count('not run')} not run`);
    lines.push('', `Visible tests: ${parts.join(', ')}.`);
  }
  const hidden = report.tests.length - visible.length;
  if (hidden > 0) {
    const when = {
      hidden: 'are not shown to students',
      after_due_date: 'are shown after the due date',
      after_published: 'are shown when grades are published',
      visible: 'are shown',
    }[hiddenVisibility];
    lines.push(`Hidden tests: ${hidden} (their results ${when}).`);
  }
  if (report.interrupted) lines.push('', 'Grading was interrupted: tests marked "not run" did not finish.');
  if (report.typeErrors.length > 0) {
    lines.push('', `Type errors (${report.typeErrors.length}; grading went on):`, ...report.typeErrors.slice(0, 20).map((error) => `  ${error}`));
    if (report.typeErrors.length > 20) lines.push(`  … and ${report.typeErrors.length - 20} more`);
  }
  return cleanText(lines.join('\n'));
}

export function gradescopeResults(unbounded: GradingReport, options: GradescopeOptions = {}): GradescopeResults {
  const report = boundReport(unbounded);
  const hiddenVisibility = options.hiddenVisibility ?? 'after_published';
  return {
    score: report.totals.score,
    execution_time: Math.max(0, Math.round(report.durationMs / 1000)),
    output: summary(report, hiddenVisibility),
    output_format: 'text',
    test_output_format: 'text',
    test_name_format: 'text',
    visibility: 'visible',
    // The grader's own log is for staff; students read the `output` fields.
    stdout_visibility: 'hidden',
    tests: report.tests.map((test) => ({
      name: cleanText(test.name),
      number: test.number,
      score: test.score,
      max_score: test.maxScore,
      status: test.status === 'passed' ? 'passed' : 'failed',
      output: testOutput(test),
      output_format: 'text',
      name_format: 'text',
      tags: [...(test.part ? [`part ${test.part}`] : []), test.kind, ...(test.status === 'passed' || test.status === 'failed' ? [] : [test.status])],
      visibility: test.visibility === 'visible' ? 'visible' : hiddenVisibility,
    })),
  };
}

const visibilities: readonly string[] = ['hidden', 'after_due_date', 'after_published', 'visible'];
const formats: readonly string[] = ['text', 'html', 'simple_format', 'md', 'ansi'];
const topLevelKeys = new Set([
  'score',
  'execution_time',
  'output',
  'output_format',
  'test_output_format',
  'test_name_format',
  'visibility',
  'stdout_visibility',
  'extra_data',
  'tests',
  'leaderboard',
]);
const testKeys = new Set(['score', 'max_score', 'status', 'name', 'name_format', 'number', 'output', 'output_format', 'tags', 'visibility', 'extra_data']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Lists the ways `value` (a parsed results.json) departs from Gradescope's specification; empty when it conforms. */
export function validateGradescopeResults(value: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(value)) return ['results.json must be a JSON object'];
  const check = (record: Record<string, unknown>, where: string, keys: ReadonlySet<string>) => {
    for (const key of Object.keys(record)) if (!keys.has(key)) problems.push(`${where}: "${key}" is not a field of the specification`);
    const number = (key: string, nonNegative = false) => {
      const field = record[key];
      if (field === undefined) return;
      if (typeof field !== 'number' || !Number.isFinite(field)) problems.push(`${where}.${key} must be a number`);
      else if (nonNegative && field < 0) problems.push(`${where}.${key} must not be negative`);
    };
    const string = (key: string) => {
      const field = record[key];
      if (field === undefined) return;
      if (typeof field !== 'string') problems.push(`${where}.${key} must be a string`);
      else if (hasLoneSurrogate.test(field)) problems.push(`${where}.${key} holds a lone surrogate (invalid Unicode)`);
    };
    const oneOf = (key: string, allowed: readonly string[]) => {
      const field = record[key];
      if (field !== undefined && (typeof field !== 'string' || !allowed.includes(field))) {
        problems.push(`${where}.${key} must be one of ${allowed.map((option) => `"${option}"`).join(', ')}`);
      }
    };
    const object = (key: string) => {
      if (record[key] !== undefined && !isRecord(record[key])) problems.push(`${where}.${key} must be an object`);
    };
    return { number, string, oneOf, object };
  };

  const top = check(value, 'results', topLevelKeys);
  top.number('score');
  top.number('execution_time', true);
  top.string('output');
  for (const key of ['output_format', 'test_output_format', 'test_name_format']) top.oneOf(key, formats);
  top.oneOf('visibility', visibilities);
  top.oneOf('stdout_visibility', visibilities);
  top.object('extra_data');

  const tests = value.tests;
  if (tests !== undefined && !Array.isArray(tests)) problems.push('results.tests must be an array');
  const testList: unknown[] = Array.isArray(tests) ? tests : [];
  if (value.score === undefined) {
    if (tests === undefined) problems.push('results needs a top-level "score" or "tests" that each have a "score"');
    else if (testList.some((test) => !isRecord(test) || test.score === undefined)) {
      problems.push('without a top-level "score", every test needs a "score"');
    }
  }
  testList.forEach((test, index) => {
    const where = `results.tests[${index}]`;
    if (!isRecord(test)) {
      problems.push(`${where} must be an object`);
      return;
    }
    const fields = check(test, where, testKeys);
    fields.number('score');
    fields.number('max_score');
    fields.oneOf('status', ['passed', 'failed']);
    fields.string('name');
    fields.oneOf('name_format', formats);
    fields.string('number');
    fields.string('output');
    fields.oneOf('output_format', formats);
    fields.oneOf('visibility', visibilities);
    fields.object('extra_data');
    if (test.tags !== undefined && (!Array.isArray(test.tags) || test.tags.some((tag) => typeof tag !== 'string'))) {
      problems.push(`${where}.tags must be an array of strings`);
    }
  });

  const leaderboard = value.leaderboard;
  if (leaderboard !== undefined) {
    if (!Array.isArray(leaderboard)) problems.push('results.leaderboard must be an array');
    else {
      leaderboard.forEach((entry: unknown, index) => {
        const where = `results.leaderboard[${index}]`;
        if (!isRecord(entry)) {
          problems.push(`${where} must be an object`);
          return;
        }
        const fields = check(entry, where, new Set(['name', 'value', 'order']));
        if (typeof entry.name !== 'string') problems.push(`${where}.name must be a string`);
        if (typeof entry.value !== 'number' && typeof entry.value !== 'string') problems.push(`${where}.value must be a number or a string`);
        fields.oneOf('order', ['asc', 'desc']);
      });
    }
  }
  return problems;
}
