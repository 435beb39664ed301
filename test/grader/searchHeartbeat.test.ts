// A search tells the grader's child it is alive as it goes, not only through the
// submission's reactions: a search that finds the reactions it needs among those it kept calls
// no handler for long stretches, and on a busy machine would be taken for one that never returns.
// And a probing search of several seeds reports what all of them explored.
import { describe, expect, it } from 'vitest';
import { runTest } from '../../grader/runTest.ts';
import suite from '../../labs/03-paxos/suite.ts';
import { PaxosNode } from '../../solutions/03-paxos/index.ts';

describe('a graded breadth-first search', () => {
  it('beats after each chunk of states it expands, with no realm to beat for it', () => {
    const test = suite.tests.find((candidate) => candidate.number === '3.S1');
    if (test === undefined || test.kind !== 'search') throw new Error('lab 3 has no search test 3.S1');
    let beats = 0;
    const outcome = runTest(suite, test, { PaxosNode }, { seeds: [1], onHeartbeat: () => beats++ });
    expect(outcome.passed).toBe(true);
    const states = outcome.measurements?.states ?? 0;
    expect(states).toBeGreaterThan(10_000);
    // A chunk is a few thousand states at most: a beat for each.
    expect(beats).toBeGreaterThan(states / 10_000);
  });

  it('beats after each random walk of a probing search', () => {
    const test = suite.tests.find((candidate) => candidate.number === '3.S3');
    if (test === undefined || test.kind !== 'search') throw new Error('lab 3 has no probing search 3.S3');
    let beats = 0;
    const outcome = runTest(suite, test, { PaxosNode }, { seeds: [1], onHeartbeat: () => beats++ });
    expect(outcome.passed).toBe(true);
    // 3.S3 stops at its first decision, a few dozen walks in: a beat for each walk taken.
    expect(beats).toBeGreaterThanOrEqual(5);
  });
});

describe('what a probing search of several seeds reports', () => {
  it('the states of every seed together, the deepest path, and the limit any seed reached', () => {
    const test = suite.tests.find((candidate) => candidate.number === '3.S3');
    if (test === undefined || test.kind !== 'search') throw new Error('lab 3 has no probing search 3.S3');
    const alone = [1, 2].map((seed) => runTest(suite, test, { PaxosNode }, { seeds: [seed] }).measurements ?? {});
    const together = runTest(suite, test, { PaxosNode }, { seeds: [1, 2] }).measurements ?? {};
    expect(together['states']).toBe((alone[0]?.['states'] ?? 0) + (alone[1]?.['states'] ?? 0));
    expect(together['depth']).toBe(Math.max(alone[0]?.['depth'] ?? 0, alone[1]?.['depth'] ?? 0));
    expect(together['limitReached']).toBe(alone.some((figures) => figures['limitReached'] === 1) ? 1 : undefined);
    expect(together['states']).toBeGreaterThan(alone[0]?.['states'] ?? 0);
  });
});
