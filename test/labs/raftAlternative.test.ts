// Lab 5 graded, through the grader, on submissions that are not the reference:
//
// - a second correct Raft (test/fixtures/raft/alternative), written independently with other
//   choices wherever the handout leaves one open, with its own key-value service and client
//   (part E) and membership change (part F), must pass every graded test, visible and hidden: a
//   test it fails demands more than the protocol and the handout do;
// - submissions that try to score without solving (test/fixtures/raft/cheats, one folder each;
//   its first lines say how) must score 0 on the tests they target.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { cheatFolders } from './cheatFolders.ts';
import { withHiddenTests } from '../../grader/hiddenTests.ts';
import { projectRoot } from '../../grader/labs.ts';
import type { GradedTest } from '../../grader/results.ts';
import { hiddenTests } from '../../labs/05-raft/hidden.ts';
import { suite } from '../../labs/05-raft/suite.ts';

const fixtures = join(projectRoot, 'test', 'fixtures', 'raft');
const cheatFiles = cheatFolders(fixtures);
afterAll(() => cheatFiles.removeScratch());
/** The folder to grade for a cheat (test/labs/cheatFolders.ts). */
const cheatFolder = (name: string): string => cheatFiles.folderOf(name);

/** Every test's number, status and score, one per line, for a failure's message. */
const summary = (tests: readonly GradedTest[]) =>
  tests.map((test) => `${test.number} ${test.status} ${test.score}/${test.maxScore}${test.failure ? `: ${test.failure.property}: ${test.failure.message.slice(0, 300)}` : (test.reason ?? '')}`).join('\n');

/** Parts E and F: the key-value service and membership change. */
const serviceParts = (test: { readonly part: string }) => test.part === 'E' || test.part === 'F';

/** Which tests each cheat is graded on: it must score 0 on each. */
const cheats: Readonly<Record<string, (test: { readonly number: string; readonly part: string }) => boolean>> = {
  // Applies only on n0, and never sends: nothing it does is Raft.
  'announces-without-replicating': () => true,
  // Every server leads a term of its own and applies in arrival order.
  'applies-in-arrival-order': () => true,
  // Its elections are real, so it may earn part A; where entries are replicated (parts B, C, D) it must earn nothing.
  'elects-then-applies-at-once': (test) => test.part !== 'A',
  // No Raft: each server answers from its own map at once.
  'kv-answers-from-local-map': serviceParts,
  // No Raft: each server executes what reaches it, in arrival order, and reports it Applied.
  'kv-executes-in-arrival-order': serviceParts,
  // The client answers itself from its own writes and never asks a server.
  'kv-client-replays-own-writes': serviceParts,
  // The client returns puts and appends as soon as it has sent them.
  'kv-client-returns-writes-at-once': serviceParts,
  // A working service whose client returns each write at once once one write was answered, naming that write's command.
  'kv-client-claims-an-answered-write': serviceParts,
  // A leader that never backs nextIndex up, and followers that announce made-up snapshots past the commit index to hide it.
  'announces-snapshots-it-never-installed': (test) => ['5B.4', '5B.10', '5C.3', '5C.7', '5C.11'].includes(test.number),
  // A working service whose leader answers at Started, from a state that assumes every appended entry commits: caught where
  // leaders lose entries (a partition's minority, repartitioning, a stale leader).
  'kv-replies-when-started': (test) => ['5E.5', '5E.6', '5E.10'].includes(test.number),
  // A working service whose leader answers a get from its own state, outside the log: caught where a leader is stale.
  'kv-reads-from-leader-state': (test) => ['5E.6', '5E.10'].includes(test.number),
  // A working service whose servers answer every get with a result of null, read from nowhere.
  'kv-gets-answered-with-null': (test) => test.part === 'E',
  // A working service whose leader announces every membership change and makes none.
  'membership-announced-only': (test) => test.part === 'F',
  // A working service whose leader appends C_new alone, without the joint configuration C_old,new.
  'membership-skips-joint': (test) => test.part === 'F',
  // Real elections and no log: the search tests ask that an entry be applied (5A.S2) and copied (5C.S1) on some path.
  'elections-without-a-log': (test) => ['5A.S2', '5C.S1'].includes(test.number),
  // The reference with a leader that backs nextIndex up one entry per rejection, its followers hiding their rejections behind
  // messages to themselves.
  'hides-rejections-behind-self-sends': (test) => test.number === '5B.7',
  // The reference with followers that refuse every empty AppendEntries though their log matches: endless probes, hidden behind the
  // exemption of the probe that answers a failed check.
  'refuses-matching-heartbeats': (test) => ['5A.8', '5A.13'].includes(test.number),
  // The reference with a leader that sends an AppendEntries every tenth of heartbeatMs, nine in ten carrying an acknowledged entry again.
  'heartbeats-carry-acknowledged-entries': (test) => test.number === '5A.8',
  // The reference with no log compaction: the Snapshot input is ignored.
  'ignores-snapshots': (test) => test.part === 'D',
  // The reference with followers that ignore every RequestVote while they know a leader, off where a search plays earlier
  // leaders (a node that is not a server sends protocol messages): caught by a run whose crashed leaders must be replaced
  // within one election timeout.
  'votes-ignored-off-search': (test) => test.number === '5A.15',
};

