// `npm run soak -- <lab> [--seeds 500] [--test 3.3,3.4]`: runs the reference solution on many
// seeds of every randomized test (hidden ones too), and prints every seed that fails, with the
// command that grades it again. Correct code must never fail a graded test; a seed that fails
// here is a defect of the test (or of the solution), to fix before students meet it. Staff run
// it before changing a suite.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { commandLineError } from './commandLine.ts';
import type { SuiteTest } from 'distlab/testing';
import { loadSuite, rerunCommand } from './grade.ts';
import { findLab, SetupError } from './labs.ts';
import { runTest } from './runTest.ts';

const usage = `usage: npm run soak -- <lab> [--seeds N] [--test N[,N...]]

Runs the reference solution of <lab> on many seeds of every randomized test (hidden ones
too) and prints each seed that fails, with the command that grades it again. Correct code
must never fail a graded test: a seed that fails here is a defect of the test or of the
solution. Exit code 0 when no seed failed, 1 when one did, 2 for a wrong command line.

  --seeds N          seeds 1..N of each randomized test (default 500, at most 100000)
  --test N[,N...]    only these tests, by number (e.g. 3.3,3.4)
  -h, --help         this help`;
const defaultSeeds = 500;
const maxSeeds = 100_000;

const optionSpecification = { seeds: { type: 'string' }, test: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

interface SoakOptions {
  readonly lab: string;
  readonly seeds: number;
  readonly tests: readonly string[] | undefined;
}

function parse(argv: readonly string[]): SoakOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: optionSpecification });
  } catch (error) {
    throw commandLineError(error, Object.keys(optionSpecification));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new SetupError('name one lab, e.g. npm run soak -- paxos. See --help.');
  const seeds = values.seeds === undefined ? defaultSeeds : Number(values.seeds);
  if (!Number.isSafeInteger(seeds) || seeds < 1 || seeds > maxSeeds) {
    throw new SetupError(`--seeds must be a whole number from 1 to ${maxSeeds}, not ${JSON.stringify(values.seeds)}`);
  }
  const tests = values.test?.split(',').map((number) => number.trim()).filter((number) => number !== '');
  return { lab: positionals[0] as string, seeds, tests };
}

/** Whether a test's outcome depends on its seed: runs always do; a search only when it probes at random. */
function isRandomized(test: SuiteTest<unknown>, implementation: unknown): boolean {
  if (test.kind !== 'search') return true;
  const prepared = test.prepare(implementation, 1);
  return prepared.kind === 'search' && prepared.strategy === 'probes';
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    const parsed = parse(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    options = parsed;
  } catch (error) {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  let lab;
  try {
    lab = findLab(options.lab);
  } catch (error) {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (!lab.hasSolutions) {
    process.stderr.write(`soak: lab ${lab.id} has no reference solutions here: soaking needs them\n`);
    return 2;
  }
  let suite;
  try {
    suite = await loadSuite(lab);
  } catch (error) {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const implementation = (await import(pathToFileURL(`${lab.solutionDirectory}/index.ts`).href)) as unknown;
  const chosen = suite.tests.filter((test) => options.tests === undefined || options.tests.includes(test.number));
  if (options.tests !== undefined && chosen.length !== options.tests.length) {
    const known = suite.tests.map((test) => test.number).join(', ');
    process.stderr.write(`soak: unknown test in ${options.tests.join(',')}; lab ${lab.id} has ${known}\n`);
    return 2;
  }
  let failures = 0;
  process.stdout.write(`soaking ${lab.id} (${suite.title}) with the reference solution, ${options.seeds} seeds per randomized test\n`);
  for (const test of chosen) {
    if (test.demonstrates !== undefined) {
      process.stdout.write(`  ${test.number}  skipped: a demonstration (it is meant to break "${test.demonstrates}" on some seed)\n`);
      continue;
    }
    if (!isRandomized(test, implementation)) {
      process.stdout.write(`  ${test.number}  skipped: a breadth-first search, the same on every seed\n`);
      continue;
    }
    const failing: { readonly seed: number; readonly text: string }[] = [];
    for (let seed = 1; seed <= options.seeds; seed++) {
      const outcome = runTest(suite, test, implementation, { seeds: [seed], shrinkBudget: 0, traceLimit: 0 });
      if (!outcome.passed) failing.push({ seed, text: `seed ${seed}: ${outcome.failure?.property ?? 'unknown'}: ${outcome.failure?.message ?? ''}` });
    }
    failures += failing.length;
    const passed = options.seeds - failing.length;
    process.stdout.write(`  ${test.number}  ${passed}/${options.seeds} seeds passed\n`);
    for (const { seed, text } of failing.slice(0, 20)) {
      process.stdout.write(`      ${text.length > 300 ? `${text.slice(0, 299)}…` : text}\n`);
      // The grader runs the seed as the soak did, then shrinks its schedule and prints its replay.
      process.stdout.write(`        ${rerunCommand(lab, { label: 'solutions' }, test.number, ` --seed ${seed}`)}\n`);
    }
    if (failing.length > 20) process.stdout.write(`      … and ${failing.length - 20} more failing seeds\n`);
  }
  process.stdout.write(failures === 0 ? 'every seed passed\n' : `${failures} failing seeds: the tests (or the solution) need fixing\n`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
