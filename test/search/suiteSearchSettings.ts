// Builds a lab's search-test settings from plain data, so that worker threads of a parallel
// search (exploreInParallel) can build the same settings as the test that started them.
import { runSeed, type LabSuite, type SearchSettings, type SuiteTest } from '../../framework/testing.ts';
import { paxosBenchSettings } from '../../bench/search.ts';
import type { Paxos } from '../../labs/03-paxos/src/protocol.ts';

const root = new URL('../../', import.meta.url);

/** A lab's suite and one of its tests. */
export async function suiteTest(lab: string, number: string): Promise<{ suite: LabSuite<unknown>; test: SuiteTest<unknown> }> {
  const { suite } = (await import(new URL(`labs/${lab}/suite.ts`, root).href)) as { suite: LabSuite<unknown> };
  const test = suite.tests.find((candidate) => candidate.number === number);
  if (test === undefined) throw new Error(`lab ${lab} has no test ${number}`);
  return { suite, test };
}

/**
 * The settings of search test `number` of `lab` on the implementation that `module` (a path
 * from the repository's root) exports, for the test's seed `testSeed`.
 */
export async function suiteSearchSettings(lab: string, number: string, module: string, testSeed: number): Promise<object> {
  const { suite, test } = await suiteTest(lab, number);
  const implementation = (await import(new URL(module, root).href)) as unknown;
  const prepared = test.prepare(implementation, testSeed);
  if (prepared.kind !== 'search') throw new Error(`test ${number} of lab ${lab} is not a search test`);
  return prepared.settings(runSeed(suite.lab, number, testSeed));
}

/** The Paxos benchmark with a `prune` function that throws once the search is three steps deep: a bug in a suite, not in a node. */
export function throwingPruneSettings(): SearchSettings<Paxos> {
  return {
    ...paxosBenchSettings(),
    prune: (cluster) => {
      if (cluster.nowMs >= 3) throw new Error('this prune function has a bug');
      return false;
    },
  };
}
