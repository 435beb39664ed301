// `npm run bench -- suite <lab> [--part E,F] [--graded]`: how long a lab's whole suite (visible
// and hidden tests, default seeds), or some of its parts, takes on the reference solution, and how many simulated seconds the
// simulator covers per wall second. In process, each seed run once with the schedule grading
// first draws (no shrinking: the reference passes); with --graded, also the wall time of
// `npm run grade -- <lab>` itself, isolation and reports included.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runSeed } from '../framework/testing.ts';
import { loadSuite, seedsFor } from '../grader/grade.ts';
import { findLab, projectRoot, SetupError } from '../grader/labs.ts';
import { seedSchedule } from '../grader/runTest.ts';

interface TestFigures {
  readonly number: string;
  readonly kind: string;
  readonly seeds: number;
  readonly passed: number;
  readonly simulatedMs: number;
  /** Simulation steps, or for a search test unique states. */
  readonly events: number;
  readonly ms: number;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** Every seed of every test of `labName` on its reference solution, in this process. */
export async function runLabSuite(labName: string, graded: boolean, parts: readonly string[] = []): Promise<Record<string, unknown>> {
  const lab = findLab(labName);
  if (!lab.hasSolutions) throw new SetupError(`lab ${lab.id} has no reference solution in this checkout (solutions/${lab.id}/index.ts): the suite benchmark runs the reference`);
  const suite = await loadSuite(lab);
  const labParts = [...new Set(suite.tests.map((test) => test.part).filter((part) => part !== ''))];
  const unknownParts = parts.filter((part) => !labParts.includes(part));
  if (unknownParts.length > 0) {
    throw new SetupError(`lab ${lab.id} has no part ${unknownParts.join(', ')}; its parts are ${labParts.join(', ') || 'none (it is not divided into parts)'}`);
  }
  const tests = parts.length === 0 ? suite.tests : suite.tests.filter((test) => parts.includes(test.part));
  const implementation: unknown = await import(pathToFileURL(join(lab.solutionDirectory, 'index.ts')).href);
  const figures: TestFigures[] = [];
  /** The first few seeds that failed, and demonstrations never shown. */
  const failures: string[] = [];
  const started = performance.now();
  for (const test of tests) {
    const seeds = seedsFor(test, {});
    const testStarted = performance.now();
    let simulatedMs = 0;
    let events = 0;
    let passed = 0;
    let demonstrated = false;
    for (const seed of seeds) {
      const prepared = test.prepare(implementation, seed);
      if (prepared.kind === 'search') {
        const result = prepared.run(runSeed(suite.lab, test.number, seed));
        events += result.statistics.states;
        const shown = test.demonstrates !== undefined && result.outcome.kind === 'violation' && result.outcome.property === test.demonstrates;
        if (shown) demonstrated = true;
        const failed = result.outcome.kind === 'violation' || result.outcome.kind === 'exception';
        const succeeded = shown || (!failed && (prepared.expect !== 'goal' || result.goalsReached.size > 0));
        if (succeeded) passed++;
        else if (failures.length < 3) failures.push(`${test.number} seed ${seed}: ${result.outcome.kind === 'violation' ? result.outcome.property : result.outcome.kind}`);
        continue;
      }
      const result = prepared.simulate(runSeed(suite.lab, test.number, seed), seedSchedule(suite, test, prepared, seed), 'ring');
      simulatedMs += result.endTimeMs;
      events += result.steps;
      // A demonstration needs one seed that shows it; on the others, what it sets up (a cluster that cannot elect) may
      // also miss a deadline, and only a safety violation or a crash counts against it.
      const demonstration = test.demonstrates !== undefined && (result.failure?.property === test.demonstrates || result.failure?.kind === 'liveness');
      if (result.passed || demonstration) passed++;
      else if (failures.length < 3) failures.push(`${test.number} seed ${seed}: ${result.failure?.property ?? result.endReason}`);
      if (test.demonstrates !== undefined && result.failure?.property === test.demonstrates) demonstrated = true;
    }
    if (test.demonstrates !== undefined && !demonstrated) failures.push(`${test.number}: no seed demonstrates "${test.demonstrates}"`);
    figures.push({ number: test.number, kind: test.kind, seeds: seeds.length, passed, simulatedMs, events, ms: round(performance.now() - testStarted, 1) });
  }
  const seconds = (performance.now() - started) / 1000;
  const runs = figures.filter((test) => test.kind !== 'search');
  const simulatedSeconds = runs.reduce((sum, test) => sum + test.simulatedMs, 0) / 1000;
  const runSeconds = runs.reduce((sum, test) => sum + test.ms, 0) / 1000;
  const report: Record<string, unknown> = {
    workload: 'suite',
    lab: lab.id,
    ...(parts.length === 0 ? {} : { parts }),
    tests: figures.length,
    seeds: figures.reduce((sum, test) => sum + test.seeds, 0),
    seedsPassed: figures.reduce((sum, test) => sum + test.passed, 0),
    seconds: round(seconds, 2),
    simulatedSeconds: round(simulatedSeconds, 1),
    simulatedSecondsPerWallSecond: runSeconds > 0 ? round(simulatedSeconds / runSeconds, 1) : null,
    slowest: [...figures].sort((left, right) => right.ms - left.ms).slice(0, 5).map((test) => `${test.number} ${round(test.ms / 1000, 2)} s`),
    perTest: figures,
    node: process.version,
  };
  if (failures.length > 0) report.error = `the reference solution fails ${failures.join('; ')}: the figures are not those of a passing suite`;
  if (graded) report.gradedSeconds = gradedWallSeconds(lab.shortName, parts.length === 0 ? undefined : tests.map((test) => test.number));
  return report;
}

/** The wall time of `npm run grade -- <lab>` (only `testNumbers` when given) on the reference, reports written to a scratch folder. */
function gradedWallSeconds(labName: string, testNumbers?: readonly string[]): number {
  const out = mkdtempSync(join(tmpdir(), 'distlab-bench-suite-'));
  try {
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'grader/cli.ts', labName, '--impl', 'solutions', '--out', out, ...(testNumbers === undefined ? [] : ['--test', testNumbers.join(',')])], {
      cwd: projectRoot,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const seconds = (performance.now() - started) / 1000;
    if (child.error !== undefined) throw child.error;
    if (child.status !== 0) throw new Error(`npm run grade -- ${labName} exited with ${child.status ?? child.signal}: ${child.stdout.slice(-2000)}${child.stderr.slice(-2000)}`);
    return round(seconds, 2);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
