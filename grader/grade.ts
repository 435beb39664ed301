import { pathToFileURL } from 'node:url';
import { withHiddenTests } from './hiddenTests.ts';
import { defaultImplementation, implementationOption, resolveImplementation, type ImplementationSource } from './implementation.ts';
import { defaultLimits, Sandbox, testTimeoutMs, type IsolatedResult, type IsolationLimits } from './isolation.ts';
import { findLab, SetupError, type LabInfo } from './labs.ts';
import { encodeReplay } from './replayCode.ts';
import { reportSchema, validateJsonSchema, type JsonSchema } from './reports/schema.ts';
import { boundGradedTest, boundText, textLimits } from './reports/untrusted.ts';
import { computeTotals, reportSchemaVersion, type GradedFailure, type GradedTest, type GradingReport } from './results.ts';
import type { RecordedFailure } from './runTest.ts';
import type { LabSuite, SuiteTest } from 'distlab/testing';

/**
 * The most seeds one test may be given (`--seeds`). A pingpong seed takes milliseconds, a
 * search seed up to seconds: beyond this a grading takes hours, and its lists of seeds alone
 * take memory.
 */
export const maxSeeds = 10_000;

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
  /** Leave out the hidden tests even where they are present (to see what a student's handout grades). */
  readonly visibleOnly?: boolean;
  readonly jobs?: number;
  readonly limits?: Partial<IsolationLimits>;
  readonly shrinkBudget?: number;
  /**
   * Whether each failure's trace comes with the nodes' states after every event (default true):
   * only the HTML report's viewer shows them, and for nodes whose state is large they are most
   * of what recording a failure costs.
   */
  readonly nodeStates?: boolean;
  /**
   * How printed commands name the implementation (`student` for a class's or Gradescope's
   * submissions, which their authors replay in their own checkout); default: as given.
   */
  readonly commandName?: string;
  /** Type-check the implementation and report errors (grading goes on). */
  readonly typecheck?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | {
      readonly type: 'start';
      readonly lab: LabInfo;
      readonly labTitle: string;
      readonly implementation: string;
      readonly tests: readonly SuiteTest<unknown>[];
      readonly typeErrors: readonly string[];
    }
  | { readonly type: 'test-start'; readonly test: SuiteTest<unknown>; readonly seeds: number }
  | { readonly type: 'seed'; readonly test: SuiteTest<unknown>; readonly seedsDone: number; readonly seeds: number }
  | { readonly type: 'test-end'; readonly graded: GradedTest };

/**
 * Loads a lab's suite in the grader's own process (suites are trusted code), with its hidden
 * tests where this checkout has them.
 */
export async function loadSuite(lab: LabInfo): Promise<LabSuite<unknown>> {
  const module = (await import(pathToFileURL(lab.suiteFile).href)) as { default?: LabSuite<unknown>; suite?: LabSuite<unknown> };
  const suite = module.suite ?? module.default;
  if (suite === undefined) throw new SetupError(`${lab.suiteFile} exports no suite`);
  try {
    if (lab.hiddenTestsFile === undefined) return withHiddenTests(suite, []);
    const hidden = (await import(pathToFileURL(lab.hiddenTestsFile).href)) as { hiddenTests?: readonly SuiteTest<unknown>[] };
    if (!Array.isArray(hidden.hiddenTests)) throw new Error(`${lab.hiddenTestsFile} exports no hiddenTests list`);
    return withHiddenTests(suite, hidden.hiddenTests);
  } catch (error) {
    throw new SetupError(`the lab's suite is broken: ${(error as Error).message}`);
  }
}

