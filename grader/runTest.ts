import * as fc from 'fast-check';
import {
  describeSearchEvent,
  equalPlain,
  hashPlain,
  runSeed,
  stateChangesFrom,
  toJsonValue,
  type FailureFields,
  type FaultSchedule,
  type SuiteTest,
  type LabSuite,
  type LiveDisagreement,
  type NodeId,
  type PreparedRun,
  type PreparedSearch,
  type Protocol,
  type SearchEvent,
  type Role,
  type SimulationResult,
  type StateChange,
  type TraceEvent,
} from 'distlab/testing';
import { linearizabilityEvidence, type LinearizabilityEvidence } from './linearizabilityEvidence.ts';
import { liveCheckMessageStart } from './results.ts';
import type { ReplayOutcome, WorkActivity } from './protocol.ts';

/** What a demonstration that did not happen means, for a student whose code holds where the handout's algorithm breaks. */
const demonstrationNote = ' (a demonstration is worth no points: it shows where the algorithm the handout describes breaks, and an implementation that holds there shows nothing)';

/** What every recorded failure says, as plain JSON data; `step` is a path step for a search. */
interface RecordedFields extends FailureFields {
  readonly seed: number;
  /** The schedule the seed generated. */
  readonly schedule: FaultSchedule;
  /** The smallest schedule found that still breaks the same property. */
  readonly shrunkSchedule: FaultSchedule;
  /** How many of the first actions of each schedule are the test's fixed scenario (never shrunk). */
  readonly scenarioActions?: number;
  /** True when removing any single random action of `shrunkSchedule` makes the run pass. */
  readonly minimal: boolean;
  readonly shrinkRuns: number;
  /** The last events before the violation, in the run with the shrunk schedule. */
  readonly lastEvents: readonly TraceEvent[];
  /** The whole trace of that run (capped), for the HTML report. */
  readonly trace: readonly TraceEvent[];
  readonly traceTruncated: boolean;
  /** What each reaction changed in a node's state, for the events of `trace` (the viewer's state panel). */
  readonly states?: readonly StateChange[];
  /** Each node's role, by node id. */
  readonly roles?: readonly Role[];
  /** For a search test: the events from the initial state to the violation, for replay. */
  readonly path?: readonly SearchEvent[];
  /** False when no single run shows the failure (a goal never reached, a demonstration that did not happen). */
  readonly replayable?: boolean;
  /** For a failed linearizability check of the key-value kit: the history (bounded) and the verdict. */
  readonly linearizability?: LinearizabilityEvidence;
}

/**
 * A failing seed as the reports show it, keyed by kind: a run's safety `violation`, a
 * `liveness` deadline missed, a `goal-not-reached`, a `budget-exceeded`, an `exception` (or
 * non-plain state), a `limit` hit (events, states, depth, wall time), a `search-violation`
 * (with the model checker's path), a `demonstration-not-shown`, or `nondeterministic`: the
 * grader's re-run of the failing seed with the same schedule did not fail the same way.
 */
export type RecordedFailure =
  | (RecordedFields & { readonly kind: 'violation' | 'liveness' | 'goal-not-reached' | 'budget-exceeded' | 'exception' })
  | (RecordedFields & { readonly kind: 'limit'; readonly limit: 'events' | 'states' | 'depth' | 'wall time' })
  | (RecordedFields & { readonly kind: 'search-violation'; readonly path: readonly SearchEvent[] })
  | (RecordedFields & { readonly kind: 'demonstration-not-shown' })
  | (RecordedFields & { readonly kind: 'nondeterministic'; readonly rerun: RerunSummary });

/** What the grader's re-run of a failing seed showed, when it differed from the first run. */
export interface RerunSummary {
  readonly passed: boolean;
  readonly property?: string;
  readonly message?: string;
  readonly step: number;
}

export type RecordedFailureKind = RecordedFailure['kind'];

export interface TestOutcome {
  readonly number: string;
  readonly seedsPlanned: number;
  readonly seedsRun: number;
  /** A breadth-first search: one exploration answers for every seed, so it ran once. */
  readonly exhaustive?: boolean;
  readonly passed: boolean;
  readonly failure?: RecordedFailure;
  /** For a demonstration test: the run that showed the property breaking. */
  readonly demonstration?: RecordedFailure;
  readonly measurements?: Record<string, number>;
}

export interface RunOptions {
  /** The seeds to run, in order; the first failure stops the test. */
  readonly seeds: readonly number[];
  /** How many extra runs shrinking may take per failure. */
  readonly shrinkBudget?: number;
  /** Trace events kept in a failure (the HTML report's list). */
  readonly traceLimit?: number;
  /**
   * Whether a failure's trace comes with the nodes' states after each event (default true).
   * Only the HTML report's viewer shows them, and for nodes whose state is large they are most
   * of what recording a failure costs.
   */
  readonly nodeStates?: boolean;
  readonly onSeedDone?: (seedsDone: number) => void;
  /** Told when work on a seed starts, and when shrinking its failure starts: where a stall would be. */
  readonly onActivity?: (seed: number, activity: WorkActivity) => void;
  /**
   * Called before every run of the simulator (shrinking makes hundreds): a watcher outside can
   * tell slow work from a handler that never returns.
   */
  readonly onHeartbeat?: () => void;
}

