// `npm run watch -- <lab> <test> [options]`: runs one test of an implementation on one seed, as
// grading first runs it (the seed's own fault schedule, never shrunk), with the full trace, and
// writes the page of that run, pass or fail: a way to watch an algorithm survive its faults, not
// only to see it fail. Exit codes: 0 the run passed, 1 it did not, 2 usage or setup error,
// 3 the page could not be written or the command itself failed.
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { refusedOption, unknownOptionMessage } from './commandLine.ts';
import { describeFault, describeSearchEvent, type FaultSchedule, type SuiteTest } from 'distlab/testing';
import { describedTest, describeError, loadSuite, resolveTarget } from './grade.ts';
import { defaultImplementation, implementationChoices, type ImplementationSource } from './implementation.ts';
import { defaultLimits, Sandbox, type IsolatedResult, type ReplayResult, type TestStatus } from './isolation.ts';
import { listLabs, SetupError, type LabInfo } from './labs.ts';
import { encodeReplay } from './replayCode.ts';
import { writeWatchReport, type WatchedRun } from './reports/html.ts';
import { prepareOutputFolder } from './reports/outputFolder.ts';
import { runPageFolder } from './replayPage.ts';
import { styleFor, terminalTraceEvent, type Style } from './reports/terminal.ts';
import { boundGradedTest, terminalBlock, terminalLine, textLimits } from './reports/untrusted.ts';
import { computeTotals, describeFailureKind, reportSchemaVersion, type GradedTest, type GradingReport } from './results.ts';

const exitCodes = { passed: 0, failed: 1, setup: 2, grader: 3 } as const;

/** Trace events the terminal shows by default: the end of the run, where its verdict is. */
const defaultTraceShown = 40;
/** Steps of a search's path the terminal lists; the page lists them all. */
const pathStepsShown = 30;

/** The reference and its mutants are offered only where this checkout has them (not in a student's handout). */
const withSolutions = listLabs().some((lab) => lab.hasSolutions);

const help = `Usage: npm run watch -- <lab> <test> [options]

Runs one test on one seed the way grading first runs it: with the seed's own fault schedule
(never shrunk) and the whole trace. Writes the page of that run, pass or fail, and prints the
schedule, the end of the trace and the verdict.

  <lab>                 the lab: its number (3), name (paxos) or folder (03-paxos)
  <test>                the test's number, e.g. 3.4

Options:
  --seed <S>            the seed to run (default 1)
  --impl <which>        ${implementationChoices(24)}
  --out <dir>           where the page goes (default: reports/watch/<lab>-<test>-seed<S>-<impl>)
  --trace <N>           how many of the last trace events to print (default ${defaultTraceShown}; 0 for all)
  -h, --help            this help

A search test has no single run to watch: watch runs its search on the seed and shows what it
explored, and the path to what it found.

Examples:
  npm run watch -- paxos 3.4
  npm run watch -- paxos 3.7 --seed 5 --impl student${withSolutions ? '\n  npm run watch -- pingpong 0.3 --impl mutant:no-dedup' : ''}`;

const optionSpecification = {
  seed: { type: 'string' },
  impl: { type: 'string' },
  out: { type: 'string' },
  trace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface WatchOptions {
  readonly lab: string;
  readonly test: string;
  readonly seed: number;
  readonly implementation?: string;
  readonly outputDirectory?: string;
  readonly traceShown: number;
}

function wholeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 0) {
    throw new SetupError(`--${name} needs a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, not "${text}"`);
  }
  return value;
}

function parseCommandLine(argv: readonly string[]): WatchOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: optionSpecification });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? '';
    const needsValue = /^Option '(--[\w-]+)/.exec(message);
    if (needsValue !== null && /ambiguous|argument missing/.test(message)) {
      throw new SetupError(`${needsValue[1]} needs a value. See --help.`);
    }
    const unknownOption = refusedOption(error);
    if (unknownOption !== undefined) throw new SetupError(unknownOptionMessage(unknownOption, Object.keys(optionSpecification)));
    throw new SetupError(`${message.replace(/\.$/, '')}. See --help.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [lab, test, ...extra] = positionals;
  if (lab === undefined || test === undefined) {
    throw new SetupError('which lab and which test? Give both, e.g. npm run watch -- paxos 3.4. See --help.');
  }
  if (extra.length > 0) throw new SetupError(`one lab and one test at a time: got ${positionals.join(' ')}. See --help.`);
  return {
    lab,
    test,
    seed: wholeNumber('seed', values.seed, 1),
    ...(values.impl !== undefined ? { implementation: values.impl } : {}),
    ...(values.out !== undefined ? { outputDirectory: resolve(values.out) } : {}),
    traceShown: wholeNumber('trace', values.trace, defaultTraceShown),
  };
}

/** The `--impl` of a command printed for whoever ran this one: as they gave it, quoted where a shell needs it. */
function implementationArgument(lab: LabInfo, source: ImplementationSource): string {
  if (source.label === defaultImplementation(lab)) return '';
  const label = /^[\w./:@+-]+$/.test(source.label) ? source.label : `'${source.label.replace(/'/g, `'\\''`)}'`;
  return ` --impl ${label}`;
}

