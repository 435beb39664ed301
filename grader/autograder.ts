// `npm run gradescope -- <lab> --out DIR`: builds DIR/autograder.zip, a Gradescope autograder
// for one lab. Gradescope unpacks it into /autograder/source, runs its setup.sh once to build
// the image (the exact Node of .nvmrc, then `npm ci`), and runs its run_autograder in a fresh
// container for every submission. The project inside is the lab's student handout plus its
// hidden tests: no reference solution, no mutants, no other lab.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { commandLineError } from './commandLine.ts';
import { zipSync, type Zippable } from 'fflate';
import { loadSuite } from './grade.ts';
import { writeHandout } from './handout.ts';
import { defaultLimits, maxTimeoutSeconds } from './isolation.ts';
import { findLab, projectRoot, SetupError, type LabInfo } from './labs.ts';
import { prepareOutputFolder } from './reports/outputFolder.ts';

/** Gradescope's default limit for one submission is 10 minutes: results are written well before. */
const defaultOverallTimeoutSeconds = 540;
/** Gradescope lets staff raise its limit to 40 minutes, and no further. */
const maxOverallTimeoutSeconds = 2_400;
/** The grader's own bound on its per-test limit (a day). */
/** The grader's own bound on tests at once. */
const maxJobs = 64;
/** Gradescope gives a submission half a CPU and 768 MB unless the assignment asks for more: one test at a time. */
const defaultJobs = 1;

/** The files of grader/autograder/ that run in the bundle (the handout leaves this folder out). */
const runtimeFiles = ['run.ts'];
const templateFolder = fileURLToPath(new URL('./autograder/', import.meta.url));
/** Every file gets this time, so that the same inputs make the same bytes. */
const fixedModificationTime = new Date(2000, 0, 1);

const help = `Usage: npm run gradescope -- <lab> --out <dir> [options]

Builds <dir>/autograder.zip, the Gradescope autograder of one lab: its setup.sh installs
Node ${readNodeVersion()} and the project's packages; its run_autograder grades each submission
(found at any folder depth) with the lab's visible and hidden tests, and always leaves a
valid results.json, also when a submission crashes, loops or does not compile.

  <lab>                      the lab: its number (0), name (pingpong) or folder (00-pingpong)
  --out <dir>                where autograder.zip goes (made if missing)
  --timeout <seconds>        wall-clock limit per test (default ${defaultLimits.timeoutMs / 1000})
  --overall-timeout <seconds>  grading stops here and the results of the tests graded so far
                             are kept (default ${defaultOverallTimeoutSeconds}, at most ${maxOverallTimeoutSeconds}); keep Gradescope's own limit
                             in the assignment's settings at least a minute longer
  --jobs <N>                 tests run at once (default ${defaultJobs}; raise it with the CPUs
                             given to the autograder in Gradescope's settings)
  --hidden-visibility <v>    when students see hidden tests' results: hidden, after_due_date
                             or after_published (default)
  -h, --help                 this help

Exit code: 0 when the bundle is written, 2 for a usage error.`;

interface BuildOptions {
  readonly lab: LabInfo;
  readonly outputDirectory: string;
  readonly timeoutSeconds: number | undefined;
  readonly overallTimeoutSeconds: number;
  readonly jobs: number;
  readonly hiddenVisibility: 'hidden' | 'after_due_date' | 'after_published';
}

function readNodeVersion(): string {
  return readFileSync(join(projectRoot, '.nvmrc'), 'utf8').trim().replace(/^v/, '');
}

function boundedInteger(name: string, text: string | undefined, minimum: number, maximum: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < minimum || value > maximum) {
    throw new SetupError(`--${name} needs a whole number from ${minimum} to ${maximum}, not "${text}"`);
  }
  return value;
}

const optionSpecification = {
  out: { type: 'string' },
  timeout: { type: 'string' },
  'overall-timeout': { type: 'string' },
  jobs: { type: 'string' },
  'hidden-visibility': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseCommandLine(argv: readonly string[]): BuildOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: optionSpecification });
  } catch (error) {
    throw commandLineError(error, Object.keys(optionSpecification));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new SetupError('which lab? Give its name first, e.g. npm run gradescope -- pingpong --out gradescope. See --help.');
  if (positionals.length > 1) throw new SetupError(`one lab per autograder (a Gradescope assignment grades one lab): got ${positionals.join(', ')}`);
  if (values.out === undefined || values.out.trim() === '') throw new SetupError('where to? Give the folder for autograder.zip with --out <dir>. See --help.');
  const hiddenVisibility = values['hidden-visibility'] ?? 'after_published';
  if (hiddenVisibility !== 'hidden' && hiddenVisibility !== 'after_due_date' && hiddenVisibility !== 'after_published') {
    throw new SetupError(`--hidden-visibility ${hiddenVisibility}: use hidden, after_due_date or after_published`);
  }
  return {
    lab: findLab(positionals[0] as string),
    outputDirectory: values.out,
    timeoutSeconds: boundedInteger('timeout', values.timeout, 1, maxTimeoutSeconds),
    overallTimeoutSeconds: boundedInteger('overall-timeout', values['overall-timeout'], 1, maxOverallTimeoutSeconds) ?? defaultOverallTimeoutSeconds,
    jobs: boundedInteger('jobs', values.jobs, 1, maxJobs) ?? defaultJobs,
    hiddenVisibility,
  };
}

