import Handlebars from 'handlebars';
import { describeFault, nodeName, type FaultAction, type FaultSchedule, type TraceEvent } from 'distlab/testing';
import { displayText } from './html.ts';
import { boundText } from './untrusted.ts';

/**
 * Client latency and throughput over time for a key-value run (labs 4 and 5): two SVG plots
 * sharing one time axis, drawn from the run's trace and its fault schedule.
 *
 * - Latency: one point per completed operation, its latency (return time − call time, simulated
 *   ms) at its return time, coloured by client; an operation never answered is a mark on the top
 *   edge at its call time.
 * - Throughput: operations completed per second in fixed windows (the axis title states the
 *   window), as a step line.
 * - Faults: crashed intervals, partitions, isolations and one-way cuts as shaded bands on both
 *   plots, numbered in a strip above the latency plot and listed in a legend; network changes as
 *   lines.
 *
 * Operations are read from the clients' `Invoke` inputs and `Returned` outputs (the kit's
 * KvClient performs them one at a time, in order: a client's returns answer its calls first in,
 * first out; a crash of the client forgets the calls it had not answered).
 *
 * The fragment is HTML with inline SVG and no script. Everything from the trace or the schedule
 * reaches it through the template's `{{ }}` (HTML-escaped) after {@link displayText}; numbers
 * are formatted here. Its CSS classes are the grading report's (`.kv-plots` in html.ts).
 */
export function renderKvPlots(trace: readonly TraceEvent[], schedule: FaultSchedule, endTimeMs?: number, id = 'kv-plots'): string | undefined {
  const operations = clientOperations(trace);
  if (operations.length === 0) return undefined;
  const startMs = windowStartMs(trace);
  const lastEventMs = Math.max(startMs, ...finiteTimes(trace));
  const endMs = endTimeMs !== undefined && Number.isFinite(endTimeMs) && endTimeMs > startMs ? Math.max(endTimeMs, lastEventMs) : lastEventMs;
  return compiled()(buildView(operations, faultBands(schedule, startMs, endMs), startMs, endMs, safeId(id))).trim();
}

/** One client operation of a run: its call, and its return when it had one. */
export interface ClientOperation {
  readonly client: number;
  /** The operation's place among its client's calls, 1 first. */
  readonly call: number;
  /** The sequence number its `Returned` output carried, when it returned. */
  readonly sequence?: number;
  readonly operation: unknown;
  readonly callTimeMs: number;
  /** null: never answered (still pending at the end, or forgotten by a crash of its client). */
  readonly returnTimeMs: number | null;
  /** Trace indexes of the call and the return. */
  readonly callIndex: number;
  readonly returnIndex?: number;
}

/** The client operations of a trace, in call order; a return with no call in the trace (a truncated trace) is left out. */
export function clientOperations(trace: readonly TraceEvent[]): ClientOperation[] {
  const operations: ClientOperation[] = [];
  const pending = new Map<number, number[]>();
  const calls = new Map<number, number>();
  for (const event of trace) {
    if (!Number.isFinite(event.timeMs)) continue;
    if (event.kind === 'input' && event.label === 'Invoke') {
      const call = (calls.get(event.node) ?? 0) + 1;
      calls.set(event.node, call);
      const queue = pending.get(event.node) ?? [];
      queue.push(operations.length);
      pending.set(event.node, queue);
      operations.push({ client: event.node, call, operation: fieldOf(event.detail, 'operation'), callTimeMs: event.timeMs, returnTimeMs: null, callIndex: event.index });
    } else if (event.kind === 'output' && event.label === 'Returned') {
      const position = pending.get(event.node)?.shift();
      if (position === undefined) continue;
      const sequence = fieldOf(event.detail, 'sequence');
      operations[position] = {
        ...(operations[position] as ClientOperation),
        returnTimeMs: event.timeMs,
        returnIndex: event.index,
        ...(typeof sequence === 'number' && Number.isFinite(sequence) ? { sequence } : {}),
      };
    } else if (event.kind === 'crash') {
      // A restarted client never answers what it was asked before its crash.
      pending.delete(event.node);
    }
  }
  return operations;
}