const defaultShrinkBudget = 300;
/**
 * Shrinking also stops once its runs have processed this many events in all: a run that ends
 * at the event limit (a flood of messages or timers) costs as much as hundreds of ordinary
 * runs, and hundreds of them would outlast the test's time limit.
 */
const shrinkEventBudget = 5_000_000;
/** A failure's report keeps its whole trace up to this many events (the last ones beyond). */
const defaultTraceLimit = 10_000;
const lastEventCount = 40;

function prepareRun<I>(test: SuiteTest<I>, implementation: I, seed: number): PreparedRun {
  const prepared = test.prepare(implementation, seed);
  if (prepared.kind !== 'run') throw new Error(`test ${test.number} is a search test, not a run`);
  return prepared;
}

function prepareSearch<I>(test: SuiteTest<I>, implementation: I, seed: number): PreparedSearch {
  const prepared = test.prepare(implementation, seed);
  if (prepared.kind !== 'search') throw new Error(`test ${test.number} is a run test, not a search`);
  return prepared;
}

/** The schedule's fast-check seed comes from the run's "faults" label, like every other sub-seed. */
function faultSeedOf(lab: string, testNumber: string, seed: number): number {
  return hashPlain(`${runSeed(lab, testNumber, seed)}/faults`) | 0;
}

/** One run of `test` on `seed` with an explicit schedule: the unit of replay. */
export function runOnce<I>(
  suite: LabSuite<I>,
  test: SuiteTest<I>,
  implementation: I,
  seed: number,
  schedule: FaultSchedule,
  trace: 'ring' | 'full' = 'ring',
): SimulationResult<Protocol> {
  return prepareRun(test, implementation, seed).simulate(runSeed(suite.lab, test.number, seed), schedule, trace);
}

/**
 * The schedule a seed of a run test runs with before any shrinking: the test's scenario, then
 * the faults drawn from the seed's "faults" sub-seed, exactly as the first run of
 * {@link runTest} draws them (the same fast-check seed, one run).
 */
export function seedSchedule<I>(suite: LabSuite<I>, test: SuiteTest<I>, prepared: PreparedRun, seed: number): FaultSchedule {
  const arbitrary = prepared.faults;
  if (arbitrary === undefined) return prepared.scenario;
  let drawn: FaultSchedule | undefined;
  fc.check(
    fc.property(arbitrary, (candidate: FaultSchedule) => {
      drawn ??= candidate;
      return true;
    }),
    { seed: faultSeedOf(suite.lab, test.number, seed), numRuns: 1 },
  );
  if (drawn === undefined) throw new Error(`test ${test.number}: the fault generator produced no schedule`);
  return [...prepared.scenario, ...drawn];
}

/**
 * One seed of a run test as grading first runs it, for watching: the seed's own schedule,
 * never shrunk, and the full trace (its last `maxEvents` events when it has more), pass or fail.
 */
export function watchRun<I>(
  suite: LabSuite<I>,
  test: SuiteTest<I>,
  implementation: I,
  seed: number,
  maxEvents: number,
  onHeartbeat?: () => void,
): ReplayOutcome {
  const prepared = prepareRun(test, implementation, seed);
  const schedule = seedSchedule(suite, test, prepared, seed);
  onHeartbeat?.();
  const result = recordedRun(prepared, runSeed(suite.lab, test.number, seed), schedule, maxEvents);
  const measurements = result.passed ? prepared.measure(result) : undefined;
  const kept = result.trace.length > maxEvents ? result.trace.slice(-maxEvents) : result.trace;
  return {
    passed: result.passed,
    ...(result.failure ? { failure: result.failure } : {}),
    steps: result.steps,
    endTimeMs: result.endTimeMs,
    trace: kept.map(jsonEvent),
    ...viewerStates(result, kept),
    watched: {
      schedule: schedule.map((action) => toJsonValue(action) as FaultSchedule[number]),
      scenarioActions: prepared.scenario.length,
      totalEvents: result.traceLength,
      ...(measurements ? { measurements } : {}),
    },
  };
}

