// Lab 1 graded, through the grader, on a third mutex implementation written from the handout
// alone (test/fixtures/mutex/second) and on classic student bugs made in it
// (test/fixtures/mutex/second-bugs, one folder each; its first line says the bug):
//
// - the implementation chooses differently wherever the handout leaves a choice (the
//   coordinator's line an array read from a moving index; the ring's order taken from
//   this.servers; Lamport's queue a map of each node's one pending stamp, its condition (2) read
//   from the last stamp heard from each node and "later" taken in the (timestamp, id) order, so an
//   equal-stamped Request of a larger id counts, as in the handout's 1C example; Requests and
//   Releases sent in descending id order; Ricart–Agrawala's deferred Replies sent newest first):
//   it must pass every graded test, visible and hidden;
// - a fourth (test/fixtures/mutex/numeric-stamps) takes the other readings the handout allows
//   in the clocked parts: "stamped later" as plain numbers, and clocks moved without the + 1;
// - each bug must fail the tests named for it here.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';
import { suite } from '../../labs/01-mutex/suite.ts';
import { changedCopy } from './cheatFolders.ts';
import { bugFolders, gradedTests, summary } from './otherImplementations.ts';

const lab = '01-mutex';
const fixtures = join(projectRoot, 'test', 'fixtures', 'mutex');
const second = join(fixtures, 'second');

const graded = await gradedTests(suite);

/** Which tests each bug must fail (only those run, to keep this file short). */
const bugs: Readonly<Record<string, readonly string[]>> = {
  'centralized-frees-on-handover': ['1A.2'],
  'token-wants-after-release': ['1B.1'],
  'lamport-queue-by-arrival': ['1C.2', '1C.8'],
  'lamport-release-keeps-clock': ['1C.5'],
  'ra-replies-while-requesting': ['1D.2'],
  'ra-no-tiebreak': ['1D.2'],
  // Four that only the layout of the visible tests hides (coordinator n0, at most nine nodes); hidden tests change it.
  'centralized-asks-node-zero': ['1A.6'],
  'token-ring-sorted-as-text': ['1B.5'],
  'lamport-ties-broken-as-text': ['1C.10'],
  'ra-ties-broken-as-text': ['1D.7'],
};

const bugFolder = bugFolders(fixtures);
const scratchFolders: string[] = [];
afterAll(() => {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
});

describe('lab 1 graded on a third implementation and its classic bugs', () => {
  it('the third correct implementation passes every graded test, visible and hidden', async () => {
    const report = await grade({ nodeStates: false, lab, implementation: second, tests: graded.map((test) => test.number), jobs: 2, shrinkBudget: 0 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(graded.map((test) => test.number).sort());
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
    expect(report.tests.reduce((sum, test) => sum + test.score, 0)).toBe(report.tests.reduce((sum, test) => sum + test.maxScore, 0));
  });

  it('an implementation reading "stamped later" as plain numbers, with clocks moved to max(clock, t) without the + 1, passes the clocked parts', async () => {
    // The handout accepts either reading of Lamport's condition (2) and either clock rule that keeps the clock condition.
    const clocked = graded.filter((test) => test.number.startsWith('1C.') || test.number.startsWith('1D.')).map((test) => test.number);
    const report = await grade({ nodeStates: false, lab, implementation: join(fixtures, 'numeric-stamps'), tests: clocked, jobs: 2, shrinkBudget: 0 });
    expect(report.tests.map((test) => test.number).sort()).toEqual([...clocked].sort());
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it('a token ring whose n0 hands its new token to itself, a local send, passes part B', async () => {
    // "n0 creates the token when it starts": sending it to itself, so that the Token handler
    // passes it on, keeps it at n0 until it is handed to n0, and is no hop.
    const selfStart = changedCopy(second, 'tokenRing.ts', [['if (this.id === this.servers[0]) this.tokenArrived();', "if (this.id === this.servers[0]) this.send(this.id, { type: 'Token' });"]], scratchFolders);
    const partB = graded.filter((test) => test.number.startsWith('1B.')).map((test) => test.number);
    const report = await grade({ nodeStates: false, lab, implementation: selfStart, tests: partB, jobs: 2, shrinkBudget: 0 });
    expect(report.tests.map((test) => test.number).sort()).toEqual([...partB].sort());
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
