// Labs 0, 1 and 2 graded, through the grader, on submissions that are not the reference:
//
// - second correct implementations (test/fixtures/alternatives/mutex-maps for lab 1,
//   test/fixtures/alternatives/election-own for lab 2), written with other choices wherever the
//   handout leaves one open, must pass every graded test: a test one fails demands more than the
//   handout does;
// - submissions that try to score without solving (test/fixtures/cheats-pingpong,
//   test/fixtures/cheats-mutex and test/fixtures/cheats-election, one folder each; its first
//   lines say how; or, below, one of them or the
//   second implementation with a line or two changed) must score 0 on the tests they target.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grade } from '../../grader/grade.ts';
import { projectRoot } from '../../grader/labs.ts';
import type { GradedTest } from '../../grader/results.ts';
import { changedCopy } from './cheatFolders.ts';
import { suite as pingpongSuite } from '../../labs/00-pingpong/suite.ts';
import { suite as mutexSuite } from '../../labs/01-mutex/suite.ts';
import { suite as electionSuite } from '../../labs/02-election/suite.ts';

const fixtures = join(projectRoot, 'test', 'fixtures');

/** Every test's number, status and score, one per line, for a failure's message. */
const summary = (tests: readonly GradedTest[]) =>
  tests.map((test) => `${test.number} ${test.status} ${test.score}/${test.maxScore}${test.failure ? `: ${test.failure.property}: ${test.failure.message.slice(0, 300)}` : (test.reason ?? '')}`).join('\n');

type Targets = (test: { readonly number: string; readonly points: number }) => boolean;
/** Every test that gives points (the demonstrations give none). */
const scored: Targets = (test) => test.points > 0;
const scoredBut =
  (...numbers: string[]): Targets =>
  (test) =>
    test.points > 0 && !numbers.includes(test.number);
const only =
  (...numbers: string[]): Targets =>
  (test) =>
    numbers.includes(test.number);

interface Cheat {
  readonly lab: string;
  readonly tests: readonly { readonly number: string; readonly points: number }[];
  /** The folder to grade (made when the cheat is graded). */
  readonly folder: () => string;
  readonly targets: Targets;
}

const electionCheat = (name: string, targets: Targets): Cheat => ({
  lab: '02-election',
  tests: electionSuite.tests,
  folder: () => join(fixtures, 'cheats-election', name),
  targets,
});

/**
 * An election cheat that subclasses the reference solution: graded from a scratch folder that
 * holds the reference's bully.ts and ring.ts beside the cheat's index.ts, imports made local (a
 * submission imports only from its own folder; the protocol's types are erased).
 */
const electionCheatOnReference = (name: string, targets: Targets): Cheat => ({
  lab: '02-election',
  tests: electionSuite.tests,
  folder: () => {
    const scratch = mkdtempSync(join(tmpdir(), `distlab-cheat-${name}-`));
    scratchFolders.push(scratch);
    const solution = join(projectRoot, 'solutions', '02-election');
    for (const file of ['bully.ts', 'ring.ts']) writeFileSync(join(scratch, file), readFileSync(join(solution, file), 'utf8').replaceAll("from '../../labs/", `from '${join(projectRoot, 'labs')}/`));
    const index = readFileSync(join(fixtures, 'cheats-election', name, 'index.ts'), 'utf8');
    writeFileSync(join(scratch, 'index.ts'), index.replaceAll('../../../../solutions/02-election/', './').replaceAll("'../../../../labs/", `'${join(projectRoot, 'labs')}/`));
    return scratch;
  },
  targets,
});

const scratchFolders: string[] = [];
afterAll(() => {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
});

/** A bully cheat: the second election implementation with lines of its bully.ts changed. */
const changedBully = (targets: Targets, ...changes: (readonly [string, string])[]): Cheat => ({
  lab: '02-election',
  tests: electionSuite.tests,
  folder: () => changedCopy(join(fixtures, 'alternatives', 'election-own'), 'bully.ts', changes, scratchFolders),
  targets,
});

/**
 * The second implementation's Lamport clock replaced by one counter that every node of a run
 * would share, with no receive rule: `declaration` (put before the clock's class) declares it,
 * and `counter` names it.
 */
const globalClock = (declaration: string, counter: string): Cheat => ({
  lab: '01-mutex',
  tests: mutexSuite.tests,
  folder: () =>
    changedCopy(
      join(fixtures, 'alternatives', 'mutex-maps'),
      'clocked.ts',
      [
        ['/** A base class with a Lamport clock', `${declaration}\n\n/** A base class with a Lamport clock`],
        ['    this.lamport = this.time + ClockedNode.FIRST_TICK;\n', `    ${counter} = (${counter} || 0) + ClockedNode.FIRST_TICK;\n    this.lamport = ${counter};\n`],
        ['    this.lamport = Math.max(this.time, timestamp) + 1;\n', '    void timestamp;\n'],
      ],
      scratchFolders,
    ),
  targets: only('1C.1', '1C.5', '1C.8', '1D.3', '1D.5'),
});