/** How a watch ended: its status as grading would give it for this seed, and the run to show. */
interface Watched {
  readonly status: TestStatus;
  readonly reason?: string;
  readonly output: string;
  readonly wallMs: number;
  readonly run: WatchedRun;
  readonly measurements?: Readonly<Record<string, number>>;
}

/** Where a run broke a property, in a few words. */
function brokeAt(failure: NonNullable<WatchedRun['failure']>): string {
  return `"${failure.property}" broke at event #${failure.traceIndex ?? failure.step}, ${failure.timeMs} ms into the run`;
}

/** What is being watched, and the command that watches it again. */
interface Target {
  readonly lab: LabInfo;
  readonly source: ImplementationSource;
  readonly test: SuiteTest<unknown>;
  readonly seed: number;
  readonly command: string;
}

/** A run test's seed: the sandbox ran it with its own schedule and the full trace. */
function watchedRun(target: Target, result: ReplayResult, wallMs: number): Watched {
  const { lab, source, test, seed, command } = target;
  const outcome = result.outcome;
  const details = outcome?.watched;
  const base = { output: result.output, wallMs };
  const grade = `npm run grade -- ${lab.shortName}${implementationArgument(lab, source)} --test ${test.number} --seed ${seed}`;
  if (outcome === undefined || details === undefined) {
    return {
      ...base,
      status: result.status,
      reason: result.reason ?? 'no outcome',
      run: { testNumber: test.number, seed, verdict: 'The run did not finish.', trace: [], totalEvents: 0, command },
    };
  }
  const failure = outcome.failure;
  const run = {
    testNumber: test.number,
    seed,
    schedule: details.schedule,
    scenarioActions: details.scenarioActions,
    trace: outcome.trace,
    ...(outcome.states ? { states: outcome.states } : {}),
    ...(outcome.roles ? { roles: outcome.roles } : {}),
    totalEvents: details.totalEvents,
    endTimeMs: outcome.endTimeMs,
    command,
    ...(failure ? { failure } : {}),
  };
  const events = `${details.totalEvents} ${details.totalEvents === 1 ? 'event' : 'events'}`;
  if (test.demonstrates !== undefined) {
    if (failure?.property === test.demonstrates) {
      return { ...base, status: 'passed', run: { ...run, verdict: `${brokeAt(failure)}, as this test demonstrates it can.` } };
    }
    return {
      ...base,
      status: 'failed',
      run: {
        ...run,
        verdict: failure === undefined
          ? `"${test.demonstrates}" held on this seed, for all ${events}. Grading tries up to ${test.seeds} seeds for a run that breaks it: watch another seed.`
          : `${brokeAt(failure)}: not the break of "${test.demonstrates}" this test demonstrates.`,
        next: { label: 'Grade it', command: grade },
      },
    };
  }
  if (outcome.passed) {
    const measured = details.measurements ? { measurements: details.measurements } : {};
    return { ...base, status: 'passed', ...measured, run: { ...run, verdict: `Every property held, for all ${events}.` } };
  }
  return {
    ...base,
    status: 'failed',
    run: {
      ...run,
      verdict: failure === undefined ? `The run failed after ${events}.` : `${brokeAt(failure)}.`,
      // The whole run is what a watch shows; grading shrinks it to the faults that matter.
      next: { label: 'Its smallest schedule', command: grade },
    },
  };
}

