import type { CrashReaction, FaultSchedule, SearchEvent, StateChange, StatePatch, TraceEvent } from 'distlab/testing';
import type { ChildReply, ReplayOutcome, WatchedDetails, WorkActivity } from './protocol.ts';
import type { RecordedFailure, TestOutcome } from './runTest.ts';
import { maxEvidenceOperations } from './linearizabilityEvidence.ts';
import { isCrashReaction } from '../framework/faults.ts';

// What the child process sends is believed only once it has the shape of a reply: every
// field of the right type, every name from its list, every number finite and in range,
// every string and array within a bound. A value that is not is refused with the path of
// the field, never repaired (a long string is not cut short): the grader turns the problem
// into a `crashed` verdict. The values come from JSON.parse, so they are plain; the checks
// still refuse accessors, odd prototypes and fields named `__proto__`, so that nothing later
// code does with a reply can reach a prototype.

/** Test numbers, property names, export names, measurement names, message types. */
export const maxNameLength = 200;
/** A failure's or an error's message, which may quote a node's exception and its stack. */
export const maxMessageLength = 20_000;
/** A trace line's label (a log line, a fault's description) and its reason. */
export const maxLabelLength = 2_000;
/** Strings inside node data (messages, timers, inputs, outputs in traces and paths). */
export const maxDataStringLength = 10_000;
export const maxExportCount = 100;
export const maxTraceEvents = 100_000;
/** Node-state changes of a trace: one per reaction, crash and restart, so about one per event. */
export const maxStateChanges = 2 * maxTraceEvents;
/** Patches of one state change, and keys in one patch's path. */
export const maxStatePatches = 100_000;
export const maxStatePathLength = 64;
export const maxScheduleActions = 10_000;
export const maxSearchPathEvents = 100_000;
export const maxMeasurementCount = 100;
/** Node ids are 0 to maxNodeCount - 1 (-1 for "no node" in a trace). */
export const maxNodeCount = 1_000;
export const maxSeedCount = 1_000_000;
/** Node data: entries of one array, fields of one object, nesting, values in one piece. */
export const maxDataArrayLength = 100_000;
export const maxDataObjectFields = 1_000;
export const maxDataDepth = 64;
export const maxDataValues = 100_000;

/** Checks one value; returns a problem that names `path`, or undefined when it is a `T`. */
export interface Checker<T> {
  (value: unknown, path: string): string | undefined;
  /** Never set: carries the checked type, so that a schema can be compared with the types it checks. */
  readonly checks?: T;
}

/** The type a checker checks. */
export type Checked<C> = C extends Checker<infer T> ? T : never;

/** A field that may be absent. */
export interface OptionalChecker<T> extends Checker<T> {
  readonly optional: true;
}

