// Lab 3 under the model checker: the size of the space is pinned, so a change in how states
// are represented (or hashed) cannot change what the search tests explore unnoticed; and
// the search tests alone catch the classic proposer and acceptor bugs, with the same
// properties as the randomized runs.
import { describe, expect, it } from 'vitest';
import { explore, runSeed, type NodeClass, type SearchResult } from '../../framework/testing.ts';
import { replayOutcome } from '../../grader/runTest.ts';
import { paxosSearch } from '../../labs/03-paxos/search.ts';
import type { Paxos } from '../../labs/03-paxos/src/protocol.ts';
import { suite } from '../../labs/03-paxos/suite.ts';
import * as acceptIgnoresBallot from '../../solutions/03-paxos/mutants/accept-ignores-ballot.ts';
import * as ownValue from '../../solutions/03-paxos/mutants/own-value.ts';
import * as promiseBeforeWrite from '../../solutions/03-paxos/mutants/promise-before-write.ts';
import * as promiseInMemory from '../../solutions/03-paxos/mutants/promise-in-memory.ts';
import { PaxosNode } from '../../solutions/03-paxos/paxos.ts';

/** Runs search test `number` of lab 3 on `implementation`, seed 1. */
function searchOf(number: string, implementation: { readonly PaxosNode: NodeClass<Paxos> }): SearchResult {
  const test = suite.tests.find((candidate) => candidate.number === number);
  if (test === undefined) throw new Error(`lab 3 has no test ${number}`);
  const prepared = test.prepare(implementation, 1);
  if (prepared.kind !== 'search') throw new Error(`test ${number} is not a search test`);
  return prepared.run(runSeed(suite.lab, number, 1));
}

describe('a search failure replayed', () => {
  it("names the violation's own event and time, as its trace shows them", () => {
    const { outcome } = searchOf('3.S5', ownValue);
    if (outcome.kind !== 'violation') throw new Error('own-value passed 3.S5');
    const test = suite.tests.find((candidate) => candidate.number === '3.S5')!;
    const replayed = replayOutcome(suite, test, ownValue, 1, [], outcome.path);
    const last = replayed.trace.at(-1)!;
    expect(last.kind).toBe('violation');
    expect(last.timeMs).toBeGreaterThan(0);
    expect(replayed.failure).toMatchObject({ property: 'phase 2 follows its Promises', step: outcome.path.length, traceIndex: last.index, timeMs: last.timeMs });
    expect(replayed.endTimeMs).toBe(last.timeMs);
  });
});

describe('Paxos, 2 proposers and 3 acceptors, under search', () => {
  it('has exactly the pinned number of unique states up to depth 8', () => {
    const result = explore({ ...paxosSearch(PaxosNode, { proposers: 2, acceptors: 3 }), maxDepth: 8 });
    expect(result.outcome).toEqual({ kind: 'limit', limit: 'depth' });
    expect(result.statistics.states).toBe(PINNED_STATES);
    expect(result.statistics.maxDepth).toBe(8);
  });

  it.each([
    ['an acceptor that ignores the ballot on Accept', acceptIgnoresBallot, 'no acceptance below the promise'],
    // On the rule it breaks: 3.S1 checks the proposer's rules (before, the first property to fail was "a chosen value stays chosen").
    ['a proposer that proposes its own value despite the Promises', ownValue, 'phase 2 follows its Promises'],
  ])('3.S1 alone catches %s', (_bug, implementation, property) => {
    const { outcome } = searchOf('3.S1', implementation);
    expect(outcome.kind === 'violation' && outcome.property).toBe(property);
  });

  it('3.S4 catches an acceptor that answers before it writes its promise, at the crash in the middle of its reaction', () => {
    const { outcome } = searchOf('3.S4', promiseBeforeWrite);
    expect(outcome).toMatchObject({
      kind: 'violation',
      property: 'durable before answering',
      message:
        'n0 answered Promise (1, n3) and crashed before the promise was durable: its storage holds no promise and no accepted ' +
        'proposal (it crashed in the middle of a reaction). Write the promise to storage before answering',
      path: [{ kind: 'deliver', from: 3, to: 0, message: { type: 'Prepare', ballot: { round: 1, proposer: 3 } }, crashAfter: 1 }],
    });
  });

  it('3.S4 catches an acceptor that keeps its promise in memory when it crashes between two events', () => {
    const { outcome } = searchOf('3.S4', promiseInMemory);
    expect(outcome.kind === 'violation' && outcome.property).toBe('durable before answering');
    expect(outcome.kind === 'violation' && outcome.message).toMatch(/^n\d answered Promise \(\d, n\d\) and crashed before the promise was durable/);
  });
});

/**
 * Counted once and kept: re-count only for a deliberate change of the solution, the search
 * settings or the properties. A state holds every node's fields, durable storage, random
 * source and pending timers (none fire here, but the proposers' Retry and the learners'
 * AskDecision are set), the messages in flight, and the memories of the properties (the
 * proposed values, who learned what in which incarnation, the acceptances and the
 * acceptors' highest promises and answers, from the history): states that differ only in
 * what the properties remember are different states.
 */
const PINNED_STATES = 5302;
