import { pathToFileURL } from 'node:url';
import { defaultImplementation, resolveImplementation, type ImplementationSource } from './implementation.ts';
import { defaultLimits, Sandbox, type IsolatedResult, type IsolationLimits } from './isolation.ts';
import { findLab, SetupError, type LabInfo } from './labs.ts';
import { encodeReplay } from './replayCode.ts';
import { computeTotals, reportSchemaVersion, type GradedTest, type GradingReport } from './results.ts';
import type { LabSuite, SuiteTest } from 'distlab/testing';

export interface GradeOptions {
  readonly lab: string;
  /** `student`, `solutions`, `mutant:<name>` or a path; default: solutions where they exist. */
  readonly implementation?: string;
  readonly part?: string;
  readonly tests?: readonly string[];
  /** Seeds 1..seeds for every test, instead of each test's own count. */
  readonly seeds?: number;
  /** Exactly this one seed for every test. */
  readonly seed?: number;
  readonly includeHidden?: boolean;
  readonly jobs?: number;
  readonly limits?: Partial<IsolationLimits>;
  readonly shrinkBudget?: number;
  /** Type-check the implementation and report errors (grading goes on). */
  readonly typecheck?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { readonly type: 'start'; readonly lab: LabInfo; readonly implementation: string; readonly tests: readonly SuiteTest<unknown>[] }
  | { readonly type: 'test-start'; readonly test: SuiteTest<unknown>; readonly seeds: number }
  | { readonly type: 'seed'; readonly test: SuiteTest<unknown>; readonly seedsDone: number; readonly seeds: number }
  | { readonly type: 'test-end'; readonly graded: GradedTest };

/** Loads a lab's suite in the grader's own process (suites are trusted code). */
export async function loadSuite(lab: LabInfo): Promise<LabSuite<unknown>> {
  const module = (await import(pathToFileURL(lab.suiteFile).href)) as { default?: LabSuite<unknown>; suite?: LabSuite<unknown> };
  const suite = module.suite ?? module.default;
  if (suite === undefined) throw new SetupError(`${lab.suiteFile} exports no suite`);
  return suite;
}

/** Which tests the options select, in suite order. */
export function selectTests(suite: LabSuite<unknown>, options: Pick<GradeOptions, 'part' | 'tests' | 'includeHidden'>): SuiteTest<unknown>[] {
  const known = new Set(suite.tests.map((test) => test.number));
  for (const number of options.tests ?? []) {
    if (!known.has(number)) {
      throw new SetupError(`there is no test ${number} in ${suite.lab}. Its tests: ${[...known].join(', ')}`);
    }
  }
  const parts = new Set(suite.tests.map((test) => test.part));
  if (options.part !== undefined && !parts.has(options.part.toUpperCase())) {
    throw new SetupError(`there is no part "${options.part}" in ${suite.lab}. Its parts: ${[...parts].filter(Boolean).join(', ') || 'none'}`);
  }
  return suite.tests.filter(
    (test) =>
      (options.includeHidden === true || test.visibility === 'visible' || (options.tests ?? []).includes(test.number)) &&
      (options.part === undefined || test.part === options.part.toUpperCase()) &&
      (options.tests === undefined || options.tests.length === 0 || options.tests.includes(test.number)),
  );
}

export function seedsFor(test: SuiteTest<unknown>, options: Pick<GradeOptions, 'seeds' | 'seed'>): number[] {
  if (options.seed !== undefined) return [options.seed];
  const count = options.seeds ?? test.seeds;
  return Array.from({ length: count }, (_unused, index) => index + 1);
}

export function replayCommand(lab: LabInfo, implementation: string, code: string): string {
  const impl = implementation === defaultImplementation(lab) ? '' : ` --impl ${implementation}`;
  return `npm run grade -- ${lab.shortName}${impl} --replay ${code}`;
}

/** What every graded test says about itself, whatever its outcome. */
function describedTest(test: SuiteTest<unknown>, seedsPlanned: number) {
  return {
    number: test.number,
    name: test.name,
    part: test.part,
    kind: test.kind,
    visibility: test.visibility,
    description: test.description,
    maxScore: test.points,
    seedsPlanned,
  };
}

function gradedFrom(
  lab: LabInfo,
  test: SuiteTest<unknown>,
  implementation: string,
  seeds: number,
  result: IsolatedResult,
): GradedTest {
  const base = {
    ...describedTest(test, seeds),
    seedsRun: result.seedsDone,
    wallMs: Math.round(result.wallMs),
    ...(result.output ? { output: result.output } : {}),
  };
  const outcome = result.outcome;
  const failure = outcome?.failure;
  const graded: GradedTest = {
    ...base,
    status: result.status,
    score: result.status === 'passed' ? test.points : 0,
    ...(result.reason !== undefined ? { reason: result.reason } : {}),
    ...(outcome?.measurements ? { measurements: outcome.measurements } : {}),
  };
  const withReplay = (recorded: NonNullable<typeof failure>) => {
    if (recorded.replayable === false) {
      // Nothing to replay: re-running the test is the way to see it again.
      const impl = implementation === defaultImplementation(lab) ? '' : ` --impl ${implementation}`;
      return { ...recorded, replayCode: '', replayCommand: `npm run grade -- ${lab.shortName}${impl} --test ${test.number}` };
    }
    const code = encodeReplay({
      lab: lab.id,
      test: test.number,
      seed: recorded.seed,
      schedule: recorded.shrunkSchedule,
      ...(recorded.path ? { path: recorded.path } : {}),
    });
    return { ...recorded, replayCode: code, replayCommand: replayCommand(lab, implementation, code) };
  };
  return {
    ...graded,
    ...(failure ? { failure: withReplay(failure) } : {}),
    ...(outcome?.demonstration ? { demonstration: withReplay(outcome.demonstration) } : {}),
  };
}

export function notRun(test: SuiteTest<unknown>, seeds: number, reason: string): GradedTest {
  return { ...describedTest(test, seeds), score: 0, status: 'not run', reason, seedsRun: 0, wallMs: 0 };
}

/** A report for grading that could not start: what was asked, and why it failed. */
export function setupFailureReport(labName: string, implementation: string, error: Error, startedAt: Date, tests: GradedTest[] = []): GradingReport {
  const finishedAt = new Date();
  return {
    schemaVersion: reportSchemaVersion,
    tool: 'distlab',
    lab: labName,
    labTitle: labName,
    implementation,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    interrupted: false,
    setupError: error.message,
    typeErrors: [],
    options: { hidden: false },
    tests,
    totals: computeTotals(tests),
  };
}

/** Resolves the lab and implementation, or throws a SetupError. */
export function resolveTarget(labName: string, implementation?: string): { lab: LabInfo; source: ImplementationSource } {
  const lab = findLab(labName);
  return { lab, source: resolveImplementation(lab, implementation ?? defaultImplementation(lab)) };
}

/**
 * Grades one implementation of one lab: every selected test in its own child process,
 * `jobs` at a time. Throws {@link SetupError} when grading cannot start.
 */
export async function grade(options: GradeOptions): Promise<GradingReport> {
  const startedAt = new Date();
  const { lab, source } = resolveTarget(options.lab, options.implementation);
  const suite = await loadSuite(lab);
  const selected = selectTests(suite, options);
  if (selected.length === 0) throw new SetupError(`no test of ${lab.id} matches the options given (hidden tests need --hidden)`);
  let typeErrors: string[] = [];
  if (options.typecheck === true && (source.kind === 'student' || source.kind === 'path')) {
    const { typeErrorsOf } = await import('./typecheck.ts');
    typeErrors = typeErrorsOf(source);
  }
  const sandbox = await Sandbox.create(lab, source, { ...defaultLimits, ...options.limits });
  options.onProgress?.({ type: 'start', lab, implementation: source.label, tests: selected });
  const results = new Map<string, GradedTest>();
  let interrupted = options.signal?.aborted ?? false;
  const onAbort = () => {
    interrupted = true;
    sandbox.abort();
  };
  options.signal?.addEventListener('abort', onAbort);
  try {
    const queue = [...selected];
    const jobs = Math.max(1, options.jobs ?? 2);
    const worker = async () => {
      for (let test = queue.shift(); test !== undefined; test = queue.shift()) {
        const seeds = seedsFor(test, options);
        if (interrupted) {
          results.set(test.number, notRun(test, seeds.length, 'grading was interrupted before this test'));
          continue;
        }
        const current = test;
        options.onProgress?.({ type: 'test-start', test: current, seeds: seeds.length });
        const result = await sandbox.run(current.number, seeds, {
          ...(options.shrinkBudget !== undefined ? { shrinkBudget: options.shrinkBudget } : {}),
          onProgress: (seedsDone) => options.onProgress?.({ type: 'seed', test: current, seedsDone, seeds: seeds.length }),
        });
        const graded = interrupted && result.status !== 'passed' && result.status !== 'failed'
          ? notRun(current, seeds.length, 'grading was interrupted while this test ran')
          : gradedFrom(lab, current, source.label, seeds.length, result);
        results.set(current.number, graded);
        options.onProgress?.({ type: 'test-end', graded });
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, selected.length) }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    sandbox.dispose();
  }
  const tests = selected.map((test) => results.get(test.number) ?? notRun(test, seedsFor(test, options).length, 'grading stopped first'));
  const finishedAt = new Date();
  return {
    schemaVersion: reportSchemaVersion,
    tool: 'distlab',
    lab: lab.id,
    labTitle: suite.title,
    implementation: source.label,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    interrupted,
    typeErrors,
    options: {
      ...(options.seeds !== undefined ? { seeds: options.seeds } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      hidden: options.includeHidden === true,
      ...(options.part !== undefined ? { part: options.part } : {}),
      ...(options.tests !== undefined && options.tests.length > 0 ? { tests: options.tests } : {}),
    },
    tests,
    totals: computeTotals(tests),
  };
}