const pingpongCheat = (name: string, targets: Targets): Cheat => ({
  lab: '00-pingpong',
  tests: pingpongSuite.tests,
  folder: () => join(fixtures, 'cheats-pingpong', name),
  targets,
});

const mutexCheat = (name: string, targets: Targets): Cheat => ({
  lab: '01-mutex',
  tests: mutexSuite.tests,
  folder: () => join(fixtures, 'cheats-mutex', name),
  targets,
});

/** Which tests each cheat is graded on: it must score 0 on each. */
const cheats: Readonly<Record<string, Cheat>> = {
  // The client answers itself with Pongs it sends itself; the server does nothing.
  'self-pong': pingpongCheat('self-pong', scored),
  // A correct client and server, but the client also sends itself a Pong with each Ping, so no loss delays it.
  // Without loss (0.1, 0.6) its own Pong still comes first: a local send arrives before any message sent on the network.
  'pongs-from-itself': pingpongCheat('pongs-from-itself', scored),
  // Pings sent ahead of being asked, their Pongs kept: a ping is reported the moment it is asked for.
  'pings-ahead': pingpongCheat('pings-ahead', scored),
  // No Ping ever: the server sends every seq's Pong, unasked, again and again.
  'pongs-unasked': pingpongCheat('pongs-unasked', scored),
  // The turn order in a module-level queue, the handout's messages only as wake-up calls. Without contention
  // (1A.1) a coordinator that grants at once is right; 1C.1 leaves out the rule a node that enters at once breaks.
  'module-queue': mutexCheat('module-queue', scoredBut('1A.1', '1C.1')),
  // Lamport's messages and its wait for every other node, but the turn order from a module-level queue, not its own.
  'module-queue-after-replies': mutexCheat('module-queue-after-replies', only('1C.2', '1C.3', '1C.4', '1C.5', '1C.6', '1C.8')),
  // The second implementation's Lamport clock replaced by one counter in a module that the nodes of a run would share:
  // a global clock, with no receive rule. Each node has modules of its own, so each counts alone.
  'global-clock': globalClock('let globalClock = 0;', 'globalClock'),
  // The same clock, kept on an object every node of a run can reach (the global object's prototype) rather than in a module:
  // what the nodes share is frozen, so the first tick throws.
  'global-clock-on-a-shared-object': globalClock('const shared = Object.getPrototypeOf(globalThis) as { globalClock: number };', 'shared.globalClock'),
  // The same, and with each Request a node also sends itself one (a local send: never lost, not counted) stamped far
  // below its real one, in the same order as the real stamps, to be judged by that; it ignores that copy when it comes.
  'module-queue-self-request': {
    lab: '01-mutex',
    tests: mutexSuite.tests,
    folder: () =>
      changedCopy(
        join(fixtures, 'cheats-mutex', 'module-queue-after-replies'),
        'index.ts',
        [
          [
            "      this.broadcast({ type: 'Request', timestamp: this.clock });\n",
            "      this.broadcast({ type: 'Request', timestamp: this.clock });\n      this.send(this.id, { type: 'Request', timestamp: this.clock - 1_000_000 });\n",
          ],
          ["  override onMessage(from: NodeId, message: Lamport['message']): void {\n", "  override onMessage(from: NodeId, message: Lamport['message']): void {\n    if (from === this.id) return;\n"],
        ],
        scratchFolders,
      ),
    targets: only('1C.2', '1C.3', '1C.4', '1C.5', '1C.6', '1C.8'),
  },
  // Ricart–Agrawala that never defers a Reply, with exclusion from time slots of its own (a clock and a timer) and
  // Requests stamped with the slot's number.
  'time-slots': mutexCheat('time-slots', (test) => test.points > 0 && test.number.startsWith('1D.')),
  // No bully and no ring: heartbeats from every node all the time, the highest id heard lately leads, and padded message counts.
  'beacons-and-padding': electionCheat('beacons-and-padding', scored),
  // The reference's elections, with failures detected by beacons: unasked Oks (bully, heartbeats on) and Acks (ring) to everyone.
  // Bully with heartbeats off is the reference, and earns what it earns there.
  'ok-and-ack-beacons': electionCheatOnReference('ok-and-ack-beacons', scoredBut('2A.7', '2A.8', '2A.10', '2A.11', '2A.12', '2A.13', '2A.15', '2A.18')),
  // Bully messages, but no Ok: a node handed an Election takes part and never answers, so every candidate
  // declares after its wait and the higher ones bully the lower winners. 2A.10's one Election goes to the dead
  // leader, so it never needs an Ok.
  'bully-without-ok': changedBully((test) => test.points > 0 && test.number.startsWith('2A.') && test.number !== '2A.10', [
    "        this.send(from, { type: 'Ok' });\n",
    '',
  ]),
  // Bully messages, but a node declares as it sends its Elections, without waiting for an Ok: a higher node
  // answers, holds its own election and declares too, and the highest has the last word, at the cost of
  // extra Coordinators.
  'bully-declares-at-once': changedBully((test) => test.points > 0 && test.number.startsWith('2A.'), [
    '    this.setTimer({ type: \'AnswerTimeout\', election: this.round }, this.config.answerTimeoutMs);',
    '    this.win();',
  ]),
  // Honest elections on SuspectLeader, but heartbeats never watched: nobody notices a crash or a partition alone.
  'no-failure-detection': electionCheat('no-failure-detection', only('2A.2', '2A.4', '2A.6', '2A.9', '2B.3', '2B.5', '2B.7')),
  // Ring messages with the right contents that skip the ring: an Election to everyone, a Coordinator straight back to its leader.
  'ring-shortcuts': electionCheat('ring-shortcuts', (test) => test.points > 0 && test.number.startsWith('2B.')),
  // Bully with no Heartbeat ever sent: followers keep suspecting the leader and electing again, and the highest live id keeps
  // winning. Every test with heartbeats on asks the leader to send them.
  'bully-without-heartbeats': changedBully(only('2A.1', '2A.2', '2A.3', '2A.4', '2A.6', '2A.9'), [
    "    for (const id of this.peers) this.send(id, { type: 'Heartbeat' });\n",
    '',
  ]),
  // The leader's heartbeat as a counter in a module that the nodes of a run would share, instead of Heartbeat messages: a
  // follower suspects its leader only when the counter stops moving. Each node has modules of its own, so it never moves.
  'shared-pulse': changedBully(
    only('2A.1', '2A.2', '2A.3', '2A.4', '2A.6', '2A.9'),
    ["type Phase = 'idle' | 'asking' | 'awaitingCoordinator';\n", "type Phase = 'idle' | 'asking' | 'awaitingCoordinator';\n\nconst pulses: number[] = [];\n"],
    ['  current: NodeId | undefined;\n', '  current: NodeId | undefined;\n  lastPulse = -1;\n'],
    ["    for (const id of this.peers) this.send(id, { type: 'Heartbeat' });\n", '    pulses[this.id] = (pulses[this.id] ?? 0) + 1;\n'],
    [
      '        if (this.current !== this.id) this.hold();\n',
      '        if (this.current !== undefined && this.current !== this.id && (pulses[this.current] ?? 0) !== this.lastPulse) {\n' +
        '          this.lastPulse = pulses[this.current] ?? 0;\n' +
        '          this.armSuspicion();\n' +
        '          return;\n' +
        '        }\n' +
        '        if (this.current !== this.id) this.hold();\n',
    ],
  ),
};