export type FaultBandKind = 'crashed' | 'partition' | 'isolation' | 'cut' | 'network';

/** A fault as an interval of simulated time; a network change is an instant (`endMs` = `startMs`). */
export interface FaultBand {
  readonly kind: FaultBandKind;
  readonly startMs: number;
  readonly endMs: number;
  /** Whether it lasts to the end of the run (no restart or heal ended it). */
  readonly open: boolean;
  readonly label: string;
}

/**
 * The schedule as intervals within [startMs, endMs]: a crash lasts until its node restarts; a
 * partition, an isolation or a cut until the next heal or partition (a partition replaces every
 * link fault; isolations and cuts add up, as the simulator applies them).
 */
export function faultBands(schedule: FaultSchedule, startMs: number, endMs: number): FaultBand[] {
  const actions = schedule
    .map((action, position) => ({ action, position }))
    .filter(({ action }) => typeof action === 'object' && action !== null && Number.isFinite(action.atMs))
    .sort((left, right) => left.action.atMs - right.action.atMs || left.position - right.position)
    .map(({ action }) => action);
  const bands: FaultBand[] = [];
  const down = new Map<number, { startMs: number; label: string }>();
  let links: { kind: FaultBandKind; startMs: number; label: string }[] = [];
  const close = (kind: FaultBandKind, fromMs: number, label: string, toMs: number, open: boolean) => {
    const [from, to] = [Math.max(fromMs, startMs), Math.min(toMs, endMs)];
    if (to < from || (to === from && kind !== 'network' && !open)) return;
    bands.push({ kind, startMs: from, endMs: to, open, label });
  };
  for (const action of actions) {
    const what = actionText(action);
    switch (action.type) {
      case 'crash':
        if (!down.has(action.node)) down.set(action.node, { startMs: action.atMs, label: what });
        break;
      case 'restart': {
        const crashed = down.get(action.node);
        if (crashed !== undefined) close('crashed', crashed.startMs, crashed.label, action.atMs, false);
        down.delete(action.node);
        break;
      }
      case 'partition':
      case 'heal':
        for (const link of links) close(link.kind, link.startMs, link.label, action.atMs, false);
        links = action.type === 'partition' ? [{ kind: 'partition', startMs: action.atMs, label: what }] : [];
        break;
      case 'isolate':
        links.push({ kind: 'isolation', startMs: action.atMs, label: what });
        break;
      case 'cut':
        links.push({ kind: 'cut', startMs: action.atMs, label: what });
        break;
      case 'network':
        close('network', action.atMs, what, action.atMs, false);
        break;
    }
  }
  for (const crashed of down.values()) close('crashed', crashed.startMs, crashed.label, endMs, true);
  for (const link of links) close(link.kind, link.startMs, link.label, endMs, true);
  return bands.sort((left, right) => left.startMs - right.startMs || left.endMs - right.endMs);
}

// ---------------------------------------------------------------------------------------------
// Reading the trace

function fieldOf(detail: unknown, key: string): unknown {
  return typeof detail === 'object' && detail !== null && Object.hasOwn(detail, key) ? (detail as Record<string, unknown>)[key] : undefined;
}

function finiteTimes(trace: readonly TraceEvent[]): number[] {
  return trace.flatMap((event) => (Number.isFinite(event.timeMs) ? [event.timeMs] : []));
}

/** Where the plots start: 0, or the first kept event of a trace that lost its beginning. */
function windowStartMs(trace: readonly TraceEvent[]): number {
  const first = trace.find((event) => Number.isFinite(event.timeMs));
  return first === undefined || first.index === 0 ? 0 : Math.max(0, first.timeMs);
}

