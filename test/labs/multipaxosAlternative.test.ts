// Lab 4 graded, through the grader, on submissions that are not the reference:
//
// - a second correct MultiPaxos (test/fixtures/multipaxos/alternative), written independently
//   with other choices wherever the protocol leaves one open (its roles in modules of their own,
//   Decisions only to replicas that did not accept a slot, resends only to acceptors that have
//   not accepted, back-off between bids, ...), must pass every graded test, visible and hidden:
//   a test it fails demands more than the protocol and the handout do;
// - submissions that try to score without solving (test/fixtures/multipaxos/cheats, one folder
//   each; its first lines say how) must score 0 on the tests they target.
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
import type { MultiPaxosImplementation } from '../../labs/04-multipaxos/harness.ts';
import { suite } from '../../labs/04-multipaxos/suite.ts';

const lab = '04-multipaxos';
const fixtures = join(projectRoot, 'test', 'fixtures', 'multipaxos');
const alternative = join(fixtures, 'alternative');

/** The hidden tests, where this checkout has them (the staff repository does; a handout does not). */
const hiddenFile = join(projectRoot, 'labs', lab, 'hidden.ts');
const hiddenTests: readonly SuiteTest<MultiPaxosImplementation>[] = existsSync(hiddenFile)
  ? ((await import(pathToFileURL(hiddenFile).href)) as { hiddenTests: readonly SuiteTest<MultiPaxosImplementation>[] }).hiddenTests
  : [];
const graded = withHiddenTests(suite, hiddenTests).tests;

/** Variants of learns-by-gossip, chosen by its flags (its first lines say what each does). */
const gossipVariants = {
  'crowns-itself': { base: 'learns-by-gossip', changes: [['const crownsItself = false;', 'const crownsItself = true;']] },
  'fills-holes-alone': { base: 'learns-by-gossip', changes: [['const fillsHolesAlone = false;', 'const fillsHolesAlone = true;']] },
  'fills-holes-and-answers-alone': {
    base: 'learns-by-gossip',
    changes: [
      ['const fillsHolesAlone = false;', 'const fillsHolesAlone = true;'],
      ['const answersAlone = false;', 'const answersAlone = true;'],
    ],
  },
} as const;
const cheatFiles = cheatFolders(fixtures, gossipVariants);
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
const runsBut =
  (...numbers: string[]): Targets =>
  (test) =>
    test.kind === 'run' && !numbers.includes(test.number);

