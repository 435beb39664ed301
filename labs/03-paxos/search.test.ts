// Lab 3's search tests, checked against the reference solution and its mutants (skipped where
// solutions/ is absent): 3.S3's goal is no lottery, and 3.S5 finds each classic proposer bug
// on the shortest path to it.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { probe, runSeed, type NodeClass, type PreparedSearch } from 'distlab/testing';
import { paxosSearch } from './search.ts';
import type { Paxos } from './src/protocol.ts';
import { probeConfiguration, probeWalks, suite } from './suite.ts';

const solutions = new URL('../../solutions/03-paxos/', import.meta.url);

/** The node class of the reference solution, or of one of its mutants. */
async function nodeOf(name: string): Promise<NodeClass<Paxos>> {
  const file = name === 'solutions' ? 'paxos.ts' : `mutants/${name}.ts`;
  const module = (await import(new URL(file, solutions).href)) as { PaxosNode: NodeClass<Paxos> };
  return module.PaxosNode;
}

/** Search test `number` of the suite, prepared for `node`. */
function prepareSearch(number: string, node: NodeClass<Paxos>): PreparedSearch {
  const test = suite.tests.find((candidate) => candidate.number === number);
  if (test === undefined) throw new Error(`lab 3 has no test ${number}`);
  const prepared = test.prepare({ PaxosNode: node }, 1);
  if (prepared.kind !== 'search') throw new Error(`test ${number} is not a search test`);
  return prepared;
}

describe.skipIf(!existsSync(solutions))('lab 3 search tests on the reference solution and its mutants', () => {
  it('3.S3: a correct solution chooses a value in enough random walks that missing the goal in all of them is out of reach', async () => {
    const node = await nodeOf('solutions');
    const settings = paxosSearch(node, probeConfiguration);
    const walks = 600;
    let reached = 0;
    for (let walk = 1; walk <= walks; walk++) {
      const result = probe(settings, { probes: 1, depth: probeWalks.depth, seed: `goal rate/${walk}` });
      if (result.goalsReached.has('a value is chosen')) reached++;
    }
    // Measured: 6.9% of 3,000 walks. At 5% or more, a seed of 3.S3 misses the goal in all its
    // walks with a chance below 0.95^300 < 2e-7.
    const rate = reached / walks;
    expect(rate).toBeGreaterThanOrEqual(0.05);
    expect((1 - rate) ** probeWalks.probes).toBeLessThan(1e-6);
  });

  it.each([
    ['first-promise-value', 'phase 2 follows its Promises', 18],
    ['late-promise-counts', 'phase 2 follows its Promises', 7],
    ['same-ballot-retry', 'a ballot is used once', 5],
    ['own-value', 'phase 2 follows its Promises', 9],
  ])('3.S5 catches %s on "%s", %i steps from the start', async (name, property, steps) => {
    const result = prepareSearch('3.S5', await nodeOf(name)).run(runSeed(suite.lab, '3.S5', 1));
    expect(result.outcome.kind === 'violation' && result.outcome.property).toBe(property);
    expect(result.outcome.kind === 'violation' && result.outcome.path.length).toBe(steps);
  });
});