/** What an action did, without its time and type (the band shows both): `n2`, `{n0} -> {n1,n2}`. */
function actionText(action: FaultAction): string {
  let text: string;
  try {
    text = (describeFault(action) as string | undefined) ?? String(action.type);
  } catch {
    text = String((action as { type?: unknown }).type);
  }
  const type = String((action as { type?: unknown }).type);
  return displayText(boundText(text.replace(/^at [^:]*: /, '').replace(new RegExp(`^${type.replace(/[^a-z]/g, '')} `), ''), labelLimit));
}

function describeOperation(operation: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(operation) ?? String(operation);
  } catch {
    text = String(operation);
  }
  return displayText(boundText(text, operationLimit));
}

// ---------------------------------------------------------------------------------------------
// The view: coordinates and display text, drawn by the template.

const labelLimit = 120;
const operationLimit = 100;
const size = { width: 760, left: 74, right: 20, bottom: 52, plotHeight: 200, laneHeight: 13, inset: 6 } as const;
/** At most this many rows of numbered bands above the latency plot: more overlapping faults share the last. */
const maxLanes = 10;
const clientColours = 6;
/** Throughput windows: about this many across the run. */
const targetWindows = 60;

function coordinate(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function formatMs(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** A round step (1, 2, 2.5 or 5 times a power of ten) that cuts `span` into about `count` parts. */
function roundStep(span: number, count: number): number {
  const raw = span / count;
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  return (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10) * magnitude;
}

function ticks(low: number, high: number, step: number): number[] {
  const values: number[] = [];
  for (let index = Math.ceil(low / step - 1e-9); index * step <= high + step * 1e-9 && values.length < 40; index++) values.push(index * step);
  return values;
}

function tickText(value: number): string {
  return String(Number(value.toPrecision(12)) || 0);
}

const titleCharacterWidth = 6.6;
function axisTitle(text: string, room: number) {
  return { text, textLength: text.length * titleCharacterWidth > room ? coordinate(room) : '' };
}

/** Band rows: each band in the first row whose last band ended before it starts. */
function lanesOf(bands: readonly FaultBand[]): number[] {
  const rowEnds: number[] = [];
  return bands.map((band) => {
    let row = rowEnds.findIndex((end) => end < band.startMs);
    if (row < 0) row = rowEnds.length < maxLanes ? rowEnds.length : maxLanes - 1;
    rowEnds[row] = Math.max(rowEnds[row] ?? -Infinity, band.endMs);
    return row;
  });
}

function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '-') || 'kv-plots';
}