/** Which tests the options select, in suite order: every test present, unless `visibleOnly`. */
export function selectTests(suite: LabSuite<unknown>, options: Pick<GradeOptions, 'part' | 'tests' | 'visibleOnly'>): SuiteTest<unknown>[] {
  const known = new Set(suite.tests.map((test) => test.number));
  for (const number of options.tests ?? []) {
    if (!known.has(number)) {
      throw new SetupError(`there is no test ${number} in ${suite.lab}. Its tests: ${[...known].join(', ')}`);
    }
  }
  if (options.visibleOnly === true) {
    const hidden = suite.tests.filter((test) => test.visibility === 'hidden' && (options.tests ?? []).includes(test.number)).map((test) => test.number);
    if (hidden.length > 0) {
      throw new SetupError(`--visible-only leaves out the hidden tests, and --test names ${hidden.join(', ')}, which ${hidden.length === 1 ? 'is' : 'are'} hidden: give one or the other`);
    }
  }
  const parts = new Set(suite.tests.map((test) => test.part));
  if (options.part !== undefined && !parts.has(options.part.toUpperCase())) {
    throw new SetupError(`there is no part "${options.part}" in ${suite.lab}. Its parts: ${[...parts].filter(Boolean).join(', ') || 'none'}`);
  }
  return suite.tests.filter(
    (test) =>
      (options.visibleOnly !== true || test.visibility === 'visible') &&
      (options.part === undefined || test.part === options.part.toUpperCase()) &&
      (options.tests === undefined || options.tests.length === 0 || options.tests.includes(test.number)),
  );
}

/** Refuses seed options a grading cannot run: not whole numbers, or more seeds than {@link maxSeeds}. */
export function checkSeedOptions(options: Pick<GradeOptions, 'seeds' | 'seed'>): void {
  const { seeds, seed } = options;
  if (seeds !== undefined && (!Number.isInteger(seeds) || seeds < 1 || seeds > maxSeeds)) {
    throw new SetupError(`--seeds needs a whole number from 1 to ${maxSeeds}, not ${String(seeds)}`);
  }
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0)) {
    throw new SetupError(`--seed needs a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, not ${String(seed)}`);
  }
}

/** How many seeds a test runs with these options (after {@link checkSeedOptions}). */
export function seedCount(test: SuiteTest<unknown>, options: Pick<GradeOptions, 'seeds' | 'seed'>): number {
  return options.seed !== undefined ? 1 : (options.seeds ?? test.seeds);
}

export function seedsFor(test: SuiteTest<unknown>, options: Pick<GradeOptions, 'seeds' | 'seed'>): number[] {
  if (options.seed !== undefined) return [options.seed];
  const count = options.seeds ?? test.seeds;
  return Array.from({ length: count }, (_unused, index) => index + 1);
}

/** The command that replays a failure, for the implementation's author to paste (see {@link implementationOption}). */
export function replayCommand(lab: LabInfo, source: Pick<ImplementationSource, 'label' | 'commandName'>, code: string): string {
  return `npm run grade -- ${lab.shortName}${implementationOption(lab, source)} --replay ${code}`;
}

/**
 * The command that grades one test again, for the implementation's author to paste; `seeds`
 * is `--seed S` or `--seeds N` where the test's own seeds would not show the same thing.
 */
export function rerunCommand(lab: LabInfo, source: Pick<ImplementationSource, 'label' | 'commandName'>, testNumber: string, seeds = ''): string {
  return `npm run grade -- ${lab.shortName}${implementationOption(lab, source)} --test ${testNumber}${seeds}`;
}

/**
 * A recorded failure with the command that shows it again. A single run (its seed, shrunk
 * schedule and, for a search, its path) is replayed from its code. Where no single run shows
 * the failure (a goal never reached, a demonstration that did not happen, a search out of time,
 * a nondeterministic submission), the command grades the test again on the seeds that showed
 * it: `seedsPlanned` is how many the grading ran, 1..N or the one seed of `--seed`.
 */
export function withReplay(
  lab: LabInfo,
  test: Pick<SuiteTest<unknown>, 'number' | 'kind' | 'seeds'>,
  source: Pick<ImplementationSource, 'label' | 'commandName'>,
  seedsPlanned: number,
  recorded: RecordedFailure,
): GradedFailure {
  if (recorded.replayable === false) {
    // A run's demonstration that did not happen is a verdict on every seed it ran: the same
    // seeds again, or the test's own seeds (which might show it) would tell another story.
    // Anything else failed on the one seed recorded, a search on the first seed it ran.
    const everySeed = recorded.kind === 'demonstration-not-shown' && test.kind !== 'search';
    const seeds = !everySeed || seedsPlanned === 1 ? ` --seed ${recorded.seed}` : seedsPlanned !== test.seeds ? ` --seeds ${seedsPlanned}` : '';
    return { ...recorded, replayCode: '', replayCommand: rerunCommand(lab, source, test.number, seeds) };
  }
  const code = encodeReplay({
    lab: lab.id,
    test: test.number,
    seed: recorded.seed,
    schedule: recorded.shrunkSchedule,
    ...(recorded.path ? { path: recorded.path } : {}),
  });
  return { ...recorded, replayCode: code, replayCommand: replayCommand(lab, source, code) };
}

