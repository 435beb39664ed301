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
// - each bug must fail the tests named for it here.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SuiteTest } from 'distlab/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { withHiddenTests } from '../../grader/hiddenTests.ts';
import { projectRoot } from '../../grader/labs.ts';
import type { GradedTest } from '../../grader/results.ts';
import { suite, type MutexImplementation } from '../../labs/01-mutex/suite.ts';

const lab = '01-mutex';
const fixtures = join(projectRoot, 'test', 'fixtures', 'mutex');
const second = join(fixtures, 'second');

const hiddenFile = join(projectRoot, 'labs', lab, 'hidden.ts');
const hiddenTests: readonly SuiteTest<MutexImplementation>[] = existsSync(hiddenFile)
  ? ((await import(pathToFileURL(hiddenFile).href)) as { hiddenTests: readonly SuiteTest<MutexImplementation>[] }).hiddenTests
  : [];
const graded = withHiddenTests(suite, hiddenTests).tests;

/** Which tests each bug must fail (only those run, to keep this file short). */
const bugs: Readonly<Record<string, readonly string[]>> = {
  'centralized-frees-on-handover': ['1A.2'],
  'token-wants-after-release': ['1B.1'],
  'lamport-queue-by-arrival': ['1C.2', '1C.8'],
  'lamport-release-keeps-clock': ['1C.5'],
  'ra-replies-while-requesting': ['1D.2'],
  'ra-no-tiebreak': ['1D.2'],
};

// A submission imports only from its own folder: each bug is graded from a scratch folder
// holding the implementation's files and the bug's index.ts, its imports made local.
const scratchFolders: string[] = [];
afterAll(() => {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
});
function bugFolder(name: string): string {
  const scratch = mkdtempSync(join(tmpdir(), `distlab-mutex-${name}-`));
  scratchFolders.push(scratch);
  for (const file of readdirSync(second).filter((file) => file.endsWith('.ts') && file !== 'index.ts')) copyFileSync(join(second, file), join(scratch, file));
  const index = readFileSync(join(fixtures, 'second-bugs', name, 'index.ts'), 'utf8');
  writeFileSync(join(scratch, 'index.ts'), index.replaceAll('../../second/', './'));
  return scratch;
}

/** Every test's number, status and score, one per line, for a failure's message. */
const summary = (tests: readonly GradedTest[]) =>
  tests.map((test) => `${test.number} ${test.status} ${test.score}/${test.maxScore}${test.failure ? `: ${test.failure.property}: ${test.failure.message.slice(0, 300)}` : (test.reason ?? '')}`).join('\n');

describe('lab 1 graded on a third implementation and its classic bugs', () => {
  it('the third correct implementation passes every graded test, visible and hidden', async () => {
    const report = await grade({ lab, implementation: second, tests: graded.map((test) => test.number), jobs: 2, shrinkBudget: 0 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(graded.map((test) => test.number).sort());
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
    expect(report.tests.reduce((sum, test) => sum + test.score, 0)).toBe(report.tests.reduce((sum, test) => sum + test.maxScore, 0));
  });

  it.each(Object.keys(bugs))('the bug %s fails the tests named for it', async (name) => {
    const tests = bugs[name] as readonly string[];
    const report = await grade({ lab, implementation: bugFolder(name), tests, shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual([...tests].sort());
    const passed = report.tests.filter((test) => test.status === 'passed');
    expect(passed.length === 0 ? '' : summary(passed)).toBe('');
  });
});
