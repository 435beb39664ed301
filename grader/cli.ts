// `npm run grade -- <lab> [options]`: grades one implementation of one lab, or replays one
// recorded failure. Exit codes: 0 all selected tests passed, 1 some did not, 2 usage or setup
// error, 3 the grader itself failed or could not write a report (what it wrote says what was graded).
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ClassFolderBusy, runClassCommand } from './classGrading.ts';
import { implementationChoices } from './implementation.ts';
import { announce, complain, writeReports, type Written } from './cliOutput.ts';
import { describeError, gradeToEnd, loadSuite, maxSeeds, replayCommand, resolveTarget, setupFailureReport, type CrashWatch, type GradeOptions } from './grade.ts';
import { maxTimeoutSeconds, Sandbox } from './isolation.ts';
import { listLabs, SetupError } from './labs.ts';
import { refusedOption, unknownOptionMessage } from './commandLine.ts';
import { parseReplay } from './replayCode.ts';
import { replayedVerdict, runPageFolder, writeReplayPage } from './replayPage.ts';
import type { ReplayOutcome } from './protocol.ts';
import { reportFormats, reportWriters, type ReportOptions } from './reports/index.ts';
import { prepareOutputFolder } from './reports/outputFolder.ts';
import { holdsReport, latestName, newRunFolder, pointLatest, pruneRuns, reportFileNames } from './reports/runFolders.ts';
import type { GradingReport } from './results.ts';
import { describeSchedule, formatSummary, progressPrinter, styleFor, terminalTraceEvent } from './reports/terminal.ts';
import { terminalBlock, terminalLine, textLimits } from './reports/untrusted.ts';

/** Tests run at once, at most: each is a process with its own memory limit. */
const maxJobs = 64;
/** The longest wall-clock limit per test, in seconds (a day); Node's timers cannot count much further. */

/** The options for course staff, listed only in a checkout that has reference solutions (not in a handout). */
function staffHelp(): string {
  if (!listLabs().some((lab) => lab.hasSolutions)) return '';
  return `Course staff:
  --visible-only        leave out the lab's hidden tests (they run wherever labs/<lab>/hidden.ts
                        is present: here and in the Gradescope bundle, never in a handout)
  --hidden-visibility <v>  Gradescope visibility of hidden tests' results:
                        hidden, after_due_date or after_published (default)
  --class <folder>      grade every submission folder inside <folder> (a whole class), its
                        index.ts found at any depth, several at once; each gets its reports in
                        <out>/<name>/, and <out> gets the gradebook class.csv (a column per part
                        and per test, compile errors), class.json and class.html. Run the same
                        command again after an interruption: it grades only what is left.
                        Default --out: reports/class-<lab>; --jobs 1; --timeout from the
                        reference's slowest test (30 to 120 s)
  --parallel <N>        with --class: submissions graded at once (default: cores / --jobs)
  --student-commands    printed replay and re-run commands say --impl student instead of the
                        path graded: for a submission its author replays in their own
                        checkout (the Gradescope bundle and --class do this themselves)

`;
}

const help = `Usage: npm run grade -- <lab> [options]

Grades an implementation of a lab with its randomized, fault-injecting test suite.

  <lab>                 the lab: its number (0), name (pingpong) or folder (00-pingpong)

Options:
  --impl <which>        ${implementationChoices(24)}
  --part <P>            only the tests of one part (A, B, ...)
  --test <N[,N...]>     only these tests, by number (e.g. 0.3 or 5B.2)
  --seeds <N>           run seeds 1..N of every test instead of each test's default (N at most ${maxSeeds})
  --seed <S>            run exactly seed S of every test
  --report <formats>    comma-separated: terminal,html,json,junit,gradescope (default terminal,json,html)
  --out <dir>           where report files go; checked before grading starts. Default: a new
                        folder per grading under reports/ (the last 10 are kept), with
                        reports/latest pointing at the newest. A grading that cannot start
                        writes a report only into an --out folder that holds none yet
  --replay <code|file>  re-run one recorded failure with the full trace: the code printed
                        after "replay:", or a report.json (its first failure; pick one with --test).
                        Prints the trace and writes the run's page, with the trace viewer, to
                        --out (default reports/replay/<lab>-<test>-seed<S>-<implementation>)
  --in-process          with --replay: run in this process, so a debugger stops at breakpoints
                        in your code (node --inspect-brk --import tsx grader/cli.ts ...).
                        UNSANDBOXED: the code can do anything you can; only for your own code
  --trace <N>           with --replay: how many trace events to print (default 60; 0 for all)
  --jobs <N>            tests run at once (default 2, at most ${maxJobs})
  --timeout <seconds>   wall-clock limit per test, a last resort against endless loops
                        (default 120, and in proportion for a test given more seeds than
                        its own by --seeds; at most ${maxTimeoutSeconds}); a handler that
                        does not return for 15 s is stopped sooner
  --no-typecheck        skip type-checking the implementation
  -h, --help            this help

${staffHelp()}Exit code: 0 when every selected test passes, 1 when some fail, 2 for a usage or setup error
(with --out, a report that says so is written into a folder that holds none yet), 3 when the
grader itself failed or could not write a report (the reports written show the tests graded
before).
Examples:
  npm run grade -- pingpong --impl student
  npm run grade -- 0 --impl student --test 0.3 --seeds 100
  npm run grade -- pingpong --impl student --replay eyJ2IjoxLC...`;

