import type { TraceEvent } from 'distlab/testing';
import type { GradedFailure, GradedTest, GradingReport } from '../results.ts';
import { maxEvidenceOperations, type LinearizabilityEvidence } from '../linearizabilityEvidence.ts';

// Text that comes from a submission or from what its run recorded (failure messages, what it
// printed, trace labels, details and reasons, measurement names) may hold anything: megabytes
// of it, terminal escape sequences, bidirectional overrides. Every report bounds it with the
// limits below, and the terminal shows its control characters as visible escapes.

/** The longest text kept of each kind of untrusted field, in UTF-16 code units. */
export const textLimits = {
  /** A one-line field: a property's name, a trace label or reason, a measurement's name. */
  line: 500,
  /** A failure's message, why a test crashed or did not run, a type error. */
  message: 4_000,
  /** A trace event's detail, measured as JSON text. */
  detail: 2_000,
  /** What the implementation printed while a test ran: its end is kept. */
  output: 8_000,
  /** Why grading could not start (it may hold what the implementation printed while loading). */
  setupError: 8_000,
} as const;

/** Type errors kept in a report; a last entry says how many more there were. */
export const typeErrorLimit = 100;

/** The marker that ends a text cut short: `… (1234 more characters)`. */
function moreMarker(count: number): string {
  return `… (${count} more characters)`;
}

/** The marker that starts a text whose beginning was cut: `… (1234 earlier characters)`. */
function earlierMarker(count: number): string {
  return `… (${count} earlier characters)\n`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The start of `text`, at most `limit` code units long with the marker included, so that
 * bounding a bounded text changes nothing. A surrogate pair is never split.
 */
export function boundText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // The marker is at most this long, since fewer than text.length characters are left out.
  let kept = Math.max(0, limit - moreMarker(text.length).length);
  if (kept > 0 && isHighSurrogate(text.charCodeAt(kept - 1))) kept--;
  return `${text.slice(0, kept)}${moreMarker(text.length - kept)}`;
}

/**
 * The end of `text` (what a program printed last matters most), at most `limit` code units
 * long with the marker included. The kept part starts at a line's start when one is near.
 */
export function boundTail(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let start = text.length - Math.max(0, limit - earlierMarker(text.length).length);
  const lineStart = text.indexOf('\n', start);
  if (lineStart >= 0 && lineStart - start < 200) start = lineStart + 1;
  else if (start < text.length && isHighSurrogate(text.charCodeAt(start - 1))) start++;
  return `${earlierMarker(start)}${text.slice(start)}`;
}

/** At most `limit` lines of a multi-line text; a last line says how many more there were. */
export function boundLines(text: string, limit: number): string {
  const lines = text.split('\n');
  if (lines.length <= limit) return text;
  return [...lines.slice(0, limit), `… (${lines.length - limit} more lines)`].join('\n');
}

/**
 * C0 and C1 control characters, DEL, the bidirectional marks, embeddings, overrides and
 * isolates (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069: they reorder what a reader
 * sees), the line and paragraph separators (U+2028, U+2029: a terminal may break the line),
 * invisible characters (the zero width space U+200B, U+2060–U+2064, the byte order mark U+FEFF,
 * the interlinear annotations U+FFF9–U+FFFB), the noncharacters U+FFFE and U+FFFF, and lone
 * surrogates.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const unsafeCharacter = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const namedEscapes: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visibleEscape(character: string): string {
  const named = namedEscapes[character];
  if (named !== undefined) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text as a terminal may show it: every control character (escape sequences included), every
 * bidirectional override and every lone surrogate written as a visible escape (`\x1b`, `\r`,
 * `\u202e`). With `lines: 'keep'`, line breaks and tabs stay (CR LF becomes LF): for a block
 * the report prints as lines. Backslashes are left alone: text that merely looks like an
 * escape cannot move the cursor.
 */
export function escapeControls(text: string, lines: 'keep' | 'escape' = 'escape'): string {
  const source = lines === 'keep' ? text.replace(/\r\n/g, '\n') : text;
  return source.replace(unsafeCharacter, (character) =>
    lines === 'keep' && (character === '\n' || character === '\t') ? character : visibleEscape(character),
  );
}

/** A one-line untrusted field for the terminal: bounded, then escaped (line breaks too). */
export function terminalLine(text: string, limit: number = textLimits.line): string {
  return escapeControls(boundText(text, limit), 'escape');
}

/** A multi-line untrusted block for the terminal: bounded, then escaped except for its line breaks. */
export function terminalBlock(text: string, limit: number = textLimits.message): string {
  return escapeControls(boundText(text, limit), 'keep');
}

// ---------------------------------------------------------------------------------------------
// Bounding a whole report: every reporter starts from this, and the grader applies it as soon
// as a test's result is in, so an oversized message never reaches any writer.

/** A trace event's detail, or its JSON text cut to the limit when it is longer. */
function boundDetail(detail: unknown): unknown {
  if (typeof detail === 'string') return boundText(detail, textLimits.detail);
  if (typeof detail !== 'object' || detail === null) return detail;
  let text: string | undefined;
  try {
    text = JSON.stringify(detail);
  } catch {
    return '(a detail that cannot be written as JSON)';
  }
  return text === undefined || text.length <= textLimits.detail ? detail : boundText(text, textLimits.detail);
}

