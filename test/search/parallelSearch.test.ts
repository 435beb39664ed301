// Search on worker threads finds what one thread finds: the same outcome, the same number of
// states and transitions, the same goals at the same depths, and the same (shortest or
// shortened) path to a violation, whatever the number of threads. Checked on every lab's
// search tests, breadth-first and random walks, on the reference and on mutants they catch.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeSearchEvent, exploreInParallel, explore, runSeed, SettingsError, type SearchResult } from '../../framework/testing.ts';
import { paxosBenchSettings } from '../../bench/search.ts';
import { suiteTest, throwingPruneSettings } from './suiteSearchSettings.ts';

const settingsModule = new URL('./suiteSearchSettings.ts', import.meta.url);
const solutions = new URL('../../solutions/', import.meta.url);

/** Everything a search reports that must not depend on the number of threads. */
function summary(result: SearchResult) {
  const { outcome, statistics, goalsReached } = result;
  const path = 'path' in outcome ? outcome.path.map(describeSearchEvent) : [];
  const { kind } = outcome;
  const what =
    outcome.kind === 'violation'
      ? `${outcome.property}: ${outcome.message}`
      : outcome.kind === 'exception'
        ? `${outcome.node}: ${outcome.message}`
        : outcome.kind === 'goal-found'
          ? outcome.goal
          : outcome.kind === 'limit'
            ? outcome.limit
            : '';
  const { states, transitions, maxDepth, statesByDepth } = statistics;
  return { kind, what, path, states, transitions, maxDepth, statesByDepth, goals: [...goalsReached] };
}

/** Search test `number` of `lab` on `module`, on one thread and on `workers` worker threads. */
async function bothWays(lab: string, number: string, module: string, workers: number) {
  const { suite, test } = await suiteTest(lab, number);
  const implementation = (await import(new URL(`../../${module}`, import.meta.url).href)) as unknown;
  const prepared = test.prepare(implementation, 1);
  if (prepared.kind !== 'search') throw new Error(`${number} is not a search test`);
  const seed = runSeed(suite.lab, number, 1);
  const one = summary(prepared.run(seed));
  const many = summary(
    await prepared.runInParallel(seed, { workers, settingsFrom: { module: settingsModule, exportName: 'suiteSearchSettings', arguments: [lab, number, module, 1] } }),
  );
  return { one, many };
}

// Every breadth-first search test of every lab.
const reference: readonly (readonly [string, string, string])[] = [
  ['01-mutex', '1C.8', 'solutions/01-mutex/index.ts'],
  ['01-mutex', '1C.9', 'solutions/01-mutex/index.ts'],
  ['03-paxos', '3.S1', 'solutions/03-paxos/index.ts'],
  ['03-paxos', '3.S2', 'solutions/03-paxos/index.ts'],
  ['03-paxos', '3.S4', 'solutions/03-paxos/index.ts'],
  ['03-paxos', '3.S5', 'solutions/03-paxos/index.ts'],
  ['04-multipaxos', '4.S1', 'solutions/04-multipaxos/index.ts'],
  ['04-multipaxos', '4.S2', 'solutions/04-multipaxos/index.ts'],
  ['04-multipaxos', '4.S3', 'solutions/04-multipaxos/index.ts'],
  ['04-multipaxos', '4.S4', 'solutions/04-multipaxos/index.ts'],
  ['04-multipaxos', '4.S5', 'solutions/04-multipaxos/index.ts'],
  ['05-raft', '5A.S1', 'solutions/05-raft/index.ts'],
  ['05-raft', '5A.S2', 'solutions/05-raft/index.ts'],
  ['05-raft', '5C.S1', 'solutions/05-raft/index.ts'],
  ['06-paxoslog', '6.S1', 'solutions/06-paxoslog/index.ts'],
  ['06-paxoslog', '6.S2', 'solutions/06-paxoslog/index.ts'],
  ['06-paxoslog', '6.S3', 'solutions/06-paxoslog/index.ts'],
  ['06-paxoslog', '6.S4', 'solutions/06-paxoslog/index.ts'],
];

// Every random-walk search test of every lab.
const walks: readonly (readonly [string, string, string])[] = [
  ['03-paxos', '3.S3', 'solutions/03-paxos/index.ts'],
  ['04-multipaxos', '4.S6', 'solutions/04-multipaxos/index.ts'],
  ['04-multipaxos', '4.S7', 'solutions/04-multipaxos/index.ts'],
  ['06-paxoslog', '6.S5', 'solutions/06-paxoslog/index.ts'],
];

