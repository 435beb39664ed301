// The suite API: how a lab declares its graded tests. A suite is data; it names the classes
// it needs and never imports an implementation: the grader gives it the one chosen.
import type * as fc from 'fast-check';
import type { FaultSchedule } from './faults.ts';
import type { ClusterLayout } from './properties.ts';
import {
  checkLiveAgreement,
  explore,
  exploreInParallel,
  probe,
  probeInParallel,
  replaySearchPath,
  type LiveDisagreement,
  type ParallelSettings,
  type ProbeSettings,
  type SearchEvent,
  type SearchResult,
  type SearchSettings,
} from './search.ts';
import { simulate, type SimulationResult, type SimulationSettings } from './simulation.ts';
import type { StateChange, TraceEvent } from './trace.ts';
import type { Protocol, Role } from './types.ts';

/** What a fault-schedule generator sees of a run: the cluster, its config, its length, its seed. */
export interface FaultContext<P extends Protocol> extends ClusterLayout {
  readonly config: P['config'];
  readonly durationMs: number;
  /** The test's seed (1, 2, ...): a scenario can draw its times from it. */
  readonly seed: number;
}

/** A run without its seed, fault schedule and trace mode: those come from the grader. */
export type RunSetup<P extends Protocol> = Omit<SimulationSettings<P>, 'seed' | 'faults' | 'trace' | 'ringSize'>;

/** What every graded test says about itself, for reports and scoring. */
export interface TestInfo {
  /** Unique within the lab, like `0.3` or `5B.2`. */
  readonly number: string;
  /** States the property or the scenario: "every ping is answered exactly once under duplication". */
  readonly name: string;
  /** The lab part (`A`, `B`, ...); `''` for a lab without parts. */
  readonly part: string;
  readonly points: number;
  readonly visibility: 'visible' | 'hidden';
  /** Seeds run by default (1..seeds). */
  readonly seeds: number;
  /** One or two sentences for the report: what the test does and why. */
  readonly description: string;
  /**
   * A demonstration, not a requirement: the test passes when some seed breaks the named
   * property (a known weakness of the algorithm under these settings, shown to students),
   * and records that run. It fails when no seed does. Usually worth 0 points.
   */
  readonly demonstrates?: string;
  /**
   * At most this many runs to shrink a failure of this test (besides the runs that confirm the
   * failure and record its trace), where it is below the grader's budget (300 by default): for a
   * test whose runs are long, so that a failing submission gets its shrunk report well within
   * the test's time limit.
   */
  readonly shrinkRuns?: number;
  /**
   * What the axes of this test's chart show, with units, for a test whose measurements form
   * series (`series@x`): `{ x: 'nodes (N)', y: 'messages per critical-section entry' }`.
   * Every test that measures series declares them; each title is at most
   * {@link axisTitleMaxLength} characters.
   */
  readonly axes?: { readonly x: string; readonly y: string };
}

/** The longest axis title a chart draws in full. */
export const axisTitleMaxLength = 48;

export type TestKind = 'run' | 'budget' | 'search';
export type Visibility = TestInfo['visibility'];

/** A randomized run (or a budget: a run whose point is a cost). */
export interface RunTest<P extends Protocol, Implementation> extends TestInfo {
  readonly kind: 'run' | 'budget';
  setup(implementation: Implementation, seed: number): RunSetup<P>;
  /**
   * The test's fixed scenario: faults that are part of what the test is about (the highest
   * node crashes at 500 ms), in every run and never shrunk away from a failing one.
   */
  scenario?(context: FaultContext<P>): FaultSchedule;
  /** The random faults, as a fast-check arbitrary, so the grader can shrink a failing schedule. */
  faults?(context: FaultContext<P>): fc.Arbitrary<FaultSchedule>;
  /**
   * Figures to report from each passing seed (messages per operation, ...); later seeds add
   * to earlier ones. Names of the form `series@x` (like `measured@5`) are plotted against x.
   */
  measure?(result: SimulationResult<P>, seed: number): Record<string, number>;
}

