// Runs a lab's graded tests under vitest (`npm test -- <lab>`): the tests, seeds and limits of
// `npm run grade -- <lab>`, on the implementation DISTLAB_IMPL names (student, solutions,
// mutant:<name> or a path; by default the reference where this checkout has it, else the
// student's code). A failure ends with the command that shows it again, on a line of its own,
// and the lab ends with its points total, the grader's.
//
// Against the reference, in the staff repository, staff checks follow, named as such: the stub
// fails every graded test, and each mutant passes its part's smoke test and fails the test that
// names it, on the property it targets.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import type { Mutant, SuiteTest } from 'distlab/testing';
import { describedTest, loadSuite, rerunCommand, seedsFor, selectTests, withReplay } from './grade.ts';
import { defaultImplementation, implementationOption, resolveImplementation, type ImplementationSource } from './implementation.ts';
import { defaultLimits, Sandbox, type IsolatedResult } from './isolation.ts';
import { findLab, projectRoot, type LabInfo } from './labs.ts';
import { someFiles, uncommittedStubChanges } from './stubChanges.ts';
import { formatFailure, styleFor } from './reports/terminal.ts';
import { computeTotals, type GradedTest } from './results.ts';

type Named = Pick<ImplementationSource, 'label' | 'commandName'>;

/**
 * The implementation as the commands in messages name it. DISTLAB_IMPL was set on this machine
 * by whoever reads the messages, so a path stays the path they gave (quoted for the shell where
 * it needs it by implementationOption).
 */
function named(label: string): Named {
  return { label };
}

/**
 * A test that did not go as expected. Its stack is left out: the grader's own lines say nothing
 * about the code under test, and vitest would show them in place of the failure.
 */
function testFailure(heading: string, message: string): Error {
  const error = new Error(message);
  error.name = heading;
  error.stack = `${heading}: ${message}`;
  return error;
}

/** A graded test, as the grader's reports record it, from what the sandbox returned. */
function gradedTest(lab: LabInfo, test: SuiteTest<unknown>, source: Named, seedsPlanned: number, result: IsolatedResult): GradedTest {
  const failure = result.outcome?.failure;
  return {
    ...describedTest(test, seedsPlanned),
    score: result.status === 'passed' ? test.points : 0,
    status: result.status,
    ...(result.reason !== undefined ? { reason: result.reason } : {}),
    seedsRun: result.seedsDone,
    wallMs: Math.round(result.wallMs),
    ...(result.output ? { output: result.output } : {}),
    ...(failure ? { failure: withReplay(lab, test, source, seedsPlanned, failure) } : {}),
  };
}

/**
 * Shrinking runs a mutant's failing seed again and again (up to 300 times when grading); the
 * staff check asks only that the property it reports is the one the mutant targets, after
 * shrinking as after the first failure, which a few attempts show as well as three hundred.
 */
const mutantShrinkBudget = 12;

/** Stands in for the command in the grader's failure block: the message prints it on a line of its own. */
const commandMarker = '[the command, below]';

/**
 * The failure as the grader's terminal report shows it, then, alone on the last line, the
 * command that shows it again: the replay of the failing run, or the test graded again.
 */
function failureMessage(lab: LabInfo, source: Named, graded: GradedTest): { readonly heading: string; readonly message: string } {
  const failure = graded.failure;
  const block = formatFailure(failure ? { ...graded, failure: { ...failure, replayCommand: commandMarker } } : graded, styleFor(process.stdout, { NO_COLOR: '1' }))
    // Its first line names the test, as vitest does already.
    .slice(1)
    .filter((line) => !/^ {2}(replay|re-run): /.test(line) || !line.endsWith(commandMarker))
    .map((line) => line.replace(/^ {2}/, ''));
  const how =
    failure === undefined
      ? 'Grade this test again on its own:'
      : failure.replayCode === ''
        ? 'No single run shows this failure; grade the test again, on the same seeds:'
        : 'Replay this failure (the same seed and fault schedule, with the whole trace):';
  const command = failure?.replayCommand ?? rerunCommand(lab, source, graded.number);
  return { heading: `${graded.number} ${graded.status}`, message: [...block, '', how, command].join('\n') };
}

