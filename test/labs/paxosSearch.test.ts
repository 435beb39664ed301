// Lab 3 under the model checker: the size of the space is pinned, so a change in how states
// are represented (or hashed) cannot change what the search benchmark counts unnoticed;
// and the search tests alone catch the classic proposer and acceptor bugs.
import { describe, expect, it } from 'vitest';
import { explore } from '../../framework/index.ts';
import { runTest } from '../../grader/runTest.ts';
import { paxosSearch } from '../../labs/03-paxos/search.ts';
import { suite } from '../../labs/03-paxos/suite.ts';
import * as acceptIgnoresBallot from '../../solutions/03-paxos/mutants/accept-ignores-ballot.ts';
import * as ownValue from '../../solutions/03-paxos/mutants/own-value.ts';
import { PaxosNode } from '../../solutions/03-paxos/paxos.ts';

describe('Paxos, 2 proposers and 3 acceptors, under search', () => {
  it('has exactly the pinned number of unique states up to depth 8', () => {
    const result = explore({ ...paxosSearch(PaxosNode, { proposers: 2, acceptors: 3 }), maxDepth: 8 });
    expect(result.outcome).toEqual({ kind: 'limit', limit: 'depth' });
    expect(result.statistics.states).toBe(PINNED_STATES);
    expect(result.statistics.maxDepth).toBe(8);
  });

  it.each([
    ['an acceptor that ignores the ballot on Accept', acceptIgnoresBallot],
    ['a proposer that proposes its own value despite the Promises', ownValue],
  ])('the search tests alone catch %s', (_bug, implementation) => {
    const searchTests = suite.tests.filter((test) => test.kind === 'search');
    const failed = searchTests.filter((test) => !runTest(suite, test, implementation, { seeds: [1] }).passed);
    expect(failed.map((test) => test.number)).toContain('3.S1');
  });
});

/** Counted once and kept: re-count only for a deliberate change of the solution or the search settings. */
const PINNED_STATES = 5248;