const exitCodes = { passed: 0, failed: 1, setup: 2, grader: 3 } as const;

const optionSpecification = {
  impl: { type: 'string' },
  part: { type: 'string' },
  test: { type: 'string' },
  seeds: { type: 'string' },
  seed: { type: 'string' },
  'visible-only': { type: 'boolean' },
  report: { type: 'string' },
  out: { type: 'string' },
  'hidden-visibility': { type: 'string' },
  replay: { type: 'string' },
  class: { type: 'string' },
  'in-process': { type: 'boolean' },
  trace: { type: 'string' },
  jobs: { type: 'string' },
  timeout: { type: 'string' },
  'no-typecheck': { type: 'boolean' },
  parallel: { type: 'string' },
  'student-commands': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface CliOptions {
  readonly lab: string;
  readonly grade: GradeOptions;
  readonly reports: readonly string[];
  /** The folder --out names; without it, each grading writes a fresh folder under reports/. */
  readonly outputDirectory: string | undefined;
  readonly reportOptions: ReportOptions;
  readonly replay?: string;
  readonly classFolder?: string;
  /** With --class: submissions graded at once. */
  readonly parallel?: number;
  readonly inProcess: boolean;
  readonly traceLimit: number;
}

/**
 * What the command line asks for, read leniently so that it is known even when the options
 * are wrong: where the setup-error report goes, and in which formats.
 */
interface Request {
  readonly lab?: string;
  readonly implementation?: string;
  /** The folder --out names, if it does. */
  readonly outputDirectory: string | undefined;
  /** The file formats asked for that exist (a bad format among them is the error itself). */
  readonly fileFormats: readonly string[];
  readonly replay: boolean;
  /** The folder --class names, if it does. */
  readonly classFolder?: string;
}

function readRequest(argv: readonly string[]): Request {
  let values: Record<string, string | boolean | undefined> = {};
  let positionals: string[] = [];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, strict: false, options: optionSpecification }));
  } catch {
    // Even the lenient reading failed: nothing is known.
  }
  const text = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
  const formats = (text('report') ?? 'terminal,json,html').split(',').map((format) => format.trim());
  const implementation = text('impl');
  const lab = positionals[0];
  return {
    ...(lab !== undefined ? { lab } : {}),
    ...(implementation !== undefined ? { implementation } : {}),
    outputDirectory: text('out') !== undefined ? resolve(text('out') as string) : undefined,
    fileFormats: formats.filter((format) => format !== 'terminal' && Object.hasOwn(reportWriters, format)),
    replay: values.replay !== undefined,
    ...(text('class') !== undefined ? { classFolder: text('class') as string } : {}),
  };
}

function boundedInteger(name: string, text: string | undefined, minimum: number, maximum: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new SetupError(`--${name} needs a whole number from ${minimum} to ${maximum}, not "${text}"`);
  }
  return value;
}