/** Which tests each cheat is graded on: it must score 0 on each. */
const cheats: Readonly<Record<string, Targets>> = {
  // No agreement: each server answers from its own map and reports what it applies, with slots of its own.
  'answers-from-local-map': every,
  // A working MultiPaxos whose leader answers at once, from the state its pending proposals would give: caught where leaders lose proposals.
  'replies-before-chosen': only('4.4', '4.13', '4.14'),
  // A working MultiPaxos whose acceptors treat what they accept as chosen: caught with five servers, a leader change, or an earlier leader's proposal
  // (not in 4.1, 4.19 or 4.22, whose three servers or one make the leader and one acceptor a majority).
  'chosen-on-accept': (test) => runsBut('4.1', '4.19', '4.22')(test) || only('4.S3', '4.S4', '4.S5', '4.S7')(test),
  // A working MultiPaxos whose followers report every command executed with an empty result: caught wherever a follower executes a get.
  'forges-follower-results': runsBut(),
  // A working MultiPaxos that never collects, and keeps its accepted proposals under a key of its own: caught wherever an acceptor accepts.
  'log-kept-under-another-key': allBut('4.S2'),
  // A safe MultiPaxos in which only n0 ever leads: caught where the others must elect a leader of their own.
  'never-changes-leader': only('4.3', '4.4', '4.6', '4.16', '4.17', '4.18'),
  // The reference whose acceptors answer P2as with ClientReply-typed messages carrying the P2b's fields. 4.S2's minority
  // chooses nothing, 4.19's lone server answers only its own acceptor, which the reference calls directly, and 4.S7's
  // walks end before a P2a is answered.
  'acks-as-client-replies': allBut('4.S2', '4.19', '4.S7'),
  // A working MultiPaxos whose servers lead without phase 1: caught where a new leader must learn what others accepted.
  'skips-phase-one': only('4.4', '4.6', '4.16', '4.17', '4.S3', '4.S4', '4.S5'),
  // A working MultiPaxos whose acceptors send P1b and P2b before they store the promise or the value; a group of one sends neither.
  'replies-before-storing': allBut('4.19'),
  // A working MultiPaxos whose servers delete an accepted proposal as soon as they have executed its slot: caught wherever a slot is executed.
  'collects-on-execute': allBut('4.S2', '4.S7'),
  // A working MultiPaxos that never deletes an accepted proposal: caught by the tests that bound the log (4.20 and 4.23 are hidden).
  'never-collects': only('4.11', '4.19', '4.20', '4.23'),
  // The reference whose servers delete what lies more than 10 slots below what they executed, whatever collectBelow says.
  'collects-ten-behind': only('4.1', '4.11', '4.23'),
  // No Paxos: each server answers every request from a state of its own and reports nothing: no operation it answers was executed.
  'answers-without-agreement': every,
  // Honest acceptors that learn by gossip, each of which outputs BecameLeader at start without phase 1.
  'crowns-itself': (test) => test.kind === 'search',
  // Honest acceptors that learn by gossip and never lead: an earlier leader's appends get executed, but no server led to find them.
  'learns-by-gossip': only('4.S3'),
  // Leaderless gossiping acceptors that fill their own holes with no-ops no leader proposed.
  'fills-holes-alone': only('4.S3', '4.S5'),
  // fills-holes-alone, whose servers also answer clients from a map of their own.
  'fills-holes-and-answers-alone': (test) => test.kind === 'search',
  // A leader elected by phase 1 that gossips its proposals as Decisions instead of phase 2, and counts them chosen at once; a group of one and
  // 4.S2's minority need no phase 2 message.
  'gossips-log-after-phase-one': allBut('4.19', '4.S2'),
  // A leader elected by phase 1 that gossips its proposals as Decisions instead of P2a; its followers write them as accepted and answer P2b.
  'gossips-log-and-counts-acks': allBut('4.19', '4.S2'),
  // The reference whose followers learn from a heartbeat what they accepted in any ballot of its leader, but where a ballot's leader is not a
  // server (a search's earlier leader): caught where a leader that lost slots to another leads again (hidden 4.31).
  'heartbeat-same-leader-off-search': only('4.31'),
  // The reference taking a command over a no-op in phase 1, but for the rule once a server hears a protocol message from a node that is not a
  // server (a search's earlier leader): caught where a no-op filled a hole in a higher ballot and the server holding the command leads (hidden 4.32).
  'command-outranks-no-op-off-search': only('4.32'),
  // The reference comparing the reported ballots of a slot by round alone in phase 1, but for the rule once a server hears a protocol message
  // from a node that is not a server: caught where two leaders of one round both had a proposal accepted in a slot (hidden 4.33).
  'adopt-round-only-off-search': only('4.33'),
  // The reference whose followers learn from a heartbeat what they accepted in any ballot of its round, but where a ballot's leader is not a
  // server: caught where a follower holds the proposal of another leader of the heartbeat's round, which lost (hidden 4.34).
  'heartbeat-ballot-round-only-off-search': only('4.34'),
  // The reference taking a command over a no-op in phase 1, which holds a wrong proposal back to its next heartbeat and sends it with two
  // heartbeats to itself, so that the search prunes the state (beyond one message per link): caught as 4.S9's goal is slot 1 chosen.
  'prunes-contested-slot': only('4.S9'),
};

describe('lab 4 graded on submissions other than the reference', () => {
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
