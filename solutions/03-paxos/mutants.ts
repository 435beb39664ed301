import type { Mutant } from 'distlab/testing';

/**
 * Deliberately broken solutions: classic student bugs, each subtle enough to pass the
 * fault-free smoke test (3.1) and each caught by the test it names, on the property it breaks.
 */
export const mutants: readonly Mutant[] = [
  { name: 'accept-ignores-ballot', bug: 'the acceptor accepts an Accept below its promise', failsTest: '3.3', property: 'no acceptance below the promise' },
  { name: 'no-tiebreak', bug: 'ballots are compared by round only, without the proposer id', failsTest: '3.3', property: 'a promise never decreases' },
  {
    name: 'half-quorum',
    bug: 'a quorum of ceil(N/2) acceptors: half of them, not a majority, when N is even',
    failsTest: '3.4',
    property: 'only a chosen value is learned',
  },
  {
    name: 'own-value',
    bug: 'the proposer proposes its own value despite a value reported in the Promises',
    failsTest: '3.5',
    property: 'a chosen value stays chosen',
  },
  {
    name: 'promise-in-memory',
    bug: 'the acceptor keeps its promise only in memory, not in durable storage',
    failsTest: '3.6',
    property: 'durable before answering',
  },
  {
    name: 'learner-mixes-ballots',
    bug: 'the learner counts acceptances of the same value across different ballots',
    failsTest: '3.7',
    property: 'only a chosen value is learned',
  },
  {
    name: 'promise-before-write',
    bug: 'the acceptor sends its Promise and Accepted first and writes them to durable storage after',
    failsTest: '3.11',
    property: 'durable before answering',
  },
];
