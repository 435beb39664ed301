// `class.html`: one self-contained page that sums up a class's grading, for the staff who read
// it: the distribution of scores, the tests most often failed with their most common failure
// messages, and every submission with a link to its own report.html.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { GradedStatus } from '../results.ts';
import { displayText } from './html.ts';
import { writeReportFile } from './outputFolder.ts';
import { boundText, textLimits } from './untrusted.ts';

/** A test of the lab, as the class was graded with it. */
export interface ClassTest {
  readonly number: string;
  readonly name: string;
  /** The lab's part (`1A`), or `''` in a lab without parts. */
  readonly part: string;
  readonly maxScore: number;
}

/** What the class summary keeps of one test of one submission. */
export interface TestResult {
  readonly number: string;
  readonly status: GradedStatus;
  readonly score: number;
  /** For a failed test: the property it broke and the failure's message. */
  readonly property?: string;
  readonly message?: string;
  /** Why it crashed, timed out or did not run. */
  readonly reason?: string;
}

/** One submission as the summary shows it. */
export interface ClassSubmission {
  readonly name: string;
  readonly status: string;
  readonly score: number;
  readonly maxScore: number;
  /** Why it was not graded in full, in one line. */
  readonly reason: string;
  /** The entry file graded, relative to the submission's folder. */
  readonly entry: string;
  readonly note: string;
  /** The first lines of its setup error or type errors. */
  readonly errors: readonly string[];
  /** Whether `<name>/report.html` was written next to the summary. */
  readonly hasHtmlReport: boolean;
  readonly tests: readonly TestResult[];
}

export interface ClassSummary {
  readonly lab: string;
  readonly labTitle: string;
  /** How the class was graded, in one line (seeds, tests, timeout). */
  readonly settings: string;
  readonly tests: readonly ClassTest[];
  readonly submissions: readonly ClassSubmission[];
}

const templateFile = new URL('./templates/classSummary.hbs', import.meta.url);

/** Statuses of a submission whose score is a grade (a setup error scores 0, and counts). */
const scoredStatuses = new Set(['graded', 'setup error']);

/** Statuses of a test that lost its points. */
const failingStatuses = new Set<GradedStatus>(['failed', 'crashed', 'timed out']);

// ---------------------------------------------------------------------------------------------
// The score distribution

interface Bin {
  readonly label: string;
  readonly count: number;
}

/**
 * Scores into bins: one per whole score where the maximum is small (a bar for 0, 1, ... 38),
 * else ten equal ranges, the last one closed (it holds the full marks).
 */
function binScores(scores: readonly number[], maxScore: number): Bin[] {
  if (maxScore <= 0) return [{ label: '0', count: scores.length }];
  if (Number.isInteger(maxScore) && maxScore <= 40) {
    const counts = Array.from({ length: maxScore + 1 }, () => 0);
    for (const score of scores) counts[Math.min(maxScore, Math.max(0, Math.floor(score)))]! += 1;
    return counts.map((count, score) => ({ label: String(score), count }));
  }
  const width = maxScore / 10;
  const counts = Array.from({ length: 10 }, () => 0);
  for (const score of scores) counts[Math.min(9, Math.max(0, Math.floor(score / width)))]! += 1;
  const round = (value: number) => String(Math.round(value * 10) / 10);
  return counts.map((count, index) => ({ label: `${round(index * width)}–${round((index + 1) * width)}`, count }));
}

const chart = { width: 720, height: 220, left: 36, right: 8, top: 12, bottom: 40 } as const;

