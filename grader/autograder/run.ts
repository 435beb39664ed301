// Grades one Gradescope submission; run_autograder starts it in /autograder/source. It finds the
// submission's code at any folder depth (by the grader's own rules), runs the grader on it (with the lab's hidden tests)
// under an overall time limit, and makes sure /autograder/results/results.json is valid
// Gradescope output whatever happens: the grader's own results where it wrote them (with a
// word on why grading stopped early, if it did), otherwise a score of 0 with what happened
// and what to do. Exit code 0 means results.json is in place and valid; anything else leaves
// that to run_autograder.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { findEntryFile, type EntryDiscovery } from '../implementation.ts';
import { findLab, projectRoot, SetupError, type LabInfo } from '../labs.ts';
import { validateGradescopeResults, type GradescopeResults } from '../reports/gradescope.ts';

/** After asking the grader to stop, how long it has to write the results of what it graded. */
const stopGraceMs = 20_000;
/** A results.json larger than this is not read (the grader's own is far smaller). */
const maxResultsBytes = 32 * 1024 * 1024;
/** The end of what the grader printed on stderr that is kept, to quote when it wrote no results. */
const keptErrorBytes = 16 * 1024;
/** Lines of it quoted to the student. */
const quotedErrorLines = 25;

type HiddenVisibility = 'hidden' | 'after_due_date' | 'after_published';

interface Settings {
  readonly lab: LabInfo;
  readonly timeoutSeconds: number | undefined;
  readonly overallTimeoutSeconds: number;
  readonly jobs: number;
  readonly hiddenVisibility: HiddenVisibility;
}

/** The settings `npm run gradescope` baked into run_autograder; they were checked there. */
function readSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      lab: { type: 'string' },
      timeout: { type: 'string' },
      'overall-timeout': { type: 'string' },
      jobs: { type: 'string' },
      'hidden-visibility': { type: 'string' },
    },
  });
  const whole = (name: string, text: string | undefined) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`run.ts: --${name} must be a whole number of at least 1, not ${String(text)}`);
    return value;
  };
  const visibility = values['hidden-visibility'] ?? 'after_published';
  if (visibility !== 'hidden' && visibility !== 'after_due_date' && visibility !== 'after_published') {
    throw new Error(`run.ts: --hidden-visibility ${visibility} is not a Gradescope visibility`);
  }
  return {
    lab: findLab(values.lab ?? ''),
    timeoutSeconds: values.timeout === undefined ? undefined : whole('timeout', values.timeout),
    overallTimeoutSeconds: whole('overall-timeout', values['overall-timeout']),
    jobs: whole('jobs', values.jobs ?? '1'),
    hiddenVisibility: visibility,
  };
}

/** Writes a file whole or not at all, so Gradescope never reads half of one. */
function writeWhole(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.partial`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

function writeResults(file: string, results: GradescopeResults): void {
  const problems = validateGradescopeResults(results);
  // Only this file's own text goes into results it writes itself: a problem here is a bug in it.
  if (problems.length > 0) throw new Error(`the results to write are not valid Gradescope output: ${problems.join('; ')}`);
  writeWhole(file, `${JSON.stringify(results, null, 2)}\n`);
}

/** Results with a score of 0 and one message, for a submission that could not be graded. */
function ungradedResults(message: string, startedAt: number): GradescopeResults {
  return {
    score: 0,
    execution_time: Math.max(0, Math.round((Date.now() - startedAt) / 1000)),
    output: message,
    output_format: 'text',
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests: [],
  };
}

/** The results.json the grader wrote, when it is there and is valid Gradescope output. */
function readGraderResults(file: string): GradescopeResults | undefined {
  try {
    if (statSync(file).size > maxResultsBytes) return undefined;
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return validateGradescopeResults(parsed).length === 0 ? (parsed as GradescopeResults) : undefined;
  } catch {
    return undefined;
  }
}

/** Text that quotes the submission's file names, with their control and formatting characters shown as escapes. */
function shownText(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, (character) => (character === '\n' ? '\n' : `\\u{${(character.codePointAt(0) as number).toString(16)}}`));
}

/** The last lines the grader printed on stderr, without control characters, to quote in a message. */
function quotedError(text: string): string {
  const lines = text
    // eslint-disable-next-line no-control-regex -- removing terminal escapes and control characters is the point
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/[\p{Cc}\p{Cf}]/gu, (character) => (character === '\n' ? '\n' : ''))
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '');
  return lines.slice(-quotedErrorLines).join('\n');
}

interface GraderEnd {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Grading was stopped because the overall limit was reached. */
  readonly stoppedForTime: boolean;
  readonly stderr: string;
}

/**
 * Runs `grader/cli.ts` on the submission's folder, in a process group of its own (so that
 * nothing it or the submission starts outlives it, and nothing they do reaches this process's
 * group). At the overall limit it is asked to stop (SIGTERM: it writes the results of the
 * tests graded so far); after a grace period the whole group is killed.
 */
function runGrader(settings: Settings, autograderRoot: string, implementation: string, outputFolder: string, deadline: number): Promise<GraderEnd> {
  const arguments_ = [
    '--import',
    import.meta.resolve('tsx'),
    join(projectRoot, 'grader', 'cli.ts'),
    settings.lab.id,
    '--impl',
    implementation,
    '--report',
    'gradescope,json,html',
    '--out',
    outputFolder,
    '--hidden-visibility',
    settings.hiddenVisibility,
    '--jobs',
    String(settings.jobs),
    // Commands in the results are for the student to paste into their own checkout.
    '--student-commands',
    ...(settings.timeoutSeconds !== undefined ? ['--timeout', String(settings.timeoutSeconds)] : []),
  ];
  return new Promise((resolvePromise) => {
    // From the autograder's root, so that the implementation and the files in messages are
    // named as `submission/...`, the upload as the student knows it.
    const child = spawn(process.execPath, arguments_, {
      cwd: autograderRoot,
      detached: true,
      stdio: ['ignore', 'inherit', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderr = (stderr + chunk.toString('utf8')).slice(-keptErrorBytes);
    });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    let stoppedForTime = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stopTimer = setTimeout(
      () => {
        stoppedForTime = true;
        process.stderr.write(`distlab: the overall limit of ${settings.overallTimeoutSeconds} s is reached: stopping the grader\n`);
        child.kill('SIGTERM');
        killTimer = setTimeout(killGroup, stopGraceMs);
      },
      Math.max(0, deadline - Date.now()),
    );
    // Asked to stop from outside (run_autograder's own limit): end the grader first.
    const onSignal = () => {
      killGroup();
      process.exit(143);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(stopTimer);
      clearTimeout(killTimer);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
      // Whatever the grader left running (a test's process it could not end) goes with it.
      killGroup();
      resolvePromise({ exitCode, signal, stoppedForTime, stderr });
    };
    child.once('error', (error) => {
      stderr += `\n${error.message}`;
      finish(null, null);
    });
    child.once('close', finish);
  });
}

function minutes(seconds: number): string {
  if (seconds < 120) return `${seconds} seconds`;
  const whole = Math.floor(seconds / 60);
  return seconds % 60 === 0 ? `${whole} minutes` : `${whole} minutes ${seconds % 60} seconds`;
}

/** Why the grader left no usable results.json, and what the student can do. */
function describeFailedRun(end: GraderEnd, settings: Settings): string {
  const command = `npm run grade -- ${settings.lab.shortName}`;
  const retry = `Check that \`${command}\` grades your code on your own machine, then submit again; if this message comes back, tell the course staff.`;
  const quoted = quotedError(end.stderr);
  const what = quoted === '' ? '' : `\n\nThe grader's last words:\n${quoted}`;
  if (end.stoppedForTime) {
    return (
      `Grading took longer than the autograder's limit of ${minutes(settings.overallTimeoutSeconds)} and was stopped before it could report any result. ` +
      `Code that loops forever or is very slow does this: \`${command}\` on your machine shows which test runs long.${what}`
    );
  }
  if (end.signal !== null) {
    return (
      `The grader was killed (${end.signal}) before it could write its results. Most often that means it ran out of memory: ` +
      `check that your code does not keep ever more state. ${retry}${what}`
    );
  }
  const how = end.exitCode === null ? 'could not be started' : `stopped with exit code ${end.exitCode}`;
  return `The grader ${how} without writing its results. ${retry}${what}`;
}

