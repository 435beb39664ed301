import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { checkLinearizability, describeFault, describeSearchEvent, nodeName, type FaultAction, type FaultSchedule, type Role, type SearchEvent, type StateChange, type TraceEvent, type TraceKind } from 'distlab/testing';
import { describeFailureKind, seedsText, type GradedFailure, type GradedStatus, type GradedTest, type GradingReport } from '../results.ts';
import { inTimeOrder, splitMeasurements, type MeasurementSeries } from './terminal.ts';
import { historyTimelineStyle, renderHistoryTimeline } from './historyTimeline.ts';
import { renderKvPlots } from './kvPlots.ts';
import { evidenceHistory, type LinearizabilityEvidence } from '../linearizabilityEvidence.ts';
import { boundReport, escapeControls } from './untrusted.ts';
import { writeReportFile } from './outputFolder.ts';
import { buildViewerData, packViewerData, type ViewerInput } from './viewer/model.ts';
import { viewerScript } from './viewer/script.ts';
import { viewerStyle } from './viewer/style.ts';

/**
 * `report.html`: one self-contained page (inline CSS and JS, nothing loaded from the network)
 * with the summary, the results table, a line chart (inline SVG) per test whose measurements
 * form series (`measured@2`, `measured@3`, ...), and, for each failing test, the failure, the
 * shrunk fault schedule, the replay command, the output and the trace as a filterable table;
 * each demonstration test that passed gets the same view of the run that showed the weakness.
 *
 * Safety: the page shows text written by submissions (messages, output, trace labels and
 * details, even test names in a hostile suite fork). The template is the grader's own, compiled
 * in an isolated Handlebars instance; every such value goes through `{{ }}` (HTML-escaped) and
 * nothing from a report is ever triple-stashed (the charts too: the template draws the SVG from
 * numbers and names in the view). The only raw insertions are the grader's own
 * CSS and JS (constants below) and the JSON data block, which is escaped for a `<script>`
 * element's content. A Content-Security-Policy allows only those two inline blocks (by hash) and
 * no network access at all, as a second line of defence.
 */
export function writeHtmlReport(report: GradingReport, outputDirectory: string): string {
  const file = join(outputDirectory, 'report.html');
  return writeReportFile(file, renderHtmlReport(report));
}

/**
 * A run watched with `npm run watch`: one seed of one test, its own schedule never shrunk, and
 * its full trace, pass or fail. Its page is the report of that one test, with this run in the
 * place of the failure sections.
 */
export interface WatchedRun {
  /** A replay (of a failure's code) rather than a watched run: its schedule is the one the code holds, shrunk. */
  readonly replayed?: boolean;
  readonly testNumber: string;
  readonly seed: number;
  /** What happened, in one sentence. */
  readonly verdict: string;
  /** The failure, or the break a demonstration shows, where the run had one. */
  readonly failure?: {
    readonly property: string;
    readonly message: string;
    readonly step: number;
    readonly timeMs: number;
    readonly traceIndex?: number;
    readonly node?: number;
  };
  /** A run test's schedule: the first `scenarioActions` are the test's scenario, the rest the seed drew. */
  readonly schedule?: FaultSchedule;
  readonly scenarioActions?: number;
  /** A search test: what the search did, and the path of what it found (empty when it found nothing). */
  readonly search?: { readonly summary: string; readonly path: readonly SearchEvent[] };
  readonly trace: readonly TraceEvent[];
  /** What each reaction changed in a node's state, for the events of `trace` (the viewer's state panel). */
  readonly states?: readonly StateChange[];
  /** Each node's role, by node id. */
  readonly roles?: readonly Role[];
  /** Events of the whole run: more than `trace` holds when it was too long to keep whole. */
  readonly totalEvents: number;
  /** Where a run test's simulated time ended. */
  readonly endTimeMs?: number;
  /** The command that shows this run again. */
  readonly command: string;
  /** Where to go from here (the failure shrunk, a replay), with what the command does. */
  readonly next?: { readonly label: string; readonly command: string };
}

/** `report.html` of a watched run, in `outputDirectory`. */
export function writeWatchReport(report: GradingReport, watched: WatchedRun, outputDirectory: string): string {
  return writeReportFile(join(outputDirectory, 'report.html'), renderHtmlReport(report, watched));
}

const templateFile = new URL('./templates/report.hbs', import.meta.url);

// ---------------------------------------------------------------------------------------------
// Text helpers

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ansiSequence = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as the page shows it: ANSI colour sequences removed, other C0 control characters shown
 * as Unicode control pictures (U+0007 as ␇), lone surrogates as U+FFFD, and C1 controls and
 * bidirectional overrides (which would reorder what the reader sees) as visible escapes
 * (`\u202e`). HTML escaping is left to Handlebars.
 */
export function displayText(text: string): string {
  const pictured = text
    .replace(ansiSequence, '')
    .replace(/\r\n/g, '\n')
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (character) => {
      const code = character.charCodeAt(0);
      return String.fromCharCode(code === 0x7f ? 0x2421 : 0x2400 + code);
    })
    .replace(loneSurrogate, '\uFFFD');
  return escapeControls(pictured, 'keep');
}

/**
 * JSON for the content of a `<script type="application/json">` element: `<`, `>` and `&` are
 * written as \u escapes (so no `</script>` or `<!--` can appear), and so are U+2028 and U+2029.
 * JSON.stringify already escapes lone surrogates, so the data parses back exactly.
 */
