import type { RecordedFailure } from './runTest.ts';
import type { TestStatus } from './isolation.ts';
import type { TestKind, Visibility } from 'distlab/testing';

/** The version of the JSON report's schema (docs/report-schema.json). */
export const reportSchemaVersion = 2;

export type GradedStatus = TestStatus | 'not run';

/** A recorded failure with the ways to replay it. */
export type GradedFailure = RecordedFailure & {
  /** Paste after `--replay` to re-run this failure with the full trace. */
  readonly replayCode: string;
  readonly replayCommand: string;
};

export interface GradedTest {
  readonly number: string;
  readonly name: string;
  readonly part: string;
  readonly kind: TestKind;
  readonly visibility: Visibility;
  readonly description: string;
  readonly maxScore: number;
  readonly score: number;
  readonly status: GradedStatus;
  /** Why the test crashed, timed out or did not run. */
  readonly reason?: string;
  readonly seedsPlanned: number;
  readonly seedsRun: number;
  readonly wallMs: number;
  readonly measurements?: Record<string, number>;
  /** What the axes of the chart of this test's series show, with units (from the suite). */
  readonly axes?: { readonly x: string; readonly y: string };
  readonly failure?: GradedFailure;
  /** For a demonstration test that passed: the run that showed the weakness, replayable. */
  readonly demonstration?: GradedFailure;
  /** What the implementation printed while this test ran (last lines). */
  readonly output?: string;
}

/**
 * The seeds of a graded test as reports show them: "14/14 seeds" when every planned seed ran,
 * "4 of 14 seeds run" when grading stopped early (at a failure), so that it does not read as
 * four seeds passed.
 */
export function seedsText(test: Pick<GradedTest, 'seedsRun' | 'seedsPlanned'>, unit = ' seeds'): string {
  return test.seedsRun === test.seedsPlanned ? `${test.seedsRun}/${test.seedsPlanned}${unit}` : `${test.seedsRun} of ${test.seedsPlanned}${unit} run`;
}

export interface GradingTotals {
  readonly score: number;
  readonly maxScore: number;
  readonly passed: number;
  readonly failed: number;
  readonly crashed: number;
  readonly timedOut: number;
  readonly notRun: number;
}

export interface GradingReport {
  readonly schemaVersion: typeof reportSchemaVersion;
  readonly tool: 'distlab';
  readonly lab: string;
  readonly labTitle: string;
  readonly implementation: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly interrupted: boolean;
  /** Set when grading could not start (unknown lab, unloadable implementation, ...). */
  readonly setupError?: string;
  /** Type errors in the implementation: reported, not fatal. */
  readonly typeErrors: readonly string[];
  readonly options: {
    readonly seeds?: number;
    readonly seed?: number;
    readonly hidden: boolean;
    readonly part?: string;
    readonly tests?: readonly string[];
  };
  readonly tests: readonly GradedTest[];
  readonly totals: GradingTotals;
}

export function computeTotals(tests: readonly GradedTest[]): GradingTotals {
  const count = (status: GradedStatus) => tests.filter((test) => test.status === status).length;
  return {
    score: tests.reduce((sum, test) => sum + test.score, 0),
    maxScore: tests.reduce((sum, test) => sum + test.maxScore, 0),
    passed: count('passed'),
    failed: count('failed'),
    crashed: count('crashed'),
    timedOut: count('timed out'),
    notRun: count('not run'),
  };
}

/** What kind of failure this is, in words, as every report heads it. */
/** How the message of a search test failed by the live check starts (grader/runTest.ts). */
export const liveCheckMessageStart = 'the nodes behave differently under the model checker';

export function describeFailureKind(failure: RecordedFailure): string {
  switch (failure.kind) {
    case 'violation':
      return `safety property broken: ${failure.property}`;
    case 'liveness':
      return `liveness property not met: ${failure.property}`;
    case 'goal-not-reached':
      return `never reached: ${failure.property}`;
    case 'budget-exceeded':
      return `over budget: ${failure.property}`;
    case 'exception':
      return failure.property === 'plain data' ? 'not plain data (node state, a message, a timer, an output or a stored value)' : 'a node threw an exception';
    case 'limit':
      return `limit hit (${failure.limit}): ${failure.property}`;
    case 'search-violation':
      return `the model checker found a violation of: ${failure.property}`;
    case 'demonstration-not-shown':
      return `demonstration not shown: ${failure.property}`;
    case 'nondeterministic':
      return failure.path !== undefined && failure.message.startsWith(liveCheckMessageStart)
        ? 'nondeterministic submission: its nodes behave differently under the model checker than in a run'
        : 'nondeterministic submission: a re-run of the failing seed did not fail the same way';
  }
}
