// What the tests that grade a lab on another correct implementation and its classic bugs
// share: the lab's graded tests with its hidden ones where this checkout has them, a scratch
// folder for each bug variant, and one line per test for a failure's message.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LabSuite, SuiteTest } from 'distlab/testing';
import { afterAll } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { withHiddenTests } from '../../grader/hiddenTests.ts';
import { projectRoot } from '../../grader/labs.ts';
import type { GradedTest } from '../../grader/results.ts';

/** Every graded test of the lab, visible and hidden (hidden ones where labs/<lab>/hidden.ts is present). */
export async function gradedTests<I>(suite: LabSuite<I>): Promise<readonly SuiteTest<I>[]> {
  const hiddenFile = join(projectRoot, 'labs', suite.lab, 'hidden.ts');
  const hidden = existsSync(hiddenFile) ? ((await import(pathToFileURL(hiddenFile).href)) as { hiddenTests: readonly SuiteTest<I>[] }).hiddenTests : [];
  return withHiddenTests(suite, hidden).tests;
}

/**
 * Grades `implementation` on every one of `graded`: the run tests on two seeds each (both
 * cluster sizes where a test alternates them), the searches on their own. Returns the tests
 * that were not graded, or did not pass, one per line (empty when all passed).
 */
export async function notPassedOnEveryTest<I>(lab: string, implementation: string, graded: readonly SuiteTest<I>[]): Promise<string> {
  const numbers = (kind: 'search' | 'run') => graded.filter((test) => (test.kind === 'search') === (kind === 'search')).map((test) => test.number);
  const runs = await grade({ lab, implementation, tests: numbers('run'), seeds: 2, jobs: 2, shrinkBudget: 0 });
  const searchNumbers = numbers('search');
  const searches = searchNumbers.length === 0 ? [] : (await grade({ lab, implementation, tests: searchNumbers, jobs: 2, shrinkBudget: 0 })).tests;
  const results = [...runs.tests, ...searches];
  const missing = graded.filter((test) => !results.some((result) => result.number === test.number)).map((test) => `${test.number} not graded`);
  return [...missing, summary(results.filter((test) => test.status !== 'passed'))].filter((line) => line !== '').join('\n');
}

/** Every test's number, status and score, one per line, for a failure's message. */
export function summary(tests: readonly GradedTest[]): string {
  return tests
    .map((test) => `${test.number} ${test.status} ${test.score}/${test.maxScore}${test.failure ? `: ${test.failure.property}: ${test.failure.message.slice(0, 300)}` : (test.reason ?? '')}`)
    .join('\n');
}

/**
 * Makes the folder a bug variant is graded from. A variant's index.ts imports the correct
 * implementation from ../../second/, and a submission imports only from its own folder: the
 * implementation's files are copied beside the variant's index.ts, its imports made local.
 * The folders are removed after the file's tests.
 */
export function bugFolders(fixtures: string): (name: string) => string {
  const second = join(fixtures, 'second');
  const made: string[] = [];
  afterAll(() => {
    for (const folder of made) rmSync(folder, { recursive: true, force: true });
  });
  return (name) => {
    const scratch = mkdtempSync(join(tmpdir(), `distlab-bug-${name}-`));
    made.push(scratch);
    for (const file of readdirSync(second).filter((file) => file.endsWith('.ts') && file !== 'index.ts')) copyFileSync(join(second, file), join(scratch, file));
    // A bug built on another bug imports its index.ts, which goes beside it as <bug>.ts (and so on, for a bug built on that one).
    const localCopy = (bug: string): string => {
      let text = readFileSync(join(fixtures, 'second-bugs', bug, 'index.ts'), 'utf8').replaceAll('../../second/', './');
      for (const [, base] of text.matchAll(/'\.\.\/([a-z0-9-]+)\/index\.ts'/g)) {
        if (base === undefined) continue;
        writeFileSync(join(scratch, `${base}.ts`), localCopy(base));
        text = text.replaceAll(`'../${base}/index.ts'`, `'./${base}.ts'`);
      }
      return text;
    };
    writeFileSync(join(scratch, 'index.ts'), localCopy(name));
    return scratch;
  };
}
