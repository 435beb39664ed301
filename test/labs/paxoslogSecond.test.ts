// Lab 6 graded, through the grader, on a third correct server and on classic bugs made in it:
//
// - test/fixtures/paxoslog/second, written from the handout alone with other choices where it
//   leaves one open (the log read from storage on demand, resend ages capped at two periods,
//   Finalizes sent before the leader executes, catch-up in batches of 16 per follower), must pass
//   every graded test, visible and hidden;
// - so must test/fixtures/paxoslog/fourth, also from the handout alone, which keeps a finalized
//   Read answer as it is (the handout allows it) and differs in its windows, batches and resends;
// - each folder of test/fixtures/paxoslog/second-bugs changes one method of it (its first line
//   says how) and must fail the tests named below, on the property named.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';
import { suite } from '../../labs/06-paxoslog/suite.ts';
import { bugFolders, gradedTests, notPassedOnEveryTest, summary } from './otherImplementations.ts';

const lab = '06-paxoslog';
const fixtures = join(projectRoot, 'test', 'fixtures', 'paxoslog');
const second = join(fixtures, 'second');

const graded = await gradedTests(suite);

/** Each bug, and the tests that must fail with it, on the property named. */
const bugs: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'store-keeps-old-epoch': { '6.7': 'replies follow storage' },
  'finalize-any-epoch': { '6.4': 'a finalized slot never changes' },
  'executes-out-of-order': { '6.2': 'execution follows the finalized log' },
  'ignores-last-used-slot': { '6.7': 'an operation stored by a majority is kept' },
  'reads-from-every-server': { '6.S3': 'epochs are owned' },
  'leaves-holes-unfilled': { '6.17': 'every operation returns' },
  'counts-stale-read-answers': { '6.S6': 'an operation stored by a majority is kept', '6.27': 'an operation stored by a majority is kept' },
  'overthrow-needs-higher-epoch': { '6.18': 'only a higher epoch refuses' },
  'walk-keeps-last-answer': { '6.S7': 'an operation stored by a majority is kept' },
  'replies-before-finalized-write': { '6.S8': 'an operation returns only once finalized' },
  'walk-ignores-stored-noops': { '6.S9': 'an operation stored by a majority is kept', '6.26': 'an operation stored by a majority is kept' },
  'walk-starts-after-last-finalized': { '6.17': 'every operation returns' },
  'restart-skips-replay': { '6.14': 'client histories are linearizable' },
  'query-reports-past-highest-finalized': { '6.8': 'completed operations reach every live replica' },
  'store-unflags-finalized': { '6.S3': 'a finalized slot never changes' },
  'counts-old-epoch-grants': { '6.S4': 'epochs are owned' },
  'counts-old-epoch-store-acks': { '6.21': 'finalized only after a majority stored it' },
  'query-rejection-ignored': { '6.13': 'a rejected leader steps down' },
  'free-slot-after-own-log': { '6.5': 'an operation stored by a majority is kept' },
};

const bugFolder = bugFolders(fixtures);

describe('lab 6 graded on a third correct server and its classic bugs', () => {
  it('the third correct server passes every graded test, visible and hidden', async () => {
    const runs = await grade({ nodeStates: false, lab, implementation: second, tests: graded.filter((test) => test.kind !== 'search').map((test) => test.number), seeds: 2, shrinkBudget: 0, jobs: 2, typecheck: true });
    const searchNumbers = graded.filter((test) => test.kind === 'search').map((test) => test.number);
    const searches = searchNumbers.length === 0 ? { tests: [] } : await grade({ nodeStates: false, lab, implementation: second, tests: searchNumbers, shrinkBudget: 0, jobs: 2 });
    expect(runs.typeErrors).toEqual([]);
    const results = [...runs.tests, ...searches.tests];
    expect(results.map((test) => test.number).sort()).toEqual(graded.map((test) => test.number).sort());
    const notPassed = results.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it('a fourth correct server, which keeps a finalized Read answer as it is instead of storing it again, passes every graded test', async () => {
    expect(await notPassedOnEveryTest(lab, join(fixtures, 'fourth'), graded)).toBe('');
  });

  it.each(Object.keys(bugs))('the bug %s fails the tests that target it', async (name) => {
    const expected = bugs[name] as Readonly<Record<string, string>>;
    const report = await grade({ nodeStates: false, lab, implementation: bugFolder(name), tests: Object.keys(expected), shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(Object.keys(expected).sort());
    const missed = report.tests.filter((test) => test.status !== 'failed' || test.failure?.property !== expected[test.number]);
    expect(missed.length === 0 ? '' : summary(missed)).toBe('');
  });
});
