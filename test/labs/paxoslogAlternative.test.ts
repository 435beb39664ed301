// Lab 6 graded, through the grader, on submissions that are not the reference:
//
// - a second correct server (test/fixtures/paxoslog/alternative), written independently with
//   other choices wherever the handout leaves one open (its roles in modules of their own, a log
//   kept its own way, catch-up in batches, Finalize only to servers that stored the slot, its own
//   resend rule and duplicate bookkeeping), must pass every graded test, visible and hidden: a
//   test it fails demands more than the protocol and the handout do;
// - submissions that try to score without solving (test/fixtures/paxoslog/cheats, one folder
//   each; its first lines say how, and EXPECTED.md lists them) must score 0 on the tests they target.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SuiteTest } from 'distlab/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { cheatFolders } from './cheatFolders.ts';
import { withHiddenTests } from '../../grader/hiddenTests.ts';
import { projectRoot } from '../../grader/labs.ts';
import type { GradedTest } from '../../grader/results.ts';
import type { PaxosLogImplementation } from '../../labs/06-paxoslog/harness.ts';
import { suite } from '../../labs/06-paxoslog/suite.ts';

const lab = '06-paxoslog';
const fixtures = join(projectRoot, 'test', 'fixtures', 'paxoslog');
const alternative = join(fixtures, 'alternative');

/** The hidden tests, where this checkout has them (the staff repository does; a handout does not). */
const hiddenFile = join(projectRoot, 'labs', lab, 'hidden.ts');
const hiddenTests: readonly SuiteTest<PaxosLogImplementation>[] = existsSync(hiddenFile)
  ? ((await import(pathToFileURL(hiddenFile).href)) as { hiddenTests: readonly SuiteTest<PaxosLogImplementation>[] }).hiddenTests
  : [];
const graded = withHiddenTests(suite, hiddenTests).tests;

const cheatFiles = cheatFolders(fixtures);
afterAll(() => cheatFiles.removeScratch());
/** The folder to grade for a cheat (test/labs/cheatFolders.ts). */
const cheatFolder = (name: string): string => cheatFiles.folderOf(name);

/** Every test's number, status and score, one per line, for a failure's message. */
const summary = (tests: readonly GradedTest[]) =>
  tests.map((test) => `${test.number} ${test.status} ${test.score}/${test.maxScore}${test.failure ? `: ${test.failure.property}: ${test.failure.message.slice(0, 300)}` : (test.reason ?? '')}`).join('\n');

type Targets = (test: { readonly number: string; readonly kind: string }) => boolean;
const every: Targets = () => true;
const only =
  (...numbers: string[]): Targets =>
  (test) =>
    numbers.includes(test.number);
const allBut =
  (...numbers: string[]): Targets =>
  (test) =>
    !numbers.includes(test.number);