function buildView(operations: readonly ClientOperation[], bands: readonly FaultBand[], startMs: number, endMs: number, id: string) {
  const { width, left, right, bottom, plotHeight, laneHeight, inset } = size;
  const plotWidth = width - left - right;
  const spanMs = Math.max(endMs - startMs, 1);
  const px = (timeMs: number) => left + inset + ((Math.min(Math.max(timeMs, startMs), endMs) - startMs) / spanMs) * (plotWidth - 2 * inset);
  const timeTicks = ticks(startMs, endMs, roundStep(spanMs, 8));

  const lanes = lanesOf(bands);
  const laneCount = bands.length === 0 ? 0 : Math.max(...lanes) + 1;
  const stripTop = 8;
  const latencyTop = stripTop + laneCount * laneHeight + (laneCount > 0 ? 8 : 0);
  const latencyBottom = latencyTop + plotHeight;
  const latencyHeight = latencyBottom + bottom;
  const throughputTop = 12;
  const throughputBottom = throughputTop + plotHeight;
  const throughputHeight = throughputBottom + bottom;

  const clients = [...new Set(operations.map((operation) => operation.client))].sort((low, high) => low - high);
  const colourOf = new Map(clients.map((client, position) => [client, position % clientColours]));
  const answered = operations.filter((operation) => operation.returnTimeMs !== null);
  const unanswered = operations.filter((operation) => operation.returnTimeMs === null);
  const latencies = answered.map((operation) => (operation.returnTimeMs as number) - operation.callTimeMs);
  const latencyStep = roundStep(Math.max(1, ...latencies), 5);
  const latencyHigh = Math.max(latencyStep, Math.ceil(Math.max(0, ...latencies) / latencyStep - 1e-9) * latencyStep);
  const latencyY = (latencyMs: number) => latencyBottom - (latencyMs / latencyHigh) * plotHeight;

  // Throughput windows of a round length, from the start; the last may be shorter and counts per its own length.
  const windowMs = Math.max(1, roundStep(spanMs, targetWindows));
  const windowCount = Math.max(1, Math.ceil(spanMs / windowMs - 1e-9));
  const completed = new Array<number>(windowCount).fill(0);
  for (const operation of answered) {
    const window = Math.min(windowCount - 1, Math.max(0, Math.floor(((operation.returnTimeMs as number) - startMs) / windowMs)));
    completed[window] = (completed[window] ?? 0) + 1;
  }
  const windows = completed.map((count, index) => {
    const fromMs = startMs + index * windowMs;
    const toMs = Math.min(endMs, fromMs + windowMs);
    const perSecond = toMs > fromMs ? (count * 1000) / (toMs - fromMs) : 0;
    return { fromMs, toMs, count, perSecond };
  });
  const throughputStep = roundStep(Math.max(1, ...windows.map((window) => window.perSecond)), 5);
  const throughputHigh = Math.max(throughputStep, Math.ceil(Math.max(0, ...windows.map((window) => window.perSecond)) / throughputStep - 1e-9) * throughputStep);
  const throughputY = (perSecond: number) => throughputBottom - (perSecond / throughputHigh) * plotHeight;
  const steps = windows.flatMap((window) => [`${coordinate(px(window.fromMs))},${coordinate(throughputY(window.perSecond))}`, `${coordinate(px(window.toMs))},${coordinate(throughputY(window.perSecond))}`]);

  const bandViews = bands.map((band, index) => {
    const x = px(band.startMs);
    const bandWidth = Math.max(band.kind === 'network' ? 0 : 2, px(band.endMs) - x);
    const when =
      band.kind === 'network' ? `at ${formatMs(band.startMs)} ms` : band.open ? `from ${formatMs(band.startMs)} ms to the end` : `${formatMs(band.startMs)}–${formatMs(band.endMs)} ms`;
    return {
      number: index + 1,
      className: `band band-${band.kind}`,
      line: band.kind === 'network',
      x: coordinate(x),
      width: coordinate(bandWidth),
      stripY: coordinate(stripTop + (lanes[index] ?? 0) * laneHeight),
      stripHeight: laneHeight - 2,
      numberX: coordinate(x + bandWidth / 2),
      numberY: coordinate(stripTop + (lanes[index] ?? 0) * laneHeight + laneHeight - 4),
      numbered: bandWidth >= 14,
      title: `${index + 1}. ${bandKindText[band.kind]} ${band.label}, ${when}`,
      label: band.label,
      when,
      kindText: bandKindText[band.kind],
    };
  });

  const points = answered.map((operation) => {
    const latencyMs = (operation.returnTimeMs as number) - operation.callTimeMs;
    return {
      className: `point s${colourOf.get(operation.client) ?? 0}`,
      cx: coordinate(px(operation.returnTimeMs as number)),
      cy: coordinate(latencyY(latencyMs)),
      latencyMs: formatMs(latencyMs),
      title: `${nodeName(operation.client)} call ${operation.call}${operation.sequence === undefined ? '' : ` (sequence ${operation.sequence})`} ${describeOperation(operation.operation)}: ${formatMs(latencyMs)} ms, called at ${formatMs(operation.callTimeMs)} ms, returned at ${formatMs(operation.returnTimeMs as number)} ms`,
    };
  });
  const openMarks = unanswered.map((operation) => {
    const x = px(operation.callTimeMs);
    return {
      className: `unanswered s${colourOf.get(operation.client) ?? 0}`,
      d: `M${coordinate(x - 4)},${coordinate(latencyTop - 1)}h8l-4,7z`,
      title: `${nodeName(operation.client)} call ${operation.call} ${describeOperation(operation.operation)}: never answered (called at ${formatMs(operation.callTimeMs)} ms)`,
    };
  });

  const timeTitle = 'time (simulated ms)';
  const xTicks = (bottomY: number) => timeTicks.map((timeMs) => ({ x: coordinate(px(timeMs)), y1: coordinate(bottomY), y2: coordinate(bottomY + 5), labelY: coordinate(bottomY + 18), label: tickText(timeMs) }));
  const yTicks = (values: number[], y: (value: number) => number) => values.map((value) => ({ y: coordinate(y(value)), labelY: coordinate(y(value) + 4), label: tickText(value) }));
  const windowText = `${tickText(windowMs)} ms`;
  const throughputTitle = `operations completed per second (${windowText} windows)`;
  const range = `from ${formatMs(startMs)} to ${formatMs(endMs)} ms`;
  const faultText = bands.length === 0 ? 'no faults' : `${bands.length} ${bands.length === 1 ? 'fault' : 'faults'} shaded`;
  const maxLatency = latencies.length === 0 ? 0 : Math.max(...latencies);
  const maxThroughput = Math.max(0, ...windows.map((window) => window.perSecond));

  return {
    id,
    summary:
      `${operations.length} ${operations.length === 1 ? 'operation' : 'operations'} by ${clients.length} ${clients.length === 1 ? 'client' : 'clients'}: ` +
      `${answered.length} answered${unanswered.length > 0 ? `, ${unanswered.length} never answered` : ''}; ${faultText}.`,
    width,
    left,
    right: width - right,
    yLabelX: left - 8,
    latency: {
      titleId: `${id}-latency-title`,
      descId: `${id}-latency-desc`,
      height: latencyHeight,
      top: latencyTop,
      bottom: latencyBottom,
      plotHeight,
      description:
        `Scatter plot; x axis: ${timeTitle}, ${range}; y axis: latency (simulated ms), from 0 to ${tickText(latencyHigh)}. ` +
        `${answered.length} answered operations, the slowest ${formatMs(maxLatency)} ms; ${unanswered.length} never answered, marked on the top edge at their call time; ${faultText}.`,
      xTicks: xTicks(latencyBottom),
      yTicks: yTicks(ticks(0, latencyHigh, latencyStep), latencyY),
      xTitle: { ...axisTitle(timeTitle, plotWidth), x: coordinate(left + plotWidth / 2), y: coordinate(latencyHeight - 10) },
      yTitle: { ...axisTitle('latency (simulated ms)', plotHeight), transform: `translate(16 ${coordinate(latencyTop + plotHeight / 2)}) rotate(-90)` },
      points,
      openMarks,
    },
    throughput: {
      titleId: `${id}-throughput-title`,
      descId: `${id}-throughput-desc`,
      height: throughputHeight,
      top: throughputTop,
      bottom: throughputBottom,
      plotHeight,
      description: `Step line; x axis: ${timeTitle}, ${range}; y axis: ${throughputTitle}, from 0 to ${tickText(throughputHigh)}; the busiest window ${formatMs(maxThroughput)} per second; ${faultText}.`,
      xTicks: xTicks(throughputBottom),
      yTicks: yTicks(ticks(0, throughputHigh, throughputStep), throughputY),
      xTitle: { ...axisTitle(timeTitle, plotWidth), x: coordinate(left + plotWidth / 2), y: coordinate(throughputHeight - 10) },
      // Two lines: what is counted, then the window it is counted in.
      yTitle: { ...axisTitle('operations completed per second', plotHeight), transform: `translate(12 ${coordinate(throughputTop + plotHeight / 2)}) rotate(-90)` },
      ySubtitle: { ...axisTitle(`(in ${windowText} windows)`, plotHeight), transform: `translate(27 ${coordinate(throughputTop + plotHeight / 2)}) rotate(-90)` },
      steps: steps.join(' '),
      windows: windows.map((window) => ({
        x: coordinate(px(window.fromMs)),
        width: coordinate(Math.max(0, px(window.toMs) - px(window.fromMs))),
        title: `${formatMs(window.fromMs)}–${formatMs(window.toMs)} ms: ${window.count} completed, ${formatMs(window.perSecond)} per second`,
      })),
    },
    windowText,
    clients: clients.map((client) => ({ name: nodeName(client), className: `point s${colourOf.get(client) ?? 0}` })),
    hasUnanswered: unanswered.length > 0,
    bands: bandViews,
  };
}

