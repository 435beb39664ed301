// Lab 2's ring reference on two seeds of 2B.5 (random crashes and restarts) where the handout's
// ring rules once left the cluster settled wrongly for good:
// - seed 1205: a node's old Election, sent again past a successor that was down, went round
//   without that successor after it had come back and won; the smaller node announced itself,
//   and the larger one followed it. A node handed a smaller leader's Coordinator now takes over.
// - seed 197: a node whose Election found every other node dead led without heartbeats. A lone
//   leader now sends heartbeats like any other.
import { describe, expect, it } from 'vitest';
import { runTest } from '../../grader/runTest.ts';
import { suite } from '../../labs/02-election/suite.ts';
import * as reference from '../../solutions/02-election/index.ts';

describe('the ring settles on the highest live id after random crashes and restarts', () => {
  const test = suite.tests.find((candidate) => candidate.number === '2B.5');

  it.each([1205, 197])('on seed %i of 2B.5', (seed) => {
    expect(test).toBeDefined();
    const outcome = runTest(suite, test!, reference, { seeds: [seed], nodeStates: false, shrinkBudget: 0 });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.passed).toBe(true);
  });
});