function parseCommandLine(argv: readonly string[]): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: optionSpecification });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? '';
    const ambiguous = /^Option '(--[\w-]+)/.exec(message);
    if (ambiguous !== null && /ambiguous/.test(message)) {
      throw new SetupError(`${ambiguous[1]} needs a value; to give one that starts with a dash, write ${ambiguous[1]}=VALUE. See --help.`);
    }
    if (/'--hidden'/.test(message)) {
      throw new SetupError('--hidden is no longer needed: a lab\'s hidden tests run wherever labs/<lab>/hidden.ts is present (--visible-only leaves them out). See --help.');
    }
    const unknownOption = refusedOption(error);
    if (unknownOption !== undefined) throw new SetupError(unknownOptionMessage(unknownOption, Object.keys(optionSpecification)));
    throw new SetupError(`${message.replace(/\.$/, '')}. See --help.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) {
    const labs = listLabs().map((lab) => lab.shortName);
    throw new SetupError(`which lab? Give its name first, e.g. npm run grade -- ${labs[0] ?? 'pingpong'}. Labs: ${labs.join(', ')}`);
  }
  if (positionals.length > 1) throw new SetupError(`one lab at a time: got ${positionals.join(', ')}`);
  const reports = (values.report ?? 'terminal,json,html').split(',').map((format) => format.trim()).filter(Boolean);
  if (reports.length === 0) throw new SetupError(`--report needs at least one format: ${reportFormats.join(', ')}`);
  const unknown = reports.filter((format) => !(reportFormats as readonly string[]).includes(format));
  if (unknown.length > 0) throw new SetupError(`unknown report format ${unknown.join(', ')}: use ${reportFormats.join(', ')}`);
  const seeds = boundedInteger('seeds', values.seeds, 1, maxSeeds);
  const seed = boundedInteger('seed', values.seed, 0, Number.MAX_SAFE_INTEGER);
  if (seeds !== undefined && seed !== undefined) throw new SetupError('give --seeds or --seed, not both');
  const timeoutSeconds = boundedInteger('timeout', values.timeout, 1, maxTimeoutSeconds);
  const jobs = boundedInteger('jobs', values.jobs, 1, maxJobs);
  const hiddenVisibility = values['hidden-visibility'] ?? 'after_published';
  if (hiddenVisibility !== 'hidden' && hiddenVisibility !== 'after_due_date' && hiddenVisibility !== 'after_published') {
    throw new SetupError(`--hidden-visibility ${hiddenVisibility}: use hidden, after_due_date or after_published`);
  }
  const tests = values.test?.split(',').map((number) => number.trim()).filter(Boolean);
  if (tests !== undefined && tests.length === 0) throw new SetupError('--test needs at least one test number, e.g. --test 0.3 or --test 0.3,0.5');
  if (values['in-process'] && values.replay === undefined) throw new SetupError('--in-process goes with --replay');
  const parallel = boundedInteger('parallel', values.parallel, 1, maxJobs);
  if (parallel !== undefined && values.class === undefined) throw new SetupError('--parallel goes with --class');
  if (values.trace !== undefined && values.replay === undefined) throw new SetupError('--trace goes with --replay');
  if (values.replay !== undefined) {
    // A replay re-runs the one recorded run: options that choose other runs or reports would be ignored.
    // It prints to the terminal and writes its page, so `--report terminal` asks for nothing else.
    const ignored = (['part', 'seeds', 'seed', 'visible-only', 'report', 'jobs', 'hidden-visibility', 'student-commands'] as const).filter(
      (name) => values[name] !== undefined && !(name === 'report' && values.report?.trim() === 'terminal'),
    );
    if (ignored.length > 0) {
      throw new SetupError(
        `--replay re-runs the one recorded run, with its own seed and schedule, and writes its page: ${ignored.map((name) => `--${name}`).join(', ')} ${ignored.length === 1 ? 'does' : 'do'} not go with it. ` +
          'To grade again with other options, leave out --replay.',
      );
    }
  }
  if (values.class !== undefined && (values.impl !== undefined || values.replay !== undefined)) {
    throw new SetupError('--class grades the submissions in a folder: give it without --impl or --replay');
  }
  return {
    lab: positionals[0] as string,
    grade: {
      lab: positionals[0] as string,
      ...(values.impl !== undefined ? { implementation: values.impl } : {}),
      ...(values.part !== undefined ? { part: values.part } : {}),
      ...(tests !== undefined ? { tests } : {}),
      ...(seeds !== undefined ? { seeds } : {}),
      ...(seed !== undefined ? { seed } : {}),
      visibleOnly: values['visible-only'] === true,
      ...(jobs !== undefined ? { jobs } : {}),
      ...(timeoutSeconds !== undefined ? { limits: { timeoutMs: timeoutSeconds * 1000 } } : {}),
      typecheck: values['no-typecheck'] !== true,
      ...(values['student-commands'] === true ? { commandName: 'student' } : {}),
      // Only the HTML report's viewer shows them.
      nodeStates: reports.includes('html'),
    },
    reports,
    outputDirectory: values.out !== undefined ? resolve(values.out) : undefined,
    reportOptions: { hiddenVisibility },
    ...(values.replay !== undefined ? { replay: values.replay } : {}),
    ...(values.class !== undefined ? { classFolder: values.class } : {}),
    ...(parallel !== undefined ? { parallel } : {}),
    inProcess: values['in-process'] === true,
    traceLimit: boundedInteger('trace', values.trace, 0, Number.MAX_SAFE_INTEGER) ?? 60,
  };
}

/** Where reports go without --out: a fresh folder per grading under it, and `latest`. */
const reportsRoot = resolve('reports');

/**
 * The report of a grading that could not start, written only where a pipeline asked for one
 * (--out) and never over an earlier report: a mistyped command must not destroy the last
 * grading's reports. Without --out the message on stderr is all there is to say.
 */
function writeSetupErrorReport(report: GradingReport, formats: readonly string[], outputDirectory: string | undefined, reportOptions: ReportOptions): void {
  if (outputDirectory === undefined || formats.every((format) => format === 'terminal')) return;
  if (holdsReport(outputDirectory, Object.keys(reportFileNames))) {
    complain(`no report written: ${outputDirectory} holds an earlier report, which is kept`);
    return;
  }
  announce(writeReports(report, formats, outputDirectory, reportOptions), process.stderr);
}

/**
 * A usage or setup error: the message, and the setup-error report in the formats asked for,
 * whenever a lab was named and --out given (a replay that cannot start writes no report
 * files: it has no run to show).
 */
function failSetup(error: SetupError, request: Request, startedAt: Date): number {
  complain(error.message);
  if (request.lab === undefined || request.replay) return exitCodes.setup;
  // A class that could not be graded is named as the class, not as one implementation.
  const implementation = request.implementation ?? (request.classFolder !== undefined ? `the class in ${request.classFolder}` : 'default');
  const report = setupFailureReport(request.lab, implementation, error, startedAt);
  writeSetupErrorReport(report, request.fileFormats, request.outputDirectory, {});
  return exitCodes.setup;
}

/**
 * Routes failures that no promise reports (uncaught exceptions, unhandled rejections) to the
 * grading in progress, which then writes the report of what it graded. With no grading in
 * progress, the grader says so and stops with exit code 3.
 */
function watchProcessCrashes(): CrashWatch {
  const listeners = new Set<(error: unknown) => void>();
  const onCrash = (error: unknown) => {
    if (listeners.size === 0) {
      complain(`internal error: ${describeError(error)}`);
      process.exit(exitCodes.grader);
    }
    for (const listener of [...listeners]) listener(error);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  return (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
}

const inProcessWarning =
  'warning: --in-process runs the implementation in this process, WITHOUT the sandbox: its code can read and write your ' +
  'files, start programs and use the network, as you can. Use it only to debug your own code, never to grade anyone else\'s.';

async function runReplay(options: CliOptions): Promise<number> {
  const out = process.stdout;
  const style = styleFor(out);
  if (options.inProcess) complain(inProcessWarning);
  const target = parseReplay(options.replay as string, options.grade.tests?.[0]);
  const { lab, source } = resolveTarget(options.lab, options.grade.implementation);
  if (lab.id !== target.lab) throw new SetupError(`this replay is for lab ${target.lab}, not ${lab.id}`);
  const suite = await loadSuite(lab);
  const test = suite.tests.find((candidate) => candidate.number === target.test);
  if (test === undefined) {
    const hiddenHere = lab.hiddenTestsFile !== undefined;
    throw new SetupError(
      `lab ${lab.id} has no test ${target.test} to replay` +
        (hiddenHere ? '' : ': it is probably one of the hidden tests, which are not in this checkout; only your course\'s staff can replay it'),
    );
  }
  const where = options.inProcess ? ` ${style.yellow('in this process, unsandboxed')}` : '';
  out.write(
    `${style.bold(`Replaying ${lab.id} test ${terminalLine(test.number)}`)} (${terminalLine(test.name)}) with ${terminalLine(source.label)}, seed ${terminalLine(String(target.seed))}${where}\n`,
  );
  out.write('fault schedule:\n');
  for (const line of describeSchedule(target.schedule)) out.write(`  ${line}\n`);
  const startedAt = new Date();
  let passed: boolean;
  let failureText: string | undefined;
  let events;
  let replayed: ReplayOutcome;
  let output = '';
  if (options.inProcess) {
    // In this process, so breakpoints in the implementation's files work.
    const { replayOutcome } = await import('./runTest.ts');
    const { pathToFileURL } = await import('node:url');
    const implementation = (await import(pathToFileURL(source.entryFile).href)) as unknown;
    const result = replayOutcome(suite, test, implementation, target.seed, target.schedule, target.path);
    replayed = result;
    passed = result.passed;
    failureText = result.failure ? describeReplayedFailure(result.failure) : undefined;
    events = result.trace;
  } else {
    const sandbox = await Sandbox.create(lab, source, { timeoutMs: options.grade.limits?.timeoutMs ?? 120_000, memoryMb: 1024 });
    try {
      const answer = await sandbox.replay(test.number, target.seed, target.schedule, target.path);
      if (answer.outcome === undefined) {
        out.write(`${style.red(answer.status)}: ${terminalBlock(answer.reason ?? '')}\n${terminalBlock(answer.output, textLimits.output)}\n`);
        return exitCodes.failed;
      }
      replayed = answer.outcome;
      output = answer.output;
      passed = replayed.passed;
      const failure = replayed.failure;
      failureText = failure ? describeReplayedFailure(failure) : undefined;
      events = replayed.trace;
      if (answer.output) out.write(`output:\n${terminalBlock(answer.output, textLimits.output)}\n`);
    } finally {
      sandbox.dispose();
    }
  }
  const shown = options.traceLimit === 0 ? events : events.slice(-options.traceLimit);
  out.write(`trace (${shown.length} of ${events.length} events${shown.length < events.length ? '; --trace 0 shows all' : ''}):\n`);
  for (const event of shown) out.write(`  ${terminalTraceEvent(event)}\n`);
  // The page of the run, to step through in the viewer; the verdict stays the last line.
  let pageProblem: string | undefined;
  try {
    const page = writeReplayPage(
      {
        lab,
        labTitle: suite.title,
        source,
        test,
        seed: target.seed,
        schedule: target.schedule,
        ...(target.path !== undefined ? { path: target.path } : {}),
        outcome: replayed,
        output,
        command: replayCommand(lab, source, options.replay as string),
        startedAt,
      },
      options.outputDirectory ?? runPageFolder('replay', lab, test, target.seed, source),
    );
    out.write(`report: ${terminalLine(page)}\n`);
  } catch (error) {
    pageProblem = `the page of this replay could not be written: ${describeError(error)}`;
  }
  if (test.demonstrates !== undefined) {
    // A demonstration passes when its property breaks, as the recorded run showed.
    const { passed: shown, verdict } = replayedVerdict(test, replayed, target.path !== undefined && test.kind === 'search');
    passed = shown;
    out.write(`${shown ? style.green('passed') : style.red('failed')}: ${terminalBlock(shown && failureText !== undefined ? `${failureText}, as this test demonstrates it can` : verdict)}\n`);
  } else {
    out.write(passed ? `${style.green('passed')}: this seed and schedule no longer fail\n` : `${style.red('failed')}: ${terminalBlock(failureText ?? '')}\n`);
  }
  if (pageProblem !== undefined) {
    complain(pageProblem);
    return exitCodes.grader;
  }
  return passed ? exitCodes.passed : exitCodes.failed;
}

/** Grades one implementation; whatever happens after the options are read, the reports are written. */
async function runOne(options: CliOptions, signal: AbortSignal, crashes: CrashWatch): Promise<number> {
  const style = styleFor(process.stdout);
  const terminal = options.reports.includes('terminal');
  const end = await gradeToEnd({ ...options.grade, signal, ...(terminal ? { onProgress: progressPrinter(process.stdout, style) } : {}) }, crashes);
  if (end.kind === 'setup error') {
    complain(end.message);
    writeSetupErrorReport(end.report, options.reports, options.outputDirectory, options.reportOptions);
    return exitCodes.setup;
  }
  let code: number;
  if (end.kind === 'grader error') {
    complain(`${end.message}. The reports show the tests graded before; the others are marked not run.`);
    code = exitCodes.grader;
  } else {
    code = !end.report.interrupted && end.report.tests.every((test) => test.status === 'passed') ? exitCodes.passed : exitCodes.failed;
  }
  if (terminal) {
    try {
      process.stdout.write(`\n${formatSummary(end.report, style)}\n`);
    } catch (error) {
      complain(`the terminal summary could not be shown: ${describeError(error)}`);
      code = exitCodes.grader;
    }
  }
  const written = writeRunReports(end.report, options);
  announce(written, process.stdout);
  return written.problems.length > 0 ? exitCodes.grader : code;
}

/**
 * Writes a grading's report files: into --out, or into a fresh folder under reports/ that
 * `reports/latest` then points at, keeping the last few gradings' folders.
 */
function writeRunReports(report: GradingReport, options: CliOptions): Written {
  if (options.outputDirectory !== undefined || options.reports.every((format) => format === 'terminal')) {
    return writeReports(report, options.reports, options.outputDirectory ?? reportsRoot, options.reportOptions);
  }
  let folder: string;
  try {
    folder = newRunFolder(prepareOutputFolder(reportsRoot), report.lab.replace(/^\d\d-/, ''));
  } catch (error) {
    return { files: [], problems: [`the reports could not be written: ${describeError(error)}`] };
  }
  const written = writeReports(report, options.reports, folder, options.reportOptions);
  if (written.files.length > 0 && pointLatest(reportsRoot, folder)) {
    pruneRuns(reportsRoot);
    return { ...written, files: [...written.files, `${join(reportsRoot, latestName)} (the newest grading's folder)`] };
  }
  return written;
}