/**
 * A model-checking test. `bfs` explores every interleaving (to exhaustion or a limit of states
 * or depth); `probes` takes random walks. With `expect: 'goal'` the test passes when one of the
 * `sometimes` properties is reached, with `expect: 'every-goal'` when each of them is reached
 * (on paths of their own: "each server can become leader"); otherwise when no property breaks.
 */
export interface SearchTest<P extends Protocol, Implementation> extends TestInfo {
  readonly kind: 'search';
  search(implementation: Implementation, seed: number): SearchSpec<P>;
}

export interface SearchSpec<P extends Protocol> {
  readonly settings: SearchSettings<P>;
  readonly strategy: 'bfs' | 'probes';
  readonly probes?: Omit<ProbeSettings, 'seed'>;
  readonly expect: 'no-violation' | 'goal' | 'every-goal';
  /**
   * What bounds the space beyond states and depth, as a student can check it in their code
   * (rounds counted from 1, say): added to the message when the search misses its goal or
   * reaches its state limit, where such a bound is the likely cause.
   */
  readonly boundsNote?: string;
}

/** One seed of a run test, with the test's protocol sealed in. */
export interface PreparedRun {
  readonly kind: 'run';
  readonly layout: ClusterLayout;
  /** The test's fixed faults, first in every schedule and never shrunk. */
  readonly scenario: FaultSchedule;
  /** The generator of this seed's random faults, if the test injects any. */
  readonly faults: fc.Arbitrary<FaultSchedule> | undefined;
  /** Whether the nodes may read the clock in this test's runs (see SimulationSettings.clock). */
  readonly clock: boolean;
  /**
   * One run with a whole schedule: the scenario's actions, then the random ones. A full trace
   * keeps its events from `traceFrom` on, with the nodes' states unless `nodeStates` is false
   * (see SimulationSettings.traceFrom and nodeStates).
   */
  simulate(seed: string, schedule: FaultSchedule, trace: 'ring' | 'full', traceFrom?: number, nodeStates?: boolean): SimulationResult<Protocol>;
  /** The figures of a passing result of `simulate`: its properties' and the test's own. */
  measure(result: SimulationResult<Protocol>): Record<string, number> | undefined;
}

/** One seed of a search test, with the test's protocol sealed in. */
export interface PreparedSearch {
  readonly kind: 'search';
  readonly strategy: 'bfs' | 'probes';
  readonly probes: Omit<ProbeSettings, 'seed'>;
  readonly expect: 'no-violation' | 'goal' | 'every-goal';
  /** The names of the goals (`sometimes` properties). */
  readonly goals: readonly string[];
  /** See SearchSpec.boundsNote. */
  readonly boundsNote?: string;
  /**
   * The search's settings for a run seed, as `run` searches them: what a module named by
   * `runInParallel`'s `settingsFrom` returns, so that worker threads search the same space.
   */
  settings(seed: string): object;
  /** `onProgress` is told as the search goes (after each chunk of states a breadth-first search expands, after each random walk). */
  run(seed: string, onProgress?: () => void): SearchResult;
  /** `run` on worker threads: the same outcome, states and path. */
  runInParallel(seed: string, parallel: ParallelSettings): Promise<SearchResult>;
  /**
   * Follows the path of `result` (what `run` found, when it has a path) and random walks both
   * as the search does, in the search's own realm, and as a run would (see
   * checkLiveAgreement): the first step where a submission's nodes behave differently, or
   * undefined. With `pathOnly` (a search whose test fails whatever the walks show), only the path.
   */
  checkLive(seed: string, result: SearchResult, options?: { readonly pathOnly?: boolean }): LiveDisagreement | undefined;
  replay(seed: string, path: readonly SearchEvent[]): {
    readonly violation?: { readonly property: string; readonly message: string };
    readonly trace: TraceEvent[];
    /** What each step changed in the nodes' states, by trace index. */
    readonly states: readonly StateChange[];
    readonly roles: readonly Role[];
  };
}

