import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { HistoryOperation, LinearizabilityResult, SequentialModel } from 'distlab/testing';
import { displayText } from './html.ts';
import { boundText, textLimits } from './untrusted.ts';

/**
 * A history drawn as a timeline (an HTML fragment with an inline SVG, no script): one lane per
 * client, each operation a bar from its call to its return (an arrow past the end when it never
 * returned, `?` when its result is unknown), the order the checker found drawn through the bars
 * as numbered points with the model's state after each, and, when the history is not
 * linearizable, the first operation that cannot be placed highlighted with the checker's reason.
 *
 * Everything a history holds (keys, values, whatever its operations describe as) is untrusted:
 * it reaches the page only through the template's `{{ }}`, which HTML-escapes it, after being
 * bounded and having its control characters made visible. The fragment needs
 * {@link historyTimelineStyle} on the page and no script.
 */
export function renderHistoryTimeline<State, Input, Output>(
  result: LinearizabilityResult,
  history: readonly HistoryOperation<Input, Output>[],
  model: SequentialModel<State, Input, Output>,
  timeUnit = 'simulated ms',
): string {
  return compiled()({ ...buildView(result, history, model, timeUnit), page: false }).trim();
}

/**
 * A self-contained page around {@link renderHistoryTimeline}: inline CSS allowed by hash, no
 * script, nothing loaded from anywhere.
 */
export function renderHistoryTimelinePage<State, Input, Output>(
  result: LinearizabilityResult,
  history: readonly HistoryOperation<Input, Output>[],
  model: SequentialModel<State, Input, Output>,
  title: string,
): string {
  // A history file's times are in whatever unit the program that wrote it used.
  const view = buildView(result, history, model, 'as in the history');
  return `${compiled()({ ...view, page: true, pageTitle: shown(title), contentSecurityPolicy }).trim()}\n`;
}

const templateFile = new URL('./templates/historyTimeline.hbs', import.meta.url);

// ---------------------------------------------------------------------------------------------
// Geometry, in SVG user units (pixels at 100 %)

const laneLabelWidth = 96;
/** The horizontal distance between two consecutive distinct times of the history. */
const timeStepWidth = 44;
/** The time axis: its title on top, then the tick labels. */
const axisHeight = 42;
const axisTitleY = 13;
const laneHeight = 58;
const barHeight = 20;
/** Where a bar starts below its lane's top: room for the step numbers above it. */
const barOffset = 16;
/** A bar's end lies this far past its return's position, so a call at the same time overlaps it. */
const returnOverhang = timeStepWidth / 2;
/** The room an operation that never returned runs into past the last time. */
const openEndRoom = timeStepWidth * 2;
const rightMargin = 24;
/** Labelled ticks are at least this far apart. */
const tickSpacing = 88;
/** The longest operation or state text drawn inside the SVG; the tooltip and the list hold more. */
const drawnTextLimit = 120;
/**
 * A failing history with more operations than this draws only the failing part's (one key of a
 * key-value map): a page thousands of bars wide shows nothing.
 */
const dimmedOperationLimit = 200;

// ---------------------------------------------------------------------------------------------
// The view

/** Untrusted text as the page shows it: bounded, control characters made visible. */
function shown(text: string, limit: number = textLimits.line): string {
  return displayText(boundText(text, limit));
}

function plural(count: number, word: string): string {
  return `${word}${count === 1 ? '' : 's'}`;
}

/** A time as the axis writes it: whole numbers as they are, others shortened. */
function formatTime(time: number): string {
  return Number.isInteger(time) ? String(time) : String(Number(time.toPrecision(6)));
}

interface Chain {
  /** Operation indexes in the order found. */
  readonly operations: readonly number[];
  /** The model state after each, described. */
  readonly states: readonly string[];
}

