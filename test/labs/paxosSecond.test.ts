// Lab 3 graded, through the grader, on a third correct single-decree Paxos and on classic bugs
// made in it:
//
// - test/fixtures/paxos/second, written from the handout alone with other choices where it
//   leaves one open (each Retry's delay drawn once in retryMs and stale Retries left to fire,
//   a proposer's own acceptor prepared first and the others from the highest id down, an
//   acceptance written before the promise and a restart reading the higher of the two as its
//   promise, rounds seen in Promises and acceptances raising the next ballot, Promises counted
//   as a mask of acceptor positions), must pass every graded test, visible and hidden;
// - each folder of test/fixtures/paxos/second-bugs changes one method of it (its first line
//   says how) and must fail the tests named below, on the property named. Those named
//   lowest-ballot-value-behind-* are cheats too: they hide the bug in a state that a model
//   checker taking states equal as data for one would never explore.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';
import { suite } from '../../labs/03-paxos/suite.ts';
import { bugFolders, gradedTests, summary } from './otherImplementations.ts';

const lab = '03-paxos';
const fixtures = join(projectRoot, 'test', 'fixtures', 'paxos');
const second = join(fixtures, 'second');

const graded = await gradedTests(suite);

/** Each bug, and the tests that must fail with it, on the property named. */
const bugs: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'counts-duplicate-promises': { '3.6': 'phase 2 follows its Promises' },
  'counts-duplicate-acceptances': { '3.6': 'a learner learns from what it was told' },
  'lowest-ballot-value': { '3.S5': 'phase 2 follows its Promises' },
  'lowest-ballot-value-with-asks': { '3.S5': 'phase 2 follows its Promises' },
  'keeps-promises-across-retries': { '3.S5': 'phase 2 follows its Promises' },
  // The same bug, switched on only after a Promise order the node marks in two values equal as data: the search must explore both.
  'lowest-ballot-value-behind-negative-zero': { '3.S5': 'phase 2 follows its Promises' },
  'lowest-ballot-value-behind-set-order': { '3.S5': 'phase 2 follows its Promises' },
  'lowest-ballot-value-behind-map-order': { '3.S5': 'phase 2 follows its Promises' },
  'lowest-ballot-value-behind-key-order': { '3.S5': 'phase 2 follows its Promises' },
  'lowest-ballot-value-behind-shared-object': { '3.S5': 'phase 2 follows its Promises' },
  'restart-forgets-accepted': { '3.6': 'a Promise reports the accepted proposal' },
  'learns-each-majority': { '3.2': 'integrity' },
  'nack-promise-ignored': { '3.6': 'a new ballot outranks every Nack' },
  'only-lowest-proposer-retries': { '3.5': 'an undecided proposer tries again' },
  // The same, with a stand-in for each retry it skips: a Prepare of an absurd round to itself, which its acceptor ignores.
  'only-lowest-proposer-retries-with-stand-ins': { '3.5': 'an undecided proposer tries again' },
  // Only the hidden cost test with a proposer that is not a learner sees it retry for ever.
  ...(graded.some((test) => test.number === '3.14') ? { 'forgets-lone-proposer': { '3.14': 'messages for one decision' } } : {}),
};

const bugFolder = bugFolders(fixtures);

describe('lab 3 graded on a third correct Paxos and its classic bugs', () => {
  it('the third correct Paxos passes every graded test, visible and hidden', async () => {
    const runs = await grade({ nodeStates: false, lab, implementation: second, tests: graded.filter((test) => test.kind !== 'search').map((test) => test.number), seeds: 2, shrinkBudget: 0, jobs: 2, typecheck: true });
    const searchNumbers = graded.filter((test) => test.kind === 'search').map((test) => test.number);
    const searches = await grade({ nodeStates: false, lab, implementation: second, tests: searchNumbers, shrinkBudget: 0, jobs: 2 });
    expect(runs.typeErrors).toEqual([]);
    const results = [...runs.tests, ...searches.tests];
    expect(results.map((test) => test.number).sort()).toEqual(graded.map((test) => test.number).sort());
    const notPassed = results.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it.each(Object.keys(bugs))('the bug %s fails the tests that target it', async (name) => {
    const expected = bugs[name] as Readonly<Record<string, string>>;
    const report = await grade({ nodeStates: false, lab, implementation: bugFolder(name), tests: Object.keys(expected), shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(Object.keys(expected).sort());
    const missed = report.tests.filter((test) => test.status !== 'failed' || test.failure?.property !== expected[test.number]);
    expect(missed.length === 0 ? '' : summary(missed)).toBe('');
  });
});