async function main(argv: readonly string[]): Promise<number> {
  const startedAt = new Date();
  const request = readRequest(argv);
  let options: CliOptions | 'help';
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    return failSetup(error instanceof SetupError ? error : new SetupError(describeError(error)), request, startedAt);
  }
  if (options === 'help') {
    process.stdout.write(`${help}\n`);
    return exitCodes.passed;
  }
  if (options.replay !== undefined) {
    try {
      return await runReplay(options);
    } catch (error) {
      if (!(error instanceof SetupError)) throw error;
      complain(error.message);
      return exitCodes.setup;
    }
  }
  // A folder that cannot take the reports is found out now, not after grading.
  if (options.classFolder !== undefined || options.reports.some((format) => format !== 'terminal')) {
    try {
      prepareOutputFolder(options.outputDirectory ?? reportsRoot);
    } catch (error) {
      complain((error as Error).message);
      return exitCodes.setup;
    }
  }
  const crashes = watchProcessCrashes();
  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping; the report will show what was graded.\n`);
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  if (options.classFolder === undefined) return runOne(options, controller.signal, crashes);
  try {
        // A class goes to one folder across runs, so that an interrupted grading can resume there.
    const outputDirectory = options.outputDirectory ?? join(reportsRoot, `class-${options.lab.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
    return await runClassCommand({ ...options, classFolder: options.classFolder, outputDirectory }, controller.signal, crashes);
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    // The folder is the other grading's: a report written there would be mistaken for its own.
    if (error instanceof ClassFolderBusy) {
      complain(error.message);
      return exitCodes.setup;
    }
    return failSetup(error, request, startedAt);
  }
}