export function jsonForScript(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function plural(count: number, word: string): string {
  return `${word}${count === 1 ? '' : 's'}`;
}

function node(id: number): string {
  return Number.isInteger(id) && id >= 0 ? nodeName(id) : '';
}

/** Schedules come from JSON: an action of an unknown type is still shown. */
function describeAction(action: FaultAction): string {
  const described = describeFault(action) as string | undefined;
  if (typeof described === 'string') return described;
  const { atMs, type, ...rest } = action as unknown as Record<string, unknown>;
  return `at ${String(atMs)} ms: ${String(type)} ${compactJson(rest)}`;
}

function describeSchedule(schedule: FaultSchedule): string[] {
  return inTimeOrder(schedule).map((action) => displayText(describeAction(action)));
}

// ---------------------------------------------------------------------------------------------
// The view: every string the template shows, already formatted (the template only escapes).

const statusLook: Record<GradedStatus, { readonly text: string; readonly className: string }> = {
  passed: { text: 'PASS', className: 'pass' },
  failed: { text: 'FAIL', className: 'fail' },
  crashed: { text: 'CRASH', className: 'crash' },
  'timed out': { text: 'TIMEOUT', className: 'timeout' },
  'not run': { text: 'NOT RUN', className: 'notrun' },
};

function anchorFor(test: GradedTest, position: number): string {
  return `test-${position}-${test.number.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function hasDetails(test: GradedTest): boolean {
  return test.status === 'failed' || test.status === 'crashed' || test.status === 'timed out';
}

const traceKinds: readonly TraceKind[] = [
  'start',
  'input',
  'send',
  'deliver',
  'drop',
  'duplicate',
  'timer-set',
  'timer-fire',
  'timer-cancel',
  'output',
  'store',
  'log',
  'fault',
  'crash',
  'restart',
  'violation',
];

/** Filter checkboxes in a fixed order; a kind unknown to this version goes last. */
function kindOrder(kind: string): number {
  const position = traceKinds.indexOf(kind as TraceKind);
  return position < 0 ? traceKinds.length : position;
}

/** A run's trace as the table shows it; `step` is the failing step, marked in the table. */
interface TraceSource {
  readonly trace: readonly TraceEvent[];
  readonly lastEvents: readonly TraceEvent[];
  readonly step: number;
  readonly traceTruncated: boolean;
}

/** What the viewer needs of a run besides its trace (the trace is the table's events). */
type ViewerFacts = Omit<ViewerInput, 'trace' | 'truncated'>;

/**
 * The trace table and the viewer of one run. The page's script builds the table's rows from the
 * viewer's data (only those near the table's visible part: a long trace would be megabytes of
 * markup), each row `{id}-e{traceIndex}` with its position in the viewer's events.
 */
function traceView(failure: TraceSource, id: string, viewerFacts: ViewerFacts) {
  const events: readonly TraceEvent[] = failure.trace.length > 0 ? failure.trace : failure.lastEvents;
  const kinds = new Map<string, number>();
  const nodes = new Set<number>();
  let violationAnchor = '';
  const viewer = events.length > 0 ? buildViewerData({ ...viewerFacts, trace: events, truncated: failure.traceTruncated }) : undefined;
  for (const event of events) {
    kinds.set(event.kind, (kinds.get(event.kind) ?? 0) + 1);
    if (event.node >= 0) nodes.add(event.node);
    if (event.peer >= 0) nodes.add(event.peer);
    if (event.kind === 'violation' && violationAnchor === '') violationAnchor = `${id}-e${event.index}`;
  }
  return {
    view: {
      id,
      total: events.length,
      failingStep: failure.step,
      truncated: failure.traceTruncated,
      kinds: [...kinds]
        .sort(([left], [right]) => kindOrder(left) - kindOrder(right))
        .map(([kind, count]) => ({ kind, count })),
      nodes: [...nodes].sort((left, right) => left - right).map((value) => ({ value: String(value), label: nodeName(value) })),
      types: viewer?.messageTypes.map((entry) => entry.type) ?? [],
      viewer: viewer === undefined ? undefined : packViewerData(viewer),
      hasViolation: viewer?.violation !== undefined && viewer.violation.position >= 0,
    },
    violationAnchor,
    /** A search path's steps, each linked to the row of its first event when the window holds one. */
    pathLinks: (viewer?.path ?? []).map((step) => {
      const event = events[step.position];
      return { text: step.text, position: step.position, href: event === undefined ? '' : `${id}-e${event.index}` };
    }),
  };
}

/** Node states and roles, where the run recorded them (full traces of newer graders). */
interface RecordedStates {
  readonly states?: readonly StateChange[];
  readonly roles?: readonly Role[];
}

/** The facts, schedule and trace of a recorded run (a failure or a demonstration), for the template. */
function runView(run: GradedFailure, anchor: string, list: 'failure' | 'demonstration', dataIndex: number, lab: string) {
  const recorded: RecordedStates = run;
  const traced = traceView(run, `${anchor}-trace`, {
    lab,
    ...(recorded.states !== undefined ? { states: recorded.states } : {}),
    ...(recorded.roles !== undefined ? { roles: recorded.roles } : {}),
    schedule: run.shrunkSchedule,
    ...(run.path !== undefined ? { path: run.path } : {}),
    violation: { property: run.property, message: run.message, ...(run.traceIndex !== undefined ? { traceIndex: run.traceIndex } : {}), ...(run.node !== undefined ? { node: run.node } : {}) },
  });
  return {
    facts: {
      property: displayText(run.property),
      propertyClass: list === 'failure' ? 'property' : 'property demonstrated',
      kind: displayText(describeFailureKind(run)),
      message: displayText(run.message),
      seed: run.seed,
      where: run.traceIndex ?? run.step,
      timeMs: formatNumber(run.timeMs),
      search: run.path !== undefined,
      pathLength: run.path?.length ?? 0,
      path: traced.pathLinks.length > 0 ? traced.pathLinks : (run.path ?? []).map((event) => ({ text: displayText(describeSearchEvent(event)), position: -1, href: '' })),
      traceId: `${anchor}-trace`,
      replayLabel: run.replayCode === '' ? 'Re-run' : 'Replay',
      node: run.node === undefined ? '' : node(run.node),
      violationAnchor: traced.violationAnchor,
      replayCommand: displayText(run.replayCommand),
      replayId: `${anchor}-replay`,
      dataList: list,
      dataIndex,
      originalCount: run.schedule.length,
      originalWord: plural(run.schedule.length, 'action'),
      shrunkCount: run.shrunkSchedule.length,
      actionsWord: plural(run.shrunkSchedule.length, 'action'),
      minimal: run.minimal,
      shrinkRuns: run.shrinkRuns,
      shrunk: describeSchedule(run.shrunkSchedule),
      original: describeSchedule(run.schedule),
      showOriginal: run.schedule.length > run.shrunkSchedule.length,
      minimalText: list === 'failure' ? 'removing any one action makes the run pass.' : 'removing any one action keeps the property from breaking.',
      noFaultsText: list === 'failure' ? 'No scheduled faults: the run fails without any (the network may still lose or delay messages: see the trace).' : 'No scheduled faults: the property breaks without any.',
    },
    trace: traced.view,
    kvPlots: run.path === undefined ? kvPlotsView(run.trace.length > 0 ? run.trace : run.lastEvents, run.shrunkSchedule, undefined, `${anchor}-kv`) : undefined,
  };
}

/** The most model steps the report spends re-checking a kept history to draw it. */
const timelineMaxSteps = 2_000_000;

/**
 * A failed linearizability check, for the template: the verdict and reason, and the kept
 * history drawn as a timeline (the checker runs again on it: the record keeps the history, not
 * the order found). The timeline fragment escapes everything the history holds.
 */
function linearizabilityView(evidence: LinearizabilityEvidence) {
  const kept = evidenceHistory(evidence);
  const shownText =
    evidence.shown === 'whole history'
      ? `the whole history (${evidence.historyOperations} ${plural(evidence.historyOperations, 'operation')})`
      : evidence.shown === 'failing key'
        ? `the operations on the failing key (${evidence.operations.length} of ${evidence.historyOperations})`
        : evidence.shown === 'smaller failing history'
          ? `a smaller history that fails too (${evidence.operations.length} of ${evidence.historyOperations} operations; every write kept, reads it can fail without left out)`
          : `none: the history (${evidence.historyOperations} ${plural(evidence.historyOperations, 'operation')}) is too large to keep`;
  let timeline: Handlebars.SafeString | undefined;
  if (kept !== undefined) {
    const result = checkLinearizability(kept.model, kept.operations, { maxSteps: timelineMaxSteps });
    timeline = new Handlebars.SafeString(renderHistoryTimeline(result, kept.operations, kept.model));
  }
  return {
    verdict: evidence.verdict,
    unknown: evidence.verdict === 'unknown',
    // A timeline of a failing history states the reason by its highlighted operation.
    reason: timeline === undefined || evidence.verdict === 'unknown' ? displayText(evidence.reason) : '',
    shown: shownText,
    timeline,
  };
}

function embed(test: GradedTest, run: GradedFailure): EmbeddedFailure {
  return {
    test: test.number,
    name: test.name,
    property: run.property,
    message: run.message,
    seed: run.seed,
    replayCommand: run.replayCommand,
    replayCode: run.replayCode,
  };
}

// ---------------------------------------------------------------------------------------------
// Charts: measurements named `<series>@<x>` as line charts. The view holds only numbers, formatted
// coordinates and display text; the template draws the SVG, escaping every value.

const chartSize = { width: 640, height: 320, left: 74, right: 20, top: 16, bottom: 52, inset: 14 } as const;
/** Axis titles of a test that declares none (a suite declares them for every test with series). */
const defaultAxes = { x: 'x (as measured)', y: 'measured value (unit not given)' } as const;
/** About how wide a character of an axis title is, at its 12 px: a longer title is squeezed to fit. */
const titleCharacterWidth = 6.6;
/** Series whose name says it is a reference (a formula, a bound) are dashed and have hollow markers. */
const referenceName = /formula|expect|predict|theor|bound|limit|model|ideal|reference/i;
const solidDashes = ['', '2 3', '10 3 2 3'] as const;
const referenceDashes = ['6 4', '12 4', '6 3 2 3'] as const;
const seriesColours = 6;

interface Point {
  readonly x: number;
  readonly y: number;
}

function finitePoints(series: MeasurementSeries): Point[] {
  return series.points.filter((point): point is Point => point.y !== null && Number.isFinite(point.y));
}

/**
 * What a chart of these series spans: its x and y ranges (y from 0, or below for negative
 * figures, to a round value above the largest), or undefined when nothing finite is there to
 * draw or the figures are too far apart to scale (beyond the largest double): such figures stay
 * in the results table instead.
 */
function chartDomain(series: readonly MeasurementSeries[]) {
  const points = series.flatMap(finitePoints);
  if (points.length === 0) return undefined;
  const xs = [...new Set(points.map((point) => point.x))].sort((left, right) => left - right);
  const ys = points.map((point) => point.y);
  const [xMin, xMax] = [xs[0] as number, xs[xs.length - 1] as number];
  // A single x sits in the middle.
  const [xLow, xHigh] = xMin === xMax ? [xMin - (Math.abs(xMin) / 2 || 1), xMax + (Math.abs(xMax) / 2 || 1)] : [xMin, xMax];
  const [yMin, yMax] = [Math.min(0, ...ys), Math.max(0, ...ys)];
  const yStep = niceStep(yMax - yMin || 1, 5);
  const yLow = Math.floor(yMin / yStep + 1e-9) * yStep;
  const yHigh = Math.max(Math.ceil(yMax / yStep - 1e-9) * yStep, yLow + yStep);
  const spans = [xHigh - xLow, yHigh - yLow, yStep];
  if (!spans.every((span) => Number.isFinite(span) && span > 0)) return undefined;
  return { xs, xMin, xMax, xLow, xHigh, yLow, yHigh, yStep };
}

function chartable(series: readonly MeasurementSeries[]): boolean {
  return chartDomain(series) !== undefined;
}

/** A round step (1, 2, 2.5 or 5 times a power of ten) that cuts `span` into about `count` parts. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  const step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10) * magnitude;
  return Number.isFinite(step) && step > 0 ? step : span;
}

/** Multiples of `step` from `low` to `high`, counted (not summed) so no error builds up. */
function ticksBetween(low: number, high: number, step: number): number[] {
  const first = Math.ceil(low / step - 1e-9);
  const ticks: number[] = [];
  for (let index = first; index * step <= high + step * 1e-9 && ticks.length < 60; index++) ticks.push(index * step);
  return ticks;
}

/** A tick's label: no floating-point noise (0.30000000000000004 is 0.3), no -0. */
function tickLabel(value: number): string {
  return String(Number(value.toPrecision(12)) || 0);
}

function coordinate(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** A marker's outline as path data: circle, square, triangle or diamond around (x, y), `scale` times the usual size. */
function markerPath(shape: number, x: number, y: number, scale = 1): string {
  const [cx, cy] = [coordinate(x), coordinate(y)];
  const [r, t, w] = [3.5 * scale, 4.5 * scale, 8 * scale].map(coordinate);
  const [d, h] = [coordinate(7 * scale), coordinate(9 * scale)];
  switch (shape % 4) {
    case 0:
      return `M${coordinate(x - 3.5 * scale)},${cy}a${r},${r} 0 1,0 ${d},0a${r},${r} 0 1,0 -${d},0z`;
    case 1:
      return `M${coordinate(x - 3.5 * scale)},${coordinate(y - 3.5 * scale)}h${d}v${d}h-${d}z`;
    case 2:
      return `M${cx},${coordinate(y - 4.5 * scale)}l${t},${w}h-${h}z`;
    default:
      return `M${cx},${coordinate(y - 4.5 * scale)}l${t},${t}l-${t},${t}l-${t},-${t}z`;
  }
}

/**
 * How much larger a reference series' hollow markers are than a measured series' filled ones:
 * where the two agree (a cost that meets its formula exactly), each measured point shows inside
 * its reference's marker instead of one hiding the other.
 */
const referenceMarkerScale = 1.8;

/** An axis title's text, and the length to squeeze it to when it would not fit in `room` px ('' when it fits). */
function axisTitle(text: string, room: number) {
  return { text, textLength: text.length * titleCharacterWidth > room ? coordinate(room) : '' };
}

function chartView(series: readonly MeasurementSeries[], id: string, title: string, axes: { readonly x: string; readonly y: string } = defaultAxes) {
  const domain = chartDomain(series);
  if (domain === undefined) throw new Error('chartView: nothing to draw');
  const { xs, xLow, xHigh, yLow, yHigh, yStep } = domain;
  const { width, height, left, right, top, bottom, inset } = chartSize;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const bottomY = top + plotHeight;
  const px = (x: number) => left + inset + ((x - xLow) / (xHigh - xLow)) * (plotWidth - 2 * inset);
  const py = (y: number) => top + plotHeight - ((y - yLow) / (yHigh - yLow)) * plotHeight;

  // x: every distinct x is a tick when there are few, else round steps; a label that would run
  // into the one before it is left out (its tick stays).
  const xTickValues = xs.length <= 15 ? xs : ticksBetween(xLow, xHigh, niceStep(xHigh - xLow, 8));
  let lastLabelEnd = -Infinity;
  const xTicks = xTickValues.map((x) => {
    const label = tickLabel(x);
    const half = (label.length * 7) / 2 + 3;
    const shown = px(x) - half >= lastLabelEnd;
    if (shown) lastLabelEnd = px(x) + half;
    return { x: coordinate(px(x)), label: shown ? label : '', labelY: coordinate(bottomY + 18), tickEnd: coordinate(bottomY + 5) };
  });

  let solid = 0;
  let reference = 0;
  const lines = series.map((one, index) => {
    const isReference = referenceName.test(one.name);
    const dash = isReference ? referenceDashes[reference++ % referenceDashes.length] : solidDashes[solid++ % solidDashes.length];
    const points = finitePoints(one);
    const name = displayText(one.name);
    return {
      name,
      className: `series s${index % seriesColours}`,
      markerClass: isReference ? 'marker hollow' : 'marker',
      dash: dash ?? '',
      points: points.map((point) => `${coordinate(px(point.x))},${coordinate(py(point.y))}`).join(' '),
      markers: points.map((point) => ({ d: markerPath(index, px(point.x), py(point.y), isReference ? referenceMarkerScale : 1), label: `${name} @ ${tickLabel(point.x)}: ${formatNumber(point.y)}` })),
      count: points.length,
      skipped: one.points.length - points.length,
      drawn: points.length > 0,
      swatchMarker: markerPath(index, 17, 6),
      isReference,
    };
  });
  // References under what was measured: a measured line that follows its formula stays in sight.
  const drawOrder = [...lines.filter((line) => line.isReference), ...lines.filter((line) => !line.isReference)];

  const allXs = [...new Set(series.flatMap((one) => one.points.map((point) => point.x)))].sort((a, b) => a - b);
  const described = lines.map((line) => `${line.name} (${line.count} ${plural(line.count, 'point')}${line.skipped > 0 ? `, ${line.skipped} not finite` : ''})`);
  const [xTitle, yTitle] = [displayText(axes.x), displayText(axes.y)];
  const plotMiddle = { x: coordinate(left + plotWidth / 2), y: coordinate(top + plotHeight / 2) };
  return {
    id,
    titleId: `${id}-title`,
    descId: `${id}-desc`,
    title: displayText(title),
    description: `Line chart of ${lines.length} series; x axis: ${xTitle}, from ${tickLabel(domain.xMin)} to ${tickLabel(domain.xMax)}; y axis: ${yTitle}, from ${tickLabel(yLow)} to ${tickLabel(yHigh)}: ${described.join('; ')}.`,
    // The x title under the tick labels; the y title turned a quarter left, at the left edge.
    xTitle: { ...axisTitle(xTitle, plotWidth), x: plotMiddle.x, y: coordinate(height - 10) },
    yTitle: { ...axisTitle(yTitle, plotHeight), transform: `translate(16 ${plotMiddle.y}) rotate(-90)` },
    width,
    height,
    plot: { left, right: width - right, top, bottom: coordinate(bottomY) },
    zero: yLow < 0 ? coordinate(py(0)) : '',
    xTicks,
    yTicks: ticksBetween(yLow, yHigh, yStep).map((y) => ({ y: coordinate(py(y)), labelY: coordinate(py(y) + 4), label: tickLabel(y) })),
    yLabelX: left - 8,
    lines,
    drawOrder,
    table: {
      xTitle,
      names: lines.map((line) => line.name),
      rows: allXs.map((x) => ({
        x: tickLabel(x),
        values: series.map((one) => {
          const point = one.points.find((candidate) => candidate.x === x);
          return point === undefined ? '—' : formatNumber(point.y);
        }),
      })),
    },
  };
}

/**
 * A key-value run's client latency and throughput (kvPlots.ts), for the template; undefined
 * when the trace has no client operations. The fragment escapes everything the trace holds.
 */
function kvPlotsView(trace: readonly TraceEvent[], schedule: FaultSchedule, endTimeMs: number | undefined, id: string): Handlebars.SafeString | undefined {
  const fragment = renderKvPlots(trace, schedule, endTimeMs, id);
  return fragment === undefined ? undefined : new Handlebars.SafeString(fragment);
}

interface EmbeddedFailure {
  readonly test: string;
  readonly name: string;
  readonly property: string;
  readonly message: string;
  readonly seed: number;
  readonly replayCommand: string;
  readonly replayCode: string;
}

/** The watched-run section: the run's facts, its schedule or search path, and its whole trace. */
function watchedView(report: GradingReport, watched: WatchedRun) {
  const test = report.tests.find((candidate) => candidate.number === watched.testNumber);
  const status = test?.status ?? 'not run';
  const look = statusLook[status];
  const failure = watched.failure;
  const recorded: RecordedStates = watched;
  const traced = traceView(
    { trace: watched.trace, lastEvents: [], step: failure?.step ?? -1, traceTruncated: watched.totalEvents > watched.trace.length },
    'watched-trace',
    {
      lab: report.lab,
      ...(recorded.states !== undefined ? { states: recorded.states } : {}),
      ...(recorded.roles !== undefined ? { roles: recorded.roles } : {}),
      ...(watched.schedule !== undefined ? { schedule: watched.schedule } : {}),
      ...(watched.search !== undefined ? { path: watched.search.path } : {}),
      ...(failure !== undefined
        ? {
            violation: {
              property: failure.property,
              message: failure.message,
              ...(failure.traceIndex !== undefined ? { traceIndex: failure.traceIndex } : {}),
              ...(failure.node !== undefined ? { node: failure.node } : {}),
            },
          }
        : {}),
      ...(watched.endTimeMs !== undefined ? { endTimeMs: watched.endTimeMs } : {}),
    },
  );
  const scenarioActions = watched.scenarioActions ?? 0;
  // In the order the run meets them: the scenario's actions and the drawn ones, by time.
  const schedule = (watched.schedule ?? [])
    .map((action, index) => ({ text: displayText(describeAction(action)), scenario: index < scenarioActions, atMs: action.atMs, index }))
    .sort((left, right) => left.atMs - right.atMs || left.index - right.index);
  const fixed = Math.min(scenarioActions, schedule.length);
  const drawn = schedule.length - fixed;
  const scheduleParts = [fixed > 0 ? `${fixed} of the test's own scenario` : '', drawn > 0 ? `${drawn} drawn from seed ${watched.seed}` : ''].filter(Boolean);
  return {
    heading: watched.replayed === true ? 'Replayed run' : 'Watched run',
    againLabel: watched.replayed === true ? 'Replay again' : 'Watch again',
    scheduleIntro: watched.replayed === true ? 'The schedule the replay code holds (a failure\'s schedule, shrunk)' : "The seed's own schedule, as grading runs it first, never shrunk",
    number: watched.testNumber,
    name: displayText(test?.name ?? ''),
    description: displayText(test?.description ?? ''),
    statusText: look.text,
    statusClass: look.className,
    statusWord: status === 'crashed' ? 'Crashed' : status === 'timed out' ? 'Timed out' : '',
    reason: test?.reason && (status === 'crashed' || status === 'timed out') ? displayText(test.reason) : '',
    verdict: displayText(watched.verdict),
    seed: watched.seed,
    implementation: displayText(report.implementation),
    failure: failure === undefined
      ? undefined
      : {
          property: displayText(failure.property),
          message: displayText(failure.message),
          where:
            watched.search === undefined
              ? `event #${failure.traceIndex ?? failure.step} at ${formatNumber(failure.timeMs)} ms`
              : `after ${watched.search.path.length} ${plural(watched.search.path.length, 'step')} of the model checker`,
          node: failure.node === undefined ? '' : node(failure.node),
          violationAnchor: traced.violationAnchor,
        },
    runFacts:
      watched.search === undefined && watched.endTimeMs !== undefined
        ? `${watched.totalEvents} ${plural(watched.totalEvents, 'event')} in ${formatNumber(watched.endTimeMs)} ms of simulated time`
        : '',
    run: watched.search === undefined && watched.schedule !== undefined,
    schedule,
    scheduleNote: watched.replayed === true ? `${schedule.length} ${plural(schedule.length, 'action')}, by time.` : `${scheduleParts.join(' and ')}, by time.`,
    search: watched.search === undefined ? '' : displayText(watched.search.summary),
    path: traced.pathLinks.length > 0 ? traced.pathLinks : (watched.search?.path ?? []).map((event) => ({ text: displayText(describeSearchEvent(event)), position: -1, href: '' })),
    traceId: 'watched-trace',
    command: displayText(watched.command),
    next: watched.next === undefined ? undefined : { label: displayText(watched.next.label), command: displayText(watched.next.command) },
    output: test?.output ? displayText(test.output) : '',
    trace: watched.trace.length > 0 ? traced.view : undefined,
    kvPlots: watched.search === undefined ? kvPlotsView(watched.trace, watched.schedule ?? [], watched.endTimeMs, 'watched-kv') : undefined,
  };
}

function buildView(report: GradingReport, watchedRun?: WatchedRun) {
  const isWatched = (test: GradedTest) => watchedRun?.testNumber === test.number;
  const totals = report.totals;
  const embedded: EmbeddedFailure[] = [];
  const embeddedDemonstrations: EmbeddedFailure[] = [];
  const demonstrationAnchor = (test: GradedTest, position: number) => `${anchorFor(test, position)}-demonstration`;
  const chartAnchor = (test: GradedTest, position: number) => `${anchorFor(test, position)}-chart`;
  const split = report.tests.map((test) => splitMeasurements(test.measurements));
  const tests = report.tests.map((test, position) => {
    const look = statusLook[test.status];
    const { series, plain } = split[position] as ReturnType<typeof splitMeasurements>;
    const demonstration = test.demonstration ? demonstrationAnchor(test, position) : '';
    return {
      number: test.number,
      anchor: isWatched(test) ? 'watched' : hasDetails(test) ? anchorFor(test, position) : demonstration,
      demonstrationAnchor: demonstration,
      chartAnchor: chartable(series) ? chartAnchor(test, position) : '',
      name: displayText(test.name),
      description: displayText(test.description),
      hidden: test.visibility === 'hidden',
      part: test.part || '—',
      statusText: look.text,
      statusClass: look.className,
      score: formatNumber(test.score),
      maxScore: formatNumber(test.maxScore),
      seeds: seedsText(test, ''),
      wall: formatMs(test.wallMs),
      // Series go to the chart; when there is nothing to draw, they stay here like the other figures.
      measurements: (chartable(series) ? plain : Object.entries(test.measurements ?? {})).map(([key, value]) => ({
        key: displayText(key),
        value: formatNumber(value as number | null),
      })),
      note: test.status === 'not run' && test.reason ? displayText(test.reason) : '',
    };
  });

  // A watched run has a section of its own in the place of the failure and demonstration sections.
  const watched = watchedRun === undefined ? undefined : watchedView(report, watchedRun);
  const failures = report.tests.flatMap((test, position) => {
    if (!hasDetails(test) || isWatched(test)) return [];
    const look = statusLook[test.status];
    const anchor = anchorFor(test, position);
    const failure = test.failure;
    let failureView;
    let trace;
    let linearizability;
    let kvPlots;
    if (failure) {
      const run = runView(failure, anchor, 'failure', embedded.length, report.lab);
      embedded.push(embed(test, failure));
      failureView = run.facts;
      trace = run.trace;
      kvPlots = run.kvPlots;
      if (failure.linearizability !== undefined) linearizability = linearizabilityView(failure.linearizability);
    }
    return [
      {
        anchor,
        number: test.number,
        name: displayText(test.name),
        description: displayText(test.description),
        statusText: look.text,
        statusClass: look.className,
        statusWord: test.status === 'crashed' ? 'Crashed' : test.status === 'timed out' ? 'Timed out' : 'Failed',
        reason: test.reason ? displayText(test.reason) : '',
        failure: failureView,
        linearizability,
        output: test.output ? displayText(test.output) : '',
        trace,
        kvPlots,
      },
    ];
  });

  const demonstrations = report.tests.flatMap((test, position) => {
    const demonstration = test.demonstration;
    if (!demonstration || isWatched(test)) return [];
    const anchor = demonstrationAnchor(test, position);
    const run = runView(demonstration, anchor, 'demonstration', embeddedDemonstrations.length, report.lab);
    embeddedDemonstrations.push(embed(test, demonstration));
    const look = statusLook[test.status];
    return [
      {
        anchor,
        number: test.number,
        name: displayText(test.name),
        description: displayText(test.description),
        statusText: look.text,
        statusClass: look.className,
        property: displayText(demonstration.property),
        seedsRun: test.seedsRun,
        seedsPlanned: test.seedsPlanned,
        failure: run.facts,
        output: test.output ? displayText(test.output) : '',
        trace: run.trace,
      },
    ];
  });

  const charts = report.tests.flatMap((test, position) => {
    const { series } = split[position] as ReturnType<typeof splitMeasurements>;
    if (!chartable(series)) return [];
    return [chartView(series, chartAnchor(test, position), `${test.number} ${test.name}`, test.axes)];
  });

  const options = report.options;
  const optionText = [
    options.seed !== undefined ? `seed ${options.seed}` : options.seeds !== undefined ? `seeds 1..${options.seeds}` : 'default seeds',
    options.part !== undefined ? `part ${options.part}` : '',
    options.tests && options.tests.length > 0 ? `tests ${options.tests.join(', ')}` : '',
    options.hidden ? 'hidden tests included' : 'visible tests only',
  ].filter(Boolean);

  const counts = [
    { value: totals.passed, label: 'passed', cls: 'pass' },
    { value: totals.failed, label: 'failed', cls: 'fail' },
    { value: totals.crashed, label: 'crashed', cls: 'crash' },
    { value: totals.timedOut, label: 'timed out', cls: 'timeout' },
    { value: totals.notRun, label: 'not run', cls: 'notrun' },
  ];

  return {
    title: displayText(
      watchedRun === undefined
        ? `${report.labTitle} — ${totals.score}/${totals.maxScore} — distlab report`
        : `${report.labTitle} — test ${watchedRun.testNumber}, seed ${watchedRun.seed} — distlab watch`,
    ),
    lab: displayText(report.lab),
    labTitle: displayText(report.labTitle),
    implementation: displayText(report.implementation),
    startedAt: displayText(report.startedAt),
    finishedAt: displayText(report.finishedAt),
    duration: formatMs(report.durationMs),
    generatedAt: new Date().toISOString(),
    score: formatNumber(totals.score),
    maxScore: formatNumber(totals.maxScore),
    progressMax: totals.maxScore > 0 ? totals.maxScore : 1,
    counts,
    testCount: report.tests.length,
    interrupted: report.interrupted,
    setupError: report.setupError === undefined ? '' : displayText(report.setupError),
    typeErrors: report.typeErrors.map(displayText),
    options: optionText.join(' · '),
    tests,
    failures,
    demonstrations,
    charts,
    watched,
    data: {
      schemaVersion: report.schemaVersion,
      lab: report.lab,
      implementation: report.implementation,
      failures: embedded,
      demonstrations: embeddedDemonstrations,
    },
    csp: contentSecurityPolicy(),
  };
}

// ---------------------------------------------------------------------------------------------
// The grader's own CSS and JS, inlined verbatim and allowed by hash in the page's CSP.

const reportStyle = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --soft: #f6f7f9;
  --pass: #137333; --pass-bg: #e6f4ea; --fail: #b3261e; --fail-bg: #fce8e6; --warn: #8a5a00; --warn-bg: #fef3d6;
  --info: #1a56db; --info-bg: #e8effd; --mark: #fff8c5;
  --s0: #1a56db; --s1: #c2410c; --s2: #047857; --s3: #7e22ce; --s4: #be123c; --s5: #4b5563; }
@media (prefers-color-scheme: dark) { :root { --bg: #14171c; --fg: #e6e8eb; --muted: #98a2b3; --line: #2b313a; --soft: #1b1f26;
  --pass: #6dd58c; --pass-bg: #17301f; --fail: #ff8a80; --fail-bg: #3a1a18; --warn: #f5c451; --warn-bg: #332a12;
  --info: #8ab4f8; --info-bg: #182438; --mark: #3a3412;
  --s0: #8ab4f8; --s1: #fdba74; --s2: #6ee7b7; --s3: #d8b4fe; --s4: #fda4af; --s5: #d1d5db; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, pre, .events { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
header.top { display: flex; flex-wrap: wrap; gap: 16px; justify-content: space-between; align-items: center; padding: 20px 32px; border-bottom: 1px solid var(--line); background: var(--soft); }
header.top h1 { margin: 0 0 4px; font-size: 22px; }
header.top p { margin: 0; }
.score { min-width: 220px; }
.score-figure { font-size: 18px; }
.score-figure strong { font-size: 28px; }
progress { width: 100%; height: 10px; accent-color: var(--pass); }
main { padding: 8px 32px 32px; max-width: 1400px; }
section { margin: 24px 0; }
section.failure, section.demonstration { border: 1px solid var(--line); border-left: 4px solid var(--fail); border-radius: 8px; padding: 4px 20px 16px; }
section.demonstration { border-left-color: var(--info); }
section.watched { border: 1px solid var(--line); border-left: 4px solid var(--info); border-radius: 8px; padding: 4px 20px 16px; }
h2 { font-size: 18px; margin: 16px 0 8px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.muted { color: var(--muted); }
.banner { border-radius: 8px; padding: 10px 16px; }
.banner h2 { margin-top: 4px; }
.banner.error { background: var(--fail-bg); border: 1px solid var(--fail); }
.banner.warning { background: var(--warn-bg); border: 1px solid var(--warn); }
ul.counts { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; padding: 0; margin: 0 0 12px; }
ul.counts li { border: 1px solid var(--line); border-radius: 999px; padding: 2px 12px; }
.count-pass strong { color: var(--pass); } .count-fail strong, .count-crash strong, .count-timeout strong { color: var(--fail); } .count-notrun strong { color: var(--warn); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; min-width: 0; }
pre { margin: 0; padding: 10px 12px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.output { max-height: 420px; overflow: auto; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; position: sticky; top: 0; z-index: 1; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.nowrap { white-space: nowrap; }
.note { color: var(--muted); font-size: 13px; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; letter-spacing: .03em; padding: 1px 8px; border-radius: 4px; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail, .badge.crash, .badge.timeout { color: var(--fail); background: var(--fail-bg); }
.badge.notrun { color: var(--warn); background: var(--warn-bg); }
.tag { font-size: 12px; border: 1px solid var(--line); border-radius: 4px; padding: 0 6px; color: var(--muted); }
.tag.ok { color: var(--pass); border-color: var(--pass); } .tag.warn { color: var(--warn); border-color: var(--warn); }
a.tag { text-decoration: none; } .tag.info { color: var(--info); border-color: var(--info); }
.measure { white-space: nowrap; font-size: 13px; }
.property { color: var(--fail); }
.property.demonstrated { color: var(--info); }
.replay { display: flex; gap: 8px; align-items: flex-start; }
.replay code { flex: 1; padding: 6px 10px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; overflow-wrap: anywhere; user-select: all; }
button { font: inherit; font-size: 13px; padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); cursor: pointer; }
button:hover { background: var(--soft); }
ol.schedule { margin: 4px 0; padding-left: 28px; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 8px 0; }
.filters input[type=search] { font: inherit; padding: 3px 8px; min-width: 240px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
.filters select { font: inherit; padding: 2px 6px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
fieldset.kinds { border: 1px solid var(--line); border-radius: 6px; padding: 2px 8px 6px; display: flex; flex-wrap: wrap; gap: 2px 10px; align-items: center; }
fieldset.kinds legend { color: var(--muted); font-size: 13px; padding: 0 4px; }
label.kind { font-size: 13px; white-space: nowrap; }
.trace-wrap { max-height: 70vh; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
table.events td { padding: 2px 8px; }
table.events td.detail { max-width: 520px; overflow-wrap: anywhere; }
table.events summary { cursor: pointer; }
tr.violation td { background: var(--fail-bg); color: var(--fail); font-weight: 600; }
tr.failing-step td { background: var(--mark); }
.kind-label { font-size: 12px; }
.kind-send, .kind-deliver, .kind-duplicate { color: var(--info); }
.kind-drop, .kind-crash, .kind-violation { color: var(--fail); }
.kind-fault, .kind-restart { color: var(--warn); }
tr:target td { outline: 2px solid var(--fail); }
section.demonstration tr.violation td { background: var(--info-bg); color: var(--info); }
section.demonstration tr:target td { outline-color: var(--info); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 460px), 1fr)); gap: 16px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px 12px; min-width: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart svg.plot { display: block; width: 100%; height: auto; }
.plot text { fill: var(--muted); font-size: 12px; font-variant-numeric: tabular-nums; }
.plot .grid { stroke: var(--line); stroke-width: 1; }
.plot text.axis-title { fill: var(--fg); font-size: 12px; font-weight: 600; }
.plot .axis { stroke: var(--muted); stroke-width: 1; }
.plot .series, .legend .series { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
.s0 { stroke: var(--s0); color: var(--s0); } .s1 { stroke: var(--s1); color: var(--s1); } .s2 { stroke: var(--s2); color: var(--s2); }
.s3 { stroke: var(--s3); color: var(--s3); } .s4 { stroke: var(--s4); color: var(--s4); } .s5 { stroke: var(--s5); color: var(--s5); }
.plot .marker, .legend .marker { fill: currentColor; stroke: currentColor; stroke-width: 1.5; stroke-dasharray: none; }
.plot .marker.hollow, .legend .marker.hollow { fill: var(--bg); }
ul.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; margin: 6px 0 0; font-size: 13px; }
ul.legend li { display: flex; align-items: center; gap: 6px; }
ul.legend svg { flex: none; }
figure.chart details { margin-top: 6px; font-size: 13px; }
figure.kv-plots { margin: 8px 0; min-width: 0; }
figure.kv-plots figcaption { margin-bottom: 4px; }
figure.kv-plots svg.plot { display: block; width: 100%; max-width: 760px; height: auto; }
.kv-plots .point { fill: currentColor; stroke: none; }
.kv-plots .unanswered { fill: currentColor; stroke: var(--fail); stroke-width: 1; }
.kv-plots .band-crashed { fill: var(--fail); fill-opacity: .1; }
.kv-plots .band-partition, .kv-plots .band-isolation { fill: var(--warn); fill-opacity: .12; }
.kv-plots .band-cut { fill: var(--s3); fill-opacity: .12; }
.kv-plots line.band-network { stroke: var(--info); stroke-width: 1.5; stroke-dasharray: 4 3; }
.kv-plots g.strip, ol.kv-faults .band { fill-opacity: .55; }
.kv-plots .plot text.band-number { fill: var(--fg); font-size: 10px; }
.kv-plots .window { fill: transparent; }
ol.kv-faults { margin: 6px 0 0; padding-left: 28px; font-size: 13px; columns: 2 320px; }
ol.kv-faults svg { vertical-align: -1px; margin-right: 4px; }
ol.kv-faults .band-kind { color: var(--muted); }
figure.chart details table { width: auto; }
footer { padding: 16px 32px 32px; font-size: 13px; }
`;

/**
 * The page's CSS: the report's, the history timeline's (a failed linearizability check
 * draws one) and the trace viewer's. Joined on first use: historyTimeline.ts imports this
 * module, so its CSS may not be there yet while this one loads.
 */
let pageStyle: string | undefined;
function style(): string {
  pageStyle ??= reportStyle + historyTimelineStyle + viewerStyle;
  return pageStyle;
}

const reportScript = `
(function () {
  'use strict';
  var dataElement = document.getElementById('distlab-data');
  var data = {};
  try { data = JSON.parse(dataElement ? dataElement.textContent || '{}' : '{}'); } catch (error) { data = {}; }
  var failures = Array.isArray(data.failures) ? data.failures : [];
  var demonstrations = Array.isArray(data.demonstrations) ? data.demonstrations : [];

  function copyText(text, button) {
    function done(ok) {
      var before = button.textContent;
      button.textContent = ok ? 'Copied' : 'Select and copy';
      setTimeout(function () { button.textContent = before; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { fallback(); });
    } else {
      fallback();
    }
    function fallback() {
      var target = document.getElementById(button.getAttribute('data-target') || '');
      if (!target) { done(false); return; }
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (error) { ok = false; }
      done(ok);
    }
  }

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var list = button.getAttribute('data-list') === 'demonstration' ? demonstrations : failures;
      var run = list[Number(button.getAttribute('data-index'))];
      var field = button.getAttribute('data-copy');
      var text = run && typeof run[field] === 'string' ? run[field] : '';
      if (!text) {
        var target = document.getElementById(button.getAttribute('data-target') || '');
        text = target ? target.textContent : '';
      }
      copyText(text, button);
    });
  });
})();
`;

/** The page's one script: the copy buttons, then each trace's filters and viewer (viewer/script.ts). */
let pageScript: string | undefined;
function script(): string {
  pageScript ??= reportScript + viewerScript;
  return pageScript;
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

let policy: string | undefined;
function contentSecurityPolicy(): string {
  policy ??= [
    "default-src 'none'",
    `script-src ${cspHash(script())}`,
    `style-src ${cspHash(style())}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return policy;
}

// ---------------------------------------------------------------------------------------------
// Rendering

type Render = (view: ReturnType<typeof buildView>) => string;
let render: Render | undefined;

/** Compiles the template once, in an isolated Handlebars instance with only the helpers it needs. */
function compiled(): Render {
  if (render !== undefined) return render;
  const handlebars = Handlebars.create();
  handlebars.registerHelper('jsonScript', (value: unknown) => new handlebars.SafeString(jsonForScript(value)));
  handlebars.registerHelper('trustedStyle', () => new handlebars.SafeString(style()));
  handlebars.registerHelper('trustedScript', () => new handlebars.SafeString(script()));
  const template = handlebars.compile(readFileSync(templateFile, 'utf8'), {
    knownHelpers: { jsonScript: true, trustedStyle: true, trustedScript: true },
    knownHelpersOnly: true,
  });
  render = (view) => template(view);
  return render;
}

/** The page as a string; with `watched`, the page of that watched run. */
export function renderHtmlReport(report: GradingReport, watched?: WatchedRun): string {
  return compiled()(buildView(boundReport(report), watched));
}