/** A search test's seed: the search itself, what it explored and the path to what it found. */
function watchedSearch(target: Target, result: IsolatedResult, wallMs: number): Watched {
  const { lab, source, test, seed, command } = target;
  const outcome = result.outcome;
  const base = { output: result.output, wallMs };
  if (outcome === undefined) {
    return {
      ...base,
      status: result.status,
      reason: result.reason ?? 'no outcome',
      run: { testNumber: test.number, seed, verdict: 'The search did not finish.', trace: [], totalEvents: 0, command },
    };
  }
  const measured = outcome.measurements ?? {};
  const states = measured.states ?? 0;
  const strategy = outcome.exhaustive === true ? 'breadth-first search' : 'random probes';
  const limit = measured.limitReached ? ' (a limit of states or depth was reached)' : '';
  const summary = `${strategy}: ${states} states, depth ${measured.depth ?? 0}${limit}`;
  const found = outcome.demonstration ?? outcome.failure;
  const path = found?.path ?? [];
  // A violation the search found has a path, and so a run to show and to replay.
  const shown = found !== undefined && found.replayable !== false ? found : undefined;
  const run: WatchedRun = {
    testNumber: test.number,
    seed,
    search: { summary, path },
    trace: found?.trace ?? [],
    ...(found?.states ? { states: found.states } : {}),
    ...(found?.roles ? { roles: found.roles } : {}),
    totalEvents: found?.trace.length ?? 0,
    command,
    verdict: '',
    ...(shown
      ? { failure: { property: shown.property, message: shown.message, step: shown.step, timeMs: shown.timeMs, ...(shown.node !== undefined ? { node: shown.node } : {}) } }
      : {}),
  };
  const code = encodeReplay({ lab: lab.id, test: test.number, seed, schedule: [], path });
  const replay = shown ? { label: 'Replay it', command: `npm run grade -- ${lab.shortName}${implementationArgument(lab, source)} --replay ${code}` } : undefined;
  const trace = path.length > 0 ? ' The trace follows its path.' : '';
  if (outcome.passed) {
    const verdict = outcome.demonstration !== undefined
      ? `The search found an interleaving of ${path.length} ${path.length === 1 ? 'step' : 'steps'} that breaks "${outcome.demonstration.property}", as this test demonstrates it can.${trace}`
      : `The search explored ${states} states and found nothing wrong. A search has no single run to watch: a run test of this lab shows one.`;
    return { ...base, status: 'passed', measurements: measured, run: { ...run, verdict, ...(replay ? { next: replay } : {}) } };
  }
  const failure = outcome.failure;
  const verdict =
    failure === undefined
      ? 'The search failed.'
      : failure.replayable === false
        ? `${describeFailureKind(failure)}: ${failure.message}.`
        : `${describeFailureKind(failure)}.${trace}`;
  return { ...base, status: 'failed', measurements: measured, run: { ...run, verdict, ...(replay ? { next: replay } : {}) } };
}

/** The report of the one watched test, as the page's header and results table show it. */
function watchReport(target: Target, labTitle: string, watched: Watched, startedAt: Date): GradingReport {
  const { lab, source, test, seed } = target;
  const graded: GradedTest = boundGradedTest({
    ...describedTest(test, 1),
    score: watched.status === 'passed' ? test.points : 0,
    status: watched.status,
    ...(watched.reason !== undefined ? { reason: watched.reason } : {}),
    seedsRun: watched.status === 'passed' || watched.status === 'failed' ? 1 : 0,
    wallMs: Math.round(watched.wallMs),
    ...(watched.measurements ? { measurements: { ...watched.measurements } } : {}),
    ...(watched.output ? { output: watched.output } : {}),
  });
  const finishedAt = new Date();
  return {
    schemaVersion: reportSchemaVersion,
    tool: 'distlab',
    lab: lab.id,
    labTitle,
    implementation: source.label,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
    interrupted: false,
    typeErrors: [],
    options: { seed, hidden: test.visibility === 'hidden', tests: [test.number] },
    tests: [graded],
    totals: computeTotals([graded]),
  };
}