/** Runs a test's seeds; on the first failure, shrinks its schedule and records it. */
export function runTest<I>(suite: LabSuite<I>, test: SuiteTest<I>, implementation: I, options: RunOptions): TestOutcome {
  if (test.kind === 'search') return runSearchTest(suite, test, implementation, options);
  const shrinkBudget = Math.min(options.shrinkBudget ?? defaultShrinkBudget, test.shrinkRuns ?? Number.POSITIVE_INFINITY);
  const traceLimit = options.traceLimit ?? defaultTraceLimit;
  let measurements: Record<string, number> | undefined;
  let seedsRun = 0;
  const base = { number: test.number, seedsPlanned: options.seeds.length };
  for (const seed of options.seeds) {
    seedsRun++;
    options.onActivity?.(seed, 'running');
    const prepared = prepareRun(test, implementation, seed);
    const outcome = runOneSeed(suite, test, prepared, seed, shrinkBudget, traceLimit, options);
    options.onSeedDone?.(seedsRun);
    if (outcome.failure !== undefined) {
      if (test.demonstrates !== undefined && outcome.failure.property === test.demonstrates) {
        return { ...base, seedsRun, passed: true, demonstration: outcome.failure };
      }
      return { ...base, seedsRun, passed: false, failure: outcome.failure };
    }
    const measured = outcome.result ? prepared.measure(outcome.result) : undefined;
    if (measured) measurements = { ...measurements, ...measured };
  }
  if (test.demonstrates !== undefined) {
    const last = options.seeds[options.seeds.length - 1] ?? 0;
    return {
      ...base,
      seedsRun,
      passed: false,
      failure: {
        ...notReplayable(last),
        kind: 'demonstration-not-shown',
        property: test.demonstrates,
        message: `the demonstration did not happen: no seed of ${seedsRun} broke "${test.demonstrates}"${demonstrationNote}`,
      },
    };
  }
  return { ...base, seedsRun, passed: true, ...(measurements ? { measurements } : {}) };
}

/**
 * A run with its whole trace, for a replay or a watched run; a run that reaches its event
 * limit keeps only its last events, without their contents: its whole trace would not fit in
 * memory. Which one it is, a first run without contents tells (runs of the labs take
 * milliseconds; a flood takes seconds either way).
 */
function recordedRun(prepared: PreparedRun, seedString: string, schedule: FaultSchedule, keepLast?: number): SimulationResult<Protocol> {
  const light = prepared.simulate(seedString, schedule, 'ring');
  if (light.failure?.kind === 'limit') return light;
  const run: ScheduleRun = (candidate, trace = 'ring', traceFrom) => prepared.simulate(seedString, candidate, trace, traceFrom);
  return recordedForReport(run, schedule, 'full', keepLast ?? 0, light.traceLength);
}

/** The fields of a failure that no single run shows. */
function notReplayable(seed: number) {
  return {
    seed,
    step: 0,
    timeMs: 0,
    schedule: [],
    shrunkSchedule: [],
    minimal: true,
    shrinkRuns: 0,
    lastEvents: [],
    trace: [],
    traceTruncated: false,
    replayable: false,
  } as const;
}

/** One run of a seed with a whole schedule; a full trace keeps its events from `traceFrom` on. */
export type ScheduleRun = (schedule: FaultSchedule, trace?: 'ring' | 'full', traceFrom?: number) => SimulationResult<Protocol>;

/**
 * A run of `schedule` recorded for a report, which shows its last `traceLimit` events (all of
 * them for 0): a full trace kept from where those begin, in a run as long as
 * `expectedLength`, the length of an earlier run of the same schedule. The events before
 * the window cost no copies and no node states. Where the run is shorter than expected, or
 * its node states (when `run` records them: `nodeStates`) could not begin in time, it is
 * recorded again from where its own length says.
 */
export function recordedForReport(
  run: ScheduleRun,
  schedule: FaultSchedule,
  recording: 'ring' | 'full',
  traceLimit: number,
  expectedLength: number | undefined,
  nodeStates = true,
): SimulationResult<Protocol> {
  if (recording === 'ring') return run(schedule, 'ring');
  const from = (length: number) => (traceLimit > 0 ? Math.max(0, length - traceLimit) : 0);
  const traceFrom = expectedLength === undefined ? 0 : from(expectedLength);
  const result = run(schedule, 'full', traceFrom);
  if (traceFrom === 0 || ((result.states !== undefined || !nodeStates) && traceFrom <= from(result.traceLength))) return result;
  return run(schedule, 'full', from(result.traceLength));
}

/** Whether the events a report shows begin after the run's first event. */
function truncatedTrace(shown: readonly { readonly index: number }[]): boolean {
  return (shown[0]?.index ?? 0) > 0;
}

/**
 * One seed. With a fault generator, fast-check draws the schedule from the seed's "faults"
 * sub-seed; when the run fails, the schedule is shrunk within a budget counted in runs (never
 * wall time), keeping only schedules that break the same property (see {@link finishFailure}).
 */
