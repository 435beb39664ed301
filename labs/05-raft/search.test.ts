// Lab 5's search configurations, checked against the reference solution and two of its mutants
// (skipped where solutions/ is absent): on three servers, breadth-first search to a stated depth
// finds no violation in the reference, and finds the missing up-to-date check and the Figure 8
// bug on the shortest path to each, in about a second each.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explore, type NodeClass, type SearchResult } from 'distlab/testing';
import { raftSearch, searchScenarios, type RaftConfiguration } from './search.ts';
import type { Raft } from './src/protocol.ts';

const solutions = new URL('../../solutions/05-raft/', import.meta.url);

/** The node class of the reference solution, or of one of its mutants. */
async function nodeOf(name: string): Promise<NodeClass<Raft>> {
  const file = name === 'solutions' ? 'index.ts' : `mutants/${name}.ts`;
  const module = (await import(new URL(file, solutions).href)) as { RaftNode: NodeClass<Raft> };
  return module.RaftNode;
}

function search(node: NodeClass<Raft>, configuration: RaftConfiguration, maxDepth: number): SearchResult {
  return explore({ ...raftSearch(node, configuration), maxDepth });
}

describe.skipIf(!existsSync(solutions))('lab 5 search configurations on the reference solution and its mutants', () => {
  const scenarios = Object.values(searchScenarios).map((scenario) => [scenario.description, scenario] as const);
  it.each(scenarios)('the reference breaks no safety property in any interleaving to the stated depth: %s', async (_description, scenario) => {
    const result = search(await nodeOf('solutions'), scenario.configuration, scenario.maxDepth);
    expect(result.outcome.kind === 'violation' ? `${result.outcome.property}: ${result.outcome.message}` : result.outcome.kind).toBe('limit');
    expect(result.outcome.kind === 'limit' && result.outcome.limit).toBe('depth');
    expect(result.goalsReached.has('a leader is elected')).toBe(true);
  });

  it.each([
    // n0 and n1 hold the committed "a"; n2, empty, asks for votes in term 2 and n0 grants it.
    ['vote-without-up-to-date-check', 'committedEntry', 'leader completeness', 17],
    // n0 leads term 3, copies "a" (term 1) to n2 and commits it; n1 leads term 4 with n2's vote.
    ['commit-previous-term-by-count', 'figureEight', 'leader completeness', 30],
  ] as const)('finds %s in the %s search, on "%s", %i steps from the start', async (mutant, scenario, property, steps) => {
    const { configuration, maxDepth } = searchScenarios[scenario];
    const result = search(await nodeOf(mutant), configuration, maxDepth);
    expect(result.outcome.kind === 'violation' && result.outcome.property).toBe(property);
    expect(result.outcome.kind === 'violation' && result.outcome.path.length).toBe(steps);
  });
});
