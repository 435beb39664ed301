import type fc from 'fast-check';
import type { FaultSchedule, NodeId, ProbeSettings, Protocol, SearchSettings, SimulationResult, SimulationSettings } from 'distlab';

/** The cluster facts a fault-schedule generator may use. */
export interface ClusterShape {
  readonly servers: readonly NodeId[];
  readonly clients: readonly NodeId[];
  readonly durationMs: number;
}

/** A run without its seed and fault schedule: those come from the grader. */
export type RunSetup<P extends Protocol> = Omit<SimulationSettings<P>, 'seed' | 'faults' | 'trace' | 'ringSize'>;

export type TestKind = 'run' | 'budget' | 'search';

/**
 * A search test: the model checker explores a small configuration. `bfs` explores every
 * interleaving (to exhaustion or a limit); `probes` takes random walks. With `expect: 'goal'`
 * the test passes when one of the settings' goals is reached; otherwise when no invariant
 * breaks before the space or a limit is exhausted.
 */
export interface SearchSpec<P extends Protocol> {
  readonly settings: SearchSettings<P>;
  readonly strategy: 'bfs' | 'probes';
  readonly probes?: Omit<ProbeSettings, 'seed'>;
  readonly expect: 'no-violation' | 'goal';
}
export type Visibility = 'visible' | 'hidden';

/**
 * One graded test: metadata for reports and scoring, and how to build its run for a seed.
 * `setup` must create fresh property objects each time (they may keep state).
 */
export interface SuiteTest<P extends Protocol, Implementation> {
  /** Unique within the lab, like `0.3` or `5B.2`. */
  readonly number: string;
  /** States the property or the scenario: "every ping is answered exactly once under duplication". */
  readonly name: string;
  /** The lab part (`A`, `B`, ...); `''` for a lab without parts. */
  readonly part: string;
  readonly points: number;
  readonly kind: TestKind;
  readonly visibility: Visibility;
  /** Seeds run by default (1..seeds). */
  readonly seeds: number;
  /** One or two sentences for the report: what the test does and why. */
  readonly description: string;
  /** The run of a randomized or budget test (search tests give `search` instead). */
  setup?(implementation: Implementation, seed: number): RunSetup<P>;
  /** For `kind: 'search'`: what to explore. */
  search?(implementation: Implementation, seed: number): SearchSpec<P>;
  /** The fault schedule, as a fast-check arbitrary, so the grader can shrink a failing one. */
  faults?(cluster: ClusterShape): fc.Arbitrary<FaultSchedule>;
  /**
   * Figures to report from each passing seed (messages per operation, ...); later seeds add
   * to earlier ones. Names of the form `series@x` (like `measured@5`) are plotted against x.
   */
  measure?(result: SimulationResult<P>, seed: number): Record<string, number>;
  /**
   * A demonstration, not a requirement: the test passes when some seed breaks the named
   * property (a known weakness of the algorithm under these settings, shown to students),
   * and records that run. It fails when no seed does. Usually worth 0 points.
   */
  readonly demonstrates?: string;
}

/** A lab's suite: data only, it imports no implementation. */
export interface LabSuite<Implementation> {
  /** The lab folder's name, like `00-pingpong`. */
  readonly lab: string;
  readonly title: string;
  /** The names the implementation's `index.ts` must export (node classes). */
  readonly exports: readonly (keyof Implementation & string)[];
  readonly tests: readonly SuiteTest<Protocol, Implementation>[];
}

/** Declares a test of protocol `P` for a suite whose tests use different protocols. */
export function defineTest<P extends Protocol, Implementation>(
  test: SuiteTest<P, Implementation>,
): SuiteTest<Protocol, Implementation> {
  return test as unknown as SuiteTest<Protocol, Implementation>;
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
    if ((test.setup === undefined) === (test.search === undefined)) problems.push(`test ${test.number} needs exactly one of setup and search`);
  }
  return problems;
}

/** The seed string of one run: different tests never share random streams. */
export function runSeed(lab: string, testNumber: string, seed: number): string {
  return `${lab}/${testNumber}/${seed}`;
}

/**
 * A deliberately broken solution (`solutions/<lab>/mutants/<name>.ts`): a classic student
 * bug, subtle enough to pass its part's fault-free smoke test, caught by the test it names.
 */
export interface Mutant {
  /** The file under mutants/, without extension. */
  readonly name: string;
  readonly bug: string;
  /** The number of the test that must fail on it. */
  readonly failsTest: string;
}