function runOneSeed<I>(
  suite: LabSuite<I>,
  test: SuiteTest<I>,
  prepared: PreparedRun,
  seed: number,
  shrinkBudget: number,
  traceLimit: number,
  watchers: Pick<RunOptions, 'onActivity' | 'onHeartbeat' | 'nodeStates'> = {},
): { result?: SimulationResult<Protocol>; failure?: RecordedFailure } {
  const seedString = runSeed(suite.lab, test.number, seed);
  let shrinking = false;
  const nodeStates = watchers.nodeStates !== false;
  const run: ScheduleRun = (schedule, trace = 'ring', traceFrom) => {
    watchers.onHeartbeat?.();
    return prepared.simulate(seedString, schedule, trace, traceFrom, nodeStates);
  };
  /** Every run after the first one of a seed checks or shrinks its failure. */
  const runAgain: ScheduleRun = (schedule, trace, traceFrom) => {
    if (!shrinking) {
      shrinking = true;
      watchers.onActivity?.(seed, 'shrinking');
    }
    return run(schedule, trace, traceFrom);
  };
  const arbitrary = prepared.faults;
  // The scenario's actions come first in every schedule; only the random ones are shrunk.
  const scenario = prepared.scenario;
  const fixedCount = scenario.length;
  if (arbitrary === undefined) {
    const result = run(scenario);
    if (result.passed) return { result };
    return { failure: finishFailure(runAgain, seed, scenario, scenario, result, 0, shrinkBudget, traceLimit, fixedCount, 0, nodeStates) };
  }
  // fast-check only draws the schedule: removing whole stretches of actions (finishFailure)
  // shrinks a schedule in far fewer runs than shrinking each action's times and nodes.
  let first: { schedule: FaultSchedule; result: SimulationResult<Protocol> } | undefined;
  fc.check(
    fc.property(arbitrary, (candidate: FaultSchedule) => {
      const schedule = [...scenario, ...candidate];
      const result = run(schedule);
      first = { schedule, result };
      return result.passed;
    }),
    { seed: faultSeedOf(suite.lab, test.number, seed), numRuns: 1, endOnFailure: true },
  );
  if (first === undefined) throw new Error(`test ${test.number}: the fault generator produced no schedule`);
  if (first.result.passed) return { result: first.result };
  let runs = 0;
  let events = 0;
  let start = first.schedule;
  if (shrinkBudget > 0 && first.result.failure?.kind === 'limit' && first.schedule.length > fixedCount) {
    // An event limit reached is most often the code's own flood, faults or not: one run
    // without them settles it, where each of shrinking's runs would go to the limit too.
    runs++;
    const alone = runAgain(scenario);
    events += alone.steps;
    if (!alone.passed && sameTarget(first.result, alone)) start = scenario;
  }
  return { failure: finishFailure(runAgain, seed, first.schedule, start, first.result, runs, shrinkBudget, traceLimit, fixedCount, events, nodeStates) };
}

/**
 * Confirms a seed's failure by running it again, then shrinks its schedule: first by cutting
 * the random actions after a safety violation, then by removing stretches of them (halving
 * their length down to one action, until no single action can go), keeping only schedules
 * that fail the same property and leave the cluster no more broken at the end.
 */