/** What every graded test says about itself, whatever its outcome. */
export function describedTest(test: SuiteTest<unknown>, seedsPlanned: number) {
  return {
    number: test.number,
    name: test.name,
    part: test.part,
    kind: test.kind,
    visibility: test.visibility,
    description: test.description,
    maxScore: test.points,
    seedsPlanned,
    // From the suite, not the submission: the chart draws them as they are.
    ...(test.axes !== undefined ? { axes: { x: test.axes.x, y: test.axes.y } } : {}),
  };
}

function gradedFrom(
  lab: LabInfo,
  test: SuiteTest<unknown>,
  source: ImplementationSource,
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
  return {
    ...graded,
    ...(failure ? { failure: withReplay(lab, test, source, seeds, failure) } : {}),
    ...(outcome?.demonstration ? { demonstration: withReplay(lab, test, source, seeds, outcome.demonstration) } : {}),
  };
}

let gradedTestSchema: JsonSchema | undefined;

/** Where a graded test, as report.json would hold it, departs from the report's schema. */
function schemaProblems(graded: GradedTest): string[] {
  if (gradedTestSchema === undefined) {
    const root = reportSchema();
    gradedTestSchema = { $defs: typeof root === 'object' ? root.$defs : {}, $ref: '#/$defs/test' };
  }
  return validateJsonSchema(JSON.parse(JSON.stringify(graded)) as unknown, gradedTestSchema);
}

/**
 * A graded test from what the sandbox returned, its untrusted texts bounded. A result the
 * grader cannot read (data that makes building the report throw, or that the report's schema
 * refuses) is a crash of the test, with the reason: every report can then be written.
 */
function gradedSafely(lab: LabInfo, test: SuiteTest<unknown>, source: ImplementationSource, seeds: number, result: IsolatedResult): GradedTest {
  try {
    // A breadth-first search ran once for every seed asked for: it is reported as one seed.
    const graded = boundGradedTest(gradedFrom(lab, test, source, result.outcome?.exhaustive === true ? 1 : seeds, result));
    const problems = schemaProblems(graded);
    if (problems.length > 0) throw new Error(`it is malformed: ${problems.slice(0, 3).map((problem) => problem.trim()).join('; ')}`);
    return graded;
  } catch (error) {
    const output = typeof result.output === 'string' && result.output !== '' ? { output: result.output } : {};
    return boundGradedTest({
      ...describedTest(test, seeds),
      score: 0,
      status: 'crashed',
      reason: `its result could not be read (${describeError(error)}): a result the grader cannot read is not a pass`,
      seedsRun: 0,
      wallMs: Number.isFinite(result.wallMs) ? Math.round(result.wallMs) : 0,
      ...output,
    });
  }
}

export function notRun(test: SuiteTest<unknown>, seeds: number, reason: string): GradedTest {
  return { ...describedTest(test, seeds), score: 0, status: 'not run', reason, seedsRun: 0, wallMs: 0 };
}

/** An error in one line, whatever was thrown (a getter that throws, a Symbol.toPrimitive that throws). */
export function describeError(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  } catch {
    text = 'an exception that cannot be described';
  }
  return boundText(text.split('\n')[0] ?? '', textLimits.line);
}

