// The page of a replayed failure: `--replay` writes the viewer for the run it re-ran, so a
// student can step through it as through the report's failure, in a folder of its own.
import { resolve } from 'node:path';
import type { FaultSchedule, SearchEvent, SuiteTest } from 'distlab/testing';
import { describedTest } from './grade.ts';
import type { ImplementationSource } from './implementation.ts';
import type { LabInfo } from './labs.ts';
import type { ReplayOutcome } from './protocol.ts';
import { writeWatchReport, type WatchedRun } from './reports/html.ts';
import { prepareOutputFolder } from './reports/outputFolder.ts';
import { boundGradedTest } from './reports/untrusted.ts';
import { computeTotals, reportSchemaVersion, type GradedTest, type GradingReport } from './results.ts';

export interface ReplayedRun {
  readonly lab: LabInfo;
  readonly labTitle: string;
  readonly source: ImplementationSource;
  readonly test: SuiteTest<unknown>;
  readonly seed: number;
  readonly schedule: FaultSchedule;
  readonly path?: readonly SearchEvent[];
  readonly outcome: ReplayOutcome;
  /** What the implementation printed. */
  readonly output: string;
  /** The command that replays it again. */
  readonly command: string;
  readonly startedAt: Date;
}

/** reports/<kind>/<lab>-<test>-seed<S>-<implementation>: the folder of one run's page (a watched or replayed run). */
export function runPageFolder(kind: 'watch' | 'replay', lab: LabInfo, test: SuiteTest<unknown>, seed: number, source: ImplementationSource): string {
  const implementation = source.kind === 'path' ? `path-${source.label}` : source.label;
  const name = `${lab.shortName}-${test.number}-seed${seed}-${implementation}`
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .slice(0, 120)
    .replace(/-+$/, '');
  return resolve('reports', kind, name);
}

/**
 * Whether a replayed run passes its test, and why. A demonstration passes when the property it
 * demonstrates breaks, as the recorded run showed; any other test passes when nothing broke.
 */
export function replayedVerdict(test: SuiteTest<unknown>, outcome: ReplayOutcome, searched: boolean): { readonly passed: boolean; readonly verdict: string } {
  const failure = outcome.failure;
  const broke =
    failure === undefined
      ? ''
      : `"${failure.property}" broke at ${searched ? `step ${failure.step} of the path` : `event #${failure.traceIndex ?? failure.step}, ${failure.timeMs} ms into the run`}`;
  if (test.demonstrates !== undefined) {
    if (failure?.property === test.demonstrates) return { passed: true, verdict: `${broke}, as this test demonstrates it can.` };
    return {
      passed: false,
      verdict:
        failure === undefined
          ? `"${test.demonstrates}" held: this seed and schedule no longer show the break this test demonstrates.`
          : `${broke}: not the break of "${test.demonstrates}" this test demonstrates.`,
    };
  }
  return { passed: outcome.passed, verdict: failure === undefined ? 'This seed and schedule no longer fail: every property held.' : `${broke}.` };
}

/** Writes the replayed run's page into `folder` (made fresh); returns the page's path. */
export function writeReplayPage(replayed: ReplayedRun, folder: string): string {
  const { lab, source, test, seed, outcome, path } = replayed;
  const failure = outcome.failure;
  const searched = path !== undefined && test.kind === 'search';
  const { passed, verdict } = replayedVerdict(test, outcome, searched);
  const run: WatchedRun = {
    replayed: true,
    testNumber: test.number,
    seed,
    verdict,
    ...(failure === undefined
      ? {}
      : { failure: { property: failure.property, message: failure.message, step: failure.step, timeMs: failure.timeMs, ...(failure.traceIndex !== undefined ? { traceIndex: failure.traceIndex } : {}) } }),
    ...(searched ? { search: { summary: `the model checker's path of ${path.length} ${path.length === 1 ? 'step' : 'steps'}, replayed`, path } } : { schedule: replayed.schedule, scenarioActions: 0, endTimeMs: outcome.endTimeMs }),
    trace: outcome.trace,
    ...(outcome.states ? { states: outcome.states } : {}),
    ...(outcome.roles ? { roles: outcome.roles } : {}),
    totalEvents: outcome.trace.length,
    command: replayed.command,
  };
  const graded: GradedTest = boundGradedTest({
    ...describedTest(test, 1),
    score: passed ? test.points : 0,
    status: passed ? 'passed' : 'failed',
    seedsRun: 1,
    wallMs: 0,
    ...(replayed.output ? { output: replayed.output } : {}),
  });
  const finishedAt = new Date();
  const report: GradingReport = {
    schemaVersion: reportSchemaVersion,
    tool: 'distlab',
    lab: lab.id,
    labTitle: replayed.labTitle,
    implementation: source.label,
    startedAt: replayed.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.max(0, finishedAt.getTime() - replayed.startedAt.getTime()),
    interrupted: false,
    typeErrors: [],
    options: { seed, hidden: test.visibility === 'hidden', tests: [test.number] },
    tests: [graded],
    totals: computeTotals([graded]),
  };
  return writeWatchReport(report, run, prepareOutputFolder(folder));
}