/** A test as a suite lists it and the grader runs it: its protocol sealed in. */
export interface SuiteTest<Implementation> extends TestInfo {
  readonly kind: TestKind;
  prepare(implementation: Implementation, seed: number): PreparedRun | PreparedSearch;
}

const defaultProbes = { probes: 100, depth: 50 } as const;

/**
 * The random walks a search test's live check follows besides the outcome's own path: as deep
 * as the search went (at least `depth`, at most `maxDepth` events), a few thousand reactions
 * each way at most, a small fraction of any search's cost.
 */
const liveCheckWalks = { walks: 12, depth: 40, maxDepth: 200 } as const;

/** Declares a run or budget test. */
export function runTest<P extends Protocol, Implementation>(test: RunTest<P, Implementation>): SuiteTest<Implementation> {
  const { setup: _setup, faults: _faults, scenario: _scenario, measure: _measure, ...info } = test;
  return Object.freeze({
    ...info,
    prepare(implementation: Implementation, seed: number): PreparedRun {
      const setup = test.setup(implementation, seed);
      const nodeIds = setup.nodes.map((_spec, id) => id);
      const layout: ClusterLayout = {
        nodeIds,
        servers: nodeIds.filter((id) => setup.nodes[id]?.role === 'server'),
        clients: nodeIds.filter((id) => setup.nodes[id]?.role === 'client'),
      };
      const context = { ...layout, config: setup.config, durationMs: setup.durationMs, seed };
      const faults = test.faults?.(context);
      const scenario = test.scenario?.(context) ?? [];
      // Results this seed produced, by identity: `measure` gets back the typed result.
      const results = new WeakMap<object, SimulationResult<P>>();
      return {
        kind: 'run',
        layout,
        scenario,
        faults,
        clock: setup.clock !== false,
        simulate(runSeed, schedule, trace, traceFrom, nodeStates) {
          // A fresh setup for every run: properties and workloads may keep state.
          const result = simulate<P>({
            ...test.setup(implementation, seed),
            seed: runSeed,
            faults: schedule,
            trace,
            ...(traceFrom ? { traceFrom } : {}),
            ...(nodeStates === false ? { nodeStates } : {}),
          });
          results.set(result, result);
          return result;
        },
        measure(result) {
          const typed = results.get(result);
          if (typed === undefined) return undefined;
          const own = test.measure?.(typed, seed);
          const fromProperties = typed.measurements;
          if (own === undefined && Object.keys(fromProperties).length === 0) return undefined;
          return { ...fromProperties, ...own };
        },
      };
    },
  });
}

/** Declares a search (model-checking) test. */
export function searchTest<P extends Protocol, Implementation>(test: SearchTest<P, Implementation>): SuiteTest<Implementation> {
  const { search: _search, ...info } = test;
  return Object.freeze({
    ...info,
    prepare(implementation: Implementation, seed: number): PreparedSearch {
      const spec = test.search(implementation, seed);
      if (spec.settings.maxWallMs !== undefined) {
        // A verdict must not depend on the machine's speed: graded searches stop at counts.
        throw new Error(`search test ${test.number}: bound it with maxStates and maxDepth, not maxWallMs`);
      }
      const settingsFor = (runSeed: string): SearchSettings<P> => ({ ...test.search(implementation, seed).settings, seed: runSeed });
      const probes = spec.probes ?? defaultProbes;
      return {
        kind: 'search',
        strategy: spec.strategy,
        probes,
        expect: spec.expect,
        ...(spec.boundsNote !== undefined ? { boundsNote: spec.boundsNote } : {}),
        goals: (spec.settings.properties ?? []).filter((property) => property.kind === 'sometimes').map((property) => property.name),
        settings(runSeed) {
          return settingsFor(runSeed);
        },
        runInParallel(runSeed, parallel) {
          const settings = settingsFor(runSeed);
          return spec.strategy === 'bfs' ? exploreInParallel(settings, parallel) : probeInParallel(settings, { ...probes, seed: runSeed }, parallel);
        },
        run(runSeed, onProgress) {
          const settings = settingsFor(runSeed);
          const told = onProgress === undefined ? settings : { ...settings, onProgress };
          return spec.strategy === 'bfs' ? explore(told) : probe(told, { ...probes, seed: runSeed });
        },
        checkLive(runSeed, result, options = {}) {
          const outcome = result.outcome;
          const path = outcome.kind === 'violation' || outcome.kind === 'goal-found' || outcome.kind === 'exception' ? outcome.path : undefined;
          // The walks go as deep as the search went: a node that changes its behaviour after
          // some number of reactions must not do it only beyond the walks.
          const searchedDepth = spec.strategy === 'probes' ? probes.depth : result.statistics.maxDepth;
          const depth = Math.min(liveCheckWalks.maxDepth, Math.max(liveCheckWalks.depth, searchedDepth));
          return checkLiveAgreement(settingsFor(runSeed), { after: result, path, walks: options.pathOnly === true ? 0 : liveCheckWalks.walks, depth, seed: runSeed });
        },
        replay(runSeed, path) {
          return replaySearchPath(settingsFor(runSeed), path);
        },
      };
    },
  });
}