/** What the checker found, in the terms the drawing needs. */
interface Findings {
  readonly chain: Chain;
  /** The operations the drawing is about; the others are dimmed (the other keys of a failing key-value history). */
  readonly focus: ReadonlySet<number> | null;
  readonly unplaced: ReadonlySet<number>;
  /** A smaller history that fails too, when the checker found one. */
  readonly minimal: readonly number[] | null;
  readonly minimalIsMinimal: boolean;
  readonly failing?: { readonly operation: number; readonly reason: string };
  readonly note?: string;
  readonly stepsTitle: string;
}

/** The state after each operation of a linearization, stepping the model (the result holds the order, not the states). */
function statesAlong<State, Input, Output>(order: readonly number[], history: readonly HistoryOperation<Input, Output>[], model: SequentialModel<State, Input, Output>): string[] {
  let state = model.initial();
  return order.map((index) => {
    const operation = history[index];
    state = model.step(state, operation.input, operation.output).next;
    return model.describeState(state);
  });
}

function findingsOf<State, Input, Output>(result: LinearizabilityResult, history: readonly HistoryOperation<Input, Output>[], model: SequentialModel<State, Input, Output>): Findings {
  switch (result.verdict) {
    case 'linearizable':
      return {
        chain: { operations: result.linearization, states: statesAlong(result.linearization, history, model) },
        focus: null,
        unplaced: new Set(),
        minimal: null,
        minimalIsMinimal: false,
        stepsTitle: `One order that explains every result (${result.linearization.length} ${plural(result.linearization.length, 'step')})`,
      };
    case 'not linearizable': {
      // The first failing part is the one drawn; the others are named in a note.
      const [first, ...others] = result.failures;
      const otherNote = others.length === 0 ? undefined : `${others.length} more ${plural(others.length, 'part')} of this history (${others.map((failure) => operationListText(failure.failingOperation, history, model)).join('; ')}) cannot be explained either.`;
      return {
        chain: { operations: first.longestPrefix, states: first.statesAfterPrefix },
        focus: result.parts > 1 ? new Set(first.operations) : null,
        unplaced: new Set(first.unplaced),
        minimal: first.minimalHistory,
        minimalIsMinimal: first.minimalHistoryIsMinimal,
        failing: { operation: first.failingOperation, reason: first.reason },
        ...(otherNote !== undefined ? { note: otherNote } : {}),
        stepsTitle: `The longest order found that explains the results (${first.longestPrefix.length} ${plural(first.longestPrefix.length, 'step')}), starting from ${first.initialState}`,
      };
    }
    case 'unknown':
      return {
        chain: { operations: [], states: [] },
        focus: null,
        unplaced: new Set(),
        minimal: null,
        minimalIsMinimal: false,
        note: `The checker gave up after ${result.maxSteps.toLocaleString('en-US')} steps, before deciding ${result.undecidedParts.length} ${plural(result.undecidedParts.length, 'part')} of this history: this is not a pass.`,
        stepsTitle: '',
      };
  }
}

function operationListText<State, Input, Output>(index: number, history: readonly HistoryOperation<Input, Output>[], model: SequentialModel<State, Input, Output>): string {
  const operation = history[index];
  return `${model.describeOperation(operation.input, operation.output)} by client ${operation.client}`;
}

