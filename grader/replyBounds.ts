// Cuts a reply down to what the grader accepts (grader/replySchema.ts): a submission's
// messages, labels and data can be of any size, and a reply that is too large would turn
// a failure it earned into a crash. Done in the child, on data of the judging realm.
import { formatPlain } from 'distlab/testing';
import type { ChildReply, ReplayOutcome } from './protocol.ts';
import {
  maxDataArrayLength,
  maxDataDepth,
  maxDataObjectFields,
  maxDataStringLength,
  maxExportCount,
  maxLabelLength,
  maxMessageLength,
  maxNameLength,
  maxStateChanges,
  maxStatePatches,
  maxStatePathLength,
  maxTraceEvents,
} from './replySchema.ts';
import type { RecordedFailure, TestOutcome } from './runTest.ts';
import type { StateChange, StatePatch, StatePathKey, TraceEvent } from 'distlab/testing';

export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const marker = `… (${text.length - limit} more characters)`;
  return text.slice(0, Math.max(0, limit - marker.length)) + marker;
}

/** Whether JSON data stays within the schema's bounds for a trace event's detail. */
function fitsData(value: unknown, depth: number, budget: { values: number }): boolean {
  if (--budget.values < 0 || depth > maxDataDepth - 2) return false;
  if (typeof value === 'string') return value.length <= maxDataStringLength;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.length <= maxDataArrayLength && value.every((item) => fitsData(item, depth + 1, budget));
  const keys = Object.keys(value);
  if (keys.length > maxDataObjectFields) return false;
  return keys.every((key) => key !== '__proto__' && key.length <= maxNameLength && fitsData((value as Record<string, unknown>)[key], depth + 1, budget));
}

function boundedEvent(event: TraceEvent): TraceEvent {
  const label = cut(event.label, maxLabelLength);
  const reason = event.reason === undefined ? undefined : cut(event.reason, maxLabelLength);
  const detail = event.detail === undefined || fitsData(event.detail, 0, { values: 10_000 }) ? event.detail : formatPlain(event.detail, 2_000);
  const bounded: { -readonly [K in keyof TraceEvent]: TraceEvent[K] } = { ...event, label };
  if (reason === undefined) delete bounded.reason;
  else bounded.reason = reason;
  if (detail === undefined) delete bounded.detail;
  else bounded.detail = detail;
  return bounded;
}

function boundedTrace(trace: readonly TraceEvent[]): TraceEvent[] {
  return trace.slice(-maxTraceEvents).map(boundedEvent);
}

/**
 * A node's state as the schema accepts it: a value too large or deep becomes its short text,
 * a path key named `__proto__` or too long is renamed, and the changes stop at the limit.
 */
function boundedStates(states: readonly StateChange[]): StateChange[] {
  const pathKey = (key: StatePathKey): StatePathKey =>
    typeof key === 'number' ? key : key === '__proto__' ? '(__proto__)' : cut(key, maxNameLength);
  const patch = (one: StatePatch): StatePatch => {
    const path = one[0].slice(0, maxStatePathLength).map(pathKey);
    if (one.length === 1) return [path];
    const value = one[1];
    return [path, value === undefined || fitsData(value, 0, { values: 10_000 }) ? (value ?? null) : formatPlain(value, 2_000)];
  };
  return states.slice(0, maxStateChanges).map((change) => ({ index: change.index, node: change.node, patches: change.patches.slice(0, maxStatePatches).map(patch) }));
}

function boundedFailure(failure: RecordedFailure): RecordedFailure {
  const bounded = {
    ...failure,
    property: cut(failure.property, maxNameLength),
    message: cut(failure.message, maxMessageLength),
    lastEvents: boundedTrace(failure.lastEvents),
    trace: boundedTrace(failure.trace),
    ...(failure.states === undefined ? {} : { states: boundedStates(failure.states) }),
  };
  if (bounded.kind === 'nondeterministic') {
    const rerun = bounded.rerun;
    return {
      ...bounded,
      rerun: {
        ...rerun,
        ...(rerun.property === undefined ? {} : { property: cut(rerun.property, maxNameLength) }),
        ...(rerun.message === undefined ? {} : { message: cut(rerun.message, maxMessageLength) }),
      },
    };
  }
  return bounded;
}

function boundedOutcome(outcome: TestOutcome): TestOutcome {
  return {
    ...outcome,
    ...(outcome.failure ? { failure: boundedFailure(outcome.failure) } : {}),
    ...(outcome.demonstration ? { demonstration: boundedFailure(outcome.demonstration) } : {}),
  };
}

function boundedReplay(outcome: ReplayOutcome): ReplayOutcome {
  return {
    ...outcome,
    ...(outcome.failure ? { failure: { ...outcome.failure, property: cut(outcome.failure.property, maxNameLength), message: cut(outcome.failure.message, maxMessageLength) } } : {}),
    trace: boundedTrace(outcome.trace),
    ...(outcome.states === undefined ? {} : { states: boundedStates(outcome.states) }),
  };
}

/** The reply, with everything a submission can make long cut to the schema's bounds. */
export function boundedReply(reply: ChildReply): ChildReply {
  switch (reply.type) {
    case 'outcome':
      return { ...reply, outcome: boundedOutcome(reply.outcome) };
    case 'replayed':
      return { ...reply, outcome: boundedReplay(reply.outcome) };
    case 'ready':
      return {
        ...reply,
        exported: reply.exported.slice(0, maxExportCount).map((name) => cut(name, maxNameLength)),
        missingExports: reply.missingExports.slice(0, maxExportCount).map((name) => cut(name, maxNameLength)),
      };
    case 'error':
      return { ...reply, message: cut(reply.message, maxMessageLength) };
    case 'progress':
      return reply;
  }
}

/** Trace events a reply keeps when the whole one is too large to send. */
const slimTraceEvents = 2_000;

function slimFailure(failure: RecordedFailure): RecordedFailure {
  const { states: _states, ...rest } = failure;
  const trace = failure.trace.slice(-slimTraceEvents);
  return { ...rest, trace, traceTruncated: failure.traceTruncated || trace.length < failure.trace.length };
}

/**
 * A reply too large for one frame, made smaller: without node states and with only the last
 * events of each trace. The verdict and everything else stay: a submission whose states are
 * huge still gets the grade its behaviour earns, and its report still shows the failure.
 */
export function slimmedReply(reply: ChildReply): ChildReply {
  if (reply.type === 'outcome') {
    const outcome = reply.outcome;
    return {
      ...reply,
      outcome: {
        ...outcome,
        ...(outcome.failure ? { failure: slimFailure(outcome.failure) } : {}),
        ...(outcome.demonstration ? { demonstration: slimFailure(outcome.demonstration) } : {}),
      },
    };
  }
  if (reply.type === 'replayed') {
    const { states: _states, ...outcome } = reply.outcome;
    return { ...reply, outcome: { ...outcome, trace: outcome.trace.slice(-slimTraceEvents) } };
  }
  return reply;
}
