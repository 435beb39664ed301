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
import { suite, type ElectionImplementation } from '../../labs/02-election/suite.ts';

const lab = '02-election';
const fixtures = join(projectRoot, 'test', 'fixtures', 'election');
const second = join(fixtures, 'second');

const hiddenFile = join(projectRoot, 'labs', lab, 'hidden.ts');
const hiddenTests: readonly SuiteTest<ElectionImplementation>[] = existsSync(hiddenFile)
  ? ((await import(pathToFileURL(hiddenFile).href)) as { hiddenTests: readonly SuiteTest<ElectionImplementation>[] }).hiddenTests
  : [];
const graded = withHiddenTests(suite, hiddenTests).tests;

/** Which tests each bug must fail (only those run, to keep this file short). */
const bugs: Readonly<Record<string, readonly string[]>> = {
  'bully-ok-without-own-election': ['2A.7'],
  'bully-answers-every-election': ['2A.1'],
  'bully-declares-despite-ok': ['2A.7'],
  'bully-heartbeat-resets-nothing': ['2A.14'],
  'bully-leader-answers-without-election': ['2A.15'],
  'ring-misses-own-id': ['2B.1'],
  // Only the message count, to keep this file short: in most other ring tests the flood of Coordinators sent past live nodes ends at the event limit.
  'ring-acks-elections-only': ['2B.10'],
  'ring-counts-skips-as-hops': ['2B.8'],
  'ring-skips-one-dead': ['2B.14'],
  'ring-coordinator-never-dropped': ['2B.15'],
  'ring-alone-never-leads': ['2B.17'],
};

// A submission imports only from its own folder: each bug is graded from a scratch folder
// holding the implementation's files and the bug's index.ts, its imports made local.
const scratchFolders: string[] = [];
afterAll(() => {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
});
function bugFolder(name: string): string {
  const scratch = mkdtempSync(join(tmpdir(), `distlab-election-${name}-`));
  scratchFolders.push(scratch);
  for (const file of readdirSync(second).filter((file) => file.endsWith('.ts') && file !== 'index.ts')) copyFileSync(join(second, file), join(scratch, file));
  const index = readFileSync(join(fixtures, 'second-bugs', name, 'index.ts'), 'utf8');
  writeFileSync(join(scratch, 'index.ts'), index.replaceAll('../../second/', './'));
  return scratch;
}

/** Every test's number, status and score, one per line, for a failure's message. */
const summary = (tests: readonly GradedTest[]) =>
  tests.map((test) => `${test.number} ${test.status} ${test.score}/${test.maxScore}${test.failure ? `: ${test.failure.property}: ${test.failure.message.slice(0, 300)}` : (test.reason ?? '')}`).join('\n');

describe('lab 2 graded on a third implementation and its classic bugs', () => {
  it('the third correct implementation passes every graded test, visible and hidden', async () => {
    const report = await grade({ lab, implementation: second, tests: graded.map((test) => test.number), jobs: 2, shrinkBudget: 0 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(graded.map((test) => test.number).sort());
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it.each(Object.keys(bugs))('the bug %s fails the tests named for it', async (name) => {
    const tests = bugs[name] as readonly string[];
    const report = await grade({ lab, implementation: bugFolder(name), tests, shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual([...tests].sort());
    const passed = report.tests.filter((test) => test.status === 'passed');
    expect(passed.length === 0 ? '' : summary(passed)).toBe('');
  });
});