describe('lab 5 graded on submissions other than the reference', () => {
  it('the visible and hidden tests have numbers of their own', () => {
    const numbers = withHiddenTests(suite, hiddenTests).tests.map((test) => test.number);
    expect(numbers.filter((number, index) => numbers.indexOf(number) !== index)).toEqual([]);
  });

  it('a second correct implementation passes every graded test of parts A to D, visible and hidden', async () => {
    const tests = withHiddenTests(suite, hiddenTests).tests.filter((test) => !serviceParts(test));
    const implementation = join(fixtures, 'alternative');
    // Two seeds per run (both cluster sizes where a test alternates them) keep this to seconds; the
    // soak command runs the reference on many more. A search is deterministic, and runs on its own seeds.
    const runs = await grade({ nodeStates: false, lab: '05-raft', implementation, tests: tests.filter((test) => test.kind !== 'search').map((test) => test.number), seeds: 2, jobs: 2, typecheck: true });
    const searches = await grade({ nodeStates: false, lab: '05-raft', implementation, tests: tests.filter((test) => test.kind === 'search').map((test) => test.number), jobs: 2 });
    expect(runs.typeErrors).toEqual([]);
    const graded = [...runs.tests, ...searches.tests];
    expect(graded.map((test) => test.number).sort()).toEqual(tests.map((test) => test.number).sort());
    expect(graded.some((test) => test.visibility === 'hidden')).toBe(true);
    const notPassed = graded.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it('the second implementation passes every graded test of parts E and F, visible and hidden, on two seeds each', async () => {
    const tests = withHiddenTests(suite, hiddenTests).tests.filter(serviceParts);
    expect(tests.length).toBeGreaterThan(0);
    // Two seeds: a service test's faults differ from seed to seed; the soak command runs the reference on many more.
    const report = await grade({ nodeStates: false, lab: '05-raft', implementation: join(fixtures, 'alternative'), tests: tests.map((test) => test.number), seeds: 2, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(tests.map((test) => test.number).sort());
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it('the cheat elections-without-a-log, with n0 alone standing, scores 0 on every search test: each server must be able to lead', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'distlab-cheat-only-n0-stands-'));
    try {
      const source = readFileSync(join(fixtures, 'cheats', 'elections-without-a-log', 'index.ts'), 'utf8');
      const onlyN0 = source.replace('  stands(): boolean {\n    return true;', '  stands(): boolean {\n    return this.id === 0;');
      expect(onlyN0).not.toBe(source);
      writeFileSync(join(scratch, 'index.ts'), onlyN0.replaceAll('../../../../../labs/05-raft/src/protocol.ts', join(projectRoot, 'labs', '05-raft', 'src', 'protocol.ts')));
      const searches = withHiddenTests(suite, hiddenTests).tests.filter((test) => test.kind === 'search').map((test) => test.number);
      expect(searches).toContain('5A.S1');
      const report = await grade({ nodeStates: false, lab: '05-raft', implementation: scratch, tests: searches, shrinkBudget: 0, jobs: 2 });
      const scored = report.tests.filter((test) => test.score > 0 || test.status === 'passed');
      expect(scored.length === 0 ? '' : summary(scored)).toBe('');
      expect(report.tests.find((test) => test.number === '5A.S1')?.failure?.message).toMatch(/no state reached "n1 becomes leader, n2 becomes leader"/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it.each(Object.keys(cheats))('the cheat %s scores 0 on every test it targets', async (name) => {
    const targeted = withHiddenTests(suite, hiddenTests).tests.filter((test) => (cheats[name] as (typeof cheats)[string])(test));
    expect(targeted.length).toBeGreaterThan(0);
    // A cheat fails at its first seed; shrinking what it did would only cost time.
    const report = await grade({ nodeStates: false, lab: '05-raft', implementation: cheatFolder(name), tests: targeted.map((test) => test.number), shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(targeted.map((test) => test.number).sort());
    const scored = report.tests.filter((test) => test.score > 0 || test.status === 'passed');
    expect(scored.length === 0 ? '' : summary(scored)).toBe('');
  });
});
