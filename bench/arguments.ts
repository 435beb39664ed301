// The benchmark command's arguments (bench/run.ts): what each workload takes, checked before
// anything runs, so that a mistyped option is a usage message and not a silent default.
import { parseArgs } from 'node:util';
import type { FloodOptions } from './flood.ts';

export const usage =
  'usage: npm run bench -- [flood] [--nodes 5] [--initial 10] [--deliveries 1000000] [--seed 1] [--compare] [--isolated]\n' +
  '       npm run bench -- scaling [--initial 10] [--deliveries 1000000] [--seed 1] [--isolated]\n' +
  '       npm run bench -- search [--seconds 30] [--states N] [--workers 1]\n' +
  '       npm run bench -- linearizability\n' +
  '       npm run bench -- viewer\n' +
  '       npm run bench -- suite <lab> [--part E,F] [--graded]';

/** The cluster sizes of the scaling table. */
export const scalingNodeCounts: readonly number[] = [5, 20, 100, 500, 1000];

/** A command line the benchmark does not take: its message says why. */
export class UsageError extends Error {}

interface NumericOption {
  readonly name: keyof FloodOptions;
  readonly fallback: number;
  readonly min: number;
}

export const numericOptions: readonly NumericOption[] = [
  { name: 'nodes', fallback: 5, min: 2 },
  { name: 'initial', fallback: 10, min: 1 },
  { name: 'deliveries', fallback: 1_000_000, min: 1 },
  { name: 'seed', fallback: 1, min: 0 },
];

export interface Arguments {
  readonly workload: string;
  readonly options: FloodOptions;
  readonly compare: boolean;
  /** Whether the nodes run in a realm of their own (the grader's boundary). */
  readonly isolated: boolean;
  /** The search benchmark's time budget. */
  readonly seconds: number;
  /** The search benchmark's worker threads. */
  readonly workers: number;
  /**
   * The search benchmark's number of unique states, when given: every run then explores the
   * same states, whatever its thread count, so two runs compare the same work.
   */
  readonly states: number | undefined;
  /** The suite workload's lab. */
  readonly lab: string | undefined;
  /** The suite workload: also time `npm run grade`. */
  readonly graded: boolean;
  /** The suite workload: only these parts of the lab (all when empty). */
  readonly parts: readonly string[];
}

/** The workload and its options from `argv` (the arguments after `npm run bench --`); a {@link UsageError} for what it does not take. */
export function parseArguments(argv: string[]): Arguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        nodes: { type: 'string' },
        initial: { type: 'string' },
        deliveries: { type: 'string' },
        seed: { type: 'string' },
        compare: { type: 'boolean', default: false },
        isolated: { type: 'boolean', default: false },
        seconds: { type: 'string' },
        workers: { type: 'string' },
        states: { type: 'string' },
        graded: { type: 'boolean', default: false },
        part: { type: 'string' },
      },
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /^Unknown option '([^']*)'/.exec(message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown !== null) {
      throw new UsageError(`unknown option ${unknown[1]}; the options are --nodes, --initial, --deliveries, --seed, --compare, --isolated, (search) --seconds, --states and --workers, and (suite) --part and --graded`);
    }
    throw new UsageError(message);
  }
  const { values, positionals } = parsed;
  const suiteWorkload = positionals[0] === 'suite';
  if (suiteWorkload && positionals.length !== 2) throw new UsageError('the suite workload takes one lab: npm run bench -- suite raft');
  if (!suiteWorkload && positionals.length > 1) throw new UsageError(`expected at most one workload name, got: ${positionals.join(' ')}`);
  if (!suiteWorkload && values.graded === true) throw new UsageError('--graded is for the suite workload');
  if (!suiteWorkload && values.part !== undefined) throw new UsageError('--part is for the suite workload');
  const parts = (values.part ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (values.part !== undefined && parts.length === 0) throw new UsageError('--part needs the names of parts, like --part E or --part E,F');
  const options = {} as Record<keyof FloodOptions, number>;
  for (const option of numericOptions) {
    const text = values[option.name];
    if (text === undefined) {
      options[option.name] = option.fallback;
      continue;
    }
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isSafeInteger(value) || value < option.min) {
      throw new UsageError(`--${option.name} must be an integer >= ${option.min}, not ${JSON.stringify(text)}`);
    }
    options[option.name] = value;
  }
  const workload = positionals[0] ?? 'flood';
  const floodOptionsGiven = numericOptions.some((option) => values[option.name] !== undefined) || values.compare === true || values.isolated === true;
  if (workload === 'search' && floodOptionsGiven) {
    throw new UsageError('the search workload takes only --seconds, --states and --workers (--nodes, --initial, --deliveries, --seed, --compare and --isolated are for flood)');
  }
  if (workload === 'scaling' && values.nodes !== undefined) {
    throw new UsageError(`the scaling workload runs ${scalingNodeCounts.join(', ')} nodes; --nodes is for flood`);
  }
  if (workload !== 'search' && values.seconds !== undefined) throw new UsageError('--seconds is for the search workload');
  if (workload !== 'search' && values.workers !== undefined) throw new UsageError('--workers is for the search workload');
  if (workload !== 'search' && values.states !== undefined) throw new UsageError('--states is for the search workload');
  const states = values.states === undefined ? undefined : Number(values.states);
  if (states !== undefined && !(Number.isSafeInteger(states) && states >= 1 && states <= 100_000_000)) {
    throw new UsageError(`--states must be a whole number of states from 1 to 100000000, not ${JSON.stringify(values.states)}`);
  }
  const workers = values.workers === undefined ? 1 : Number(values.workers);
  if (!(Number.isSafeInteger(workers) && workers >= 1 && workers <= 64)) {
    throw new UsageError(`--workers must be a whole number of worker threads from 1 to 64, not ${JSON.stringify(values.workers)}`);
  }
  // With a number of states, the time budget is only a guard against a search that never gets there.
  const seconds = values.seconds === undefined ? (states === undefined ? 30 : 600) : Number(values.seconds);
  if (!(seconds > 0 && seconds <= 3600)) throw new UsageError(`--seconds must be a number of seconds between 0 and 3600, not ${JSON.stringify(values.seconds)}`);
  if (suiteWorkload && floodOptionsGiven) throw new UsageError('the suite workload takes only --part and --graded');
  return { workload, options, compare: values.compare === true, isolated: values.isolated === true, seconds, workers, states, lab: positionals[1], graded: values.graded === true, parts };
}