/** The options as a report records them; `hidden` says whether the report's tests include hidden ones. */
function recordedOptions(options: Pick<GradeOptions, 'seeds' | 'seed' | 'part' | 'tests'>, tests: readonly { readonly visibility: string }[]): GradingReport['options'] {
  return {
    ...(options.seeds !== undefined ? { seeds: options.seeds } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    hidden: tests.some((test) => test.visibility === 'hidden'),
    ...(options.part !== undefined ? { part: options.part } : {}),
    ...(options.tests !== undefined && options.tests.length > 0 ? { tests: options.tests } : {}),
  };
}

/** The parts of a report that differ from one grading to the next. */
interface ReportParts {
  readonly lab: string;
  readonly labTitle: string;
  readonly implementation: string;
  readonly startedAt: Date;
  readonly interrupted: boolean;
  readonly setupError?: string;
  readonly typeErrors: readonly string[];
  readonly options: GradingReport['options'];
  readonly tests: readonly GradedTest[];
}

function assembleReport(parts: ReportParts): GradingReport {
  const finishedAt = new Date();
  return {
    schemaVersion: reportSchemaVersion,
    tool: 'distlab',
    lab: parts.lab,
    labTitle: parts.labTitle,
    implementation: parts.implementation,
    startedAt: parts.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.max(0, finishedAt.getTime() - parts.startedAt.getTime()),
    interrupted: parts.interrupted,
    ...(parts.setupError !== undefined ? { setupError: boundText(parts.setupError, textLimits.setupError) } : {}),
    typeErrors: [...parts.typeErrors],
    options: parts.options,
    tests: parts.tests,
    totals: computeTotals(parts.tests),
  };
}

/**
 * A report for grading that could not start: what was asked, and why it failed. `tests` are
 * the tests that would have run, all `not run`, so the report still shows the points at stake.
 */
export function setupFailureReport(
  labName: string,
  implementation: string,
  error: Error,
  startedAt: Date,
  tests: GradedTest[] = [],
  options: GradingReport['options'] = { hidden: false },
  labTitle = labName,
): GradingReport {
  return assembleReport({
    lab: labName,
    labTitle,
    implementation,
    startedAt,
    interrupted: false,
    setupError: error.message,
    typeErrors: [],
    options,
    tests,
  });
}

/**
 * The grader itself failed while grading (an exception no test accounts for). `report` holds
 * every test graded before; the others are `not run`, with the reason.
 */
export class GraderFailure extends Error {
  constructor(
    readonly report: GradingReport,
    readonly failure: unknown,
  ) {
    super(`the grader itself failed: ${describeError(failure)}`);
    this.name = 'GraderFailure';
  }
}

/**
 * What a grading has done so far, read from its progress events: enough to write the report
 * of the tests graded when the grader fails in a way no promise reports (an uncaught exception).
 */
export class GradingProgress {
  private started: Extract<ProgressEvent, { type: 'start' }> | undefined;
  private readonly graded = new Map<string, GradedTest>();

  constructor(
    private readonly options: GradeOptions,
    private readonly startedAt: Date = new Date(),
  ) {}

  /** Pass as (or call from) the grading's `onProgress`. */
  readonly observe = (event: ProgressEvent): void => {
    if (event.type === 'start') this.started = event;
    else if (event.type === 'test-end') this.graded.set(event.graded.number, event.graded);
  };

  /** The report of the tests graded so far, the others `not run` for `reason`; undefined before grading started. */
  reportSoFar(reason: string): GradingReport | undefined {
    const started = this.started;
    if (started === undefined) return undefined;
    return assembleReport({
      lab: started.lab.id,
      labTitle: started.labTitle,
      implementation: started.implementation,
      startedAt: this.startedAt,
      interrupted: true,
      typeErrors: started.typeErrors,
      options: recordedOptions(this.options, started.tests),
      tests: started.tests.map((test) => this.graded.get(test.number) ?? notRun(test, seedCount(test, this.options), reason)),
    });
  }
}

/** Resolves the lab and implementation, or throws a SetupError. */
export function resolveTarget(labName: string, implementation?: string, commandName?: string): { lab: LabInfo; source: ImplementationSource } {
  const lab = findLab(labName);
  const source = resolveImplementation(lab, implementation ?? defaultImplementation(lab));
  return { lab, source: commandName !== undefined ? { ...source, commandName } : source };
}

/**
 * Grades one implementation of one lab: every selected test in its own child process,
 * `jobs` at a time. Throws {@link SetupError} when grading cannot start.
 */
export async function grade(options: GradeOptions): Promise<GradingReport> {
  const startedAt = new Date();
  checkSeedOptions(options);
  const { lab, source } = resolveTarget(options.lab, options.implementation, options.commandName);
  const suite = await loadSuite(lab);
  const selected = selectTests(suite, options);
  if (selected.length === 0) throw new SetupError(`no test of ${lab.id} matches the options given`);
  const sandbox = await Sandbox.create(lab, source, { ...defaultLimits, ...options.limits });
  let typeErrors: string[] = [];
  if (options.typecheck === true && (source.kind === 'student' || source.kind === 'path')) {
    // After the sandbox's copy of the submission, which refuses links: the files checked are the files that run.
    const { typeErrorsOf } = await import('./typecheck.ts');
    typeErrors = await typeErrorsOf(source);
  }
  const results = new Map<string, GradedTest>();
  // Why the tests not graded yet will not be: an interruption, or the grader's own failure.
  let stopReason: string | undefined;
  let graderFailure: { readonly error: unknown } | undefined;
  const stop = (reason: string) => {
    stopReason ??= reason;
    sandbox.abort();
  };
  const onAbort = () => stop('grading was interrupted');
  if (options.signal?.aborted) stopReason = 'grading was interrupted';
  options.signal?.addEventListener('abort', onAbort);
  try {
    options.onProgress?.({ type: 'start', lab, labTitle: suite.title, implementation: source.label, tests: selected, typeErrors });
    const queue = [...selected];
    const jobs = Math.max(1, options.jobs ?? 2);
    const worker = async () => {
      for (let test = queue.shift(); test !== undefined; test = queue.shift()) {
        const seeds = seedsFor(test, options);
        if (stopReason !== undefined) {
          results.set(test.number, notRun(test, seeds.length, `${stopReason} before this test`));
          continue;
        }
        const current = test;
        options.onProgress?.({ type: 'test-start', test: current, seeds: seeds.length });
        const result = await sandbox.run(current.number, seeds, {
          ...(options.shrinkBudget !== undefined ? { shrinkBudget: options.shrinkBudget } : {}),
          ...(options.nodeStates === false ? { nodeStates: false } : {}),
          timeoutMs: testTimeoutMs(current.seeds, seeds.length, options.limits?.timeoutMs),
          onProgress: (seedsDone) => options.onProgress?.({ type: 'seed', test: current, seedsDone, seeds: seeds.length }),
        });
        const graded = stopReason !== undefined && result.status !== 'passed' && result.status !== 'failed'
          ? notRun(current, seeds.length, `${stopReason} while this test ran`)
          : gradedSafely(lab, current, source, seeds.length, result);
        // Recorded before anyone is told: a failing progress printer must not lose a result.
        results.set(current.number, graded);
        options.onProgress?.({ type: 'test-end', graded });
      }
    };
    // A worker that throws is the grader failing, not a test: the other tests stop, and the
    // report says which were graded.
    const guarded = () =>
      worker().catch((error: unknown) => {
        graderFailure ??= { error };
        stop(`not graded: the grader itself failed (${describeError(error)})`);
        return worker();
      });
    await Promise.all(Array.from({ length: Math.min(jobs, selected.length) }, guarded));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    sandbox.dispose();
  }
  const tests = selected.map((test) => results.get(test.number) ?? notRun(test, seedCount(test, options), stopReason ?? 'grading stopped first'));
  const report = assembleReport({
    lab: lab.id,
    labTitle: suite.title,
    implementation: source.label,
    startedAt,
    interrupted: stopReason !== undefined,
    typeErrors,
    options: recordedOptions(options, tests),
    tests,
  });
  if (graderFailure !== undefined) throw new GraderFailure(report, graderFailure.error);
  return report;
}

/** How a grading ended; every ending has a report to write. */
export type GradingEnd =
  | { readonly kind: 'graded'; readonly report: GradingReport }
  /** Grading could not start; the report has `setupError`, and lists the tests that would have run as not run. */
  | { readonly kind: 'setup error'; readonly report: GradingReport; readonly message: string }
  /** The grader itself failed; the report has the tests graded before, the others not run with the reason. */
  | { readonly kind: 'grader error'; readonly report: GradingReport; readonly message: string };

/**
 * Subscribes to failures of the grader that no promise reports (uncaught exceptions, unhandled
 * rejections: the command line routes them here); returns the function that unsubscribes.
 */
export type CrashWatch = (onCrash: (error: unknown) => void) => () => void;

/** The selected tests, all not run for `reason`; none when the options select nothing a report could list. */
export async function notRunTests(options: GradeOptions, reason: string): Promise<GradedTest[]> {
  try {
    checkSeedOptions(options);
    const selected = selectTests(await loadSuite(findLab(options.lab)), options);
    return selected.map((test) => notRun(test, seedCount(test, options), reason));
  } catch {
    return [];
  }
}

/** The lab's title ("Lab 2: leader election"), or its name as given when there is no such lab. */
async function labTitleOf(lab: string): Promise<string> {
  try {
    return (await loadSuite(findLab(lab))).title;
  } catch {
    return lab;
  }
}

/** The lab's folder name and the implementation's label, as far as they are known. */
function describedTarget(options: GradeOptions): { readonly lab: string; readonly implementation: string } {
  try {
    const lab = findLab(options.lab);
    return { lab: lab.id, implementation: options.implementation ?? defaultImplementation(lab) };
  } catch {
    return { lab: options.lab, implementation: options.implementation ?? 'default' };
  }
}

/**
 * A setup error's message in one line, for each test's reason: its first line, and the line
 * after it when the first only introduces it ("cannot be loaded:" followed by the compiler's
 * message on the next line).
 */
export function summaryLine(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const first = lines[0] ?? '';
  return first.endsWith(':') && lines[1] !== undefined ? `${first} ${lines[1]}` : first;
}

/**
 * The report of a grading the grader itself failed before any test started: the tests it would
 * have run, none run, so that a gradebook row still shows the points at stake.
 */
async function failedBeforeTestsReport(options: GradeOptions, message: string, startedAt: Date): Promise<GradingReport> {
  const target = describedTarget(options);
  // None when the suite itself is what failed to load.
  const tests = await notRunTests(options, `not graded: ${boundText(message, textLimits.line)}`);
  return setupFailureReport(target.lab, target.implementation, new Error(`${message} (before any test started)`), startedAt, tests, recordedOptions(options, tests), await labTitleOf(options.lab));
}

/** The report of a grading that could not start, with the tests it would have run. */
export async function setupErrorReport(options: GradeOptions, error: Error, startedAt: Date): Promise<GradingReport> {
  const target = describedTarget(options);
  const tests = await notRunTests(options, `not graded: ${boundText(summaryLine(error.message), textLimits.line)}`);
  return setupFailureReport(target.lab, target.implementation, error, startedAt, tests, recordedOptions(options, tests), await labTitleOf(options.lab));
}

/**
 * Grades like {@link grade}, but never throws: a setup error, an exception of the grader's own
 * or a failure reported through `crashes` each end with a report to write. After a crash the
 * grading still running is stopped (its child processes are killed) and not waited for.
 */
export async function gradeToEnd(options: GradeOptions, crashes?: CrashWatch): Promise<GradingEnd> {
  const startedAt = new Date();
  const controller = new AbortController();
  const forwardAbort = () => controller.abort();
  if (options.signal?.aborted) controller.abort();
  options.signal?.addEventListener('abort', forwardAbort);
  const progress = new GradingProgress(options, startedAt);
  let reportCrash: (error: unknown) => void = () => {};
  const crashed = new Promise<{ readonly error: unknown }>((resolve) => {
    reportCrash = (error) => resolve({ error });
  });
  const unsubscribe = crashes?.((error) => {
    controller.abort();
    reportCrash(error);
  });
  try {
    const grading = grade({
      ...options,
      signal: controller.signal,
      onProgress: (event) => {
        progress.observe(event);
        options.onProgress?.(event);
      },
    }).then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
    const end = await Promise.race([grading, crashed]);
    if ('report' in end) return { kind: 'graded', report: end.report };
    const error = end.error;
    if (error instanceof SetupError) return { kind: 'setup error', report: await setupErrorReport(options, error, startedAt), message: error.message };
    if (error instanceof GraderFailure) return { kind: 'grader error', report: error.report, message: error.message };
    const message = `the grader itself failed: ${describeError(error)}`;
    const report = progress.reportSoFar(`not graded: ${message}`) ?? (await failedBeforeTestsReport(options, message, startedAt));
    return { kind: 'grader error', report, message };
  } finally {
    unsubscribe?.();
    options.signal?.removeEventListener('abort', forwardAbort);
  }
}
