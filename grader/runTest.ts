import fc from 'fast-check';
import {
  describeSearchEvent,
  equalPlain,
  explore,
  hashPlain,
  probe,
  replaySearchPath,
  traceSearchPath,
  type SearchEvent,
  simulate,
  toJsonValue,
  type Failure,
  type FailureKind,
  type FaultSchedule,
  type NodeId,
  type Protocol,
  type SimulationResult,
  type TraceEvent,
} from 'distlab/testing';
import type { ReplayOutcome } from './protocol.ts';
import { runSeed, type LabSuite, type SuiteTest } from 'distlab/testing';

/** A failing seed as the reports show it: plain JSON data. */
export interface RecordedFailure extends Failure {
  readonly seed: number;
  /** The schedule the seed generated. */
  readonly schedule: FaultSchedule;
  /** The smallest schedule found that still breaks the same property. */
  readonly shrunkSchedule: FaultSchedule;
  /** True when removing any single action of `shrunkSchedule` makes the run pass. */
  readonly minimal: boolean;
  readonly shrinkRuns: number;
  /** The last events before the violation, in the run with the shrunk schedule. */
  readonly lastEvents: readonly TraceEvent[];
  /** The whole trace of that run (capped), for the HTML report. */
  readonly trace: readonly TraceEvent[];
  readonly traceTruncated: boolean;
  /** For a search test: the events from the initial state to the violation, for replay. */
  readonly path?: readonly SearchEvent[];
  /** False when no single run shows the failure (a goal never reached, a demonstration that did not happen). */
  readonly replayable?: boolean;
}

export interface TestOutcome {
  readonly number: string;
  readonly seedsPlanned: number;
  readonly seedsRun: number;
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
  readonly onSeedDone?: (seedsDone: number) => void;
}

const defaultShrinkBudget = 300;
const defaultTraceLimit = 3_000;
const lastEventCount = 40;

function setupOf<I>(test: SuiteTest<Protocol, I>, implementation: I, seed: number) {
  if (test.setup === undefined) throw new Error(`test ${test.number} has no run to set up (it is a search test)`);
  return test.setup(implementation, seed);
}

function scheduleArbitrary<I>(test: SuiteTest<Protocol, I>, implementation: I, suite: LabSuite<I>, seed: number) {
  const setup = setupOf(test, implementation, seed);
  const servers = setup.nodes.flatMap((spec, id) => (spec.role === 'server' ? [id] : []));
  const clients = setup.nodes.flatMap((spec, id) => (spec.role === 'client' ? [id] : []));
  const arbitrary = test.faults?.({ servers, clients, durationMs: setup.durationMs });
  // The schedule's fast-check seed comes from the run's "faults" label, like every other sub-seed.
  const faultSeed = hashPlain(`${runSeed(suite.lab, test.number, seed)}/faults`) | 0;
  return { arbitrary, faultSeed };
}

/** One run of `test` on `seed` with an explicit schedule: the unit of replay. */
export function runOnce<I>(
  suite: LabSuite<I>,
  test: SuiteTest<Protocol, I>,
  implementation: I,
  seed: number,
  schedule: FaultSchedule,
  trace: 'ring' | 'full' = 'ring',
): SimulationResult<Protocol> {
  return simulate({ ...setupOf(test, implementation, seed), seed: runSeed(suite.lab, test.number, seed), faults: schedule, trace });
}

/** Runs a test's seeds; on the first failure, shrinks its schedule and records it. */
export function runTest<I>(suite: LabSuite<I>, test: SuiteTest<Protocol, I>, implementation: I, options: RunOptions): TestOutcome {
  if (test.search !== undefined) return runSearchTest(suite, test, implementation, options);
  const shrinkBudget = options.shrinkBudget ?? defaultShrinkBudget;
  const traceLimit = options.traceLimit ?? defaultTraceLimit;
  let measurements: Record<string, number> | undefined;
  let seedsRun = 0;
  const base = { number: test.number, seedsPlanned: options.seeds.length };
  for (const seed of options.seeds) {
    seedsRun++;
    const outcome = runSeed_(suite, test, implementation, seed, shrinkBudget, traceLimit);
    options.onSeedDone?.(seedsRun);
    if (outcome.failure !== undefined) {
      if (test.demonstrates !== undefined && outcome.failure.property === test.demonstrates) {
        return { ...base, seedsRun, passed: true, demonstration: outcome.failure };
      }
      return { ...base, seedsRun, passed: false, failure: outcome.failure };
    }
    if (test.measure && outcome.result) measurements = { ...measurements, ...test.measure(outcome.result, seed) };
  }
  if (test.demonstrates !== undefined) {
    const last = options.seeds[options.seeds.length - 1] ?? 0;
    return {
      ...base,
      seedsRun,
      passed: false,
      failure: {
        seed: last,
        kind: 'eventually',
        property: test.demonstrates,
        message: `the demonstration did not happen: no seed of ${seedsRun} broke "${test.demonstrates}"`,
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
      },
    };
  }
  return { ...base, seedsRun, passed: true, ...(measurements ? { measurements } : {}) };
}