function boundEvent(event: TraceEvent): TraceEvent {
  const label = boundText(event.label, textLimits.line);
  const reason = event.reason === undefined ? undefined : boundText(event.reason, textLimits.line);
  const detail = event.detail === undefined ? undefined : boundDetail(event.detail);
  if (label === event.label && reason === event.reason && detail === event.detail) return event;
  return { ...event, label, ...(reason !== undefined ? { reason } : {}), ...(detail !== undefined ? { detail } : {}) };
}

/** A failed linearizability check's evidence: its reason bounded, its history dropped when it holds more operations than a failure keeps. */
function boundEvidence(evidence: LinearizabilityEvidence): LinearizabilityEvidence {
  const reason = boundText(evidence.reason, textLimits.message);
  const tooMany = evidence.operations.length > maxEvidenceOperations;
  if (reason === evidence.reason && !tooMany) return evidence;
  return { ...evidence, reason, ...(tooMany ? { shown: 'none' as const, operations: [] } : {}) };
}

/** A recorded failure with its texts bounded. Seeds, schedules and search paths stay whole: replays need them. */
export function boundFailure(failure: GradedFailure): GradedFailure {
  const bounded = {
    ...failure,
    property: boundText(failure.property, textLimits.line),
    message: boundText(failure.message, textLimits.message),
    lastEvents: failure.lastEvents.map(boundEvent),
    trace: failure.trace.map(boundEvent),
    ...(failure.linearizability !== undefined ? { linearizability: boundEvidence(failure.linearizability) } : {}),
  };
  if (bounded.kind !== 'nondeterministic') return bounded;
  // The re-run's summary of a failure the grader could not reproduce.
  const { property, message } = bounded.rerun;
  return {
    ...bounded,
    rerun: {
      ...bounded.rerun,
      ...(property !== undefined ? { property: boundText(property, textLimits.line) } : {}),
      ...(message !== undefined ? { message: boundText(message, textLimits.message) } : {}),
    },
  };
}

function boundMeasurements(measurements: Readonly<Record<string, number>>): Record<string, number> {
  const bounded: Record<string, number> = {};
  for (const [key, value] of Object.entries(measurements)) bounded[boundText(key, textLimits.line)] = value;
  return bounded;
}

/** A graded test with every untrusted text bounded (its number, name and description are the suite's own). */
export function boundGradedTest(test: GradedTest): GradedTest {
  const { reason, output, failure, demonstration, measurements, ...rest } = test;
  return {
    ...rest,
    ...(reason !== undefined ? { reason: boundText(reason, textLimits.message) } : {}),
    ...(measurements !== undefined ? { measurements: boundMeasurements(measurements) } : {}),
    ...(failure !== undefined ? { failure: boundFailure(failure) } : {}),
    ...(demonstration !== undefined ? { demonstration: boundFailure(demonstration) } : {}),
    ...(output !== undefined ? { output: boundTail(output, textLimits.output) } : {}),
  };
}

/** The type errors, each bounded; at most {@link typeErrorLimit} entries, the last one then saying how many were left out. */
function boundTypeErrors(errors: readonly string[]): string[] {
  if (errors.length <= typeErrorLimit) return errors.map((error) => boundText(error, textLimits.message));
  const kept = errors.slice(0, typeErrorLimit - 1).map((error) => boundText(error, textLimits.message));
  return [...kept, `… (${errors.length - kept.length} more type errors)`];
}

/**
 * About how many characters (as compact JSON) the traces and node states of all a report's
 * failures may take together. Each failure's are bounded on its own; a submission that fills
 * every one of many tests' traces with large messages would still make a report too large to
 * read, or to write at all. Past this, a failure keeps the last {@link slimTraceEvents} events
 * of its trace and no states.
 */
export const reportTraceCharacters = 12_000_000;
const slimTraceEvents = 200;

function traceCharacters(failure: GradedFailure): number {
  return JSON.stringify(failure.trace).length + (failure.states === undefined ? 0 : JSON.stringify(failure.states).length);
}

/** The tests, their failures' traces and states within {@link reportTraceCharacters} together, in test order. */
function withinTraceBudget(tests: readonly GradedTest[]): GradedTest[] {
  let used = 0;
  const within = (failure: GradedFailure): GradedFailure => {
    const characters = traceCharacters(failure);
    if (used + characters <= reportTraceCharacters) {
      used += characters;
      return failure;
    }
    const { states: _states, ...rest } = failure;
    const slim: GradedFailure = { ...rest, trace: failure.trace.slice(-slimTraceEvents), traceTruncated: true };
    used += traceCharacters(slim);
    return slim;
  };
  return tests.map((test) => ({
    ...test,
    ...(test.failure !== undefined ? { failure: within(test.failure) } : {}),
    ...(test.demonstration !== undefined ? { demonstration: within(test.demonstration) } : {}),
  }));
}

/**
 * The report with every untrusted text bounded to {@link textLimits}, and its traces to
 * {@link reportTraceCharacters}. Bounding is idempotent: a bounded report comes back equal.
 */
export function boundReport(report: GradingReport): GradingReport {
  return {
    ...report,
    ...(report.setupError !== undefined ? { setupError: boundText(report.setupError, textLimits.setupError) } : {}),
    typeErrors: boundTypeErrors(report.typeErrors),
    tests: withinTraceBudget(report.tests.map(boundGradedTest)),
  };
}