/** How long the grader may go on running once its work is done and its reports are written. */
const lingerLimitMs = 10_000;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // After the grader's own failure, a grading it gave up on may still hold timers or
    // processes: the reports are written, so nothing is left to wait for.
    if (code === exitCodes.grader) process.exit(code);
    // Whatever else might keep this process running (a handle left open, a child that did not
    // go), it does not outlive its reports for long: a course's script waits for its exit.
    setTimeout(() => {
      // What was still open, for whoever looks into it (the watchdog's own timer among them).
      const open = process.getActiveResourcesInfo().join(', ');
      complain(`the grading was done and its reports written, but something kept the grader running for ${lingerLimitMs / 1000} s more: it stops now (still open: ${open})`);
      process.exit(code);
    }, lingerLimitMs).unref();
  },
  (error: unknown) => {
    complain(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : describeError(error)}`);
    process.exit(exitCodes.grader);
  },
);

/**
 * A replayed failure in one line. The event number is the trace's (`#N` on every trace line
 * and in the graded report), so the replay points at the same event as the report did.
 */
function describeReplayedFailure(failure: { readonly property: string; readonly message: string; readonly step: number; readonly timeMs: number; readonly traceIndex?: number }): string {
  return `${failure.property}: ${failure.message} (event #${failure.traceIndex ?? failure.step} at ${failure.timeMs} ms)`;
}