/** One lab's sandboxes, one per implementation, created once (a failure to create one, too). */
class Sandboxes {
  private readonly created = new Map<string, Promise<Sandbox>>();
  /** Why an implementation cannot be graded at all, where it cannot. */
  readonly setupErrors = new Map<string, string>();

  constructor(
    private readonly lab: LabInfo,
    private readonly chosen: string,
  ) {}

  get(implementation: string): Promise<Sandbox> {
    let sandbox = this.created.get(implementation);
    if (sandbox === undefined) {
      // The messages name the variable the user set, where they set it.
      const origin = implementation === this.chosen && process.env.DISTLAB_IMPL !== undefined ? 'DISTLAB_IMPL' : '--impl';
      sandbox = (async () => Sandbox.create(this.lab, resolveImplementation(this.lab, implementation, process.cwd(), origin), defaultLimits))();
      // Awaited by each test; this keeps a failure from counting as unhandled meanwhile.
      sandbox.catch(() => {});
      this.created.set(implementation, sandbox);
    }
    return sandbox;
  }

  /** Runs one test, or throws the reason the implementation cannot be graded at all. */
  async run(implementation: string, testNumber: string, seeds: readonly number[], options: { readonly shrinkBudget?: number } = {}): Promise<IsolatedResult> {
    let sandbox: Sandbox;
    try {
      sandbox = await this.get(implementation);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.setupErrors.set(implementation, message);
      throw testFailure(`${implementation} cannot be graded`, message);
    }
    // A failure is shown as the terminal report shows it: without the nodes' states, which only the HTML report's viewer shows.
    return sandbox.run(testNumber, seeds, { ...options, nodeStates: false });
  }

  async dispose(): Promise<void> {
    for (const sandbox of await Promise.allSettled(this.created.values())) if (sandbox.status === 'fulfilled') sandbox.value.dispose();
  }
}

/** The lab's points total in the grader's words, and which grading command gives the same. */
function totalLine(lab: LabInfo, chosen: string, graded: readonly GradedTest[], testCount: number, setupError: string | undefined): string {
  const command = `npm run grade -- ${lab.shortName}${implementationOption(lab, named(chosen))}`;
  if (setupError !== undefined) return `${lab.shortName} with ${chosen}: grading could not start (${setupError.split('\n')[0] ?? ''}), as with ${command}`;
  const totals = computeTotals(graded);
  const counts =
    `${totals.passed} passed, ${totals.failed} failed` +
    `${totals.crashed ? `, ${totals.crashed} crashed` : ''}${totals.timedOut ? `, ${totals.timedOut} timed out` : ''}`;
  if (graded.length === testCount) return `${lab.shortName} with ${chosen}: ${totals.score}/${totals.maxScore} points — ${counts}; the same total as ${command}`;
  return (
    `${lab.shortName} with ${chosen}: ${totals.score}/${totals.maxScore} points from the ${graded.length} of ${testCount} tests run — ${counts}; ` +
    `${command} grades all ${testCount}`
  );
}

