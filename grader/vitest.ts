// Runs a lab's suite under vitest (`npm test -- <lab>`), with the implementation chosen by
// DISTLAB_IMPL (student | solutions | mutant:<name> | <path>; the default as for the grader).
//
// Against the reference solution in this repository it also checks the suite itself: every
// graded test fails on the stub, and every mutant passes the smoke test and fails the test
// that names it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultImplementation, resolveImplementation } from './implementation.ts';
import { Sandbox, type IsolatedResult } from './isolation.ts';
import { findLab, type LabInfo } from './labs.ts';
import { loadSuite, seedsFor } from './grade.ts';
import { formatFailure, styleFor } from './reports/terminal.ts';
import { encodeReplay } from './replayCode.ts';
import type { Mutant } from 'distlab/testing';

function explain(lab: LabInfo, implementation: string, number: string, name: string, result: IsolatedResult): string {
  const failure = result.outcome?.failure;
  const replayCode =
    failure && failure.replayable !== false
      ? encodeReplay({ lab: lab.id, test: number, seed: failure.seed, schedule: failure.shrunkSchedule, ...(failure.path ? { path: failure.path } : {}) })
      : '';
  const lines = formatFailure(
    {
      number,
      name,
      part: '',
      kind: 'run',
      visibility: 'visible',
      description: '',
      maxScore: 0,
      score: 0,
      status: result.status,
      ...(result.reason ? { reason: result.reason } : {}),
      seedsPlanned: 0,
      seedsRun: result.seedsDone,
      wallMs: result.wallMs,
      ...(result.output ? { output: result.output } : {}),
      ...(failure
        ? {
            failure: {
              ...failure,
              replayCode,
              replayCommand: `npm run grade -- ${lab.shortName} --impl ${implementation} --replay ${replayCode}`,
            },
          }
        : {}),
    },
    styleFor(process.stdout, { NO_COLOR: '1' }),
  );
  return lines.join('\n');
}

/** Declares the vitest tests of one lab: `await describeLab('pingpong')` in the lab's test file. */
export async function describeLab(labName: string): Promise<void> {
  const lab = findLab(labName);
  const chosen = process.env.DISTLAB_IMPL ?? defaultImplementation(lab);
  const suite = await loadSuite(lab);
  const tests = suite.tests;
  const sandboxes = new Map<string, Sandbox>();
  const sandbox = async (implementation: string) => {
    let existing = sandboxes.get(implementation);
    if (existing === undefined) {
      const origin = implementation === chosen && process.env.DISTLAB_IMPL !== undefined ? 'DISTLAB_IMPL' : '--impl';
      existing = await Sandbox.create(lab, resolveImplementation(lab, implementation, process.cwd(), origin), { timeoutMs: 120_000, memoryMb: 1024 });
      sandboxes.set(implementation, existing);
    }
    return existing;
  };
  afterAll(() => {
    for (const existing of sandboxes.values()) existing.dispose();
  });

  describe(`${lab.id} with ${chosen}`, () => {
    for (const test of tests) {
      it(`${test.number} ${test.name}`, async () => {
        const result = await (await sandbox(chosen)).run(test.number, seedsFor(test, {}));
        expect(result.status, explain(lab, chosen, test.number, test.name, result)).toBe('passed');
      });
    }
  });

  if (chosen !== 'solutions' || !lab.hasSolutions) return;

  describe(`${lab.id} stub (labs/${lab.id}/src) fails every graded test`, () => {
    for (const test of tests.filter((candidate) => candidate.points > 0)) {
      it(`${test.number} fails on the stub`, async () => {
        const result = await (await sandbox('student')).run(test.number, [1]);
        expect(result.status).toBe('failed');
        expect(result.outcome?.failure?.kind, 'a stub fails for lack of progress, not a crash').toBeDefined();
        expect(result.outcome?.failure?.kind, 'a stub fails for lack of progress, not a crash').not.toBe('exception');
      });
    }
  });

  const mutantsFile = join(lab.solutionDirectory, 'mutants.ts');
  if (!existsSync(mutantsFile)) return;
  const { mutants } = (await import(pathToFileURL(mutantsFile).href)) as { mutants: readonly Mutant[] };
  describe(`${lab.id} mutants fail the test that names them`, () => {
    for (const mutant of mutants) {
      // The smoke test of the mutant's part: the first test of that part, fault-free.
      const part = tests.find((candidate) => candidate.number === mutant.failsTest)?.part;
      const smoke = tests.find((candidate) => candidate.part === part);
      if (smoke !== undefined) {
        it(`${mutant.name} (${mutant.bug}) passes the smoke test ${smoke.number}`, async () => {
          const result = await (await sandbox(`mutant:${mutant.name}`)).run(smoke.number, seedsFor(smoke, {}));
          expect(result.status, explain(lab, `mutant:${mutant.name}`, smoke.number, smoke.name, result)).toBe('passed');
        });
      }
      it(`${mutant.name} (${mutant.bug}) fails ${mutant.failsTest}`, async () => {
        const test = tests.find((candidate) => candidate.number === mutant.failsTest);
        expect(test, `mutant ${mutant.name} names test ${mutant.failsTest}, which the suite does not have`).toBeDefined();
        const result = await (await sandbox(`mutant:${mutant.name}`)).run(mutant.failsTest, test ? seedsFor(test, {}) : [1]);
        expect(result.status, explain(lab, `mutant:${mutant.name}`, mutant.failsTest, test?.name ?? '', result)).toBe('failed');
        // Caught for the right reason: the property the mutant targets, not any failure.
        expect(result.outcome?.failure?.property, explain(lab, `mutant:${mutant.name}`, mutant.failsTest, test?.name ?? '', result)).toBe(mutant.property);
      });
    }
  });
}