function finishFailure(
  run: ScheduleRun,
  seed: number,
  schedule: FaultSchedule,
  start: FaultSchedule,
  original: SimulationResult<Protocol>,
  runsSoFar: number,
  shrinkBudget: number,
  traceLimit: number,
  fixedCount: number,
  eventsSoFar = 0,
  nodeStates = true,
): RecordedFailure {
  // A failure must be one the grader can show again: the same seed and schedule, run again
  // (with the full trace, which the report needs anyway), must fail the same way.
  // A run that reached its event limit is recorded as its last events only, without their
  // contents: its whole trace (hundreds of thousands of events, each with the state it left)
  // would not fit in memory, and a flood's last events show what it is.
  const recording = original.failure?.kind === 'limit' ? 'ring' : 'full';
  const rerun = recordedForReport(run, schedule, recording, traceLimit, original.traceLength, nodeStates);
  if (!sameFailure(original, rerun)) return nondeterministic(seed, schedule, original, rerun, traceLimit);
  let runs = runsSoFar + 1;
  const lastRun = runsSoFar + shrinkBudget;
  // The schedule is 1-minimal when removing any one random action makes the run pass (or fail
  // otherwise). The failure reported is the one of the final, smallest schedule.
  const property = original.failure?.property;
  let eventsRun = eventsSoFar;
  const withinBudget = () => runs < lastRun && eventsRun < shrinkEventBudget;
  /** The trace length of the last run that still failed: a run of the schedule kept as `shrunk`. */
  let failingLength = 0;
  const stillFails = (candidate: FaultSchedule): boolean => {
    runs++;
    const result = run(candidate);
    eventsRun += result.steps;
    const fails = !result.passed && sameTarget(original, result);
    if (fails) failingLength = result.traceLength;
    return fails;
  };
  let shrunk = start;
  let shrunkLength = start === schedule ? original.traceLength : undefined;
  let end = scheduleEnd(schedule);
  // A safety violation happens at one moment: the random actions after it played no part.
  const firstViolationMs = original.failure?.kind === 'violation' ? original.failure.timeMs : undefined;
  if (firstViolationMs !== undefined && withinBudget()) {
    const trimmed = shrunk.filter((action, index) => index < fixedCount || action.atMs <= firstViolationMs);
    if (trimmed.length < shrunk.length && stillFails(trimmed)) {
      shrunk = trimmed;
      shrunkLength = failingLength;
      end = scheduleEnd(trimmed);
    }
  }
  // Remove stretches of random actions, halving their length, down to single actions; then
  // single actions again until no one of them can go (1-minimal) or the budget is spent.
  let minimal = shrunk.length === fixedCount;
  let stretch = Math.max(1, Math.floor((shrunk.length - fixedCount) / 2));
  while (!minimal && withinBudget()) {
    let removed = false;
    let index = fixedCount;
    while (index < shrunk.length && withinBudget()) {
      const candidate = [...shrunk.slice(0, index), ...shrunk.slice(index + stretch)];
      if (sameEnd(scheduleEnd(candidate), end) && stillFails(candidate)) {
        shrunk = candidate;
        shrunkLength = failingLength;
        removed = true;
      } else {
        index += stretch;
      }
    }
    if (stretch > 1) stretch = Math.max(1, Math.floor(stretch / 2));
    else if (!removed) minimal = index >= shrunk.length;
    if (shrunk.length === fixedCount) minimal = true;
  }
  let failingRun = shrunk === schedule ? rerun : recordedForReport(run, shrunk, recording, traceLimit, shrunkLength, nodeStates);
  if (failingRun.passed || failingRun.failure?.property !== property) {
    // The shrunk schedule failed this property while shrinking, and does not now: a run that
    // depends on more than its seed. Report the original schedule, which did fail twice.
    const firstShrunk = run(shrunk);
    if (!sameFailure(firstShrunk, failingRun)) return nondeterministic(seed, shrunk, firstShrunk, failingRun, traceLimit);
    shrunk = schedule;
    minimal = false;
    failingRun = rerun;
  }
  // A safety violation happens at one moment: random faults after it played no part in it.
  const violatedAtMs = failingRun.failure?.kind === 'violation' ? failingRun.failure.timeMs : undefined;
  if (violatedAtMs !== undefined) {
    const trimmed = shrunk.filter((action, index) => index < fixedCount || action.atMs <= violatedAtMs);
    if (trimmed.length < shrunk.length) {
      // Up to the violation, the same run as the one before: as long, most likely.
      const trimmedRun = recordedForReport(run, trimmed, 'full', traceLimit, failingRun.traceLength, nodeStates);
      runs++;
      if (!trimmedRun.passed && trimmedRun.failure?.property === property) {
        shrunk = trimmed;
        failingRun = trimmedRun;
      }
    }
  }
  const failure = failingRun.failure ?? original.failure;
  const events = failingRun.trace.map(jsonEvent);
  const shown = events.slice(-traceLimit);
  const json = (list: FaultSchedule) => list.map((action) => toJsonValue(action) as FaultSchedule[number]);
  const kind = failure === undefined ? ({ kind: 'violation' } as const) : failure.kind === 'limit' ? ({ kind: 'limit', limit: failure.limit } as const) : ({ kind: failure.kind } as const);
  const evidence = linearizabilityEvidence(failure?.property, failingRun);
  return {
    seed,
    ...kind,
    property: failure?.property ?? 'unknown',
    message: failure?.message ?? 'the run failed',
    step: failure?.step ?? failingRun.steps,
    timeMs: failure?.timeMs ?? failingRun.endTimeMs,
    ...(failure?.node !== undefined ? { node: failure.node } : {}),
    ...(failure?.traceIndex !== undefined ? { traceIndex: failure.traceIndex } : {}),
    schedule: json(schedule),
    shrunkSchedule: json(shrunk),
    scenarioActions: fixedCount,
    minimal,
    shrinkRuns: runs,
    lastEvents: events.slice(-lastEventCount),
    trace: shown,
    traceTruncated: truncatedTrace(shown),
    ...viewerStates(failingRun, shown),
    ...(evidence !== undefined ? { linearizability: evidence } : {}),
  };
}

/**
 * Whether a smaller schedule's run still shows the failure being shrunk: the same property,
 * broken by the same node when the first failure named one. A different failure is a
 * different story, which the report must not tell in place of the first.
 */
function sameTarget(first: SimulationResult<Protocol>, candidate: SimulationResult<Protocol>): boolean {
  const wanted = first.failure;
  const found = candidate.failure;
  if (wanted === undefined || found === undefined) return false;
  return found.property === wanted.property && (wanted.node === undefined || found.node === wanted.node);
}

/** Whether two runs of one seed and schedule ended the same way. */
function sameFailure(first: SimulationResult<Protocol>, second: SimulationResult<Protocol>): boolean {
  if (first.passed !== second.passed) return false;
  const one = first.failure;
  const other = second.failure;
  if (one === undefined || other === undefined) return one === other;
  return one.kind === other.kind && one.property === other.property && one.message === other.message && one.step === other.step && one.node === other.node;
}

function summary(result: SimulationResult<Protocol>): RerunSummary {
  return result.failure === undefined
    ? { passed: result.passed, step: result.steps }
    : { passed: false, property: result.failure.property, message: result.failure.message, step: result.failure.step };
}

function describeRun(run: RerunSummary): string {
  return run.passed ? `passed (${run.step} events)` : `failed "${run.property ?? 'unknown'}" at event ${run.step}: ${run.message ?? ''}`;
}

const nondeterminismAdvice =
  'A submission must behave the same on every run of a seed: no state kept from one run to the next, ' +
  'no clock, no randomness but its own seeded source, and nothing that reads how or how deeply it is called.';