/**
 * One seed. With a fault generator, fast-check draws the schedule from the seed's "faults"
 * sub-seed and, when the run fails, shrinks it within a budget counted in runs (never wall
 * time); a last pass removes single actions until the schedule is 1-minimal.
 */
function runSeed_<I>(
  suite: LabSuite<I>,
  test: SuiteTest<Protocol, I>,
  implementation: I,
  seed: number,
  shrinkBudget: number,
  traceLimit: number,
): { result?: SimulationResult<Protocol>; failure?: RecordedFailure } {
  const { arbitrary, faultSeed } = scheduleArbitrary(test, implementation, suite, seed);
  if (arbitrary === undefined) {
    const result = runOnce(suite, test, implementation, seed, []);
    if (result.passed) return { result };
    return { failure: finishFailure(suite, test, implementation, seed, [], [], result, 0, shrinkBudget, traceLimit) };
  }
  let first: { schedule: FaultSchedule; result: SimulationResult<Protocol> } | undefined;
  let runs = 0;
  const details = fc.check(
    fc.property(arbitrary, (candidate) => {
      if (first === undefined) {
        const result = runOnce(suite, test, implementation, seed, candidate);
        first = { schedule: candidate, result };
        return result.passed;
      }
      if (runs >= shrinkBudget) return true;
      runs++;
      const result = runOnce(suite, test, implementation, seed, candidate);
      return result.passed || result.failure?.property !== first.result.failure?.property;
    }),
    { seed: faultSeed, numRuns: 1 },
  );
  if (first === undefined) throw new Error(`test ${test.number}: the fault generator produced no schedule`);
  if (first.result.passed) return { result: first.result };
  const shrunk = details.failed && details.counterexample ? details.counterexample[0] : first.schedule;
  return { failure: finishFailure(suite, test, implementation, seed, first.schedule, shrunk, first.result, runs, shrinkBudget, traceLimit) };
}

function finishFailure<I>(
  suite: LabSuite<I>,
  test: SuiteTest<Protocol, I>,
  implementation: I,
  seed: number,
  schedule: FaultSchedule,
  shrunkByFastCheck: FaultSchedule,
  original: SimulationResult<Protocol>,
  runsSoFar: number,
  shrinkBudget: number,
  traceLimit: number,
): RecordedFailure {
  let runs = runsSoFar;
  const singleActionBudget = runsSoFar + shrinkBudget;
  // Removing a single action counts as shrinking while the run still fails: the schedule is
  // 1-minimal when removing any one action makes the run pass. The failure reported is the
  // one of the final, smallest schedule.
  const stillFails = (candidate: FaultSchedule): boolean => {
    runs++;
    return !runOnce(suite, test, implementation, seed, candidate).passed;
  };
  const originalEnd = scheduleEnd(schedule);
  let shrunk = shrunkByFastCheck;
  let minimal = shrunk.length === 0;
  while (!minimal && runs < singleActionBudget) {
    let removed = false;
    for (let index = 0; index < shrunk.length && runs < singleActionBudget; index++) {
      const candidate = [...shrunk.slice(0, index), ...shrunk.slice(index + 1)];
      if (!sameEnd(scheduleEnd(candidate), originalEnd)) continue;
      if (stillFails(candidate)) {
        shrunk = candidate;
        removed = true;
        break;
      }
    }
    if (!removed) minimal = runs < singleActionBudget || shrunk.length === 0;
    if (!removed) break;
  }
  let failingRun = runOnce(suite, test, implementation, seed, shrunk, 'full');
  if (failingRun.passed) {
    // Cannot happen for a deterministic run; report the original schedule rather than a passing one.
    shrunk = schedule;
    minimal = false;
    failingRun = runOnce(suite, test, implementation, seed, schedule, 'full');
  }
  const failure = failingRun.failure ?? original.failure;
  const events = failingRun.trace.map(jsonEvent);
  const traceTruncated = events.length > traceLimit;
  const json = (list: FaultSchedule) => list.map((action) => toJsonValue(action) as FaultSchedule[number]);
  return {
    seed,
    kind: failure?.kind ?? 'always',
    property: failure?.property ?? 'unknown',
    message: failure?.message ?? 'the run failed',
    step: failure?.step ?? failingRun.steps,
    timeMs: failure?.timeMs ?? failingRun.endTimeMs,
    ...(failure?.node !== undefined ? { node: failure.node } : {}),
    ...(failure?.traceIndex !== undefined ? { traceIndex: failure.traceIndex } : {}),
    schedule: json(schedule),
    shrunkSchedule: json(shrunk),
    minimal,
    shrinkRuns: runs,
    lastEvents: events.slice(-lastEventCount),
    trace: traceTruncated ? events.slice(-traceLimit) : events,
    traceTruncated,
  };
}

/** The search settings of a search test for one seed (the seed drives probes and node random sources). */
export function searchOf<I>(suite: LabSuite<I>, test: SuiteTest<Protocol, I>, implementation: I, seed: number) {
  const spec = test.search?.(implementation, seed);
  if (spec === undefined) throw new Error(`test ${test.number} is not a search test`);
  return { ...spec, settings: { ...spec.settings, seed: runSeed(suite.lab, test.number, seed) } };
}