function histogramView(scores: readonly number[], maxScore: number) {
  const bins = binScores(scores, maxScore);
  const tallest = Math.max(1, ...bins.map((bin) => bin.count));
  const plotWidth = chart.width - chart.left - chart.right;
  const plotHeight = chart.height - chart.top - chart.bottom;
  const slot = plotWidth / bins.length;
  const bottom = chart.top + plotHeight;
  // A label every few bars when they are narrow, so that labels never overlap.
  const labelEvery = Math.max(1, Math.ceil(28 / slot));
  const yStep = Math.max(1, Math.ceil(tallest / 5));
  // The axis ends on a tick at or above the tallest bar.
  const top = Math.ceil(tallest / yStep) * yStep;
  const yTicks = [];
  for (let value = 0; value <= top; value += yStep) {
    const y = bottom - (value / top) * plotHeight;
    yTicks.push({ y: y.toFixed(1), labelY: (y + 4).toFixed(1), label: String(value) });
  }
  return {
    width: chart.width,
    height: chart.height,
    left: chart.left,
    right: chart.width - chart.right,
    bottom: bottom.toFixed(1),
    yTicks,
    bars: bins.map((bin, index) => {
      const height = (bin.count / top) * plotHeight;
      const x = chart.left + index * slot;
      return {
        x: (x + slot * 0.1).toFixed(1),
        y: (bottom - height).toFixed(1),
        width: Math.max(1, slot * 0.8).toFixed(1),
        height: height.toFixed(1),
        labelX: (x + slot / 2).toFixed(1),
        labelY: (bottom + 16).toFixed(1),
        label: index % labelEvery === 0 || index === bins.length - 1 ? bin.label : '',
        count: bin.count,
        title: `${bin.label}: ${bin.count} ${bin.count === 1 ? 'submission' : 'submissions'}`,
      };
    }),
    xLabelY: chart.height - 4,
    description: bins.map((bin) => `${bin.label}: ${bin.count}`).join(', '),
  };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

// ---------------------------------------------------------------------------------------------
// The tests most often failed

/**
 * The key that groups failures: the property and the message's first line with its numbers
 * masked, so that "ping 3 was answered twice" and "ping 17 was answered twice" count as one
 * failure. A crash or a time-out without a failure is grouped by its status and reason.
 */
function groupKey(result: TestResult): { key: string; property: string; message: string } {
  const property = result.property ?? result.status;
  // The first line: what follows (a stack trace, a hint) says where, not what.
  const message = (result.property !== undefined ? (result.message ?? '') : (result.reason ?? '')).split('\n')[0] ?? '';
  return { key: `${property}\u0000${message.replace(/\d+(\.\d+)?/g, '#')}`, property, message };
}

interface FailureGroup {
  readonly property: string;
  /** The message of the first submission (by name) in the group. */
  readonly message: string;
  readonly submissions: string[];
  readonly variants: Set<string>;
}

function failedTestsView(tests: readonly ClassTest[], submissions: readonly ClassSubmission[]) {
  const graded = submissions.filter((submission) => submission.status === 'graded');
  const views = tests.flatMap((test, position) => {
    const groups = new Map<string, FailureGroup>();
    let failing = 0;
    let ran = 0;
    for (const submission of graded) {
      const result = submission.tests.find((candidate) => candidate.number === test.number);
      if (result === undefined || result.status === 'not run') continue;
      ran += 1;
      if (!failingStatuses.has(result.status)) continue;
      failing += 1;
      const { key, property, message } = groupKey(result);
      const group = groups.get(key) ?? { property, message, submissions: [], variants: new Set<string>() };
      group.submissions.push(submission.name);
      group.variants.add(message);
      groups.set(key, group);
    }
    if (failing === 0) return [];
    const ordered = [...groups.values()].sort((left, right) => right.submissions.length - left.submissions.length);
    const shownGroups = 3;
    return [
      {
        position,
        failing,
        number: test.number,
        name: displayText(test.name),
        part: test.part,
        failedText: `${failing} of ${ran}`,
        failedPercent: ran > 0 ? Math.round((failing / ran) * 100) : 0,
        groups: ordered.slice(0, shownGroups).map((group) => ({
          count: group.submissions.length,
          property: displayText(boundText(group.property, textLimits.line)),
          message: displayText(boundText(group.message, textLimits.line)),
          variants: group.variants.size > 1 ? `${group.variants.size} variants that differ only in numbers` : '',
          who: displayText(boundText(group.submissions.slice(0, 5).join(', ') + (group.submissions.length > 5 ? `, and ${group.submissions.length - 5} more` : ''), textLimits.line)),
        })),
        moreGroups: ordered.length > shownGroups ? `${ordered.length - shownGroups} other ${ordered.length - shownGroups === 1 ? 'failure' : 'failures'}` : '',
      },
    ];
  });
  return views.sort((left, right) => right.failing - left.failing || left.position - right.position);
}

// ---------------------------------------------------------------------------------------------
// The page

const statusClass: Readonly<Record<string, string>> = {
  graded: 'pass',
  'setup error': 'fail',
  'grader error': 'crash',
  interrupted: 'notrun',
  'not graded': 'notrun',
};

function buildView(summary: ClassSummary) {
  const scored = summary.submissions.filter((submission) => scoredStatuses.has(submission.status));
  const scores = scored.map((submission) => submission.score);
  const maxScore = summary.tests.reduce((sum, test) => sum + test.maxScore, 0);
  const counts = new Map<string, number>();
  for (const submission of summary.submissions) counts.set(submission.status, (counts.get(submission.status) ?? 0) + 1);
  const mean = scores.length > 0 ? scores.reduce((sum, score) => sum + score, 0) / scores.length : 0;
  return {
    title: displayText(`${summary.labTitle} — class of ${summary.submissions.length} — distlab`),
    lab: displayText(summary.lab),
    labTitle: displayText(summary.labTitle),
    settings: displayText(summary.settings),
    generatedAt: new Date().toISOString(),
    submissionCount: summary.submissions.length,
    counts: [...counts].map(([status, count]) => ({ status, count, cls: statusClass[status] ?? 'notrun' })),
    scoredCount: scores.length,
    unscored: summary.submissions.length - scores.length,
    maxScore: formatNumber(maxScore),
    mean: formatNumber(Math.round(mean * 10) / 10),
    median: formatNumber(median(scores)),
    fullMarks: scored.filter((submission) => submission.score === maxScore && submission.status === 'graded').length,
    histogram: histogramView(scores, maxScore),
    failedTests: failedTestsView(summary.tests, summary.submissions),
    submissions: summary.submissions.map((submission) => ({
      name: displayText(submission.name),
      // One path segment, percent-encoded: a name cannot reach outside its folder or out of the attribute.
      href: submission.hasHtmlReport ? `${encodeURIComponent(submission.name)}/report.html` : '',
      status: submission.status,
      statusClass: statusClass[submission.status] ?? 'notrun',
      score: formatNumber(submission.score),
      maxScore: formatNumber(submission.maxScore),
      reason: displayText(submission.reason),
      entry: displayText(submission.entry),
      note: displayText(submission.note),
      errors: submission.errors.map((line) => displayText(line)),
    })),
    csp: contentSecurityPolicy,
  };
}

const style = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --soft: #f6f7f9;
  --pass: #137333; --pass-bg: #e6f4ea; --fail: #b3261e; --fail-bg: #fce8e6; --warn: #8a5a00; --warn-bg: #fef3d6; --info: #1a56db; }
@media (prefers-color-scheme: dark) { :root { --bg: #14171c; --fg: #e6e8eb; --muted: #98a2b3; --line: #2b313a; --soft: #1b1f26;
  --pass: #6dd58c; --pass-bg: #17301f; --fail: #ff8a80; --fail-bg: #3a1a18; --warn: #f5c451; --warn-bg: #332a12; --info: #8ab4f8; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
header.top { padding: 20px 32px; border-bottom: 1px solid var(--line); background: var(--soft); }
header.top h1 { margin: 0 0 4px; font-size: 22px; }
header.top p { margin: 0; }
main { padding: 8px 32px 32px; max-width: 1400px; }
section { margin: 24px 0; }
h2 { font-size: 18px; margin: 16px 0 8px; }
.muted { color: var(--muted); }
ul.counts { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; padding: 0; margin: 12px 0; }
ul.counts li { border: 1px solid var(--line); border-radius: 999px; padding: 2px 12px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; padding: 1px 8px; border-radius: 4px; white-space: nowrap; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail, .badge.crash { color: var(--fail); background: var(--fail-bg); }
.badge.notrun { color: var(--warn); background: var(--warn-bg); }
.property { color: var(--fail); font-weight: 600; }
pre { margin: 4px 0; padding: 6px 10px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
ul.groups { margin: 0; padding-left: 18px; }
ul.groups li { margin: 2px 0 8px; }
figure.histogram { margin: 0; max-width: 760px; }
figure.histogram svg { display: block; width: 100%; height: auto; }
.plot text { fill: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.plot .axis { stroke: var(--muted); stroke-width: 1; }
.plot .grid { stroke: var(--line); stroke-width: 1; }
.plot rect.bar { fill: var(--info); }
.meter { display: inline-block; width: 80px; height: 8px; background: var(--line); border-radius: 4px; vertical-align: middle; overflow: hidden; }
.meter svg { display: block; }
.meter rect { fill: var(--fail); }
footer { color: var(--muted); font-size: 13px; padding: 0 32px 24px; }
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

// No script at all; only the grader's own style, by hash. Links to the reports are navigation.
const contentSecurityPolicy = ["default-src 'none'", `style-src ${cspHash(style)}`, "img-src 'none'", "base-uri 'none'", "form-action 'none'"].join('; ');

type Render = (view: ReturnType<typeof buildView>) => string;
let render: Render | undefined;

/** Compiles the template once, in an isolated Handlebars instance whose only helper inserts the grader's CSS. */
function compiled(): Render {
  if (render !== undefined) return render;
  const handlebars = Handlebars.create();
  handlebars.registerHelper('trustedStyle', () => new handlebars.SafeString(style));
  const template = handlebars.compile(readFileSync(templateFile, 'utf8'), { knownHelpers: { trustedStyle: true }, knownHelpersOnly: true, strict: true });
  render = (view) => template(view);
  return render;
}

/**
 * The page as a string. Every text from a submission (names, messages, errors, paths) goes
 * through `{{ }}` (HTML-escaped) after {@link displayText}; nothing is triple-stashed but the
 * grader's own CSS, and the page loads nothing and runs no script.
 */
export function renderClassSummary(summary: ClassSummary): string {
  return compiled()(buildView(summary));
}

/** Writes `class.html` into `outputDirectory`; returns its path. */
export function writeClassSummary(summary: ClassSummary, outputDirectory: string): string {
  return writeReportFile(join(outputDirectory, 'class.html'), renderClassSummary(summary));
}