/** Fills `{{name}}` in a script template; a name without a value is a bug in this file. */
function fillTemplate(name: string, values: Readonly<Record<string, string>>): string {
  return readFileSync(join(templateFolder, name), 'utf8').replace(/\{\{(\w+)\}\}/g, (_whole, field: string) => {
    const value = values[field];
    if (value === undefined) throw new Error(`the template ${name} has a field ${field} without a value`);
    return value;
  });
}

/** What run_autograder passes to run.ts, and the command that built it (for its header). */
function settingsOf(options: BuildOptions): { readonly runArguments: string; readonly command: string } {
  const timeout = options.timeoutSeconds !== undefined ? ` --timeout ${options.timeoutSeconds}` : '';
  const shared = `${timeout} --overall-timeout ${options.overallTimeoutSeconds} --jobs ${options.jobs} --hidden-visibility ${options.hiddenVisibility}`;
  return { runArguments: `--lab ${options.lab.id}${shared}`, command: `${options.lab.shortName}${shared}` };
}

const regularFile = 0o100644;
const executableFile = 0o100755;

/** A file for the zip, as Unix files with their permissions (Gradescope runs the scripts directly). */
function zipEntry(bytes: Uint8Array, mode: number): Zippable[string] {
  // The mode sits in the upper 16 bits of the external attributes; a product, not a shift, keeps it unsigned.
  return [bytes, { os: 3, attrs: mode * 0x10000, mtime: fixedModificationTime, level: 9 }];
}

export interface Bundle {
  readonly file: string;
  readonly bytes: number;
  /** Every file in the zip, by its path inside it. */
  readonly files: readonly string[];
}

/**
 * Builds the autograder of one lab into `<outputDirectory>/autograder.zip` (replacing one
 * there, whole or not at all). Throws a SetupError for a folder that cannot take it.
 */
export function buildAutograder(options: BuildOptions): Bundle {
  const outputDirectory = prepareOutputFolder(options.outputDirectory);
  const workFolder = mkdtempSync(join(tmpdir(), 'distlab-gradescope-'));
  try {
    const sourceFolder = join(workFolder, 'source');
    const handout = writeHandout({ outputDirectory: sourceFolder, labs: [options.lab.id], withHiddenTests: true });
    const entries: Zippable = {};
    for (const path of handout.files) {
      const name = path.split('\\').join('/');
      if (name === 'setup.sh' || name === 'run_autograder') throw new Error(`the handout has a file ${name} of its own`);
      entries[name] = zipEntry(readFileSync(join(sourceFolder, path)), regularFile);
    }
    for (const file of runtimeFiles) entries[`grader/autograder/${file}`] = zipEntry(readFileSync(join(templateFolder, file)), regularFile);
    const { runArguments, command } = settingsOf(options);
    const nodeVersion = readNodeVersion();
    const setup = fillTemplate('setup.sh', { nodeVersion, lab: options.lab.shortName, labId: options.lab.id });
    const run = fillTemplate('run_autograder', {
      labId: options.lab.id,
      command,
      runArguments,
      overallTimeoutSeconds: String(options.overallTimeoutSeconds),
    });
    entries['setup.sh'] = zipEntry(new TextEncoder().encode(setup), executableFile);
    entries['run_autograder'] = zipEntry(new TextEncoder().encode(run), executableFile);

    const zip = zipSync(entries);
    const file = join(outputDirectory, 'autograder.zip');
    const temporary = `${file}.${process.pid}.partial`;
    try {
      writeFileSync(temporary, zip);
      renameSync(temporary, file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw new SetupError(`--out ${options.outputDirectory}: autograder.zip could not be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return { file, bytes: zip.byteLength, files: Object.keys(entries).sort() };
  } finally {
    rmSync(workFolder, { recursive: true, force: true });
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let options: BuildOptions | 'help';
  let bundle: Bundle;
  try {
    options = parseCommandLine(argv);
    if (options === 'help') {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    bundle = buildAutograder(options);
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    process.stderr.write(`distlab gradescope: ${error.message}\n`);
    return 2;
  }
  const suite = await loadSuite(options.lab);
  const hidden = suite.tests.filter((test) => test.visibility === 'hidden');
  const points = (tests: typeof suite.tests) => tests.reduce((sum, test) => sum + test.points, 0);
  const nearby = relative(process.cwd(), bundle.file);
  const where = nearby.startsWith('..') ? bundle.file : nearby;
  process.stdout.write(
    [
      `Wrote ${where} (${Math.ceil(bundle.bytes / 1024)} KB, ${bundle.files.length} files): the Gradescope autograder of ${options.lab.id}.`,
      `  tests: ${suite.tests.length - hidden.length} visible, ${hidden.length} hidden (results ${options.hiddenVisibility.replace(/_/g, ' ')}), ${points(suite.tests)} points in all`,
      `  per test: ${options.timeoutSeconds ?? defaultLimits.timeoutMs / 1000} s; grading stops after ${options.overallTimeoutSeconds} s; ${options.jobs} test${options.jobs === 1 ? '' : 's'} at a time; Node ${readNodeVersion()}`,
      '',
      'Next, in Gradescope: create a Programming Assignment, then under Configure Autograder',
      `choose "Zip file upload", upload autograder.zip, and set the total points to ${points(suite.tests)}.`,
      `Set the autograder timeout to at least ${Math.ceil(options.overallTimeoutSeconds / 60) + 1} minutes (Settings).`,
      '',
    ].join('\n'),
  );
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`distlab gradescope: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 3;
    },
  );
}