/** Shows a name or value from the child in a message: short, printable ASCII only. */
function printable(text: string, maxLength = 40): string {
  const escaped = text
    .slice(0, maxLength)
    .replace(/[^\x20-\x7e]|["\\]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${escaped}${text.length > maxLength ? '…' : ''}"`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isFinite(value) ? `the number ${value}` : String(value);
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** A plain record: no accessors reachable through it, its prototype Object's or none. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isPlainArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype;
}

/** The value of an own data field; undefined for an accessor, `absent` when there is none. */
const absent = Symbol('absent');
function ownData(record: object, key: string): { readonly value: unknown } | typeof absent | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(record, key);
  if (descriptor === undefined) return absent;
  return 'value' in descriptor ? { value: descriptor.value } : undefined;
}

function fieldPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]{0,39}$/.test(key) ? `${path}.${key}` : `${path}[${printable(key)}]`;
}

export function string(maxLength: number): Checker<string> {
  return (value, path) => {
    if (typeof value !== 'string') return `${path} must be a string, not ${describeType(value)}`;
    if (value.length > maxLength) return `${path} is a string of ${value.length} characters, more than the limit of ${maxLength}`;
    return undefined;
  };
}

/** One of a list of strings. */
export function oneOf<const T extends string>(values: readonly T[]): Checker<T> {
  const allowed = new Set<string>(values);
  return (value, path) => {
    if (typeof value === 'string' && allowed.has(value)) return undefined;
    const shown = typeof value === 'string' ? printable(value) : describeType(value);
    return `${path} must be one of ${values.map((name) => `"${name}"`).join(', ')}, not ${shown}`;
  };
}

export const boolean: Checker<boolean> = (value, path) =>
  typeof value === 'boolean' ? undefined : `${path} must be true or false, not ${describeType(value)}`;

/** A whole number from `min` to `max`, both included. */
export function integer(min: number, max: number): Checker<number> {
  return (value, path) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
      ? undefined
      : `${path} must be a whole number from ${min} to ${max}, not ${describeType(value)}`;
}

/** A finite number from `min` to `max`, both included. */
export function finiteNumber(min: number, max: number): Checker<number> {
  return (value, path) =>
    typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max
      ? undefined
      : `${path} must be a finite number from ${min} to ${max}, not ${describeType(value)}`;
}

export function array<T>(item: Checker<T>, maxLength: number): Checker<readonly T[]> {
  return (value, path) => {
    if (!isPlainArray(value)) return `${path} must be an array, not ${describeType(value)}`;
    if (value.length > maxLength) return `${path} has ${value.length} entries, more than the limit of ${maxLength}`;
    for (let index = 0; index < value.length; index++) {
      const problem = item(value[index], `${path}[${index}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/** A field that may be absent (or undefined, which JSON cannot send). */
export function optional<T>(checker: Checker<T>): OptionalChecker<T> {
  const check: Checker<T> = (value, path) => (value === undefined ? undefined : checker(value, path));
  return Object.assign(check, { optional: true as const });
}

type Fields = Readonly<Record<string, Checker<unknown>>>;
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K] extends { readonly optional: true } ? never : K }[keyof F];
type OptionalKeys<F extends Fields> = Exclude<keyof F, RequiredKeys<F>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<F extends Fields> = Simplify<
  { readonly [K in RequiredKeys<F>]: Checked<F[K]> } & { readonly [K in OptionalKeys<F>]?: Checked<F[K]> }
>;

/**
 * An object with exactly these fields (those made with `optional` may be absent); any other
 * field is refused, so a field added to a reply must be added here too.
 */
export function object<F extends Fields>(fields: F): Checker<ObjectOf<F>> {
  const names = Object.keys(fields);
  const known = new Set(names);
  return (value, path) => {
    if (!isPlainObject(value)) return `${path} must be an object, not ${describeType(value)}`;
    for (const key of Object.keys(value)) {
      if (!known.has(key)) return `${path} has an unexpected field ${printable(key)}`;
    }
    for (const name of names) {
      const checker = fields[name] as Checker<unknown> & { readonly optional?: true };
      const field = ownData(value, name);
      const where = fieldPath(path, name);
      if (field === undefined) return `${where} is an accessor, not data`;
      if (field === absent) {
        if (checker.optional) continue;
        return `${where} is missing`;
      }
      const problem = checker(field.value, where);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/** A record of names to values, with at most `maxFields` fields. */
export function record<T>(value: Checker<T>, maxFields: number, maxKeyLength = maxNameLength): Checker<Readonly<Record<string, T>>> {
  return (candidate, path) => {
    if (!isPlainObject(candidate)) return `${path} must be an object, not ${describeType(candidate)}`;
    const keys = Object.keys(candidate);
    if (keys.length > maxFields) return `${path} has ${keys.length} fields, more than the limit of ${maxFields}`;
    for (const key of keys) {
      if (key.length > maxKeyLength) return `${path} has a field name of ${key.length} characters, more than the limit of ${maxKeyLength}`;
      if (key === '__proto__') return `${path} has a field named "__proto__"`;
      const field = ownData(candidate, key);
      const where = fieldPath(path, key);
      if (field === undefined || field === absent) return `${where} is an accessor, not data`;
      const problem = value(field.value, where);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

/**
 * One of several object shapes told apart by the string in field `tag`; each variant's
 * checker checks the tag too (it is an `object` with `[tag]: oneOf([...])`).
 */
export function taggedUnion<const V extends Readonly<Record<string, Checker<unknown>>>>(
  tag: string,
  variants: V,
): Checker<Checked<V[keyof V]>> {
  const tags = Object.keys(variants);
  const tagChecker = oneOf(tags);
  return (value, path) => {
    if (!isPlainObject(value)) return `${path} must be an object, not ${describeType(value)}`;
    const field = ownData(value, tag);
    const where = fieldPath(path, tag);
    if (field === undefined) return `${where} is an accessor, not data`;
    if (field === absent) return `${where} is missing`;
    const problem = tagChecker(field.value, where);
    if (problem !== undefined) return problem;
    const variant = variants[field.value as string] as Checker<unknown>;
    return variant(value, path);
  };
}

export type JsonData = null | boolean | number | string | readonly JsonData[] | { readonly [key: string]: JsonData };

/**
 * Any JSON value, as node data (a message, a timer, an output) arrives in a trace: strings,
 * arrays, objects, nesting and the number of values in it all bounded.
 */
export const jsonData: Checker<JsonData> = (value, path) => {
  let budget = maxDataValues;
  const visit = (item: unknown, where: string, depth: number): string | undefined => {
    if (--budget < 0) return `${path} holds more than ${maxDataValues} values`;
    if (item === null || typeof item === 'boolean') return undefined;
    if (typeof item === 'number') return Number.isFinite(item) ? undefined : `${where} must be a finite number, not ${String(item)}`;
    if (typeof item === 'string') {
      return item.length > maxDataStringLength
        ? `${where} is a string of ${item.length} characters, more than the limit of ${maxDataStringLength}`
        : undefined;
    }
    if (depth >= maxDataDepth) return `${where} nests more than ${maxDataDepth} levels deep`;
    if (isPlainArray(item)) {
      if (item.length > maxDataArrayLength) return `${where} has ${item.length} entries, more than the limit of ${maxDataArrayLength}`;
      for (let index = 0; index < item.length; index++) {
        const problem = visit(item[index], `${where}[${index}]`, depth + 1);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    if (isPlainObject(item)) {
      const keys = Object.keys(item);
      if (keys.length > maxDataObjectFields) return `${where} has ${keys.length} fields, more than the limit of ${maxDataObjectFields}`;
      for (const key of keys) {
        if (key.length > maxNameLength) return `${where} has a field name of ${key.length} characters, more than the limit of ${maxNameLength}`;
        if (key === '__proto__') return `${where} has a field named "__proto__"`;
        const field = ownData(item, key);
        const fieldWhere = fieldPath(where, key);
        if (field === undefined || field === absent) return `${fieldWhere} is an accessor, not data`;
        const problem = visit(field.value, fieldWhere, depth + 1);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    return `${where} must be JSON data, not ${describeType(item)}`;
  };
  return visit(value, path, 0);
};

/** Node data with a string `type`: a message, a timer, an input or an output. */
const dataType = string(maxNameLength);
export const taggedData: Checker<{ readonly type: string }> = (value, path) => {
  if (!isPlainObject(value)) return `${path} must be an object with a "type", not ${describeType(value)}`;
  const type = ownData(value, 'type');
  if (type === absent) return `${path}.type is missing`;
  if (type === undefined) return `${path}.type is an accessor, not data`;
  return dataType(type.value, `${path}.type`) ?? jsonData(value, path);
};

// The vocabularies, kept next to the types they mirror.

export const traceKinds = [
  'start',
  'send',
  'deliver',
  'drop',
  'duplicate',
  'timer-set',
  'timer-fire',
  'timer-cancel',
  'crash',
  'restart',
  'fault',
  'input',
  'output',
  'log',
  'violation',
  'store',
] as const satisfies readonly TraceEvent['kind'][];

/** The kinds of a recorded failure (grader/runTest.ts) other than those with fields of their own. */
export const plainFailureKinds = [
  'violation',
  'liveness',
  'goal-not-reached',
  'budget-exceeded',
  'exception',
  'demonstration-not-shown',
] as const satisfies readonly RecordedFailure['kind'][];

export const recordedLimits = ['events', 'states', 'depth', 'wall time'] as const;

export const workActivities = ['running', 'shrinking', 'searching'] as const satisfies readonly WorkActivity[];

/** The kinds of a simulation's failure (framework/simulation.ts), as a replay reports them. */
export const simulationFailureKinds = ['violation', 'liveness', 'goal-not-reached', 'budget-exceeded', 'exception', 'limit'] as const;

// The shapes.

const name = string(maxNameLength);
/** A crash fault's `inReactionTo`: 'input', 'message' or 'timer', with or without a type. */
const crashReaction: Checker<CrashReaction> = (value, path) => {
  const problem = name(value, path);
  if (problem !== undefined) return problem;
  return isCrashReaction(value) ? undefined : `${path} must be 'input', 'message' or 'timer', with or without a type`;
};
const message = string(maxMessageLength);
const seed = integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
const count = integer(0, Number.MAX_SAFE_INTEGER);
const timeMs = finiteNumber(0, Number.MAX_VALUE);
const nodeId = integer(0, maxNodeCount - 1);
const nodeList = array(nodeId, maxNodeCount);
const rate = finiteNumber(0, 1);

const delay = taggedUnion('kind', {
  uniform: object({ kind: oneOf(['uniform']), minMs: timeMs, maxMs: timeMs }),
  exponential: object({ kind: oneOf(['exponential']), meanMs: timeMs, minMs: optional(timeMs), maxMs: optional(timeMs) }),
});

export const faultAction = taggedUnion('type', {
  partition: object({ atMs: timeMs, type: oneOf(['partition']), groups: array(nodeList, maxNodeCount) }),
  isolate: object({ atMs: timeMs, type: oneOf(['isolate']), node: nodeId }),
  cut: object({ atMs: timeMs, type: oneOf(['cut']), from: nodeList, to: nodeList }),
  heal: object({ atMs: timeMs, type: oneOf(['heal']) }),
  crash: object({ atMs: timeMs, type: oneOf(['crash']), node: nodeId, afterEffects: optional(count), inReactionTo: optional(crashReaction) }),
  restart: object({ atMs: timeMs, type: oneOf(['restart']), node: nodeId }),
  network: object({
    atMs: timeMs,
    type: oneOf(['network']),
    delay: optional(delay),
    dropRate: optional(rate),
    duplicateRate: optional(rate),
    fifo: optional(boolean),
  }),
});

export const faultSchedule: Checker<FaultSchedule> = array(faultAction, maxScheduleActions);

export const searchEvent: Checker<SearchEvent> = taggedUnion('kind', {
  deliver: object({ kind: oneOf(['deliver']), from: nodeId, to: nodeId, message: taggedData, crashAfter: optional(count) }),
  drop: object({ kind: oneOf(['drop']), from: nodeId, to: nodeId, message: taggedData }),
  timer: object({ kind: oneOf(['timer']), node: nodeId, timer: taggedData, crashAfter: optional(count) }),
  crash: object({ kind: oneOf(['crash']), node: nodeId }),
  restart: object({ kind: oneOf(['restart']), node: nodeId }),
});

const searchPath = array(searchEvent, maxSearchPathEvents);

export const traceEvent: Checker<TraceEvent> = object({
  index: count,
  step: count,
  timeMs,
  kind: oneOf(traceKinds),
  node: integer(-1, maxNodeCount - 1),
  peer: integer(-1, maxNodeCount - 1),
  label: string(maxLabelLength),
  detail: optional(jsonData),
  reason: optional(string(maxLabelLength)),
});

const trace = array(traceEvent, maxTraceEvents);

const pathKey: Checker<string | number> = (value, path) => {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? undefined : `${path} must be a position from 0, not ${String(value)}`;
  if (typeof value !== 'string') return `${path} must be a field name or a position, not ${describeType(value)}`;
  if (value.length > maxNameLength) return `${path} is a field name of ${value.length} characters, more than the limit of ${maxNameLength}`;
  return value === '__proto__' ? `${path} is a field named "__proto__"` : undefined;
};
const statePath = array(pathKey, maxStatePathLength);

/** `[path, value]` or `[path]` (StatePatch in framework/trace.ts). */
const statePatch: Checker<StatePatch> = (value, path) => {
  if (!isPlainArray(value) || (value.length !== 1 && value.length !== 2)) return `${path} must be [path] or [path, value], not ${describeType(value)}`;
  return statePath(value[0], `${path}[0]`) ?? (value.length === 2 ? jsonData(value[1], `${path}[1]`) : undefined);
};

export const stateChange: Checker<StateChange> = object({
  index: count,
  node: nodeId,
  patches: array(statePatch, maxStatePatches),
});

const stateChanges = array(stateChange, maxStateChanges);
const roles = array(oneOf(['server', 'client']), maxNodeCount);

/** LinearizabilityEvidence in grader/linearizabilityEvidence.ts; the report reads its operations back with parseHistory. */
const linearizabilityEvidenceShape = object({
  model: oneOf(['kv']),
  verdict: oneOf(['not linearizable', 'unknown']),
  reason: message,
  historyOperations: count,
  shown: oneOf(['whole history', 'failing key', 'smaller failing history', 'none']),
  operations: array(jsonData, maxEvidenceOperations),
});

/** The fields every recorded failure has (RecordedFields in grader/runTest.ts). */
const recordedFields = {
  property: name,
  message,
  step: count,
  timeMs,
  node: optional(nodeId),
  traceIndex: optional(count),
  seed,
  schedule: faultSchedule,
  shrunkSchedule: faultSchedule,
  scenarioActions: optional(count),
  minimal: boolean,
  shrinkRuns: count,
  lastEvents: trace,
  trace,
  traceTruncated: boolean,
  states: optional(stateChanges),
  roles: optional(roles),
  path: optional(searchPath),
  replayable: optional(boolean),
  linearizability: optional(linearizabilityEvidenceShape),
};

function failureOfKind<const K extends (typeof plainFailureKinds)[number]>(kind: K) {
  return object({ ...recordedFields, kind: oneOf([kind]) });
}

export const recordedFailure: Checker<RecordedFailure> = taggedUnion('kind', {
  violation: failureOfKind('violation'),
  liveness: failureOfKind('liveness'),
  'goal-not-reached': failureOfKind('goal-not-reached'),
  'budget-exceeded': failureOfKind('budget-exceeded'),
  exception: failureOfKind('exception'),
  'demonstration-not-shown': failureOfKind('demonstration-not-shown'),
  limit: object({ ...recordedFields, kind: oneOf(['limit']), limit: oneOf(recordedLimits) }),
  'search-violation': object({ ...recordedFields, kind: oneOf(['search-violation']), path: searchPath }),
  nondeterministic: object({
    ...recordedFields,
    kind: oneOf(['nondeterministic']),
    rerun: object({ passed: boolean, property: optional(name), message: optional(message), step: count }),
  }),
});

const measurements = record(finiteNumber(-Number.MAX_VALUE, Number.MAX_VALUE), maxMeasurementCount);

export const testOutcome: Checker<TestOutcome> = object({
  number: name,
  seedsPlanned: integer(0, maxSeedCount),
  seedsRun: integer(0, maxSeedCount),
  exhaustive: optional(boolean),
  passed: boolean,
  failure: optional(recordedFailure),
  demonstration: optional(recordedFailure),
  measurements: optional(measurements),
});

/** What a watch adds to a run's outcome (grader/protocol.ts WatchedDetails). */
export const watchedDetails: Checker<WatchedDetails> = object({
  schedule: faultSchedule,
  scenarioActions: count,
  totalEvents: count,
  measurements: optional(measurements),
});

export const replayOutcome: Checker<ReplayOutcome> = object({
  passed: boolean,
  failure: optional(
    object({
      kind: oneOf(simulationFailureKinds),
      property: name,
      message,
      step: count,
      timeMs,
      node: optional(nodeId),
      traceIndex: optional(count),
      deadlineMs: optional(timeMs),
      limit: optional(oneOf(['events'])),
    }),
  ),
  steps: count,
  endTimeMs: timeMs,
  trace,
  states: optional(stateChanges),
  roles: optional(roles),
  watched: optional(watchedDetails),
});

export const childReply: Checker<ChildReply> = taggedUnion('type', {
  ready: object({ type: oneOf(['ready']), missingExports: array(name, maxExportCount), exported: array(name, maxExportCount) }),
  progress: object({
    type: oneOf(['progress']),
    seedsDone: integer(0, maxSeedCount),
    seed: optional(seed),
    activity: optional(oneOf(workActivities)),
    reaction: optional(
      object({
        node: nodeId,
        handler: oneOf(['onStart', 'onMessage', 'onTimer', 'onInput'] as const),
        from: integer(-1, maxNodeCount - 1),
        type: name,
        timeMs,
      }),
    ),
  }),
  outcome: object({ type: oneOf(['outcome']), outcome: testOutcome }),
  replayed: object({ type: oneOf(['replayed']), outcome: replayOutcome }),
  error: object({ type: oneOf(['error']), message }),
});

/**
 * Checks a value read from the child before the grader believes it.
 *
 * @example
 * const checked = validateReply(frame);
 * if ('problem' in checked) return crashed(`the child sent a malformed reply: ${checked.problem}`);
 * handle(checked.reply);
 */
export function validateReply(value: unknown): { readonly reply: ChildReply } | { readonly problem: string } {
  const problem = childReply(value, 'reply');
  return problem === undefined ? { reply: value as ChildReply } : { problem };
}

/**
 * Checks a well-formed outcome against the request it answers: the test asked for, the
 * number of seeds given, seeds only from that list, and a failure exactly when it did not
 * pass. Returns a problem, or undefined.
 */
export function outcomeProblem(outcome: TestOutcome, request: { readonly testNumber: string; readonly seeds: readonly number[] }): string | undefined {
  if (outcome.number !== request.testNumber) return `the outcome is for test ${printable(outcome.number)}, not test ${request.testNumber}`;
  if (outcome.seedsPlanned !== request.seeds.length) {
    return `the outcome plans ${outcome.seedsPlanned} seeds, but ${request.seeds.length} were given`;
  }
  if (outcome.seedsRun > outcome.seedsPlanned) return `the outcome ran ${outcome.seedsRun} of ${outcome.seedsPlanned} seeds`;
  if (outcome.passed !== (outcome.failure === undefined)) {
    return outcome.passed ? 'the outcome passed with a failure' : 'the outcome failed without a failure';
  }
  const seeds = new Set(request.seeds);
  for (const [field, recorded] of [
    ['failure', outcome.failure],
    ['demonstration', outcome.demonstration],
  ] as const) {
    if (recorded !== undefined && !seeds.has(recorded.seed)) return `the outcome's ${field} is for seed ${recorded.seed}, which was not given`;
  }
  return undefined;
}