function buildView<State, Input, Output>(result: LinearizabilityResult, history: readonly HistoryOperation<Input, Output>[], model: SequentialModel<State, Input, Output>, timeUnit: string) {
  const findings = findingsOf(result, history, model);
  const drawnIndexes = findings.focus !== null && history.length > dimmedOperationLimit ? [...findings.focus].sort((left, right) => left - right) : history.map((_, index) => index);
  const drawn = drawnIndexes.map((index) => history[index]);
  const leftOut = history.length - drawn.length;
  const clients = [...new Set(drawn.map((operation) => operation.client))].sort((left, right) => left - right);
  const laneOf = new Map(clients.map((client, position) => [client, position]));

  // Times are placed by rank: what matters is which calls and returns come before which.
  const times = [...new Set(drawn.flatMap((operation) => (operation.returnTime === null ? [operation.callTime] : [operation.callTime, operation.returnTime])))].sort((left, right) => left - right);
  const rankOf = new Map(times.map((time, rank) => [time, rank]));
  const xOf = (time: number) => laneLabelWidth + timeStepWidth / 2 + (rankOf.get(time) ?? 0) * timeStepWidth;
  const lastX = laneLabelWidth + timeStepWidth / 2 + Math.max(0, times.length - 1) * timeStepWidth;
  const openEndX = lastX + returnOverhang + openEndRoom;
  const width = openEndX + rightMargin;
  const height = axisHeight + clients.length * laneHeight + 4;
  const laneTop = (client: number) => axisHeight + (laneOf.get(client) ?? 0) * laneHeight;

  const stepOf = new Map(findings.chain.operations.map((operation, position) => [operation, position + 1]));
  const describe = (index: number) => shown(model.describeOperation(history[index].input, history[index].output));

  const minimalSet = new Set(findings.minimal ?? []);
  const bars = drawnIndexes.map((index) => {
    const operation = history[index];
    const x = xOf(operation.callTime);
    const open = operation.returnTime === null;
    const endX = open ? openEndX - 8 : xOf(operation.returnTime as number) + returnOverhang;
    const y = laneTop(operation.client) + barOffset;
    const step = stepOf.get(index);
    const classes = ['operation'];
    if (open) classes.push('open');
    if (operation.output === null) classes.push('unknown');
    if (step !== undefined) classes.push('placed');
    if (findings.focus !== null && !findings.focus.has(index)) classes.push('elsewhere');
    if (findings.unplaced.has(index)) classes.push('unplaced');
    if (minimalSet.has(index)) classes.push('minimal');
    if (findings.failing?.operation === index) classes.push('failing');
    const text = describe(index);
    const timing = `called at ${formatTime(operation.callTime)}, ${open ? 'never returned' : `returned at ${formatTime(operation.returnTime as number)}`}`;
    const result = operation.output === null ? '; its result is unknown' : '';
    const state = step === undefined ? undefined : findings.chain.states[step - 1];
    const placement = step === undefined ? '' : `; step ${step} of the order found`;
    const failingReason = findings.failing?.operation === index ? `; why it cannot be placed: ${shown(findings.failing.reason, textLimits.message)}` : '';
    return {
      className: classes.join(' '),
      operation: index,
      client: operation.client,
      step,
      x,
      y,
      width: Math.max(8, endX - x),
      height: barHeight,
      halfHeight: barHeight / 2,
      endX,
      open,
      unknown: operation.output === null,
      textX: x + 4,
      textWidth: Math.max(0, endX - x - 8),
      textBaseline: barHeight - 6,
      label: boundText(text, drawnTextLimit),
      title: `${text} (client ${operation.client}) ${timing}${result}${placement}${failingReason}`,
      state: state === undefined ? undefined : shown(state, drawnTextLimit),
      stateTop: y + barHeight + 2,
    };
  });

  const barOf = new Map(bars.map((bar) => [bar.operation, bar]));
  // The order found: each point inside its bar, never left of the one before where the bar allows.
  let previousX = laneLabelWidth;
  const points = findings.chain.operations.map((index, position) => {
    const bar = barOf.get(index);
    if (bar === undefined) throw new Error(`operation ${index} of the order found is not drawn`);
    const x = Math.min(Math.max(previousX + 10, bar.x + 10), bar.x + bar.width - 10);
    previousX = x;
    const y = bar.y - 7;
    return {
      className: 'step',
      step: position + 1,
      operation: index,
      x: Math.max(bar.x + 4, x),
      y,
      textY: y + 4,
      title: `step ${position + 1}: ${bar.label} (client ${bar.client})`,
    };
  });
  const failingBar = findings.failing === undefined ? undefined : barOf.get(findings.failing.operation);
  const chainPoints = points.map((point) => `${point.x},${point.y}`);
  const chains = chainPoints.length > 1 ? [{ className: 'chain', points: chainPoints.join(' ') }] : [];
  if (failingBar !== undefined && points.length > 0) {
    const last = points[points.length - 1];
    chains.push({ className: 'chain broken', points: `${last.x},${last.y} ${failingBar.x + failingBar.width / 2},${failingBar.y + barHeight / 2}` });
  }

  const tickEvery = Math.max(1, Math.ceil(tickSpacing / timeStepWidth));
  const ticks = times.flatMap((time, rank) => (rank % tickEvery === 0 ? [{ x: xOf(time), text: formatTime(time) }] : []));

  const failingOperation = findings.failing === undefined ? undefined : history[findings.failing.operation];
  const lanes = clients.map((client) => ({ client, top: laneTop(client), height: laneHeight, labelY: laneTop(client) + barOffset + barHeight - 6, label: `client ${client}` }));
  const verdictClass = result.verdict === 'linearizable' ? 'linearizable' : result.verdict === 'not linearizable' ? 'not-linearizable' : 'unknown';
  return {
    verdict: result.verdict,
    verdictClass,
    modelName: shown(model.name),
    operationCount: history.length,
    operationWord: plural(history.length, 'operation'),
    clientCount: clients.length,
    clientWord: plural(clients.length, 'client'),
    partText: result.parts > 1 ? `${result.parts} independent parts` : '',
    failing:
      findings.failing === undefined || failingOperation === undefined
        ? undefined
        : { operation: findings.failing.operation, client: failingOperation.client, operationText: describe(findings.failing.operation), reason: shown(findings.failing.reason, textLimits.message) },
    note: [findings.note === undefined ? '' : shown(findings.note, textLimits.message), leftOut === 0 ? '' : `Only the ${drawn.length} operations of the part that fails are drawn; the other ${leftOut} are left out.`].filter(Boolean).join(' ') || undefined,
    ariaLabel: `Timeline of ${history.length} ${plural(history.length, 'operation')} by ${clients.length} ${plural(clients.length, 'client')}, time (${timeUnit}) left to right: ${result.verdict}`,
    // Positions follow the order of calls and returns, not their distance: the title says so.
    axisTitle: { text: `time (${shown(timeUnit)}) →, calls and returns in order, evenly spaced`, x: laneLabelWidth, y: axisTitleY },
    width,
    height,
    axisTop: axisHeight - 6,
    axisBottom: height,
    axisLabelY: axisHeight - 10,
    ticks,
    lanes,
    bars,
    points,
    chains,
    stepsTitle: findings.stepsTitle,
    minimalTitle:
      findings.minimal === null
        ? undefined
        : `A smaller history fails too: these ${findings.minimal.length} ${plural(findings.minimal.length, 'operation')} (outlined)${findings.minimalIsMinimal ? ', none of which can be left out' : ''}`,
    minimal: (findings.minimal ?? []).map((index) => ({ operation: index, client: history[index].client, operationText: describe(index) })),
    steps: findings.chain.operations.map((index, position) => ({
      operation: index,
      client: history[index].client,
      operationText: describe(index),
      state: shown(findings.chain.states[position] ?? ''),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Style and rendering

/** The CSS the fragment needs; a page that embeds it includes this (the grading report allows it by hash). */
export const historyTimelineStyle = `
.history-timeline { margin: 1em 0; font: 14px/1.4 system-ui, sans-serif; color: #1d1d1f; }
.history-timeline figcaption { margin-bottom: .4em; }
.history-timeline .verdict { text-transform: uppercase; letter-spacing: .03em; }
.history-timeline.linearizable .verdict { color: #1a7f37; }
.history-timeline.not-linearizable .verdict, .history-timeline.unknown .verdict { color: #b3261e; }
.history-timeline .reason { border-left: 4px solid #b3261e; background: #fdecea; padding: .5em .8em; margin: .5em 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.history-timeline .note { border-left: 4px solid #9a6700; background: #fff8c5; padding: .5em .8em; margin: .5em 0; overflow-wrap: anywhere; }
.history-timeline .scroll { display: inline-block; max-width: 100%; overflow-x: auto; border: 1px solid #d0d7de; border-radius: 6px; background: #fff; }
.history-timeline svg.timeline { display: block; font: 12px/1 ui-monospace, SFMono-Regular, Menlo, monospace; }
.history-timeline .lane:nth-of-type(odd) .lane-band { fill: #f6f8fa; }
.history-timeline .lane-band { fill: #fff; }
.history-timeline .lane-label { fill: #57606a; font-family: system-ui, sans-serif; }
.history-timeline .tick { stroke: #eaeef2; }
.history-timeline .tick-label { fill: #8c959f; font-size: 10px; text-anchor: middle; }
.history-timeline .axis-title { fill: #57606a; font: 600 12px/1 system-ui, sans-serif; }
.history-timeline .operation .bar-body { fill: #ddf4ff; stroke: #0969da; stroke-width: 1; }
.history-timeline .operation.placed .bar-body { fill: #dafbe1; stroke: #1a7f37; }
.history-timeline .operation.open .bar-body { stroke-dasharray: 6 3; }
.history-timeline .operation.unknown .bar-body { fill: #fff8c5; stroke: #9a6700; }
.history-timeline .operation.unplaced .bar-body { fill: #ffebe9; stroke: #cf222e; }
.history-timeline .operation.failing .bar-body { fill: #ffcecb; stroke: #b3261e; stroke-width: 3; }
.history-timeline .operation.elsewhere { opacity: .35; }
.history-timeline .operation.minimal .bar-body { stroke: #8250df; stroke-width: 2.5; }
.history-timeline .open-end { fill: none; stroke: #57606a; stroke-width: 1.5; }
.history-timeline .bar-label { fill: #1d1d1f; }
.history-timeline .state-label { fill: #1a7f37; font-size: 10px; }
.history-timeline .chain { fill: none; stroke: #1a7f37; stroke-width: 2; stroke-opacity: .7; }
.history-timeline .chain.broken { stroke: #b3261e; stroke-dasharray: 4 3; }
.history-timeline .step circle { fill: #1a7f37; }
.history-timeline .step-number { fill: #fff; font-size: 10px; text-anchor: middle; font-family: system-ui, sans-serif; }
.history-timeline .steps { margin-top: .6em; }
.history-timeline .steps code, .history-timeline .reason, .history-timeline .steps li { overflow-wrap: anywhere; }
.history-timeline .muted { color: #57606a; }
.history-timeline .legend { font-size: 12px; }
.history-timeline .unknown-sample { background: #fff8c5; border: 1px solid #9a6700; padding: 0 .3em; }
body.history-page { margin: 1.5em; font: 14px/1.4 system-ui, sans-serif; }
body.history-page h1 { font-size: 1.2em; overflow-wrap: anywhere; }
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const contentSecurityPolicy = ["default-src 'none'", "script-src 'none'", `style-src ${cspHash(historyTimelineStyle)}`, "img-src 'none'", "base-uri 'none'", "form-action 'none'"].join('; ');

type View = ReturnType<typeof buildView> & { readonly page: boolean; readonly pageTitle?: string; readonly contentSecurityPolicy?: string };
let render: ((view: View) => string) | undefined;

/** Compiles the template once, in an isolated Handlebars instance whose only raw insertion is the style above. */
function compiled(): (view: View) => string {
  if (render !== undefined) return render;
  const handlebars = Handlebars.create();
  handlebars.registerHelper('trustedStyle', () => new handlebars.SafeString(historyTimelineStyle));
  const template = handlebars.compile(readFileSync(templateFile, 'utf8'), { knownHelpers: { trustedStyle: true }, knownHelpersOnly: true });
  render = (view) => template(view);
  return render;
}