/** Declares the vitest tests of one lab: `await describeLab('00-pingpong')` in the lab's test file. */
export async function describeLab(labName: string): Promise<void> {
  const lab = findLab(labName);
  const chosen = process.env.DISTLAB_IMPL ?? defaultImplementation(lab);
  const suite = await loadSuite(lab);
  // What `npm run grade -- <lab>` runs: every test this checkout has (hidden ones where present).
  const tests = selectTests(suite, {});
  const sandboxes = new Sandboxes(lab, chosen);
  afterAll(() => sandboxes.dispose());

  describe(`${lab.shortName} with ${chosen}`, () => {
    const graded = new Map<string, GradedTest>();
    afterAll(() => {
      const done = tests.flatMap((test) => graded.get(test.number) ?? []);
      if (done.length > 0) console.log(totalLine(lab, chosen, done, tests.length, sandboxes.setupErrors.get(chosen)));
    });
    for (const test of tests) {
      it(`${test.number} ${test.name}`, async () => {
        const seeds = seedsFor(test, {});
        let result: IsolatedResult;
        try {
          result = await sandboxes.run(chosen, test.number, seeds);
        } catch (error) {
          graded.set(test.number, gradedTest(lab, test, named(chosen), seeds.length, { status: 'crashed', seedsDone: 0, wallMs: 0, output: '' }));
          throw error;
        }
        const outcome = gradedTest(lab, test, named(chosen), seeds.length, result);
        graded.set(test.number, outcome);
        if (outcome.status !== 'passed') {
          const { heading, message } = failureMessage(lab, named(chosen), outcome);
          throw testFailure(heading, message);
        }
      });
    }
  });

  if (chosen !== 'solutions' || !lab.hasSolutions) return;

  // Someone's own work in the stub folder (a self-learner in this repository) is not the stub.
  const stubChanges = uncommittedStubChanges(projectRoot, [lab.id]);
  if (stubChanges.length > 0) {
    const note =
      `not checked: labs/${lab.id}/src is not the stub, it has changes not committed (${someFiles(stubChanges)}); ` +
      `to test your code there, run DISTLAB_IMPL=student npm test -- labs/${lab.id}`;
    console.log(`staff check of the stub ${note}`);
    describe(`staff check: the stub (labs/${lab.id}/src) fails every graded test`, () => {
      it.skip(note, () => {});
    });
  } else describe(`staff check: the stub (labs/${lab.id}/src) fails every graded test`, () => {
    for (const test of tests.filter((candidate) => candidate.points > 0)) {
      it(`${test.number} fails on the stub for lack of progress, not a crash`, async () => {
        // Not shrunk: only the kind of failure is asked about.
        const result = await sandboxes.run('student', test.number, [1], { shrinkBudget: 0 });
        const kind = result.outcome?.failure?.kind;
        if (result.status === 'passed') {
          throw testFailure('the stub passes', `${test.number} gives its ${test.points} points to code that does nothing: it must ask for progress`);
        }
        if (kind === undefined || kind === 'exception') {
          const { message } = failureMessage(lab, named('student'), gradedTest(lab, test, named('student'), 1, result));
          throw testFailure('the stub fails for another reason than lack of progress', message);
        }
      });
    }
  });

  const mutantsFile = join(lab.solutionDirectory, 'mutants.ts');
  if (!existsSync(mutantsFile)) return;
  const { mutants } = (await import(pathToFileURL(mutantsFile).href)) as { mutants: readonly Mutant[] };
  for (const mutant of mutants) {
    const implementation = `mutant:${mutant.name}`;
    describe(`staff check: mutant ${mutant.name} (${mutant.bug})`, () => {
      const target = tests.find((candidate) => candidate.number === mutant.failsTest);
      // The smoke test of the mutant's part: the first test of that part, fault-free.
      const smoke = tests.find((candidate) => candidate.part === target?.part);
      if (target !== undefined && smoke !== undefined) {
        it(`passes the smoke test ${smoke.number}`, async () => {
          const seeds = seedsFor(smoke, {});
          const result = await sandboxes.run(implementation, smoke.number, seeds);
          if (result.status !== 'passed') {
            const { heading, message } = failureMessage(lab, named(implementation), gradedTest(lab, smoke, named(implementation), seeds.length, result));
            throw testFailure(`a mutant must pass its part's smoke test: ${heading}`, message);
          }
        });
      }
      it(`fails ${mutant.failsTest} on "${mutant.property}"`, async () => {
        if (target === undefined) throw testFailure('no such test', `mutant ${mutant.name} names test ${mutant.failsTest}, which the suite does not have`);
        const seeds = seedsFor(target, {});
        const result = await sandboxes.run(implementation, target.number, seeds, { shrinkBudget: mutantShrinkBudget });
        if (result.status === 'passed') {
          throw testFailure('the mutant passes', `${target.number} does not catch the bug "${mutant.bug}" on any of its ${seeds.length} seeds`);
        }
        // Caught for the right reason: the property the mutant targets, not any failure.
        const property = result.outcome?.failure?.property;
        if (property !== mutant.property) {
          const { heading, message } = failureMessage(lab, named(implementation), gradedTest(lab, target, named(implementation), seeds.length, result));
          throw testFailure(`${heading} on "${property ?? 'no property'}", not on "${mutant.property}"`, message);
        }
      });
    });
  }
}