describe('labs 0, 1 and 2 graded on submissions other than the reference', () => {
  it('the second correct mutex implementation passes every graded test', async () => {
    const report = await grade({ nodeStates: false, lab: '01-mutex', implementation: join(fixtures, 'alternatives', 'mutex-maps'), seeds: 3, jobs: 2, typecheck: true });
    expect(report.typeErrors).toEqual([]);
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it('a second correct election implementation passes every graded test', async () => {
    const report = await grade({ nodeStates: false, lab: '02-election', implementation: join(fixtures, 'alternatives', 'election-own'), seeds: 3, jobs: 2, typecheck: true });
    expect(report.typeErrors).toEqual([]);
    const notPassed = report.tests.filter((test) => test.status !== 'passed');
    expect(notPassed.length === 0 ? '' : summary(notPassed)).toBe('');
  });

  it.each(Object.keys(cheats))('the cheat %s scores 0 on every test it targets', async (name) => {
    const cheat = cheats[name] as Cheat;
    const targeted = cheat.tests.filter((test) => cheat.targets(test));
    expect(targeted.length).toBeGreaterThan(0);
    // A cheat fails at its first seed; shrinking what it did would only cost time.
    const report = await grade({ nodeStates: false, lab: cheat.lab, implementation: cheat.folder(), tests: targeted.map((test) => test.number), shrinkBudget: 0, jobs: 2 });
    expect(report.tests.map((test) => test.number).sort()).toEqual(targeted.map((test) => test.number).sort());
    const scoredTests = report.tests.filter((test) => test.score > 0 || test.status === 'passed');
    expect(scoredTests.length === 0 ? '' : summary(scoredTests)).toBe('');
  });
});
