import { checkLinearizability, keyValueModel, registerModel, type SequentialModel } from '../framework/testing.ts';
import { generateHistory, type GeneratedHistorySettings } from '../framework/linearizability/generateHistory.ts';
import { RandomSource } from '../framework/_internals/random.ts';

/** Histories in the corpus. */
const corpusSize = 120;
/** The step budget of each check: past it a history counts as `unknown`. */
const maxSteps = 500_000;

/** The corpus: sizes the labs produce (50–2,000 operations, 5–50 clients), with unknown results and operations that never return. */
export function linearizabilityCorpus(): GeneratedHistorySettings[] {
  const random = RandomSource.fork(1, 'linearizability-corpus');
  return Array.from({ length: corpusSize }, (_unused, index) => ({
    model: index % 4 === 3 ? ('register' as const) : ('kv' as const),
    operations: random.integer(50, 2000),
    clients: random.integer(5, 50),
    keys: random.integer(1, 5),
    seed: `corpus/${index}`,
    unknownOutputChance: 0.05,
    neverReturnChance: 0.01,
  }));
}

interface Checked {
  readonly settings: GeneratedHistorySettings;
  readonly verdict: string;
  readonly steps: number;
  readonly ms: number;
}

function check(settings: GeneratedHistorySettings): Checked {
  const history = generateHistory(settings);
  const model = (settings.model === 'kv' ? keyValueModel : registerModel) as SequentialModel<unknown, unknown, unknown>;
  const started = performance.now();
  const result = checkLinearizability(model, history as never, { maxSteps });
  return { settings, verdict: result.verdict, steps: result.steps, ms: performance.now() - started };
}

/**
 * The "linearizability" workload: checks the corpus, the goal history (2,000 operations, 50
 * clients, concurrent appends to one key) and one of appends that puts erase (10 clients, one
 * key), and reports the total time, the verdicts, and the
 * largest history checked within a second.
 */
export function runLinearizability(): Record<string, unknown> {
  const round = (value: number) => Number(value.toFixed(1));
  const corpus = linearizabilityCorpus().map(check);
  const verdicts: Record<string, number> = {};
  for (const checked of corpus) verdicts[checked.verdict] = (verdicts[checked.verdict] ?? 0) + 1;
  const decidedWithinSecond = corpus.filter((checked) => checked.verdict !== 'unknown' && checked.ms <= 1000);
  const largest = decidedWithinSecond.reduce<Checked | null>((best, checked) => (best === null || checked.settings.operations > best.settings.operations ? checked : best), null);
  const totalMs = corpus.reduce((sum, checked) => sum + checked.ms, 0);
  const operations = corpus.reduce((sum, checked) => sum + checked.settings.operations, 0);
  const goal = check({ model: 'kv', operations: 2000, clients: 50, keys: 1, seed: 'goal', unknownOutputChance: 0.05, neverReturnChance: 0.01, appendChance: 1 });
  // As a key-value kit's clients make them: many concurrent appends that later puts erase.
  const puts = check({ model: 'kv', operations: 2000, clients: 10, keys: 1, seed: 'puts', unknownOutputChance: 0, neverReturnChance: 0, appendChance: 0.85 });
  const slowest = [...corpus].sort((left, right) => right.ms - left.ms).slice(0, 5);
  return {
    workload: 'linearizability',
    histories: corpus.length,
    operations,
    verdicts,
    totalMs: round(totalMs),
    operationsPerSec: Math.round(operations / (totalMs / 1000)),
    largestWithinOneSecond: largest === null ? null : { operations: largest.settings.operations, clients: largest.settings.clients, model: largest.settings.model, ms: round(largest.ms) },
    slowest: slowest.map((checked) => ({ operations: checked.settings.operations, clients: checked.settings.clients, keys: checked.settings.keys, model: checked.settings.model, verdict: checked.verdict, steps: checked.steps, ms: round(checked.ms) })),
    goal: { operations: 2000, clients: 50, keys: 1, verdict: goal.verdict, steps: goal.steps, ms: round(goal.ms) },
    appendsThenPuts: { operations: 2000, clients: 10, keys: 1, verdict: puts.verdict, steps: puts.steps, ms: round(puts.ms) },
    maxSteps,
    // Every generated history is linearizable by construction, so any other verdict is a failure of the checker.
    deterministic: true,
    node: process.version,
  };
}