/** The verdict on a failure the grader could not reproduce: both runs, and the re-run's trace. */
function nondeterministic(
  seed: number,
  schedule: FaultSchedule,
  first: SimulationResult<Protocol>,
  rerun: SimulationResult<Protocol>,
  traceLimit: number,
): RecordedFailure {
  const shown = rerun.trace.map(jsonEvent).slice(-traceLimit);
  const json = schedule.map((action) => toJsonValue(action) as FaultSchedule[number]);
  const firstRun = summary(first);
  const secondRun = summary(rerun);
  return {
    seed,
    kind: 'nondeterministic',
    property: 'deterministic behaviour',
    message: `the same seed and schedule gave different results. First run: ${describeRun(firstRun)}. Re-run: ${describeRun(secondRun)}. ${nondeterminismAdvice}`,
    step: firstRun.step,
    timeMs: first.failure?.timeMs ?? first.endTimeMs,
    schedule: json,
    shrunkSchedule: json,
    minimal: false,
    shrinkRuns: 0,
    lastEvents: first.trace.map(jsonEvent).slice(-lastEventCount),
    trace: shown,
    traceTruncated: truncatedTrace(shown),
    ...viewerStates(rerun, shown),
    replayable: false,
    rerun: secondRun,
  };
}

/** Runs a search test on each seed: the first violation, exception or missing goal fails it. */
function runSearchTest<I>(suite: LabSuite<I>, test: SuiteTest<I>, implementation: I, options: RunOptions): TestOutcome {
  const base = { number: test.number, seedsPlanned: options.seeds.length };
  const traceLimit = options.traceLimit ?? defaultTraceLimit;
  let seedsRun = 0;
  let measurements: Record<string, number> = {};
  const explored = { states: 0, wallMs: 0, depth: 0, limitReached: false };
  for (const seed of options.seeds) {
    seedsRun++;
    options.onActivity?.(seed, 'searching');
    const prepared = prepareSearch(test, implementation, seed);
    const seedString = runSeed(suite.lab, test.number, seed);
    // Told after each chunk of states: a search that finds every reaction it needs among those it
    // kept calls no handler for long stretches, and must not look like one that never returns.
    const result = prepared.run(seedString, options.onHeartbeat);
    options.onSeedDone?.(seedsRun);
    const statistics = result.statistics;
    // Every seed's search counts: the states of all of them, the deepest path, and a limit any of them reached.
    explored.states += statistics.states;
    explored.wallMs += statistics.wallMs;
    explored.depth = Math.max(explored.depth, statistics.maxDepth);
    explored.limitReached ||= result.outcome.kind === 'limit';
    measurements = {
      states: explored.states,
      depth: explored.depth,
      statesPerSec: explored.wallMs > 0 ? Math.round((explored.states * 1000) / explored.wallMs) : statistics.statesPerSec,
      ...(explored.limitReached ? { limitReached: 1 } : {}),
    };
    const outcome = result.outcome;
    // Breadth-first search explores the same space whatever the seed: once is enough.
    const exhaustive = prepared.strategy === 'bfs' ? ({ exhaustive: true } as const) : {};
    /** A failure with the path that shows it, replayed with the full trace. */
    const withPath = (property: string, message: string, path: readonly SearchEvent[], kind: 'search-violation' | 'exception'): RecordedFailure => {
      const replayed = prepared.replay(seedString, path);
      const fields = searchPathFields(seed, replayed, path, traceLimit);
      if (kind === 'search-violation' && replayed.violation?.property !== property) {
        const rerun: RerunSummary = replayed.violation === undefined
          ? { passed: true, step: path.length }
          : { passed: false, property: replayed.violation.property, message: replayed.violation.message, step: path.length };
        return {
          ...fields,
          kind: 'nondeterministic',
          property: 'deterministic behaviour',
          message:
            `the model checker's path to "${property}" did not break it when the grader followed it again. ` +
            `First: failed "${property}" after ${path.length} ${path.length === 1 ? 'step' : 'steps'}: ${message}. Again: ${describeRun(rerun)}. ${nondeterminismAdvice}`,
          rerun,
        };
      }
      return kind === 'search-violation' ? { ...fields, property, message, replayable: true, kind } : { ...fields, property, message, replayable: true, kind };
    };
    const failed = (failure: RecordedFailure): TestOutcome => ({ ...base, ...exhaustive, seedsRun, passed: false, measurements, failure });
    const where = (path: readonly SearchEvent[]) =>
      path.length === 0 ? 'in the initial state' : `after ${path.length} ${path.length === 1 ? 'step' : 'steps'}: ${path.map(describeSearchEvent).join('; ')}`;
    // What a search proves holds for the nodes a run runs only if they behave the same both ways.
    // A violation the test does not ask for fails it whatever random walks would show: only its
    // path is followed then, to show that the nodes do there what the report will say.
    const failsAnyway = outcome.kind === 'violation' && test.demonstrates !== outcome.property;
    const disagreement = outcome.kind === 'exception' ? undefined : prepared.checkLive(seedString, result, { pathOnly: failsAnyway });
    if (disagreement !== undefined) return failed(behavesTwoWays(seed, seedString, prepared, disagreement, where, traceLimit));
    if (outcome.kind === 'violation') {
      // The path goes with the failure, listed step by step: the message only says how long it is.
      const steps = outcome.path.length === 0 ? 'in the initial state' : `after ${outcome.path.length} ${outcome.path.length === 1 ? 'step' : 'steps'}`;
      const failure = withPath(outcome.property, `${outcome.message} (${steps})`, outcome.path, 'search-violation');
      if (test.demonstrates === outcome.property) return { ...base, ...exhaustive, seedsRun, passed: true, measurements, demonstration: failure };
      return failed(failure);
    }
    if (outcome.kind === 'exception') return failed(withPath('no exceptions', outcome.message, outcome.path, 'exception'));
    if (outcome.kind === 'limit' && outcome.limit === 'wall time') {
      return failed({
        ...notReplayable(seed),
        kind: 'limit',
        limit: 'wall time',
        property: 'search time limit',
        message:
          `the search did not finish within its wall-time limit (${statistics.states} states, depth ${statistics.maxDepth}). ` +
          'This machine may be slow or busy: re-run it. If it happens on every run, the node states may be larger than the algorithm needs, which makes the space larger.',
      });
    }
    // A search cut short by its state limit proved nothing beyond the states it reached: node
    // states that hold more than the algorithm needs (a counter, a log of what arrived) make the
    // space too large to cover, and a bug deeper than the cut would go unseen.
    if (outcome.kind === 'limit' && outcome.limit === 'states' && test.demonstrates === undefined) {
      return failed({
        ...notReplayable(seed),
        kind: 'limit',
        limit: 'states',
        property: 'search state limit',
        message:
          `the search reached its limit of ${statistics.states} states at depth ${statistics.maxDepth}, before it covered the interleavings it must. ` +
          'The node states are likely larger than the algorithm needs: a counter, a log of messages or a history kept in fields makes every state new. ' +
          'Keep in fields only what the algorithm needs to decide what to do next. Messages sent again (on a timer, or on top of the ones the algorithm sends) ' +
          'multiply the interleavings too: each copy, and each answer to it, can come at any point.' +
          (prepared.boundsNote !== undefined ? ` Check too what bounds this search: ${prepared.boundsNote}` : ''),
      });
    }
    if (test.demonstrates !== undefined) {
      return failed({
        ...notReplayable(seed),
        kind: 'demonstration-not-shown',
        property: test.demonstrates,
        message: `the demonstration did not happen: no interleaving broke "${test.demonstrates}" (${statistics.states} states)${demonstrationNote}`,
      });
    }
    const missedGoals = prepared.expect === 'every-goal' ? prepared.goals.filter((goal) => !result.goalsReached.has(goal)) : [];
    if ((prepared.expect === 'goal' && result.goalsReached.size === 0) || missedGoals.length > 0) {
      const goals = (missedGoals.length > 0 ? missedGoals : prepared.goals).join(', ');
      const how =
        outcome.kind === 'exhausted'
          ? "every state within the test's bounds was explored: see its description for them (rounds, crashes, messages)"
          : `the ${outcome.kind === 'limit' ? outcome.limit : ''} limit was reached`;
      const reached = missedGoals.length > 0 && result.goalsReached.size > 0 ? `, though it reached "${[...result.goalsReached.keys()].join(', ')}"` : '';
      return failed({
        ...notReplayable(seed),
        kind: 'goal-not-reached',
        property: goals || 'goal',
        message:
          `no progress: no state reached "${goals}" (${statistics.states} states; ${how})${reached}` +
          (prepared.boundsNote !== undefined ? `. What bounds this search: ${prepared.boundsNote}` : ''),
      });
    }
    if (prepared.strategy === 'bfs') return { ...base, exhaustive: true, seedsRun, passed: true, measurements };
  }
  return { ...base, seedsRun, passed: true, measurements };
}