const bandKindText: Record<FaultBandKind, string> = {
  crashed: 'crashed',
  partition: 'partition',
  isolation: 'isolated',
  cut: 'one-way cut',
  network: 'network change',
};

// ---------------------------------------------------------------------------------------------
// The template: the grader's own markup; every value through `{{ }}`.

const template = `
<figure class="kv-plots" id="{{id}}">
  <figcaption>{{summary}}</figcaption>
  {{#with latency}}
  <svg class="plot kv-latency" width="{{../width}}" height="{{height}}" viewBox="0 0 {{../width}} {{height}}" role="img" aria-labelledby="{{titleId}} {{descId}}">
    <title id="{{titleId}}">Latency of each operation against the time it completed</title>
    <desc id="{{descId}}">{{description}}</desc>
    {{#each ../bands}}{{#if line}}<line class="{{className}}" x1="{{x}}" x2="{{x}}" y1="{{../top}}" y2="{{../bottom}}"><title>{{title}}</title></line>{{else}}<rect class="{{className}}" x="{{x}}" y="{{../top}}" width="{{width}}" height="{{../plotHeight}}"><title>{{title}}</title></rect>{{/if}}
    {{/each}}
    {{#each ../bands}}<g class="strip {{className}}"><rect x="{{x}}" y="{{stripY}}" width="{{width}}" height="{{stripHeight}}"/>{{#if numbered}}<text class="band-number" x="{{numberX}}" y="{{numberY}}" text-anchor="middle">{{number}}</text>{{/if}}<title>{{title}}</title></g>
    {{/each}}
    {{#each yTicks}}<line class="grid" x1="{{../../left}}" x2="{{../../right}}" y1="{{y}}" y2="{{y}}"/><text x="{{../../yLabelX}}" y="{{labelY}}" text-anchor="end">{{label}}</text>
    {{/each}}
    <line class="axis" x1="{{../left}}" x2="{{../left}}" y1="{{top}}" y2="{{bottom}}"/>
    <line class="axis" x1="{{../left}}" x2="{{../right}}" y1="{{bottom}}" y2="{{bottom}}"/>
    {{#each xTicks}}<line class="axis" x1="{{x}}" x2="{{x}}" y1="{{y1}}" y2="{{y2}}"/><text x="{{x}}" y="{{labelY}}" text-anchor="middle">{{label}}</text>
    {{/each}}
    {{#each points}}<circle class="{{className}}" cx="{{cx}}" cy="{{cy}}" r="2.5" data-latency-ms="{{latencyMs}}"><title>{{title}}</title></circle>{{/each}}
    {{#each openMarks}}<path class="{{className}}" d="{{d}}"><title>{{title}}</title></path>{{/each}}
    {{#with xTitle}}<text class="axis-title x-title" x="{{x}}" y="{{y}}" text-anchor="middle"{{#if textLength}} textLength="{{textLength}}" lengthAdjust="spacingAndGlyphs"{{/if}}>{{text}}</text>{{/with}}
    {{#with yTitle}}<text class="axis-title y-title" transform="{{transform}}" text-anchor="middle" dominant-baseline="central"{{#if textLength}} textLength="{{textLength}}" lengthAdjust="spacingAndGlyphs"{{/if}}>{{text}}</text>{{/with}}
  </svg>
  {{/with}}
  <ul class="legend">
    {{#each clients}}<li><svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><circle class="{{className}}" cx="6" cy="6" r="3.5"/></svg>{{name}}</li>{{/each}}
    {{#if hasUnanswered}}<li><svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><path class="unanswered" d="M2,2h8l-4,7z"/></svg>never answered (at its call time, on the top edge)</li>{{/if}}
  </ul>
  {{#with throughput}}
  <svg class="plot kv-throughput" width="{{../width}}" height="{{height}}" viewBox="0 0 {{../width}} {{height}}" role="img" aria-labelledby="{{titleId}} {{descId}}">
    <title id="{{titleId}}">Operations completed per second, in {{../windowText}} windows</title>
    <desc id="{{descId}}">{{description}}</desc>
    {{#each ../bands}}{{#if line}}<line class="{{className}}" x1="{{x}}" x2="{{x}}" y1="{{../top}}" y2="{{../bottom}}"><title>{{title}}</title></line>{{else}}<rect class="{{className}}" x="{{x}}" y="{{../top}}" width="{{width}}" height="{{../plotHeight}}"><title>{{title}}</title></rect>{{/if}}
    {{/each}}
    {{#each yTicks}}<line class="grid" x1="{{../../left}}" x2="{{../../right}}" y1="{{y}}" y2="{{y}}"/><text x="{{../../yLabelX}}" y="{{labelY}}" text-anchor="end">{{label}}</text>
    {{/each}}
    <line class="axis" x1="{{../left}}" x2="{{../left}}" y1="{{top}}" y2="{{bottom}}"/>
    <line class="axis" x1="{{../left}}" x2="{{../right}}" y1="{{bottom}}" y2="{{bottom}}"/>
    {{#each xTicks}}<line class="axis" x1="{{x}}" x2="{{x}}" y1="{{y1}}" y2="{{y2}}"/><text x="{{x}}" y="{{labelY}}" text-anchor="middle">{{label}}</text>
    {{/each}}
    <polyline class="series s0" points="{{steps}}"/>
    {{#each windows}}<rect class="window" x="{{x}}" y="{{../top}}" width="{{width}}" height="{{../plotHeight}}"><title>{{title}}</title></rect>{{/each}}
    {{#with xTitle}}<text class="axis-title x-title" x="{{x}}" y="{{y}}" text-anchor="middle"{{#if textLength}} textLength="{{textLength}}" lengthAdjust="spacingAndGlyphs"{{/if}}>{{text}}</text>{{/with}}
    {{#with yTitle}}<text class="axis-title y-title" transform="{{transform}}" text-anchor="middle" dominant-baseline="central"{{#if textLength}} textLength="{{textLength}}" lengthAdjust="spacingAndGlyphs"{{/if}}>{{text}}</text>{{/with}}
    {{#with ySubtitle}}<text class="axis-title y-title" transform="{{transform}}" text-anchor="middle" dominant-baseline="central"{{#if textLength}} textLength="{{textLength}}" lengthAdjust="spacingAndGlyphs"{{/if}}>{{text}}</text>{{/with}}
  </svg>
  {{/with}}
  {{#if bands.length}}
  <ol class="kv-faults">
    {{#each bands}}<li><svg width="14" height="12" viewBox="0 0 14 12" aria-hidden="true"><rect class="{{className}}" x="1" y="1" width="12" height="10"/></svg><span class="band-kind">{{kindText}}</span> {{label}}, {{when}}</li>{{/each}}
  </ol>
  {{else}}
  <p class="muted">No faults in this run.</p>
  {{/if}}
</figure>
`;

let render: ((view: ReturnType<typeof buildView>) => string) | undefined;

/** Compiles the template once, in an isolated Handlebars instance with no helpers. */
function compiled(): (view: ReturnType<typeof buildView>) => string {
  if (render !== undefined) return render;
  const handlebars = Handlebars.create();
  const compiledTemplate = handlebars.compile(template, { knownHelpers: {}, knownHelpersOnly: true, strict: false });
  render = (view) => compiledTemplate(view);
  return render;
}