/** A lab's suite: data only, it imports no implementation. */
export interface LabSuite<Implementation> {
  /** The lab folder's name, like `00-pingpong`. */
  readonly lab: string;
  readonly title: string;
  /** The names the implementation's `index.ts` must export (node classes). */
  readonly exports: readonly (keyof Implementation & string)[];
  readonly tests: readonly SuiteTest<Implementation>[];
}

/** Checks a suite's own consistency; returns problems (empty when sound). */
export function checkSuite(suite: LabSuite<unknown>): string[] {
  const problems: string[] = [];
  const numbers = new Set<string>();
  for (const test of suite.tests) {
    if (numbers.has(test.number)) problems.push(`test number ${test.number} is used twice`);
    numbers.add(test.number);
    if (!(test.points >= 0)) problems.push(`test ${test.number} has negative points`);
    if (!(Number.isInteger(test.seeds) && test.seeds >= 1)) problems.push(`test ${test.number} needs at least one seed`);
    if (typeof test.prepare !== 'function') problems.push(`test ${test.number} was not declared with runTest or searchTest`);
    if (test.shrinkRuns !== undefined && !(Number.isInteger(test.shrinkRuns) && test.shrinkRuns >= 0)) problems.push(`test ${test.number}: shrinkRuns must be a whole number of runs`);
    const axesProblem = test.axes === undefined ? undefined : checkAxes(test.axes);
    if (axesProblem !== undefined) problems.push(`test ${test.number}: ${axesProblem}`);
  }
  return problems;
}

/** What is wrong with a test's axis titles, or undefined when they can be drawn. */
function checkAxes(axes: unknown): string | undefined {
  if (typeof axes !== 'object' || axes === null) return 'axes must be an object { x, y } of two titles';
  const titles = axes as Record<string, unknown>;
  for (const axis of ['x', 'y'] as const) {
    const title = titles[axis];
    if (typeof title !== 'string') return `axes.${axis} must be a string`;
    if (title.trim() === '') return `axes.${axis} is empty`;
    if (title.length > axisTitleMaxLength) return `axes.${axis} is longer than ${axisTitleMaxLength} characters`;
    // eslint-disable-next-line no-control-regex -- a title is one line of plain text
    if (/[\u0000-\u001f\u007f-\u009f]/.test(title)) return `axes.${axis} contains a control character`;
  }
  return undefined;
}

/** The seed string of one run: different tests never share random streams. */
export function runSeed(lab: string, testNumber: string, seed: number): string {
  return `${lab}/${testNumber}/${seed}`;
}

/**
 * A deliberately broken copy of the reference solution (in the staff repository, beside the
 * lab's reference, under `mutants/<name>.ts`): a classic student bug, subtle enough to pass its part's fault-free smoke test, caught by the test it names,
 * on the property it targets.
 */
export interface Mutant {
  /** The file under mutants/, without extension. */
  readonly name: string;
  readonly bug: string;
  /** The number of the test that must fail on it. */
  readonly failsTest: string;
  /** The property that test must report broken. */
  readonly property: string;
}
