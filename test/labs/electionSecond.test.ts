// Lab 2 graded, through the grader, on a third election implementation written from the
// handout alone (test/fixtures/election/second) and on classic student bugs made in it
// (test/fixtures/election/second-bugs, one folder each; its first line says the bug):
//
// - the implementation chooses differently wherever the handout leaves a choice (a watchdog
//   that wakes every 0.5 to 1 × suspectAfterMs and suspects a leader silent for
//   suspectAfterMs; bully Elections, Coordinators and heartbeats sent highest id first, no
//   heartbeat at once after a Coordinator, stale timers ignored by election number rather than
//   cancelled, an unchanged leader not reported again unless an election ends; a Coordinator
//   from a lower id never reported, only answered by an election; ring Acks sent after the
//   reaction's own sends, message ids drawn afresh at each start, a new ring leader's first
//   heartbeat at once, the participant's Coordinator timeout set once when it becomes one):
//   it must pass every graded test, visible and hidden;
// - each bug must fail the tests named for it here.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';
import { suite } from '../../labs/02-election/suite.ts';
import { bugFolders, gradedTests, summary } from './otherImplementations.ts';

const lab = '02-election';
const fixtures = join(projectRoot, 'test', 'fixtures', 'election');
const second = join(fixtures, 'second');

const graded = await gradedTests(suite);

/** Which tests each bug must fail (only those run, to keep this file short). */
const bugs: Readonly<Record<string, readonly string[]>> = {
  'bully-ok-without-own-election': ['2A.7'],
  'bully-answers-every-election': ['2A.1'],
  'bully-declares-despite-ok': ['2A.7'],
  'bully-heartbeat-resets-nothing': ['2A.14'],
  'bully-leader-answers-without-election': ['2A.15'],
  'bully-ids-compared-as-text': ['2A.17'],
  'bully-leader-ignores-suspicion': ['2A.18'],
  'ring-misses-own-id': ['2B.1'],
  // Only the message count, to keep this file short: in most other ring tests the flood of Coordinators sent past live nodes ends at the event limit.
  'ring-acks-elections-only': ['2B.10'],
  'ring-counts-skips-as-hops': ['2B.8'],
  'ring-skips-one-dead': ['2B.14'],
  'ring-coordinator-never-dropped': ['2B.15'],
  'ring-alone-never-leads': ['2B.17'],
  'ring-ids-compared-as-text': ['2B.18'],
};

const bugFolder = bugFolders(fixtures);

describe('lab 2 graded on a third implementation and its classic bugs', () => {
  it('the third correct implementation passes every graded test, visible and hidden', async () => {
    const report = await grade({ nodeStates: false, lab, implementation: second, tests: graded.map((test) => test.number), jobs: 2, shrinkBudget: 0 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(graded.map((test) => test.number).sort());
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it.each(Object.keys(bugs))('the bug %s fails the tests named for it', async (name) => {
    const tests = bugs[name] as readonly string[];
    const report = await grade({ nodeStates: false, lab, implementation: bugFolder(name), tests, shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual([...tests].sort());
    const passed = report.tests.filter((test) => test.status === 'passed');
    expect(passed.length === 0 ? '' : summary(passed)).toBe('');
  });
});