async function main(): Promise<number> {
  const startedAt = Date.now();
  const settings = readSettings(process.argv.slice(2));
  const deadline = startedAt + settings.overallTimeoutSeconds * 1000;
  const autograderRoot = resolve(process.env.AUTOGRADER_ROOT || '/autograder');
  const uploadRoot = join(autograderRoot, 'submission');
  const resultsFolder = join(autograderRoot, 'results');
  const resultsFile = join(resultsFolder, 'results.json');
  mkdirSync(resultsFolder, { recursive: true });

  // The grader's own rules find the entry file (at any depth, the lab's src/ in a whole
  // repository); the grader is then given its folder, so that reports name it as the student does.
  let discovery: EntryDiscovery;
  try {
    discovery = findEntryFile(settings.lab, uploadRoot, 'The submission');
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    const message = `${shownText(error.message)}. Upload the files of labs/${settings.lab.id}/src (index.ts and the files it imports), that folder zipped, or your whole repository.`;
    process.stderr.write(`distlab: ${message}\n`);
    writeResults(resultsFile, ungradedResults(message, startedAt));
    return 0;
  }
  process.stderr.write(shownText(`distlab: grading ${discovery.relativePath} of the submission${discovery.note === '' ? '' : `: ${discovery.note}`}`) + '\n');
  const implementation = relative(autograderRoot, dirname(discovery.entryFile)).split(sep).join('/');

  // The grader writes into a folder of its own, and only this supervisor writes results.json,
  // whole: the placeholder run_autograder wrote stays until the grader's results replace it,
  // and a grader that outlives a killed supervisor cannot overwrite what run_autograder wrote then.
  const graderFolder = mkdtempSync(join(tmpdir(), 'distlab-autograder-'));
  const end = await runGrader(settings, autograderRoot, implementation, graderFolder, deadline);
  const graded = readGraderResults(join(graderFolder, 'results.json'));
  // The staff's reports, beside results.json as the grader wrote them.
  for (const report of ['report.json', 'report.html']) {
    const file = join(graderFolder, report);
    if (existsSync(file)) copyFileSync(file, join(resultsFolder, report));
  }
  rmSync(graderFolder, { recursive: true, force: true });
  if (graded === undefined) {
    writeResults(resultsFile, ungradedResults(describeFailedRun(end, settings), startedAt));
    return 0;
  }
  const notes: string[] = [];
  if (end.stoppedForTime) {
    notes.push(
      `Grading was stopped at the autograder's limit of ${minutes(settings.overallTimeoutSeconds)}: tests that had not finished ` +
        `score 0 and show as not run. Code that loops forever or is very slow does this: \`npm run grade -- ${settings.lab.shortName}\` on your machine shows which test runs long.`,
    );
  }
  // Which of several index.ts files was graded, and why: the student may have meant another.
  if (discovery.note !== '') notes.push(`The submission has more than one index.ts: ${shownText(discovery.note)}.`);
  writeResults(resultsFile, notes.length === 0 ? graded : { ...graded, output: [...notes, ...(graded.output === undefined ? [] : [graded.output])].join('\n\n') });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`distlab: the grading supervisor failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
