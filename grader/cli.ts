// `npm run grade -- <lab> [options]`: grades one implementation of one lab, or replays one
// recorded failure. Exit codes: 0 all selected tests passed, 1 some did not, 2 usage or setup error.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTraceEvent } from 'distlab/testing';
import { gradeClass } from './classGrading.ts';
import { grade, loadSuite, setupFailureReport, resolveTarget, type GradeOptions } from './grade.ts';
import { Sandbox } from './isolation.ts';
import { listLabs, SetupError } from './labs.ts';
import { parseReplay } from './replayCode.ts';
import type { GradingReport } from './results.ts';
import { reportFormats, reportWriters, type ReportOptions, type ReportWriter } from './reports/index.ts';
import { describeSchedule, formatSummary, progressPrinter, styleFor } from './reports/terminal.ts';

const help = `Usage: npm run grade -- <lab> [options]

Grades an implementation of a lab with its randomized, fault-injecting test suite.

  <lab>                 the lab: its number (0), name (pingpong) or folder (00-pingpong)

Options:
  --impl <which>        student    your code in labs/<lab>/src
                        solutions  the reference solution (the default where solutions/ exists)
                        mutant:<name>  a deliberately broken solution (solutions/<lab>/mutants)
                        <path>     a submission: a folder with index.ts, or a file
  --part <P>            only the tests of one part (A, B, ...)
  --test <N[,N...]>     only these tests, by number (e.g. 0.3 or 5B.2)
  --seeds <N>           run seeds 1..N of every test instead of each test's default
  --seed <S>            run exactly seed S of every test
  --hidden              include hidden tests
  --report <formats>    comma-separated: terminal,html,json,junit,gradescope (default terminal,json,html)
  --out <dir>           where report files go (default: reports)
  --hidden-visibility <v>  Gradescope visibility of hidden tests' results:
                        hidden, after_due_date or after_published (default)
  --class <folder>      grade every submission folder inside <folder> (a whole class): each
                        gets its reports in <out>/<name>/, and <out>/class.csv sums them up
  --replay <code|file>  re-run one recorded failure with the full trace: the code printed
                        after "replay:", or a report.json (its first failure; pick one with --test)
  --in-process          with --replay: run in this process, so a debugger stops at breakpoints
                        in your code (node --inspect-brk --import tsx grader/cli.ts ...)
  --trace <N>           with --replay: how many trace events to print (default 60; 0 for all)
  --jobs <N>            tests run at once (default 2)
  --timeout <seconds>   wall-clock limit per test, a last resort against endless loops (default 120)
  --no-typecheck        skip type-checking the implementation
  -h, --help            this help

Exit code: 0 when every selected test passes, 1 when some fail, 2 for a usage or setup error.
Examples:
  npm run grade -- pingpong --impl student
  npm run grade -- 0 --impl student --test 0.3 --seeds 100
  npm run grade -- pingpong --impl student --replay eyJ2IjoxLC...`;

interface CliOptions {
  readonly lab: string;
  readonly grade: GradeOptions;
  readonly reports: readonly string[];
  readonly outputDirectory: string;
  readonly reportOptions: ReportOptions;
  readonly replay?: string;
  readonly classFolder?: string;
  readonly inProcess: boolean;
  readonly traceLimit: number;
}

function positiveInteger(name: string, text: string | undefined, allowZero = false): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new SetupError(`--${name} needs a whole number${allowZero ? '' : ' of at least 1'}, not "${text}"`);
  }
  return value;
}

function parseCommandLine(argv: readonly string[]): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        impl: { type: 'string' },
        part: { type: 'string' },
        test: { type: 'string' },
        seeds: { type: 'string' },
        seed: { type: 'string' },
        hidden: { type: 'boolean' },
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
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? '';
    const ambiguous = /^Option '(--[\w-]+)/.exec(message);
    if (ambiguous !== null && /ambiguous/.test(message)) {
      throw new SetupError(`${ambiguous[1]} needs a value; to give one that starts with a dash, write ${ambiguous[1]}=VALUE. See --help.`);
    }
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
  const seeds = positiveInteger('seeds', values.seeds);
  const seed = positiveInteger('seed', values.seed, true);
  if (seeds !== undefined && seed !== undefined) throw new SetupError('give --seeds or --seed, not both');
  const timeoutSeconds = positiveInteger('timeout', values.timeout);
  const jobs = positiveInteger('jobs', values.jobs);
  const hiddenVisibility = values['hidden-visibility'] ?? 'after_published';
  if (hiddenVisibility !== 'hidden' && hiddenVisibility !== 'after_due_date' && hiddenVisibility !== 'after_published') {
    throw new SetupError(`--hidden-visibility ${hiddenVisibility}: use hidden, after_due_date or after_published`);
  }
  const tests = values.test?.split(',').map((number) => number.trim()).filter(Boolean);
  if (values['in-process'] && values.replay === undefined) throw new SetupError('--in-process goes with --replay');
  if (values.trace !== undefined && values.replay === undefined) throw new SetupError('--trace goes with --replay');
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
      includeHidden: values.hidden === true,
      ...(jobs !== undefined ? { jobs } : {}),
      ...(timeoutSeconds !== undefined ? { limits: { timeoutMs: timeoutSeconds * 1000 } } : {}),
      typecheck: values['no-typecheck'] !== true,
    },
    reports,
    outputDirectory: resolve(values.out ?? 'reports'),
    reportOptions: { hiddenVisibility },
    ...(values.replay !== undefined ? { replay: values.replay } : {}),
    ...(values.class !== undefined ? { classFolder: values.class } : {}),
    inProcess: values['in-process'] === true,
    traceLimit: positiveInteger('trace', values.trace, true) ?? 60,
  };
}