/** The terminal's view: the schedule (or the search), the end of the trace, the verdict. */
function printWatched(out: NodeJS.WriteStream, style: Style, watched: Watched, traceShown: number): void {
  const run = watched.run;
  if (run.schedule !== undefined) {
    const scenario = run.scenarioActions ?? 0;
    const drawn = run.schedule.length - Math.min(scenario, run.schedule.length);
    const parts = [scenario > 0 ? `${scenario} of the test's scenario` : '', drawn > 0 ? `${drawn} drawn from seed ${run.seed}` : ''].filter(Boolean);
    out.write(`fault schedule${parts.length > 0 ? ` (${parts.join(' and ')}; never shrunk)` : ''}:\n`);
    // In the order the run meets them: the scenario's actions and the drawn ones, by time,
    // each still tagged by its place in the schedule (the scenario's come first there).
    const byTime = (run.schedule as FaultSchedule)
      .map((action, index) => ({ line: terminalLine(describeFault(action)), index, atMs: typeof action.atMs === 'number' && Number.isFinite(action.atMs) ? action.atMs : 0 }))
      .sort((left, right) => left.atMs - right.atMs || left.index - right.index);
    for (const { line, index } of byTime) out.write(`  ${line}${index < scenario ? ` ${style.dim('(scenario)')}` : ''}\n`);
    if (byTime.length === 0) out.write('  (no faults)\n');
  }
  if (run.search !== undefined) {
    out.write(`search: ${terminalLine(run.search.summary)}\n`);
    const path = run.search.path;
    if (path.length > 0) out.write(`path found (${path.length} ${path.length === 1 ? 'step' : 'steps'}):\n`);
    for (const event of path.slice(0, pathStepsShown)) out.write(`  ${terminalLine(describeSearchEvent(event))}\n`);
    if (path.length > pathStepsShown) out.write(`  … ${path.length - pathStepsShown} more steps in the page\n`);
  }
  if (watched.output) out.write(`output:\n${terminalBlock(watched.output, textLimits.output)}\n`);
  const events = run.trace;
  if (events.length > 0) {
    const shown = traceShown === 0 ? events : events.slice(-traceShown);
    const hint = shown.length < run.totalEvents ? `; --trace 0 shows all${events.length < run.totalEvents ? ' the page holds' : ''}` : '';
    out.write(`trace (the last ${shown.length} of ${run.totalEvents} events${hint}):\n`);
    for (const event of shown) out.write(`  ${terminalTraceEvent(event)}\n`);
  }
  const colour = watched.status === 'passed' ? style.green : style.red;
  out.write(`${colour(watched.status)}. ${terminalBlock(run.verdict)}\n`);
  if (run.failure !== undefined) out.write(`  ${terminalBlock(run.failure.message)}\n`);
  if (watched.reason !== undefined && watched.status !== 'passed' && watched.status !== 'failed') out.write(`${terminalBlock(watched.reason)}\n`);
  if (run.next !== undefined) out.write(`${run.next.label.toLowerCase()}: ${terminalLine(run.next.command, 4_000)}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  const startedAt = new Date();
  const options = parseCommandLine(argv);
  if (options === 'help') {
    process.stdout.write(`${help}\n`);
    return exitCodes.passed;
  }
  const { lab, source } = resolveTarget(options.lab, options.implementation);
  const suite = await loadSuite(lab);
  const test = suite.tests.find((candidate) => candidate.number.toLowerCase() === options.test.toLowerCase());
  if (test === undefined) {
    throw new SetupError(`${lab.shortName} has no test "${options.test}". Its tests: ${suite.tests.map((candidate) => candidate.number).join(', ')}`);
  }
  const folder = prepareOutputFolder(options.outputDirectory ?? runPageFolder('watch', lab, test, options.seed, source));
  const out = process.stdout;
  // A reader that stops reading (head) ends the view, not the command.
  out.on('error', () => undefined);
  const style = styleFor(out);
  const command = `npm run watch -- ${lab.shortName} ${test.number} --seed ${options.seed}${implementationArgument(lab, source)}`;
  out.write(`${style.bold(`Watching ${lab.id} test ${test.number}`)} (${terminalLine(test.name)}) with ${terminalLine(source.label)}, seed ${options.seed}\n`);
  const sandbox = await Sandbox.create(lab, source, defaultLimits);
  const stop = () => {
    sandbox.dispose();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const target: Target = { lab, source, test, seed: options.seed, command };
  let watched: Watched;
  try {
    const started = performance.now();
    watched =
      test.kind === 'search'
        ? watchedSearch(target, await sandbox.run(test.number, [options.seed]), performance.now() - started)
        : watchedRun(target, await sandbox.watch(test.number, options.seed), performance.now() - started);
  } finally {
    sandbox.dispose();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  // The page first: a terminal view cut short (piped into head) must not cost it.
  let page: string;
  try {
    page = writeWatchReport(watchReport(target, suite.title, watched, startedAt), watched.run, folder);
  } catch (error) {
    printWatched(out, style, watched, options.traceShown);
    complain(`the page could not be written: ${describeError(error)}`);
    return exitCodes.grader;
  }
  printWatched(out, style, watched, options.traceShown);
  out.write(`report: ${terminalLine(page)}\n`);
  return watched.status === 'passed' ? exitCodes.passed : exitCodes.failed;
}

function complain(message: string): void {
  process.stderr.write(`distlab watch: ${terminalBlock(message, textLimits.setupError)}\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof SetupError) {
      complain(error.message);
      process.exitCode = exitCodes.setup;
      return;
    }
    complain(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : describeError(error)}`);
    process.exit(exitCodes.grader);
  },
);