/**
 * The verdict on a search whose nodes behave one way as the model checker runs them and
 * another as a run does (or another when the same step is taken again): what the search
 * proved does not hold for the code the runs run. Shows the path, replayed as the search
 * takes it, and both behaviours.
 */
function behavesTwoWays(
  seed: number,
  seedString: string,
  prepared: PreparedSearch,
  disagreement: LiveDisagreement,
  where: (path: readonly SearchEvent[]) => string,
  traceLimit: number,
): RecordedFailure {
  const path = disagreement.path;
  const other =
    disagreement.against === 'run'
      ? 'The same step in a run, on the node objects the constructor made'
      : disagreement.against === 'again'
        ? 'The same step taken again by the model checker, from the same state'
        : 'What the search saw while it explored';
  const message =
    `${liveCheckMessageStart}, which rebuilds each node from its fields for every reaction, than in a run (${where(path)}). ` +
    `The model checker's copy: ${disagreement.searched}. ${other}: ${disagreement.other}. ` +
    'A node must react to its fields, storage and what it receives only: not to whether its object is the one its constructor made, nor to anything kept outside its fields. ' +
    'Everything a node keeps must be in its own enumerable fields: not in module-level variables, static fields that change, a WeakMap of node objects or #private fields. ' +
    nondeterminismAdvice;
  return {
    ...searchPathFields(seed, prepared.replay(seedString, path), path, traceLimit),
    kind: 'nondeterministic',
    property: 'deterministic behaviour',
    message,
    rerun: { passed: false, property: 'deterministic behaviour', message: `${other}: ${disagreement.other}`, step: path.length },
  };
}

