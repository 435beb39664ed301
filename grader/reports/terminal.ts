import { describeFault, describeSearchEvent, formatTraceEvent, type FaultSchedule } from 'distlab/testing';
import type { ProgressEvent } from '../grade.ts';
import { describeFailureKind, seedsText, type GradedFailure, type GradedTest, type GradingReport } from '../results.ts';
import { boundGradedTest, boundLines, boundReport, escapeControls, terminalBlock, terminalLine, textLimits } from './untrusted.ts';

/** One plotted series of a test's measurements: keys `<name>@<x>` with a numeric x, sorted by x. */
export interface MeasurementSeries {
  readonly name: string;
  /** Values are as measured: a non-finite figure (null in report.json) is kept, for the reader to skip or show. */
  readonly points: readonly { readonly x: number; readonly y: number | null }[];
}

/** A decimal number, as JavaScript writes one (`2`, `-0.5`, `1e3`): no hex, no `Infinity`, no blanks. */
const numericX = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Splits measurements into series to plot (`measured@2`, `measured@3`, ... against x; in the
 * order of each series' first key) and plain figures (everything else, in their order).
 */
export function splitMeasurements(measurements: Readonly<Record<string, number | null>> | undefined): {
  readonly series: MeasurementSeries[];
  readonly plain: [string, number | null][];
} {
  const series = new Map<string, { x: number; y: number | null }[]>();
  const plain: [string, number | null][] = [];
  for (const [key, value] of Object.entries(measurements ?? {})) {
    const at = key.lastIndexOf('@');
    const name = at > 0 ? key.slice(0, at) : '';
    const x = at > 0 && numericX.test(key.slice(at + 1)) ? Number(key.slice(at + 1)) : Number.NaN;
    if (name === '' || !Number.isFinite(x)) {
      plain.push([key, value]);
      continue;
    }
    const points = series.get(name) ?? [];
    points.push({ x, y: value });
    series.set(name, points);
  }
  return {
    series: [...series].map(([name, points]) => ({ name, points: points.sort((left, right) => left.x - right.x) })),
    plain,
  };
}

/** A series on one line: `measured 2..9: 3 6 9 12` for consecutive integer x, else `measured @2=3 @4=6`. */
export function formatSeries(series: MeasurementSeries, nameWidth = 0): string {
  const xs = series.points.map((point) => point.x);
  const consecutive = xs.length > 1 && xs.every((x, index) => Number.isInteger(x) && (index === 0 || x === (xs[index - 1] as number) + 1));
  const name = series.name.padEnd(nameWidth);
  if (consecutive) return `${name} ${xs[0]}..${xs[xs.length - 1]}: ${series.points.map((point) => round(point.y)).join(' ')}`;
  return `${name} ${series.points.map((point) => `@${point.x}=${round(point.y)}`).join(' ')}`;
}

export interface Style {
  readonly bold: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly dim: (text: string) => string;
}

const plain = (text: string) => text;

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function styleFor(stream: NodeJS.WriteStream, environment: NodeJS.ProcessEnv = process.env): Style {
  const colour = stream.isTTY === true && (environment.NO_COLOR === undefined || environment.NO_COLOR === '') && environment.TERM !== 'dumb';
  if (!colour) return { bold: plain, red: plain, green: plain, yellow: plain, dim: plain };
  const wrap = (code: number, reset: number) => (text: string) => `\u001b[${code}m${text}\u001b[${reset}m`;
  return { bold: wrap(1, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22) };
}

function statusText(test: GradedTest, style: Style): string {
  switch (test.status) {
    case 'passed':
      return style.green('PASS');
    case 'failed':
      return style.red('FAIL');
    case 'crashed':
      return style.red('CRASH');
    case 'timed out':
      return style.red('TIMEOUT');
    case 'not run':
      return style.yellow('NOT RUN');
  }
}

/** The fault actions, one line each, escaped: a schedule read back from a replay code or a report may hold anything. */
export function describeSchedule(schedule: FaultSchedule): string[] {
  return schedule.length === 0 ? ['(no faults)'] : inTimeOrder(schedule).map((action) => terminalLine(describeFault(action)));
}

/**
 * A schedule's actions as they happen: a test's schedule lists its scenario's actions before
 * the random ones. Stable, so actions at the same time keep their order; a time that is not a
 * number (a schedule read back from anywhere) counts as 0.
 */
export function inTimeOrder(schedule: FaultSchedule): FaultSchedule {
  const timeOf = (action: FaultSchedule[number]) => (typeof action.atMs === 'number' && Number.isFinite(action.atMs) ? action.atMs : 0);
  return [...schedule].sort((left, right) => timeOf(left) - timeOf(right));
}

/** A trace event on one line, as the terminal may show it. */
export function terminalTraceEvent(event: Parameters<typeof formatTraceEvent>[0]): string {
  return terminalLine(formatTraceEvent(event), textLimits.detail);
}

/** Lines of a multi-line untrusted text, escaped, at most `lineLimit` of them, each indented. */
function indentedBlock(text: string, indent: string, lineLimit = 40): string {
  return `${indent}${terminalBlock(boundLines(text, lineLimit)).split('\n').join(`\n${indent}`)}`;
}

/** Replay codes of long search paths are long: past this length the terminal points to the report file instead. */
const replayCommandLimit = 2_000;

/** The line that says how to see a recorded run again. */
function replayLine(run: GradedFailure, testNumber: string, indent: string): string {
  if (run.replayCode === '') return `${indent}re-run: ${terminalLine(run.replayCommand)}`;
  if (run.replayCommand.length > replayCommandLimit) {
    // Too long to paste even compressed: the same command, reading the failure from the report.
    const fromReport = `${run.replayCommand.slice(0, run.replayCommand.length - run.replayCode.length)}reports/latest/report.json --test ${testNumber}`;
    return `${indent}replay (the code is ${run.replayCode.length} characters long, so from the report): ${terminalLine(fromReport, replayCommandLimit)}`;
  }
  return `${indent}replay: ${terminalLine(run.replayCommand, replayCommandLimit)}`;
}

/**
 * The failure block: property, message, seed, where, the shrunk schedule, the last events,
 * the replay command, the last lines of output. Everything that came from the run is bounded
 * and its control characters escaped.
 */
export function formatFailure(unbounded: GradedTest, style: Style): string[] {
  const test = boundGradedTest(unbounded);
  const lines: string[] = [];
  lines.push(style.bold(`${terminalLine(test.number)} ${terminalLine(test.name)}`));
  if (test.reason) lines.push(`  ${test.status}: ${indentedBlock(test.reason, '  ').trimStart()}`);
  const failure = test.failure;
  if (failure) {
    lines.push(`  ${style.red(terminalLine(describeFailureKind(failure)))}`);
    lines.push(indentedBlock(failure.message, '  '));
    const path = failure.path;
    if (path !== undefined && failure.replayable !== false) {
      // A search test: the path of events from the initial state is the story.
      lines.push(`  found by the model checker: the shortest path has ${path.length} ${path.length === 1 ? 'step' : 'steps'} (seed ${terminalLine(String(failure.seed))})`);
      path.forEach((event, index) => lines.push(`    ${index + 1}. ${terminalLine(describeSearchEvent(event))}`));
    } else if (failure.replayable !== false) {
      lines.push(terminalLine(`  seed ${failure.seed}, event #${failure.traceIndex ?? failure.step} at ${failure.timeMs} ms`));
      const fixed = failure.scenarioActions ?? 0;
      const randomBefore = failure.schedule.length - fixed;
      const randomAfter = failure.shrunkSchedule.length - fixed;
      const minimality = failure.minimal ? 'removing any one of them makes the run pass' : 'the shrinking budget ran out; it may not be minimal';
      if (failure.shrunkSchedule.length === 0) lines.push('  no scheduled faults: the run failed without any (the network may still have lost or delayed messages: see the trace)');
      else {
        const parts: string[] = [];
        if (fixed > 0) parts.push(`${fixed} of the test's own scenario, kept as they are`);
        if (randomBefore > 0 && randomAfter === 0) parts.push(`none of the ${randomBefore} random faults kept: the run fails without them`);
        else if (randomBefore > 0) parts.push(`${randomAfter} of ${randomBefore} random faults kept (${minimality}; those after a safety violation are dropped)`);
        lines.push(`  fault schedule: ${parts.join('; ')}:`);
      }
      // In time order (the schedule keeps the scenario's actions first); an action due after the
      // failure played no part in it, and says so.
      for (const action of inTimeOrder(failure.shrunkSchedule)) {
        const after = action.atMs > failure.timeMs ? style.dim(` (after the failure at ${failure.timeMs} ms: not reached)`) : '';
        lines.push(`    ${terminalLine(describeFault(action))}${after}`);
      }
    }
    if (failure.lastEvents.length > 0) {
      lines.push('  last events:');
      for (const event of failure.lastEvents.slice(-15)) lines.push(`    ${terminalTraceEvent(event)}`);
    }
    lines.push(replayLine(failure, test.number, '  '));
  }
  if (test.output && test.status !== 'passed') {
    lines.push('  output:');
    for (const line of test.output.split('\n').slice(-10)) lines.push(`    ${style.dim(escapeControls(line))}`);
  }
  return lines;
}

/**
 * The block of a demonstration test that passed: what broke, on which seed, and how to replay
 * it. Empty for a test without a demonstration.
 */
export function formatDemonstration(unbounded: GradedTest, style: Style): string[] {
  const test = boundGradedTest(unbounded);
  const demonstration = test.demonstration;
  if (!demonstration) return [];
  return [
    style.bold(`${terminalLine(test.number)} ${terminalLine(test.name)}`),
    `  demonstrated: ${style.yellow(terminalLine(demonstration.property))}: ${indentedBlock(demonstration.message, '    ').trimStart()} (seed ${terminalLine(String(demonstration.seed))})`,
    // A search's demonstration: the path that shows it, step by step.
    ...(demonstration.path ?? []).map((event, index) => `    ${index + 1}. ${terminalLine(describeSearchEvent(event))}`),
    replayLine(demonstration, test.number, '  '),
  ];
}

/** The final table: one row per test, points, and the total. */
export function formatSummary(unbounded: GradingReport, style: Style): string {
  const report = boundReport(unbounded);
  const lines: string[] = [];
  if (report.typeErrors.length > 0) {
    lines.push(style.yellow(`Type errors (${unbounded.typeErrors.length}; grading went on):`));
    for (const error of report.typeErrors.slice(0, 20)) lines.push(indentedBlock(error, '  ', 10));
    if (unbounded.typeErrors.length > 20) lines.push(`  … and ${unbounded.typeErrors.length - 20} more`);
    lines.push('');
  }
  const failed = report.tests.filter((test) => test.status !== 'passed' && test.status !== 'not run');
  for (const test of failed) lines.push(...formatFailure(test, style), '');
  for (const test of report.tests) if (test.demonstration) lines.push(...formatDemonstration(test, style), '');
  const numberWidth = Math.max(4, ...report.tests.map((test) => test.number.length));
  const nameWidth = Math.min(70, Math.max(4, ...report.tests.map((test) => test.name.length)));
  lines.push(style.bold(`${terminalLine(report.labTitle)} — implementation: ${terminalLine(report.implementation)}`));
  for (const test of report.tests) {
    const name = terminalLine(test.name.length > nameWidth ? `${test.name.slice(0, nameWidth - 1)}…` : test.name.padEnd(nameWidth));
    const hidden = test.visibility === 'hidden' ? style.dim(' (hidden)') : '';
    // Plain figures stay on the row; each series (`measured@2`, `measured@3`, ...) gets a compact line below it.
    const { series, plain: figures } = splitMeasurements(test.measurements);
    const inline = figures.length > 0 ? style.dim(` ${figures.map(([key, value]) => `${terminalLine(key)}=${round(value)}`).join(' ')}`) : '';
    lines.push(
      `  ${terminalLine(test.number.padEnd(numberWidth))}  ${name}  ${statusText(test, style).padEnd(7)}  ${`${test.score}/${test.maxScore}`.padStart(5)}  ${style.dim(seedsText(test))}${inline}${hidden}`,
    );
    const seriesWidth = Math.max(0, ...series.map((one) => one.name.length));
    for (const one of series) lines.push(`  ${' '.repeat(numberWidth)}  ${style.dim(terminalLine(formatSeries(one, seriesWidth), textLimits.message))}`);
  }
  const totals = report.totals;
  lines.push(
    style.bold(
      `  Total: ${totals.score}/${totals.maxScore} points — ${totals.passed} passed, ${totals.failed} failed` +
        `${totals.crashed ? `, ${totals.crashed} crashed` : ''}${totals.timedOut ? `, ${totals.timedOut} timed out` : ''}${totals.notRun ? `, ${totals.notRun} not run` : ''}` +
        ` (${(report.durationMs / 1000).toFixed(1)} s)`,
    ),
  );
  if (report.interrupted) lines.push(style.yellow('  Grading was interrupted: tests marked NOT RUN did not finish.'));
  // Why tests did not run (an interruption, the grader's own failure), once per reason.
  const notRunReasons = new Set(report.tests.filter((test) => test.status === 'not run' && test.reason).map((test) => test.reason as string));
  for (const reason of notRunReasons) lines.push(style.yellow(`  Not run: ${terminalLine(reason, textLimits.message)}`));
  return lines.join('\n');
}

/** A figure for the table; a non-finite one (null once it went through JSON) as itself. */
function round(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** Live progress: one line per finished test; on a TTY, a status line for the tests running. */
export function progressPrinter(stream: NodeJS.WriteStream, style: Style): (event: ProgressEvent) => void {
  const running = new Map<string, string>();
  const live = stream.isTTY === true;
  const redraw = () => {
    if (!live) return;
    const text = terminalLine([...running.values()].join('  '), textLimits.message);
    stream.write(`\r\u001b[2K${style.dim(text.slice(0, (stream.columns ?? 100) - 1))}`);
  };
  return (event) => {
    switch (event.type) {
      case 'start':
        stream.write(`${style.bold(`Grading ${terminalLine(event.lab.id)}`)} with ${terminalLine(event.implementation)}: ${event.tests.length} ${event.tests.length === 1 ? 'test' : 'tests'}\n`);
        return;
      case 'test-start':
        running.set(event.test.number, `${event.test.number} 0/${event.seeds}`);
        redraw();
        return;
      case 'seed':
        running.set(event.test.number, `${event.test.number} ${event.seedsDone}/${event.seeds}`);
        redraw();
        return;
      case 'test-end': {
        running.delete(event.graded.number);
        if (live) stream.write('\r\u001b[2K');
        const test = event.graded;
        stream.write(`  ${statusText(test, style)} ${terminalLine(test.number)} ${terminalLine(test.name)} ${style.dim(`(${seedsText(test)}, ${(test.wallMs / 1000).toFixed(1)} s)`)}\n`);
        redraw();
        return;
      }
    }
  };
}