/** Which tests each cheat is graded on: it must score 0 on each. */
const cheats: Readonly<Record<string, Targets>> = {
  // No log at all: each server answers from its own map and reports what it applies.
  'answers-from-local-map': every,
  // The leader finalizes a slot as soon as it stored it itself; 6.S4's minority never leads, so it never acts there.
  'finalizes-on-store': allBut('6.S4'),
  // A server that times out leads at once, without an overthrow majority.
  'skips-overthrow': every,
  // A working server that answers before it writes its epoch and slots to storage.
  'storage-after-reply': every,
  // The leader reports every command executed, and answers from a map of its own; in 6.S4 nobody leads, and 6.S6 has no client command.
  'fakes-executed': allBut('6.S4', '6.S6'),
  // A working server in which only n0 ever stands: caught where the others must take over while n0 is away.
  'only-n0-leads': only('6.3', '6.4', '6.5', '6.7', '6.10', '6.11', '6.12', '6.13', '6.S2', '6.S4'),
  // A new leader fills every slot it has not finalized with a no-op, without reading: caught where an old leader's operations were finalized or stored by a majority.
  'never-reads': only('6.5', '6.7', '6.17', '6.S3', '6.S6'),
  // Safe, but the leader finalizes and answers only at its next heartbeat: over the one-round-trip budget.
  'finalizes-at-heartbeat': only('6.6'),
  // The reference with a leader that answers only at its next heartbeat, hiding the wait behind a redirect and a copy of
  // the request sent to itself.
  'answers-late-behind-redirects': only('6.6'),
  // Safe and live, but a new leader reads every slot of its log, finalized ones included: over the leadership-change budget.
  'rereads-finalized-slots': only('6.7'),
  // No log, no storage, no messages: each server answers from its own map and outputs nothing.
  'replies-without-log': every,
  // The passive RPCs done by the book, but nobody leads: clients are answered from a local map.
  'passive-without-leader': every,
  // Each server announces BecameLeader at its start, and does nothing else.
  'leads-without-overthrow': every,
  // n0 numbers the commands in epoch 0, with no overthrow and no Store, and gossips the records in ReadReplies.
  'gossips-records-without-leader': every,
  // An elected leader that sends no Store: each store rides to its follower in a Query, which the follower writes and acknowledges.
  'stores-ride-on-queries': allBut('6.S4'),
  // An elected leader that sends each store as a Finalize carrying the operation, which the follower stores and finalizes at once.
  'finalizes-what-it-is-sent': allBut('6.S4'),
  // The reference whose walk takes a stored no-op for an empty slot, which prunes the search where that choice is wrong (two Queries
  // to a peer, beyond the link capacity) and stores its wrong pick by a message to itself: caught as 6.S9's n0 hears nothing from n2.
  'prunes-walk-over-no-op': only('6.S9'),
  // The reference whose walk takes a stored no-op for an empty slot, and whose walk counts late answers to an earlier
  // epoch's Reads, each until a node that is not a server sends it a protocol message (as only the searches' earlier
  // leaders do): the searches never see the bug, so a run where only servers send server messages must.
  'walk-ignores-stored-noops-off-search': only('6.26'),
  'counts-stale-read-answers-off-search': only('6.27'),
  // The reference whose walk stores its pick even where an older leader's late Finalize finalized the slot meanwhile,
  // until a node that is not a server sends it a protocol message: 6.S10 never sees the bug, 6.28's run must.
  'walk-overwrites-late-finalize-off-search': only('6.28'),
};

describe('lab 6 graded on submissions other than the reference', () => {
  it('the visible and hidden tests have numbers of their own', () => {
    const numbers = graded.map((test) => test.number);
    expect(numbers.filter((number, index) => numbers.indexOf(number) !== index)).toEqual([]);
  });

  it('a second correct implementation passes every graded test, visible and hidden', async () => {
    // Two seeds per run keep this to a minute; the soak command runs the reference on
    // many more. A search is deterministic, and runs on its own seeds.
    const runs = await grade({ nodeStates: false, lab, implementation: alternative, tests: graded.filter((test) => test.kind !== 'search').map((test) => test.number), seeds: 2, jobs: 2, typecheck: true });
    const searchNumbers = graded.filter((test) => test.kind === 'search').map((test) => test.number);
    const searches = searchNumbers.length === 0 ? { tests: [] } : await grade({ nodeStates: false, lab, implementation: alternative, tests: searchNumbers, jobs: 2 });
    expect(runs.typeErrors).toEqual([]);
    const results = [...runs.tests, ...searches.tests];
    expect(results.map((test) => test.number).sort()).toEqual(graded.map((test) => test.number).sort());
    if (hiddenTests.length > 0) expect(results.some((test) => test.visibility === 'hidden')).toBe(true);
    const notPassed = results.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it.each(Object.keys(cheats))('the cheat %s scores 0 on every test it targets', async (name) => {
    const targeted = graded.filter((test) => (cheats[name] as Targets)(test));
    expect(targeted.length).toBeGreaterThan(0);
    // A cheat fails at its first seed; shrinking what it did would only cost time.
    const report = await grade({ nodeStates: false, lab, implementation: cheatFolder(name), tests: targeted.map((test) => test.number), shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(targeted.map((test) => test.number).sort());
    const scored = report.tests.filter((test) => test.score > 0 || test.status === 'passed');
    expect(scored.length === 0 ? '' : summary(scored)).toBe('');
  });
});