const mutants: readonly (readonly [string, string, string, number])[] = [
  ['03-paxos', '3.S1', 'solutions/03-paxos/mutants/own-value.ts', 2],
  ['03-paxos', '3.S4', 'solutions/03-paxos/mutants/promise-before-write.ts', 3],
  ['04-multipaxos', '4.S4', 'solutions/04-multipaxos/mutants/leader-skips-phase-one.ts', 2],
  ['06-paxoslog', '6.S1', 'solutions/06-paxoslog/mutants/store-below-epoch.ts', 2],
  ['06-paxoslog', '6.S3', 'solutions/06-paxoslog/mutants/leader-skips-read.ts', 3],
  // Random walks: the same walk breaks the property first, and its path shortens the same way.
  ['04-multipaxos', '4.S6', 'solutions/04-multipaxos/mutants/acceptor-forgets-promise-on-restart.ts', 2],
  ['06-paxoslog', '6.S5', 'solutions/06-paxoslog/mutants/epoch-forgotten-on-restart.ts', 3],
];

describe.skipIf(!existsSync(solutions))('breadth-first search on worker threads', () => {
  it.each(reference)('%s %s on the reference: the same outcome, states and goals on 2 workers as on one thread', async (lab, number, module) => {
    const { one, many } = await bothWays(lab, number, module, 2);
    expect(one.states).toBeGreaterThan(1);
    expect(many).toEqual(one);
  });

  it.each(walks)('%s %s on the reference: the same goals, depths and states seen in the random walks on 2 workers', async (lab, number, module) => {
    const { one, many } = await bothWays(lab, number, module, 2);
    expect(one.goals.length).toBeGreaterThan(0);
    expect(many).toEqual(one);
  });

  it.each(mutants)('%s %s on %s: the same violation and the same shortest path on %i workers', async (lab, number, module, workers) => {
    const { one, many } = await bothWays(lab, number, module, workers);
    expect(one.kind).toBe('violation');
    expect(many).toEqual(one);
  });
});

describe('breadth-first search on worker threads, its limits and its settings', () => {
  const source = { module: new URL('../../bench/search.ts', import.meta.url), exportName: 'paxosBenchSettings' };

  it('finds the pinned number of states at every depth of the Paxos benchmark, on one thread and on 1, 2 and 3 workers', async () => {
    // Lab 3's reference, 2 proposers and 3 acceptors, no timers: what a change in how states are kept must not alter.
    const pinned = [1, 6, 24, 68, 150, 282, 538, 1212, 3021, 7086, 14526];
    const settings = { ...paxosBenchSettings(), maxDepth: 10 };
    expect(explore(settings).statistics.statesByDepth).toEqual(pinned);
    for (const workers of [1, 2, 3]) {
      const result = await exploreInParallel(settings, { workers, settingsFrom: source });
      expect(result.statistics).toMatchObject({ states: 26_914, statesByDepth: pinned, workers });
    }
  });

  it('reports a worker whose search failed (a bug in the suite\'s prune function), and the next search still runs', async () => {
    const broken = { module: settingsModule, exportName: 'throwingPruneSettings' };
    expect(() => explore(throwingPruneSettings())).toThrow('this prune function has a bug');
    await expect(exploreInParallel(throwingPruneSettings(), { workers: 2, settingsFrom: broken })).rejects.toThrow(/a search worker failed: .*this prune function has a bug/s);
    const after = await exploreInParallel({ ...paxosBenchSettings(), maxDepth: 6 }, { workers: 2, settingsFrom: source });
    expect(after.statistics.states).toBe(1 + 6 + 24 + 68 + 150 + 282 + 538);
  });

  it('stops at the same state limit, with the same count, as one thread', async () => {
    const settings = { ...paxosBenchSettings(), maxStates: 5_000 };
    const one = summary(explore(settings));
    const many = summary(await exploreInParallel(settings, { workers: 2, settingsFrom: source }));
    expect(one).toMatchObject({ kind: 'limit', what: 'states', states: 5_000 });
    expect(many).toEqual(one);
  });

  it('refuses workers whose settings give another initial state, naming the function', async () => {
    const settings = { ...paxosBenchSettings(), inputs: [] };
    await expect(exploreInParallel(settings, { workers: 1, settingsFrom: source })).rejects.toThrow(
      /the settings from paxosBenchSettings give the workers another initial state than the search's own/,
    );
  });

  it('refuses a module without the named function, and a number of workers that is not a whole number', async () => {
    await expect(exploreInParallel(paxosBenchSettings(), { workers: 1, settingsFrom: { ...source, exportName: 'nothingHere' } })).rejects.toThrow(
      /exports no function named nothingHere/,
    );
    await expect(exploreInParallel(paxosBenchSettings(), { workers: 0, settingsFrom: source })).rejects.toThrow(SettingsError);
  });
});