/** What a failure on a search path shows: the path, and its replay's trace and node states, capped. */
function searchPathFields(seed: number, replayed: ReturnType<PreparedSearch['replay']>, path: readonly SearchEvent[], traceLimit: number) {
  const trace = replayed.trace.map(jsonEvent);
  // The path replayed on the simulator's clock: the failure's event and time are its trace's last, as a replay prints them.
  const last = trace.at(-1);
  return {
    ...notReplayable(seed),
    step: path.length,
    ...(last !== undefined ? { timeMs: last.timeMs, traceIndex: last.index } : {}),
    lastEvents: trace.slice(-lastEventCount),
    trace: trace.slice(-traceLimit),
    traceTruncated: trace.length > traceLimit,
    ...viewerStates(replayed, trace.slice(-traceLimit)),
    path: path.map((event) => toJsonValue(event) as SearchEvent),
  };
}

/** How a schedule leaves the cluster: which nodes are down, whether links are cut, the network. */
interface ScheduleEnd {
  readonly crashed: ReadonlySet<NodeId>;
  readonly cut: boolean;
  readonly network: Record<string, unknown>;
}

function scheduleEnd(schedule: FaultSchedule): ScheduleEnd {
  const crashed = new Set<NodeId>();
  let cut = false;
  let network: Record<string, unknown> = {};
  for (const action of [...schedule].sort((left, right) => left.atMs - right.atMs)) {
    if (action.type === 'crash') crashed.add(action.node);
    else if (action.type === 'restart') crashed.delete(action.node);
    else if (action.type === 'heal') cut = false;
    else if (action.type === 'network') {
      const { atMs: _atMs, type: _type, ...changes } = action;
      network = { ...network, ...changes };
    } else cut = true;
  }
  return { crashed, cut, network };
}

/**
 * A smaller schedule must keep the test's promise about the end of the run: removing a
 * restart or a heal alone would leave the cluster broken for good, which no implementation
 * survives and which would say nothing about this one.
 */
function sameEnd(candidate: ScheduleEnd, original: ScheduleEnd): boolean {
  for (const node of candidate.crashed) if (!original.crashed.has(node)) return false;
  return (!candidate.cut || original.cut) && equalPlain(candidate.network, original.network);
}

/** Trace events with their details in JSON form (Maps and Sets spelled out). */
export function jsonEvent(event: TraceEvent): TraceEvent {
  return event.detail === undefined ? event : { ...event, detail: toJsonValue(event.detail) };
}

/** Re-runs one recorded failure with the full trace: a run with its schedule, or a search path. */
export function replayOutcome<I>(
  suite: LabSuite<I>,
  test: SuiteTest<I>,
  implementation: I,
  seed: number,
  schedule: FaultSchedule,
  path?: readonly SearchEvent[],
): ReplayOutcome {
  const prepared = test.prepare(implementation, seed);
  const seedString = runSeed(suite.lab, test.number, seed);
  if (prepared.kind === 'search') {
    const replayed = prepared.replay(seedString, path ?? []);
    const violation = replayed.violation;
    // The replay runs the path on the simulator's clock: the verdict names the trace's own last
    // event (the violation), as the trace printed above it does.
    const last = replayed.trace.at(-1);
    const end = last === undefined ? { timeMs: 0 } : { timeMs: last.timeMs, traceIndex: last.index };
    return {
      passed: violation === undefined,
      ...(violation ? { failure: { kind: 'violation', property: violation.property, message: violation.message, step: (path ?? []).length, ...end } } : {}),
      steps: (path ?? []).length,
      endTimeMs: end.timeMs,
      trace: replayed.trace.map(jsonEvent),
      ...viewerStates(replayed, replayed.trace),
    };
  }
  const result = recordedRun(prepared, seedString, schedule);
  return {
    passed: result.passed,
    ...(result.failure ? { failure: result.failure } : {}),
    steps: result.steps,
    endTimeMs: result.endTimeMs,
    trace: result.trace.map(jsonEvent),
    ...viewerStates(result, result.trace),
  };
}

/**
 * The node states and roles a report's viewer needs for the events kept of a run's trace:
 * the changes within them, after each node's whole state where the kept events start late.
 */
function viewerStates(
  run: { readonly states?: readonly StateChange[]; readonly roles: readonly Role[] },
  kept: readonly TraceEvent[],
): { states?: StateChange[]; roles: Role[] } {
  const roles = [...run.roles];
  if (run.states === undefined) return { roles };
  const firstIndex = kept[0]?.index ?? 0;
  return { states: stateChangesFrom(run.states, firstIndex), roles };
}
