// Lab 5's search configurations, checked against the reference solution and two of its mutants
// (skipped where solutions/ is absent): on three servers, breadth-first search to a stated depth
// finds no violation in the reference, and finds the missing up-to-date check and the Figure 8
// bug on the shortest path to each, in well under a second.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explore, type NodeClass, type SearchResult } from 'distlab/testing';
import { raftSearch, type RaftConfiguration } from './search.ts';
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

/** Each earlier history with the bounds that keep it to seconds: terms, and one message in flight per link. */
const bounded: Readonly<Record<string, { readonly configuration: RaftConfiguration; readonly depth: number }>> = {
  'elections alone': { configuration: { history: 'none', maxTerm: 2, linkCapacity: 1 }, depth: 14 },
  'a committed entry on n0 and n1': { configuration: { history: 'committed', maxTerm: 3, linkCapacity: 1 }, depth: 20 },
  'conflicting entries of terms 1 and 2 (Figure 8)': { configuration: { history: 'conflicting', maxTerm: 4, linkCapacity: 1 }, depth: 20 },
};

describe.skipIf(!existsSync(solutions))('lab 5 search configurations on the reference solution and its mutants', () => {
  it.each(Object.keys(bounded))('the reference breaks no safety property in any interleaving to the stated depth: %s', async (name) => {
    const { configuration, depth } = bounded[name] as (typeof bounded)[string];
    const result = search(await nodeOf('solutions'), configuration, depth);
    expect(result.outcome.kind === 'violation' ? `${result.outcome.property}: ${result.outcome.message}` : result.outcome.kind).toBe('limit');
    expect(result.outcome.kind === 'limit' && result.outcome.limit).toBe('depth');
    expect(result.goalsReached.has('a leader is elected')).toBe(true);
  });

  it.each([
    // n0 and n1 hold the committed "a"; n2, empty, asks for votes in term 2 and n0 grants it.
    ['vote-without-up-to-date-check', 'a committed entry on n0 and n1', 'leader completeness', 13],
    // n0 leads term 3, copies "a" (term 1) to n2 and commits it; n1 leads term 4 with n2's vote.
    ['commit-previous-term-by-count', 'conflicting entries of terms 1 and 2 (Figure 8)', 'leader completeness', 20],
  ])('finds %s, with %s, on "%s", %i steps from the start', async (mutant, name, property, steps) => {
    const { configuration, depth } = bounded[name] as (typeof bounded)[string];
    const result = search(await nodeOf(mutant), configuration, depth);
    expect(result.outcome.kind === 'violation' && result.outcome.property).toBe(property);
    expect(result.outcome.kind === 'violation' && result.outcome.path.length).toBe(steps);
  });
});