/** Runs a search test on each seed: the first violation, exception or missing goal fails it. */
function runSearchTest<I>(suite: LabSuite<I>, test: SuiteTest<Protocol, I>, implementation: I, options: RunOptions): TestOutcome {
  const base = { number: test.number, seedsPlanned: options.seeds.length };
  let seedsRun = 0;
  let measurements: Record<string, number> = {};
  for (const seed of options.seeds) {
    seedsRun++;
    const spec = searchOf(suite, test, implementation, seed);
    const result =
      spec.strategy === 'bfs'
        ? explore(spec.settings)
        : probe(spec.settings, { probes: spec.probes?.probes ?? 100, depth: spec.probes?.depth ?? 50, seed: runSeed(suite.lab, test.number, seed) });
    options.onSeedDone?.(seedsRun);
    const statistics = result.statistics;
    measurements = {
      states: statistics.states,
      depth: statistics.maxDepth,
      statesPerSec: statistics.statesPerSec,
      ...(result.outcome.kind === 'limit' ? { limitReached: 1 } : {}),
    };
    const outcome = result.outcome;
    const failed = (property: string, message: string, path: readonly SearchEvent[], kind: FailureKind, replayable = true) => {
      const trace = traceSearchPath(spec.settings, path).map(jsonEvent);
      const step = path.length;
      return {
        ...base,
        seedsRun,
        passed: false,
        measurements,
        failure: {
          seed,
          kind,
          property,
          message,
          step,
          timeMs: 0,
          schedule: [],
          shrunkSchedule: [],
          minimal: true,
          shrinkRuns: 0,
          lastEvents: trace.slice(-lastEventCount),
          trace: trace.slice(-(options.traceLimit ?? defaultTraceLimit)),
          traceTruncated: trace.length > (options.traceLimit ?? defaultTraceLimit),
          path: path.map((event) => toJsonValue(event) as SearchEvent),
          ...(replayable ? {} : { replayable: false }),
        },
      } satisfies TestOutcome;
    };
    const where = (path: readonly SearchEvent[]) =>
      path.length === 0 ? 'in the initial state' : `after ${path.length} steps: ${path.map(describeSearchEvent).join('; ')}`;
    if (outcome.kind === 'violation' && test.demonstrates === outcome.invariant) {
      const shown = failed(outcome.invariant, `${outcome.message} (${where(outcome.path)})`, outcome.path, 'always');
      return { ...base, seedsRun, passed: true, measurements, demonstration: shown.failure };
    }
    if (outcome.kind === 'violation') return failed(outcome.invariant, `${outcome.message} (${where(outcome.path)})`, outcome.path, 'always');
    if (outcome.kind === 'exception') return failed('no exceptions', outcome.message, outcome.path, 'exception');
    if (outcome.kind === 'limit' && outcome.limit === 'wall time') {
      return failed(
        'search time limit',
        `the search did not finish within its wall-time limit (${statistics.states} states, depth ${statistics.maxDepth}): ` +
          'it must exhaust the space or reach its depth bound. Larger node states make the space larger; keep only the fields the algorithm needs.',
        [],
        'event-limit',
        false,
      );
    }
    if (test.demonstrates !== undefined) {
      return failed(test.demonstrates, `the demonstration did not happen: no interleaving broke "${test.demonstrates}" (${statistics.states} states)`, [], 'always', false);
    }
    if (spec.expect === 'goal' && result.goalsReached.size === 0) {
      const goals = (spec.settings.goals ?? []).map((goal) => goal.name).join(', ');
      const how = outcome.kind === 'exhausted' ? 'the whole space was explored' : `the ${outcome.kind === 'limit' ? outcome.limit : ''} limit was reached`;
      return failed(goals || 'goal', `no progress: no state reached the goal "${goals}" (${statistics.states} states; ${how})`, [], 'eventually', false);
    }
  }
  return { ...base, seedsRun, passed: true, measurements };
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
  test: SuiteTest<Protocol, I>,
  implementation: I,
  seed: number,
  schedule: FaultSchedule,
  path?: readonly SearchEvent[],
): ReplayOutcome {
  if (test.search !== undefined) {
    const replayed = replaySearchPath(searchOf(suite, test, implementation, seed).settings, path ?? []);
    const violation = replayed.violation;
    return {
      passed: violation === undefined,
      ...(violation ? { failure: { kind: 'always', property: violation.invariant, message: violation.message, step: (path ?? []).length, timeMs: 0 } } : {}),
      steps: (path ?? []).length,
      endTimeMs: 0,
      trace: replayed.trace.map(jsonEvent),
    };
  }
  const result = runOnce(suite, test, implementation, seed, schedule, 'full');
  return {
    passed: result.passed,
    ...(result.failure ? { failure: result.failure } : {}),
    steps: result.steps,
    endTimeMs: result.endTimeMs,
    trace: result.trace.map(jsonEvent),
  };
}