function writeReports(report: GradingReport, options: CliOptions, outputDirectory = options.outputDirectory): string[] {
  const formats = options.reports.filter((format) => format !== 'terminal');
  if (formats.length === 0) return [];
  mkdirSync(outputDirectory, { recursive: true });
  return formats.map((format) => (reportWriters[format] as ReportWriter)(report, outputDirectory, options.reportOptions));
}

async function runClass(options: CliOptions, signal: AbortSignal): Promise<number> {
  const style = styleFor(process.stdout);
  const folder = options.classFolder as string;
  const rows = await gradeClass(folder, { ...options.grade, signal }, options.outputDirectory, (submission, report) => {
    writeReports(report, options, join(options.outputDirectory, submission));
    const verdict = report.setupError ? style.red(`setup error: ${report.setupError.split('\n')[0]}`) : `${report.totals.score}/${report.totals.maxScore}`;
    process.stdout.write(`  ${submission}: ${verdict}\n`);
  });
  process.stdout.write(`graded ${rows.length} submissions: ${join(options.outputDirectory, 'class.csv')}\n`);
  const allPassed = !signal.aborted && rows.every((row) => row.setupError === undefined && row.score === row.maxScore && row.notRun === 0);
  return allPassed ? 0 : 1;
}

async function runReplay(options: CliOptions): Promise<number> {
  const out = process.stdout;
  const style = styleFor(out);
  const target = parseReplay(options.replay as string, options.grade.tests?.[0]);
  const { lab, source } = resolveTarget(options.lab, options.grade.implementation);
  if (lab.id !== target.lab) throw new SetupError(`this replay is for lab ${target.lab}, not ${lab.id}`);
  const suite = await loadSuite(lab);
  const test = suite.tests.find((candidate) => candidate.number === target.test);
  if (test === undefined) throw new SetupError(`lab ${lab.id} has no test ${target.test} to replay`);
  out.write(`${style.bold(`Replaying ${lab.id} test ${test.number}`)} (${test.name}) with ${source.label}, seed ${target.seed}\n`);
  out.write('fault schedule:\n');
  for (const line of describeSchedule(target.schedule)) out.write(`  ${line}\n`);
  let passed: boolean;
  let failureText: string | undefined;
  let events;
  if (options.inProcess) {
    // In this process, so breakpoints in the implementation's files work.
    const { replayOutcome } = await import('./runTest.ts');
    const { pathToFileURL } = await import('node:url');
    const implementation = (await import(pathToFileURL(source.entryFile).href)) as unknown;
    const result = replayOutcome(suite, test, implementation, target.seed, target.schedule, target.path);
    passed = result.passed;
    failureText = result.failure ? `${result.failure.property}: ${result.failure.message} (event #${result.failure.step} at ${result.failure.timeMs} ms)` : undefined;
    events = result.trace;
  } else {
    const sandbox = await Sandbox.create(lab, source, { timeoutMs: options.grade.limits?.timeoutMs ?? 120_000, memoryMb: 1024 });
    try {
      const replayed = await sandbox.replay(test.number, target.seed, target.schedule, target.path);
      if (replayed.outcome === undefined) {
        out.write(`${style.red(replayed.status)}: ${replayed.reason ?? ''}\n${replayed.output}\n`);
        return 1;
      }
      passed = replayed.outcome.passed;
      const failure = replayed.outcome.failure;
      failureText = failure ? `${failure.property}: ${failure.message} (event #${failure.step} at ${failure.timeMs} ms)` : undefined;
      events = replayed.outcome.trace;
      if (replayed.output) out.write(`output:\n${replayed.output}\n`);
    } finally {
      sandbox.dispose();
    }
  }
  const shown = options.traceLimit === 0 ? events : events.slice(-options.traceLimit);
  out.write(`trace (${shown.length} of ${events.length} events${shown.length < events.length ? '; --trace 0 shows all' : ''}):\n`);
  for (const event of shown) out.write(`  ${formatTraceEvent(event)}\n`);
  out.write(passed ? `${style.green('passed')}: this seed and schedule no longer fail\n` : `${style.red('failed')}: ${failureText ?? ''}\n`);
  return passed ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const startedAt = new Date();
  let options: CliOptions | 'help';
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`distlab grade: ${(error as Error).message}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  if (options.replay !== undefined) {
    try {
      return await runReplay(options);
    } catch (error) {
      if (!(error instanceof SetupError)) throw error;
      process.stderr.write(`distlab grade: ${error.message}\n`);
      return 2;
    }
  }
  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping; the report will show what was graded.\n`);
    controller.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  if (options.classFolder !== undefined) {
    try {
      return await runClass(options, controller.signal);
    } catch (error) {
      if (!(error instanceof SetupError)) throw error;
      process.stderr.write(`distlab grade: ${error.message}\n`);
      return 2;
    }
  }
  const style = styleFor(process.stdout);
  let report: GradingReport;
  try {
    report = await grade({
      ...options.grade,
      signal: controller.signal,
      ...(options.reports.includes('terminal') ? { onProgress: progressPrinter(process.stdout, style) } : {}),
    });
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    process.stderr.write(`distlab grade: ${error.message}\n`);
    const failed = setupFailureReport(options.lab, options.grade.implementation ?? 'default', error, startedAt);
    for (const file of writeReports(failed, options)) process.stderr.write(`report: ${file}\n`);
    return 2;
  }
  if (options.reports.includes('terminal')) process.stdout.write(`\n${formatSummary(report, style)}\n`);
  for (const file of writeReports(report, options)) process.stdout.write(`report: ${file}\n`);
  const allPassed = !report.interrupted && report.tests.every((test) => test.status === 'passed');
  return allPassed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`distlab grade: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
