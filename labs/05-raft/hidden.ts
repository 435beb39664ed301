// Lab 5's hidden tests: graded with the visible ones wherever this file is present (the staff
// repository, the Gradescope bundle), and never part of a student's handout. Each keeps a
// partition of an awkward shape, or chaos, going for seconds while commands keep coming; parts E
// and F's under the key-value service's clients.
import { nodeName } from 'distlab';
import {
  always,
  clientsReachTheMajority,
  combineSchedules,
  crashRestarts,
  slowMoment,
  type FaultAction,
  type NodeId,
  type Property,
  type ScheduledInput,
  type SuiteTest,
} from 'distlab/testing';
import {
  bridge,
  commitBoundMs,
  cutBetween,
  describeDeadline,
  crashLogBound,
  figureEightPlan,
  majorityRing,
  maxDelayMs,
  n0LeadsFirst,
  onlyThroughNode,
  othersBackMs,
  pick,
  raftRun,
  range,
  scenarioRandom,
  shapedPartitions,
  stabilize,
  stableNetwork,
  test,
  type RaftImplementation,
} from './suite.ts';
import { figureEightReached, heartbeatBudget, majority, nobodyStandsBetween, nothingCommittedBefore, rejectionBudget, snapshotInstalledFromLeader, storedLogBound } from './checks.ts';
import { call, firstCallMs, maxLogEntries, serviceLogBound } from './partE.ts';
import { removedLeaderFinishesItsChange, removedLeaderTellsFollowers, votersKeepTheirTerm } from './membershipChecks.ts';
import { changeTimeMs, membershipRun } from './partF.ts';
import { serviceRun } from './serviceRun.ts';
import type { Raft } from './src/protocol.ts';

/** How the deadline was set, for the progress messages. */
const deadlineAfter = (stableMs: number, what: string) => `(${what} at ${stableMs} ms; the bound is ${commitBoundMs} ms after that)`;

/** `servers` in the order seed `seed` gives them, so that each seed puts a different server in each place of a shape. */
function rotated(servers: readonly NodeId[], testNumber: string, seed: number): NodeId[] {
  const offset = scenarioRandom(testNumber, seed).integer(0, servers.length - 1);
  return servers.map((_server, position) => servers[(position + offset) % servers.length] as NodeId);
}

/** 5A.12: n0 is cut off; the others, with a newer term, all crash and restart while n0 can send to them but hear nothing. */
const staleSenderTimes = (seed: number) => {
  const isolateMs = 850 + scenarioRandom('5A.12', seed).integer(0, 100);
  const crashMs = isolateMs + 800;
  const restartMs = crashMs + 100;
  return { isolateMs, crashMs, restartMs, healMs: restartMs + 1_500 };
};
const staleSenderBoundMs = 1_000;

const staleSender = test('A', 12, {
  name: 'a deposed leader that can still send: its AppendEntries of an old term keep nobody from standing',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    '5 servers, n0 leading first. At about 900 ms n0 is cut off, and the others elect a leader of a newer term. 800 ms later they ' +
    'all crash, and restart 100 ms after that, knowing that term, but no leader; from then on n0 can send to them but hears ' +
    `nothing, and it goes on sending AppendEntries of its old term. They refuse those, and only those, and elect a leader within ${staleSenderBoundMs} ms: ` +
    'a follower resets its election timer for an AppendEntries of its own term or newer, never for a stale one. 1.5 s later every link heals.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: staleSenderTimes(seed).healMs + commitBoundMs,
      deadline: deadlineAfter(staleSenderTimes(seed).healMs, 'every link heals'),
      electionWithinMs: staleSenderBoundMs,
    }),
  scenario: (context) => {
    const { isolateMs, crashMs, restartMs, healMs } = staleSenderTimes(context.seed);
    const others = [1, 2, 3, 4];
    return [
      ...n0LeadsFirst(context.servers, 700),
      { atMs: isolateMs, type: 'isolate', node: 0 },
      ...others.map((node): FaultAction => ({ atMs: crashMs, type: 'crash', node })),
      ...others.map((node): FaultAction => ({ atMs: restartMs, type: 'restart', node })),
      { atMs: restartMs, type: 'heal' },
      { atMs: restartMs, type: 'cut', from: others, to: [0] },
      { atMs: healMs, type: 'heal' },
    ];
  },
});

/** 5A.13: n0 leads, is cut off and deposed; then the others crash, and n0 leads again with their votes when they come back. */
const leadsAgainTimes = {
  isolateMs: 1_000,
  healMs: 2_000,
  othersDownMs: 2_500,
  /** n0 has stood alone at least once by now (its timeout is at most 2T = 600 ms), as in n0LeadsFirst. */
  othersBackMs: 2_500 + 600 + maxDelayMs + 1,
  /** n0 leads again by now (it stands again within 2T), and only its heartbeats are counted from this second on. */
  countedFromSecond: 5,
  endMs: 7_000,
} as const;

const leadsAgain = test('A', 13, {
  name: 'a leader deposed and elected again sends one heartbeat per heartbeatMs, not one per time it led',
  kind: 'budget',
  visibility: 'hidden',
  points: 1,
  seeds: 6,
  description:
    `5 servers, heartbeatMs = 100 and election timeouts in [300, 600] ms. n0 leads first, is cut off from ${leadsAgainTimes.isolateMs} ` +
    `to ${leadsAgainTimes.healMs} ms, and learns of the others' new leader. At ${leadsAgainTimes.othersDownMs} ms the others crash; when they ` +
    "come back they can reach only n0, and n0 leads again. From 5 s on, at most 10 heartbeats per second reach each follower: " +
    "a server's heartbeat timer runs while it leads, and stops when it no longer does.",
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      config: { heartbeatMs: 100, electionTimeoutMs: [300, 600] },
      durationMs: leadsAgainTimes.endMs,
      deadline: describeDeadline(leadsAgainTimes.othersBackMs, leadsAgainTimes.endMs - leadsAgainTimes.othersBackMs),
      extra: [heartbeatBudget(10, 100, leadsAgainTimes.countedFromSecond)],
    }),
  scenario: (context): FaultAction[] => {
    const times = leadsAgainTimes;
    const others = context.servers.filter((node) => node !== 0);
    return [
      ...n0LeadsFirst(context.servers, 800),
      { atMs: times.isolateMs, type: 'isolate', node: 0 },
      { atMs: times.healMs, type: 'heal' },
      ...others.map((node): FaultAction => ({ atMs: times.othersDownMs, type: 'crash', node })),
      ...others.map((node): FaultAction => ({ atMs: times.othersBackMs, type: 'restart', node })),
      ...onlyThroughNode(times.othersBackMs, context.servers, 0),
    ];
  },
});

// 5A.14: votes that arrive after their term is over. Candidates stand together (narrow election
// timeouts) on a network whose delays run up to several election timeouts, so a vote granted for
// one term often reaches its candidate once it stands again in the next.
const lateVotesEndMs = 6_000;

const lateVotes = test('A', 14, {
  name: 'late votes: a vote granted in one term reaches its candidate in the next, and must not count there',
  visibility: 'hidden',
  points: 2,
  seeds: 10,
  description:
    `5 servers whose election timeouts fall in [150, 200] ms. Until ${lateVotesEndMs} ms delays are exponential (mean 80 ms, up to 800 ms) ` +
    'and 10% of messages are lost: votes split, candidates stand again, and a RequestVoteReply often arrives a term or two after the ' +
    'RequestVote it answers. A candidate counts only votes of its current term: one that counts a late vote can win a term another ' +
    'server also wins (one leader per term). Then the network is stable, and every server agrees on a leader.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      config: { electionTimeoutMs: [150, 200] },
      durationMs: lateVotesEndMs + commitBoundMs,
      deadline: describeDeadline(lateVotesEndMs),
      everyoneAgrees: true,
      network: { dropRate: 0.1, delay: { kind: 'exponential', meanMs: 80, maxMs: 800 } },
    }),
  scenario: () => [{ atMs: lateVotesEndMs, type: 'network', ...stableNetwork }],
});

// 5A.15: a leader crashes, and the two servers left must elect a successor. A follower may
// ignore a RequestVote only within the minimum election timeout of hearing from its leader: one
// that ignores candidates for as long as it remembers a leader (until its own timer fires) makes
// the first candidate of each such election stand again, at least T later. The longest timeout
// is under 2T, so one round of election is always shorter than two.
const crashedLeaderTimeoutMs: readonly [number, number] = [1_000, 1_800];
const crashedLeaderTimes = {
  rounds: 4,
  /** From the start of a round, when every server restarts, to when its leader is set to crash: time to elect one that all follow. */
  leadsForMs: 4 * crashedLeaderTimeoutMs[1],
  roundMs: 7 * crashedLeaderTimeoutMs[1],
  /** The longest election timeout, and a little more: the first candidate after the crash wins. */
  successorWithinMs: crashedLeaderTimeoutMs[1] + 100,
  /** A split vote (two timers firing within a message delay) costs a correct cluster a round: allowed once. */
  slowSuccessions: 1,
  /** After the rounds, every server restarts once more, and they elect a leader that stays. */
  lastElectionMs: 4 * crashedLeaderTimeoutMs[1],
} as const;
const crashedLeaderEndMs = crashedLeaderTimes.rounds * crashedLeaderTimes.roundMs;

interface Successions {
  /** The latest server to become leader, in that incarnation. */
  leader: { node: NodeId; incarnation: number } | null;
  /** A leader that crashed while a majority of servers was up, with no leader since. */
  crashed: { node: NodeId; atMs: number } | null;
  /** Each such crash, and the next leader. */
  done: { crashed: NodeId; crashedAtMs: number; next: NodeId; electedAtMs: number }[];
}

/**
 * 5A.15's rule, runs only: each time a leader crashes while a majority of servers is up, another
 * server becomes leader within `withinMs`, every time but `slowAllowed` times.
 */
function successorsInTime(servers: readonly NodeId[], withinMs: number, slowAllowed: number, shortestTimeoutMs: number): Property<Raft, Successions> {
  const slow = (memory: Successions) => memory.done.filter((succession) => succession.electedAtMs - succession.crashedAtMs > withinMs);
  const problem = (memory: Successions, waiting: string | undefined) => {
    const late = slow(memory).map(
      (succession) =>
        `${nodeName(succession.crashed)}, the leader, crashed at ${succession.crashedAtMs} ms and ${nodeName(succession.next)} became leader at ` +
        `${succession.electedAtMs} ms, ${succession.electedAtMs - succession.crashedAtMs} ms later`,
    );
    const lateCount = late.length + (waiting === undefined ? 0 : 1);
    const count = memory.done.length + (waiting === undefined ? 0 : 1);
    return (
      `${lateCount} of the ${count} leaders that crashed so far (with a majority of servers up) had no successor within ${withinMs} ms, ` +
      `where at most ${slowAllowed} may: ${[...late, ...(waiting === undefined ? [] : [waiting])].join('; ')}. The first server whose ` +
      `election timer fires after the crash stands, and a server that has not heard from a leader for the minimum election timeout ` +
      `(${shortestTimeoutMs} ms) must not ignore its RequestVote`
    );
  };
  return always<Raft, Successions>(
    'a crashed leader is replaced within one election timeout',
    {
      memory: () => ({ leader: null, crashed: null, done: [] }),
      records: ['output:BecameLeader', 'crash'],
      record(memory, event, cluster) {
        if (event.kind === 'output') {
          memory.leader = { node: event.node, incarnation: event.incarnation };
          if (memory.crashed === null) return undefined;
          memory.done.push({ crashed: memory.crashed.node, crashedAtMs: memory.crashed.atMs, next: event.node, electedAtMs: event.timeMs });
          memory.crashed = null;
          return slow(memory).length > slowAllowed ? problem(memory, undefined) : undefined;
        }
        const leader = memory.leader;
        if (event.kind !== 'crash' || leader === null || leader.node !== event.node || leader.incarnation !== event.incarnation) return undefined;
        memory.leader = null;
        // A crash that leaves no majority up cannot be followed by an election.
        const up = servers.filter((node) => !cluster.isCrashed(node)).length;
        if (memory.crashed === null && up >= majority(servers.length)) memory.crashed = { node: event.node, atMs: event.timeMs };
        return undefined;
      },
      check(cluster, memory) {
        const crashed = memory.crashed;
        const waiting =
          crashed === null || cluster.nowMs - crashed.atMs <= withinMs
            ? undefined
            : `${nodeName(crashed.node)}, the leader, crashed at ${crashed.atMs} ms and no server became leader by ${cluster.nowMs} ms`;
        return slow(memory).length + (waiting === undefined ? 0 : 1) > slowAllowed ? problem(memory, waiting) : undefined;
      },
    },
    { atEnd: true },
  );
}

const crashedLeader = test('A', 15, {
  name: 'a follower ignores a RequestVote only within the minimum election timeout of hearing from its leader: a crashed leader is replaced within one timeout',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    `3 servers, election timeouts in [${crashedLeaderTimeoutMs[0]}, ${crashedLeaderTimeoutMs[1]}] ms, every message takes exactly 1 ms. ` +
    `${crashedLeaderTimes.rounds} rounds: every server restarts; about ${crashedLeaderTimes.leadsForMs / 1_000} s later, once they all follow a leader, it ` +
    'crashes the moment a follower answers its heartbeat (and so does the next leader once answered, which ends the round). Both followers ' +
    `heard from it 1 ms before: the first whose timer fires stands, at least ${crashedLeaderTimeoutMs[0]} ms after the crash, and the other must ` +
    "grant its vote. A server may ignore a RequestVote only within the minimum election timeout of hearing from its leader (part F's rule " +
    'against removed servers), not for as long as it remembers a leader: so a new leader is elected within ' +
    `${crashedLeaderTimes.successorWithinMs} ms of the crash (the longest timeout, and a little more). A follower that ignores the candidate ` +
    `until its own timer fires makes it stand again, at least ${2 * crashedLeaderTimeoutMs[0]} ms after the crash. One election of the ` +
    `${crashedLeaderTimes.rounds} may take longer: two timers that fire within a millisecond split the vote. At the end every server restarts, ` +
    'and they elect a leader.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 3,
      config: { electionTimeoutMs: crashedLeaderTimeoutMs },
      durationMs: crashedLeaderEndMs + crashedLeaderTimes.lastElectionMs,
      deadline: describeDeadline(crashedLeaderEndMs, crashedLeaderTimes.lastElectionMs),
      // Every heartbeat reaches both followers in the same millisecond: with varying delays, the
      // one that heard the leader last could still rightly ignore the first candidate.
      network: { delay: { kind: 'uniform', minMs: 1, maxMs: 1 } },
      extra: [successorsInTime(range(0, 3), crashedLeaderTimes.successorWithinMs, crashedLeaderTimes.slowSuccessions, crashedLeaderTimeoutMs[0])],
    }),
  scenario: (context) =>
    range(0, crashedLeaderTimes.rounds + 1).flatMap((round): FaultAction[] => {
      const startMs = round * crashedLeaderTimes.roundMs;
      // The server a round leaves alone stands again and again, and its term runs ahead (a server of
      // a higher term never follows the leader, and tests nothing). After the restarts (a server
      // whose crash still waits crashes first), the three have seconds to agree on a leader.
      const restarts = round === 0 ? [] : context.servers.map((node): FaultAction => ({ atMs: startMs, type: 'restart', node }));
      if (round === crashedLeaderTimes.rounds) return restarts;
      // Only a leader is answered with AppendEntriesReply: whoever leads crashes on its first one, before reading it.
      const crashes = context.servers.map(
        (node): FaultAction => ({ atMs: startMs + crashedLeaderTimes.leadsForMs, type: 'crash', node, afterEffects: 0, inReactionTo: 'message:AppendEntriesReply' }),
      );
      return [...restarts, ...crashes];
    }),
});

const ringStartMs = 700;
const ringEndMs = 3_700;

const majorityRingTest = test('A', 11, {
  name: 'a majority ring for 3 s: each of five servers sees a different majority, while commands keep coming',
  visibility: 'hidden',
  points: 2,
  seeds: 10,
  description:
    `5 servers, a command every 80 ms. From ${ringStartMs} to ${ringEndMs} ms each server talks only to its two neighbours on a ring ` +
    '(a different majority for each, placed differently on each seed): no server hears everyone, so elections keep starting on the ' +
    'far side of the leader. One leader per term throughout; after the heal every server agrees on a leader. (A part A test: the commands make ' +
    'the logs differ, so that the up-to-date check matters, but none need be applied.)',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: ringEndMs + commitBoundMs,
      deadline: deadlineAfter(ringEndMs, 'every link heals'),
      everyoneAgrees: true,
      service: { commands: 45, firstAtMs: 300, everyMs: 80 },
      required: () => false,
    }),
  scenario: (context) => [...majorityRing(ringStartMs, rotated(context.servers, '5A.11', context.seed)), { atMs: ringEndMs, type: 'heal' }],
});

const bridgeStartMs = 600;
const bridgeEndMs = 3_600;

const bridgeTest = test('B', 10, {
  name: 'a bridge server for 3 s: two halves that reach each other only through one server, while commands keep coming',
  visibility: 'hidden',
  points: 2,
  seeds: 10,
  description:
    `3 or 5 servers, two commands every 100 ms. From ${bridgeStartMs} to ${bridgeEndMs} ms the servers but one form two halves that ` +
    'cannot talk to each other; the bridge talks to all (a different one on each seed). A leader in a half reaches a majority through ' +
    'the bridge and commits, while the other half, hearing nothing, stands for election through the bridge. After the heal every ' +
    'command is applied everywhere.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: pick([5, 3], seed),
      durationMs: bridgeEndMs + commitBoundMs,
      deadline: deadlineAfter(bridgeEndMs, 'every link heals'),
      service: { commands: 70, firstAtMs: 300, everyMs: 100, batch: 2 },
    }),
  scenario: (context) => {
    const order = rotated(context.servers, '5B.10', context.seed);
    return [...bridge(bridgeStartMs, order, order[0] as NodeId), { atMs: bridgeEndMs, type: 'heal' }];
  },
});

/** 5B.11: when the four servers split into two pairs, and when they heal. */
const evenSplitTimes = (seed: number) => {
  const splitMs = scenarioRandom('5B.11', seed).integer(750, 850);
  return { splitMs, healMs: splitMs + 1_500 };
};

const evenSplit = test('B', 11, {
  name: 'an even cluster split in two pairs: 2 of 4 servers are no majority, and neither pair commits',
  visibility: 'hidden',
  points: 2,
  seeds: 8,
  description:
    '4 servers, n0 leading first. At about 800 ms they split in two pairs that cannot talk to each other (n0 with one of the ' +
    'others, by seed), for 1.5 s, while commands are offered. A majority of 4 is 3: the pair without the leader elects nobody, the ' +
    'pair with it appends and commits nothing until the heal. Then every command is applied everywhere.',
  setup: (implementation, seed) => {
    const { splitMs, healMs } = evenSplitTimes(seed);
    return raftRun(implementation, {
      servers: 4,
      durationMs: healMs + commitBoundMs,
      deadline: deadlineAfter(healMs, 'the two pairs heal'),
      service: { commands: 8, firstAtMs: splitMs + 50, everyMs: 100 },
      extra: [nothingCommittedBefore(healMs, `the servers were split in two pairs (2 of 4 each) from ${splitMs} to ${healMs} ms, and these commands were given then`)],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs } = evenSplitTimes(context.seed);
    const partner = pick([1, 2, 3], context.seed);
    return [
      ...n0LeadsFirst(context.servers, 700),
      { atMs: splitMs, type: 'partition', groups: [[0, partner]] },
      { atMs: healMs, type: 'heal' },
    ];
  },
});

/**
 * 5B.12: 5B.7 with the other half of fast backup. Nothing is committed before n0 and n1 are cut
 * off, so the leader that repairs them holds no entry of their conflicting term (n0's first): it
 * moves nextIndex to the conflictIndex of their reply, not past its own entries of that term.
 */
const unknownTermSplitMs = 1_000;
const unknownTermAloneMs = 1_400;
const unknownTermHealMs = 2_500;
const unknownTermConflicts = 50;

const fastBackupUnknownTerm = test('B', 12, {
  name: `fast backup of a term the leader never held: ${unknownTermConflicts} conflicting entries repaired in a few round trips`,
  kind: 'budget',
  visibility: 'hidden',
  points: 2,
  seeds: 10,
  description:
    `5 servers, n0 leading first, nothing committed. At ${unknownTermSplitMs} ms n0 and n1 are cut off from the other three: ` +
    `${unknownTermConflicts} commands given to n0 reach only n1, in a term the other three hold no entry of; they elect a leader and commit ` +
    `other commands at the same indexes. From ${unknownTermAloneMs} ms n1 is alone too; at ${unknownTermHealMs} ms the network heals. The leader then ` +
    "holds no entry of n0's term, and repairs n0 and n1 from the first index of that term in their replies: at most 16 AppendEntries may " +
    'fail the consistency check in the whole run.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: unknownTermHealMs + commitBoundMs,
      deadline: describeDeadline(unknownTermHealMs),
      inputs: range(0, unknownTermConflicts).map((index): ScheduledInput<Raft> => ({
        atMs: unknownTermSplitMs + 50 + 5 * index,
        node: 0,
        input: { type: 'Start', command: `x${index}` },
      })),
      service: { commands: unknownTermConflicts, firstAtMs: unknownTermAloneMs + 400, everyMs: 10 },
      required: (command) => !command.startsWith('x'),
      extra: [rejectionBudget(16, `${unknownTermConflicts} conflicting entries of a term the leader never held, on n0 and n1`)],
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 700),
    { atMs: unknownTermSplitMs, type: 'partition', groups: [[0, 1], [2, 3, 4]] },
    { atMs: unknownTermAloneMs, type: 'partition', groups: [[0], [1], [2, 3, 4]] },
    { atMs: unknownTermHealMs, type: 'heal' },
  ],
});

/** 5B.13: n4 misses entries while down, a new leader is elected meanwhile, and n4 comes back unable to answer. */
const laggingDeafTimes = { n4DownMs: 800, n0DownMs: 1_300, n0BackMs: 1_900, n4BackMs: 2_000, healMs: 3_400 } as const;

const laggingDeafFollower = test('B', 13, {
  name: 'a follower whose log lags and whose answers are lost keeps following: a failed AppendEntries restarts its election timer too',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    `5 servers, n0 leading first, a command every 20 ms. n4 is down from ${laggingDeafTimes.n4DownMs} ms and n0 from ` +
    `${laggingDeafTimes.n0DownMs} ms: n1, n2 and n3 elect a leader, which takes n4 to hold its whole log. n0 is back at ` +
    `${laggingDeafTimes.n0BackMs} ms, and n4 at ${laggingDeafTimes.n4BackMs} ms, but nothing n4 sends reaches anyone until ` +
    `${laggingDeafTimes.healMs} ms: every AppendEntries it gets fails the consistency check, and the leader never hears it. n4 ` +
    'follows that leader all the same and does not stand for election: a follower restarts its election timer on every ' +
    'AppendEntries of its leader\'s term, whether or not its log matches. Then every command is applied everywhere.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: laggingDeafTimes.healMs + commitBoundMs,
      deadline: deadlineAfter(laggingDeafTimes.healMs, 'every link heals'),
      extra: [
        nobodyStandsBetween(
          laggingDeafTimes.n4BackMs,
          laggingDeafTimes.healMs,
          "a leader leads and its AppendEntries reach every server, n4 included: a follower restarts its election timer on every AppendEntries of its leader's term, one that fails the consistency check too",
        ),
      ],
      service: { commands: 80, firstAtMs: 700, everyMs: 20 },
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 700),
    { atMs: laggingDeafTimes.n4DownMs, type: 'crash', node: 4 },
    { atMs: laggingDeafTimes.n0DownMs, type: 'crash', node: 0 },
    { atMs: laggingDeafTimes.n0BackMs, type: 'restart', node: 0 },
    { atMs: laggingDeafTimes.n4BackMs, type: 'cut', from: [4], to: [0, 1, 2, 3] },
    { atMs: laggingDeafTimes.n4BackMs, type: 'restart', node: 4 },
    { atMs: laggingDeafTimes.healMs, type: 'heal' },
  ],
});

const longChurnEndMs = 10_000;

const longChurn = test('C', 10, {
  name: 'long churn: 10 s of crashes, partitions of every shape and a lossy, reordering network, 5 clients and snapshots',
  visibility: 'hidden',
  points: 3,
  seeds: 10,
  description:
    `5 or 7 servers; until ${longChurnEndMs} ms servers crash (some in the middle of a reaction) and restart, partitions of every ` +
    'shape come and go, and the network loses, duplicates and reorders messages; 5 commands are offered at once every 200 ms, and ' +
    'the service snapshots every 10 applied entries. Then everything heals, every server is up, and every command must be applied everywhere.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: pick([5, 7], seed),
      durationMs: longChurnEndMs + commitBoundMs,
      deadline: deadlineAfter(longChurnEndMs, 'the network is stable and every server up'),
      network: { dropRate: 0.05, duplicateRate: 0.05, delay: { kind: 'exponential', meanMs: 8, maxMs: 80 } },
      service: { commands: 250, firstAtMs: 300, everyMs: 200, batch: 5, snapshotEvery: 10 },
    }),
  scenario: (context) => stabilize(longChurnEndMs, context.servers),
  faults: (context) => {
    const window = { withinMs: [0, longChurnEndMs - 700] as const };
    return combineSchedules(
      crashRestarts(context.servers, { ...window, count: [6, 12], lengthMs: [100, 1_000] }),
      crashRestarts(context.servers, { ...window, count: [2, 5], lengthMs: [5, 200], afterEffects: [0, 3] }),
      shapedPartitions(context.servers, { ...window, count: [4, 8], lengthMs: [200, 900] }),
    );
  },
});

/**
 * 5C.11's plan. n0 leads term t and, cut off with n1 alone, appends b0..b9; the network is so slow
 * for a moment that the AppendEntries carrying them reach n1 only seconds later, and n1's
 * acknowledgments are as slow again. Meanwhile the other three elect a leader whose entries
 * replace b0.. in n0's log, n0 leads again with two of them, and is given x, which only n2 then
 * acknowledges: n0 and n2 alone cannot commit it. n1's late replies, of term t, name indexes
 * up to b9's, past x's: a leader that counted them would commit x.
 */
const lateReplyTimes = {
  splitMs: 900,
  /** The first slow moment: n0's AppendEntries to n1 carrying b0..b9 (sent and resent) arrive slowDelayMs later. */
  firstSlowMs: [905, 1_060],
  slowDelayMs: 2_500,
  startsMs: 910,
  /** n0 and n1 stop before n1's election timer, last reset by a heartbeat sent before the slow moment, runs out. */
  pairDownMs: 1_060,
  othersStartMs: [1_400, 1_500, 1_600, 1_700],
  n0BackMs: 1_800,
  othersDownMs: 1_950,
  /** n0 has stood alone at least once (its timeout is at most 2T), as in n0LeadsFirst. */
  votersBackMs: 1_950 + othersBackMs,
  /** n0 leads by now, with n2's and n3's votes (n2 and n3 can reach only n0). */
  voterDownMs: 2_700,
  xMs: 2_750,
  lastVoterDownMs: 3_300,
  /** The second slow moment: n1 is up and answers what arrives from the first, and n0's heartbeats of its new term reach it only later. */
  secondSlowMs: [3_390, 3_570],
  n1UpMs: [3_400, 3_565],
  stableMs: 6_300,
} as const;

const lateReply = test('C', 11, {
  name: 'replies that arrive a term late: their leader led again since, and counts only the replies of its new term',
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    `5 servers, n0 leading first. At ${lateReplyTimes.splitMs} ms n0 and n1 are cut off from the others, n0 is given 10 commands, and the ` +
    `network is so slow for a moment that they reach n1 ${lateReplyTimes.slowDelayMs} ms later; n0 and n1 crash. The others elect a leader ` +
    'and are given commands; n0 comes back, and that leader replaces its entries. n0 leads again, with the votes of n2 and n3; n3 crashes, ' +
    'n0 is given a command, n2 acknowledges it and crashes: n0 cannot commit it. n1 comes back when the slow entries arrive, and the ' +
    "network is slow again while it acknowledges them: its replies, of n0's old term, reach n0 seconds later and name indexes at which " +
    'n0 now holds other entries. A leader counts only the replies of its current term. ' +
    `At ${lateReplyTimes.stableMs} ms everything heals, every server is up, and every later command must be applied everywhere.`,
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: lateReplyTimes.stableMs + commitBoundMs,
      deadline: deadlineAfter(lateReplyTimes.stableMs, 'the network is stable and every server up'),
      inputs: [
        { atMs: 720, node: 0, input: { type: 'Start', command: 'a' } },
        ...range(0, 10).map((index): ScheduledInput<Raft> => ({ atMs: lateReplyTimes.startsMs, node: 0, input: { type: 'Start', command: `b${index}` } })),
        ...lateReplyTimes.othersStartMs.flatMap((atMs, index) =>
          [2, 3, 4].map((node): ScheduledInput<Raft> => ({ atMs, node, input: { type: 'Start', command: `m${index}` } })),
        ),
        { atMs: lateReplyTimes.xMs, node: 0, input: { type: 'Start', command: 'x' } },
      ],
      service: { commands: 10, firstAtMs: lateReplyTimes.stableMs + 100, everyMs: 50 },
      required: (command) => command.startsWith('c'),
    }),
  scenario: (context): FaultAction[] => {
    const times = lateReplyTimes;
    const slow = (fromMs: number, untilMs: number) => slowMoment(fromMs, untilMs, times.slowDelayMs, stableNetwork);
    return [
      ...n0LeadsFirst(context.servers, 700),
      { atMs: times.splitMs, type: 'partition', groups: [[0, 1], [2, 3, 4]] },
      ...slow(...times.firstSlowMs),
      { atMs: times.pairDownMs, type: 'crash', node: 0 },
      { atMs: times.pairDownMs, type: 'crash', node: 1 },
      { atMs: times.n0BackMs, type: 'heal' },
      { atMs: times.n0BackMs, type: 'restart', node: 0 },
      ...[2, 3, 4].map((node): FaultAction => ({ atMs: times.othersDownMs, type: 'crash', node })),
      ...[2, 3].map((node): FaultAction => ({ atMs: times.votersBackMs, type: 'restart', node })),
      ...onlyThroughNode(times.votersBackMs, context.servers, 0),
      { atMs: times.voterDownMs, type: 'crash', node: 3 },
      { atMs: times.lastVoterDownMs, type: 'crash', node: 2 },
      ...slow(...times.secondSlowMs),
      { atMs: times.n1UpMs[0], type: 'restart', node: 1 },
      { atMs: times.n1UpMs[1], type: 'crash', node: 1 },
      ...stabilize(times.stableMs, context.servers),
    ];
  },
});

/**
 * 5C.14: n0 leads, and n1 acknowledges many entries that the others then replace. n0 leads again
 * later, while n1 is down: what n1 acknowledged in n0's first term says nothing of its log now.
 */
const staleMatchTimes = {
  splitMs: 900,
  startsMs: 910,
  othersStartMs: [1_400, 1_500, 1_600, 1_700],
  healMs: 1_900,
  othersDownMs: 2_300,
  /** n0 has stood alone at least once (its timeout is at most 2T), as in n0LeadsFirst. */
  votersBackMs: 2_300 + othersBackMs,
  /** n0 leads by now, with n2's and n3's votes (n2 and n3 can reach only n0). */
  voterDownMs: 3_050,
  xMs: 3_100,
  lastVoterDownMs: 3_300,
  leaderDownMs: 3_350,
  restBackMs: 3_400,
  restStartsMs: [3_900, 4_000, 4_100, 4_200],
  stableMs: 4_700,
} as const;

const staleMatchIndex = test('C', 14, {
  name: 'a leader elected again starts from nothing: what a follower acknowledged in its earlier term counts for nothing now',
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    `5 servers, n0 leading first. At ${staleMatchTimes.splitMs} ms n0 and n1 are cut off from the others; n0 is given 10 commands, and n1 ` +
    'acknowledges them. The others elect a leader and are given commands; when everyone is healed, that leader replaces the 10 entries ' +
    'on n0 and n1. Then all but n0 crash; n2 and n3 come back, able to reach only n0, and n0 leads again. n3 crashes, n0 is given a ' +
    'command and n2 acknowledges it: with n1 down, that is two servers of five, and the command must not be committed (a leader that ' +
    "kept its matchIndex from its earlier term counts n1, which once acknowledged an entry further on). n2 and n0 crash; n1, n3 and n4 " +
    `come back, elect a leader and commit commands of their own. At ${staleMatchTimes.stableMs} ms everything heals, every server is up, ` +
    'and every later command must be applied everywhere.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: staleMatchTimes.stableMs + commitBoundMs,
      deadline: deadlineAfter(staleMatchTimes.stableMs, 'the network is stable and every server up'),
      inputs: [
        { atMs: 720, node: 0, input: { type: 'Start', command: 'a' } },
        ...range(0, 10).map((index): ScheduledInput<Raft> => ({ atMs: staleMatchTimes.startsMs, node: 0, input: { type: 'Start', command: `b${index}` } })),
        ...staleMatchTimes.othersStartMs.flatMap((atMs, index) =>
          [2, 3, 4].map((node): ScheduledInput<Raft> => ({ atMs, node, input: { type: 'Start', command: `m${index}` } })),
        ),
        { atMs: staleMatchTimes.xMs, node: 0, input: { type: 'Start', command: 'x' } },
        ...staleMatchTimes.restStartsMs.flatMap((atMs, index) =>
          [1, 3, 4].map((node): ScheduledInput<Raft> => ({ atMs, node, input: { type: 'Start', command: `y${index}` } })),
        ),
      ],
      service: { commands: 10, firstAtMs: staleMatchTimes.stableMs + 100, everyMs: 50 },
      required: (command) => command.startsWith('c'),
    }),
  scenario: (context): FaultAction[] => {
    const times = staleMatchTimes;
    return [
      ...n0LeadsFirst(context.servers, 700),
      { atMs: times.splitMs, type: 'partition', groups: [[0, 1], [2, 3, 4]] },
      { atMs: times.healMs, type: 'heal' },
      ...[1, 2, 3, 4].map((node): FaultAction => ({ atMs: times.othersDownMs, type: 'crash', node })),
      ...[2, 3].map((node): FaultAction => ({ atMs: times.votersBackMs, type: 'restart', node })),
      ...onlyThroughNode(times.votersBackMs, context.servers, 0),
      { atMs: times.voterDownMs, type: 'crash', node: 3 },
      { atMs: times.lastVoterDownMs, type: 'crash', node: 2 },
      { atMs: times.leaderDownMs, type: 'crash', node: 0 },
      { atMs: times.restBackMs, type: 'heal' },
      ...[1, 3, 4].map((node): FaultAction => ({ atMs: times.restBackMs, type: 'restart', node })),
      ...stabilize(times.stableMs, context.servers),
    ];
  },
});

/**
 * 5C.12: n0, cut off while it leads, appends many entries of its term; the other two elect a
 * leader and commit a few entries of a newer term. Both crash, one comes back, and n0 rejoins:
 * n0's log is the longer, the other's last term the newer.
 */
/** 5B.14: when n1 is cut off, when n2 crashes for good, and when n1 is back. */
const deposedLeaderTimes = (seed: number) => {
  const random = scenarioRandom('5B.14', seed);
  const isolateMs = 1_000 + random.integer(0, 100);
  return { isolateMs, crashMs: isolateMs + 300, healMs: isolateMs + 600 + random.integer(0, 100) };
};

const deposedLeaderStandsAgain = test('B', 14, {
  name: 'a leader deposed by a server it must refuse stands again itself',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    '3 servers, n0 leading first. At about 1 s n1 is cut off, and stands again and again in ever higher terms; n0 and n2 commit 5 ' +
    'commands without it, then n2 crashes for good. When n1 is back, 300 to 400 ms later, its term deposes n0, but its log lacks ' +
    'those commands: n0 must refuse it the vote, and n1 cannot win. n0, now a follower, must stand again when its election timeout ' +
    "runs out (stepping down starts that timer again) and win with n1's vote, so that every command given after the heal is applied " +
    `on both within ${commitBoundMs} ms of it.`,
  setup: (implementation, seed) => {
    const times = deposedLeaderTimes(seed);
    return raftRun(implementation, {
      servers: 3,
      durationMs: times.healMs + commitBoundMs + 1_000,
      deadline: deadlineAfter(times.healMs, 'n1 is back'),
      inputs: [
        ...range(0, 3).map((index): ScheduledInput<Raft> => ({ atMs: 720 + 15 * index, node: 0, input: { type: 'Start', command: `a${index}` } })),
        ...range(0, 5).map((index): ScheduledInput<Raft> => ({ atMs: times.isolateMs + 50 + 20 * index, node: 0, input: { type: 'Start', command: `b${index}` } })),
      ],
      service: { commands: 6, firstAtMs: times.healMs + 100, everyMs: 50 },
    });
  },
  scenario: (context): FaultAction[] => {
    const times = deposedLeaderTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 700),
      { atMs: times.isolateMs, type: 'isolate', node: 1 },
      { atMs: times.crashMs, type: 'crash', node: 2 },
      { atMs: times.healMs, type: 'heal' },
    ];
  },
});

const olderLongerTimes = (seed: number) => {
  const isolateMs = 900 + scenarioRandom('5C.12', seed).integer(0, 100);
  return { isolateMs, othersDownMs: isolateMs + 1_300, firstBackMs: isolateMs + 1_400, secondBackMs: isolateMs + 2_600 };
};
const olderLongerEntries = 20;
/** 5C.12's bound on every election: n0 and the first server back are a majority, and must not wait for the second. */
const olderLongerElectionMs = 1_000;

const olderLongerLog = test('C', 12, {
  name: 'a longer log of an older term does not win a vote: the up-to-date check compares the last terms first',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    `3 servers, n0 leading first; 3 commands commit. At about 1 s n0 is cut off, still leading, and is given ${olderLongerEntries} commands ` +
    'it appends alone. n1 and n2 elect a leader of a newer term and commit 3 commands. Then both crash, n0 rejoins, and one of them ' +
    '(n1 or n2, depending on the seed) comes back 100 ms later: its log is shorter than n0\'s, but its last entry is of a newer term, ' +
    'and committed. It must refuse n0 its vote (a candidate is at least as up to date when its last term is higher, or equal with a ' +
    `log at least as long), and n0 must vote for it: the two of them elect it within ${olderLongerElectionMs} ms. 1.2 s later the other comes back, ` +
    'and every later command is applied everywhere.',
  setup: (implementation, seed) => {
    const times = olderLongerTimes(seed);
    return raftRun(implementation, {
      servers: 3,
      durationMs: times.secondBackMs + commitBoundMs,
      deadline: deadlineAfter(times.secondBackMs, 'every server is up'),
      // n0 and the first back make a majority: they must elect one of them before the second comes back.
      electionWithinMs: olderLongerElectionMs,
      inputs: [
        ...range(0, 3).map((index): ScheduledInput<Raft> => ({ atMs: 720 + 15 * index, node: 0, input: { type: 'Start', command: `a${index}` } })),
        ...range(0, olderLongerEntries).map((index): ScheduledInput<Raft> => ({ atMs: times.isolateMs + 50 + 5 * index, node: 0, input: { type: 'Start', command: `x${index}` } })),
      ],
      service: { commands: 6, firstAtMs: times.isolateMs + 700, everyMs: 50 },
      required: (command) => !command.startsWith('x'),
    });
  },
  scenario: (context): FaultAction[] => {
    const times = olderLongerTimes(context.seed);
    const [first, second] = pick([[1, 2], [2, 1]] as const, context.seed);
    return [
      ...n0LeadsFirst(context.servers, 700),
      { atMs: times.isolateMs, type: 'isolate', node: 0 },
      { atMs: times.othersDownMs, type: 'crash', node: 1 },
      { atMs: times.othersDownMs, type: 'crash', node: 2 },
      { atMs: times.othersDownMs, type: 'heal' },
      { atMs: times.firstBackMs, type: 'restart', node: first },
      { atMs: times.secondBackMs, type: 'restart', node: second },
    ];
  },
});

/** 5C.13: Figure 8 as 5C.4 plays it, with an entry of its own term on the leader of (c), after f1. */
const ownEntryPlan = figureEightPlan(2_500, { ownEntry: true });

const figureEightOwnEntry = test('C', 13, {
  name: "Figure 8 with an entry of the leader's own term after the old one: an old entry commits only below one of the leader's term that a majority holds",
  visibility: 'hidden',
  points: 2,
  seeds: 10,
  description:
    "5C.4's Figure 8 on 5 servers: n0 leads and gives f1 to n1 only; n4 leads a later term and appends f2 alone; n0 or n1 leads a third " +
    'term and copies f1 to a majority. Then n2 and n3 go down and the leader is given f3, which reaches the other of n0 and n1 only: its ' +
    'last entry is now of its own term, but no entry of its term is on a majority, so f1 is still not committed (a leader that checks ' +
    'the term of its last entry, instead of the term of the entry it would commit, commits f1). n4, whose last entry has a later term ' +
    'than f1, is then elected and overwrites it (leader completeness). Then everyone is back and 10 commands must be applied everywhere.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: ownEntryPlan.stableMs + 500 + commitBoundMs,
      deadline: describeDeadline(ownEntryPlan.stableMs),
      inputs: ownEntryPlan.inputs,
      service: { commands: 10, firstAtMs: ownEntryPlan.stableMs + 100, everyMs: 30 },
      required: (command) => command.startsWith('c'),
      extra: [figureEightReached(range(0, 5))],
    }),
  scenario: () => ownEntryPlan.schedule,
});

/** 5D.7: n0, cut off while it leads, appends many commands the others never see; they commit and snapshot past where n0's log conflicts. */
const conflictingInstallTimes = { isolateMs: 750, healMs: 2_200 } as const;
const conflictingEntries = 40;

const conflictingInstall = test('D', 7, {
  name: "an old leader whose log conflicts with the leader's snapshot discards it when it installs the snapshot",
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    `3 or 5 servers, n0 leading first, snapshots every 10 entries. From ${conflictingInstallTimes.isolateMs} to ${conflictingInstallTimes.healMs} ms n0 is cut ` +
    `off and still believes it leads: it is given ${conflictingEntries} commands of its own and appends the service's commands too, none of which ` +
    'can commit, while the others elect a leader, commit the service\'s commands at the same indexes in a newer term and snapshot them. After ' +
    "the heal n0 is behind the leader's snapshot and gets it by InstallSnapshot: its entry at the snapshot's last index is of another term, " +
    "so it discards its whole log; keeping the entries after that index would keep an old term's entries after a newer one's.",
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: pick([3, 5], seed),
      durationMs: conflictingInstallTimes.healMs + 300 + commitBoundMs,
      deadline: describeDeadline(conflictingInstallTimes.healMs + 300),
      inputs: range(0, conflictingEntries).map((index): ScheduledInput<Raft> => ({
        atMs: conflictingInstallTimes.isolateMs + 50 + 5 * index,
        node: 0,
        input: { type: 'Start', command: `x${index}` },
      })),
      service: { commands: 40, firstAtMs: 800, everyMs: 30, snapshotEvery: 10 },
      // n0 is behind the leader's snapshot: only an InstallSnapshot brings it back.
      extra: [snapshotInstalledFromLeader(0)],
      required: (command) => !command.startsWith('x'),
      stopWhenDone: true,
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 700),
    { atMs: conflictingInstallTimes.isolateMs, type: 'isolate', node: 0 },
    { atMs: conflictingInstallTimes.healMs, type: 'heal' },
  ],
});

/**
 * 5D.8: n1's and n2's answers are lost from 900 to 1100 ms (they append what n0 sends, nothing
 * commits); then n1's come through again and n0 commits and snapshots past what n2 holds, while
 * n2's answers stay lost: n0 sends n2 its snapshot, which ends inside n2's log. n2 crashes in its
 * reaction to the first InstallSnapshot, after two storage writes, and is back at 1300 ms.
 */
const installInsideLogTimes = { cutMs: 900, oneWayMs: 1_100, backMs: 1_300 } as const;

const installInsideLog = test('D', 8, {
  name: 'a follower installs a snapshot that ends inside its log: it keeps the entries after it, which it has acknowledged',
  visibility: 'hidden',
  points: 2,
  seeds: 8,
  description:
    '3 servers, n0 leading first, a command every 10 ms, snapshots every 10 entries. From 900 ms n1\'s and n2\'s answers are lost: ' +
    'they append and acknowledge what n0 sends, and nothing commits. At 1100 ms n1\'s answers come through again: n0 commits and ' +
    "snapshots past what it believes n2 holds, and sends n2 that snapshot, which ends inside n2's log. n2 crashes in its reaction to " +
    'the InstallSnapshot, after two storage writes, and is back at 1300 ms. The entries after the snapshot that n2 holds and has ' +
    'acknowledged must survive: a follower whose log holds the snapshot\'s last entry, with its term, keeps the entries after it.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 3,
      durationMs: installInsideLogTimes.backMs + commitBoundMs,
      deadline: describeDeadline(installInsideLogTimes.backMs),
      service: { commands: 100, firstAtMs: 700, everyMs: 10, snapshotEvery: 10 },
      extra: [storedLogBound(crashLogBound, 'the service snapshots every 10 entries; room for what is appended while nothing commits')],
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 700),
    { atMs: installInsideLogTimes.cutMs, type: 'cut', from: [1, 2], to: [0] },
    { atMs: installInsideLogTimes.oneWayMs, type: 'heal' },
    { atMs: installInsideLogTimes.oneWayMs + 1, type: 'cut', from: [2], to: [0] },
    { atMs: installInsideLogTimes.oneWayMs + 2, type: 'crash', node: 2, inReactionTo: 'message:InstallSnapshot', afterEffects: 2 },
    { atMs: installInsideLogTimes.backMs, type: 'restart', node: 2 },
    { atMs: installInsideLogTimes.backMs, type: 'heal' },
  ],
});

const unansweredFromMs = 900;
const unansweredUntilMs = 2_200;
/** Each server's snapshot period, n0's first: n1 snapshots at other indexes than its leader. */
const ownPaceSnapshots = [10, 7, 9, 11, 13] as const;
/** The service folds its state at leisure: meanwhile the leader commits more, and tells n1. */
const ownPaceSnapshotDelayMs = 150;

const unansweredSnapshots = test('D', 6, {
  name: "a follower whose answers are lost gets snapshots of what it has applied: it keeps its state",
  visibility: 'hidden',
  points: 2,
  seeds: 8,
  description:
    `3 or 5 servers, n0 leading first, a command every 20 ms; each server snapshots at its own pace (every ${ownPaceSnapshots.join(', ')} ` +
    `entries, n0's first), and its snapshot reaches Raft ${ownPaceSnapshotDelayMs} ms after the entry was applied. From ` +
    `${unansweredFromMs} to ${unansweredUntilMs} ms nothing n1 sends reaches n0: n1 still gets every entry and applies what is ` +
    'committed, but n0 hears no acknowledgment. A leader that sends unacknowledged entries again, as the reference does, sends its ' +
    "snapshot once it passes what n1 acknowledged (one that sends again only after a failed consistency check sends none, which is fine): it covers entries " +
    "n1 has already applied, and may go beyond n1's own snapshot. A server installs a snapshot only " +
    'if it goes past what it has applied. Nobody stands for election meanwhile: n1 resets its election timer for each InstallSnapshot ' +
    'as for an AppendEntries. Every command is applied everywhere, once and in order, and no server keeps more than ' +
    `${crashLogBound} entries in its stored log.`,
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: pick([3, 5], seed),
      durationMs: unansweredUntilMs + commitBoundMs,
      deadline: deadlineAfter(unansweredUntilMs, 'every link heals'),
      extra: [
        nobodyStandsBetween(
          unansweredFromMs,
          unansweredUntilMs,
          "n0 leads and its AppendEntries and InstallSnapshots reach every server: a follower resets its election timer for an InstallSnapshot of its leader's term, as for an AppendEntries",
        ),
        storedLogBound(crashLogBound, `each server snapshots every ${ownPaceSnapshots.join(', ')} entries, ${ownPaceSnapshotDelayMs} ms after applying`),
      ],
      service: {
        commands: 80,
        firstAtMs: 700,
        everyMs: 20,
        snapshotEvery: ownPaceSnapshots.slice(0, pick([3, 5], seed)),
        snapshotDelayMs: ownPaceSnapshotDelayMs,
      },
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 700),
    { atMs: unansweredFromMs, type: 'cut', from: [1], to: [0] },
    { atMs: unansweredUntilMs, type: 'heal' },
  ],
});

// Part E: chaos of every kind at once, and a partition of an awkward shape, while clients keep working.

const chaosEndMs = 3_500;

const chaos = test('E', 13, {
  name: 'chaos: lost and duplicated messages, crashes in mid-reaction and partitions, with snapshots',
  visibility: 'hidden',
  points: 3,
  seeds: 5,
  description:
    `5 servers, 4 clients, config.maxLogEntries ${maxLogEntries}. Until ${chaosEndMs} ms the network loses and duplicates 5% of messages, ` +
    'servers crash in the middle of a reaction and restart, and partitions of every shape come and go. Then everything heals: every ' +
    'operation returns, each append taking effect once, and the history is linearizable.',
  setup: (implementation) =>
    serviceRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: chaosEndMs + 4_000,
      faultsEndMs: chaosEndMs,
      network: { dropRate: 0.05, duplicateRate: 0.05 },
      config: { maxLogEntries },
      workload: { operationsPerClient: 25, keys: ['x', 'y'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [10, 50], startMs: firstCallMs },
      extra: [storedLogBound(serviceLogBound, `config.maxLogEntries is ${maxLogEntries}`)],
    }),
  scenario: (context) => stabilize(chaosEndMs, context.servers),
  faults: (context) =>
    combineSchedules(
      crashRestarts(context.servers, { count: [2, 5], withinMs: [400, chaosEndMs - 400], lengthMs: [20, 300], afterEffects: [0, 3] }),
      shapedPartitions(context.servers, { count: [1, 3], withinMs: [400, chaosEndMs - 700], lengthMs: [200, 600] }),
    ),
});

/** 5E.19: when n2 is cut off and back, and when n0 and n1 crash and restart by turns after that. */
const installedStateTimes = (seed: number) => {
  const random = scenarioRandom('5E.19', seed);
  const cutMs = 1_000 + random.integer(0, 100);
  const healMs = cutMs + 1_000;
  const turns = range(0, 4).map((turn) => ({ node: turn % 2, downMs: healMs + 500 + 700 * turn + random.integer(0, 50) }));
  return { cutMs, healMs, turns, lastMs: (turns.at(-1)?.downMs ?? healMs) + 300 };
};

const installedState = test('E', 19, {
  name: 'a follower that installs a snapshot from the leader serves from its state: its map and its at-most-once table',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    `3 servers, 3 clients, config.maxLogEntries ${maxLogEntries}. At about 1 s n2 is cut off for 1 s, while the clients keep n0 and n1 ` +
    'busy: the leader snapshots past the entries n2 lacks, and n2, back, is caught up by InstallSnapshot. Then n0 and n1 crash and ' +
    'restart by turns, 300 ms down each, so that n2 leads for a while: what it answers and applies must start from the snapshot it ' +
    'installed, not from the state it had before the cut. Every history stays linearizable, each append taking effect once.',
  setup: (implementation, seed) =>
    serviceRun(implementation, {
      servers: 3,
      clients: 3,
      durationMs: installedStateTimes(seed).lastMs + 4_000,
      faultsEndMs: installedStateTimes(seed).lastMs,
      config: { maxLogEntries },
      workload: { operationsPerClient: 70, keys: ['x', 'y'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [5, 30], startMs: firstCallMs },
    }),
  scenario: (context): FaultAction[] => {
    const { cutMs, healMs, turns } = installedStateTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 700),
      { atMs: cutMs, type: 'isolate', node: 2 },
      { atMs: healMs, type: 'heal' },
      ...turns.flatMap(({ node, downMs }): FaultAction[] => [
        { atMs: downMs, type: 'crash', node },
        { atMs: downMs + 300, type: 'restart', node },
      ]),
    ];
  },
});

const serviceRingStartMs = 900;
const serviceRingEndMs = 2_900;

const ringWithClients = test('E', 14, {
  name: 'a majority ring for 2 s under many clients: leadership moves, every history stays linearizable',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    `5 servers, 5 clients that reach every server. From ${serviceRingStartMs} to ${serviceRingEndMs} ms each server talks only to its two neighbours on a ` +
    'ring (a different majority for each): elections keep starting on the far side of the leader, requests started by one leader are ' +
    'lost with its term, and clients retry. After the heal every operation returns.',
  setup: (implementation) =>
    serviceRun(implementation, {
      servers: 5,
      clients: 5,
      durationMs: serviceRingEndMs + 4_000,
      faultsEndMs: serviceRingEndMs,
      workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [20, 60], startMs: firstCallMs },
    }),
  scenario: (context) => {
    const offset = scenarioRandom('5E.14', context.seed).integer(0, context.servers.length - 1);
    const rotated = context.servers.map((_server, position) => context.servers[(position + offset) % context.servers.length] as NodeId);
    return [...majorityRing(serviceRingStartMs, rotated), { atMs: serviceRingEndMs, type: 'heal' }];
  },
});

// 5E.15: every client used n0, the leader; n0 and n1 are cut off from the servers and clients of the majority.
const staleLeaderTimes = (seed: number) => {
  const cutMs = 1_000 + scenarioRandom('5E.15', seed).integer(0, 100);
  return { cutMs, healMs: cutMs + 2_000 };
};
const staleLeaderClients = range(5, 4);

const clientsLeaveStaleLeader = test('E', 15, {
  name: 'the leader every client used is cut off: the clients go round the servers and reach the majority',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    '5 servers, n0 leading first, 4 clients that all end up talking to n0. At about 1 s n0 and n1 are cut off from everyone else for 2 s: ' +
    'n1 keeps naming n0, and n0 never answers. Each client, retrying elsewhere after a timeout, must find the leader the other three ' +
    'elect and complete operations with it before the heal.',
  setup: (implementation, seed) => {
    const { cutMs, healMs } = staleLeaderTimes(seed);
    return serviceRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: healMs + 3_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 30, keys: ['x', 'y'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [10, 40], startMs: [750, 800] },
      extraAfter: [clientsReachTheMajority(staleLeaderClients, cutMs, healMs, `while n0 and n1 were cut off from the other servers and every client (${cutMs} to ${healMs} ms)`)],
    });
  },
  scenario: (context) => {
    const { cutMs, healMs } = staleLeaderTimes(context.seed);
    return [...n0LeadsFirst(context.servers, 700), { atMs: cutMs, type: 'partition', groups: [[0, 1]] }, { atMs: healMs, type: 'heal' }];
  },
});

// 5E.16: two clients outside the workload crash and restart between their operations.
const restartingClients: readonly NodeId[] = [7, 8];
/** Each restarting client's three calls, and its two crashes: each crash comes 250 ms after a call (long returned), the restart 50 to 150 ms later. */
function clientRestartPlan(seed: number) {
  const random = scenarioRandom('5E.16', seed);
  return restartingClients.map((client, position) => {
    const firstMs = 900 + 150 * position + random.integer(0, 50);
    const callsMs = [firstMs, firstMs + 500, firstMs + 1_000];
    const crashes = callsMs.slice(0, 2).map((callMs) => ({ crashMs: callMs + 250, restartMs: callMs + 250 + random.integer(50, 150) }));
    return { client, callsMs, crashes };
  });
}

const clientsRestart = test('E', 16, {
  name: 'clients crash and restart between operations: a restarted client never reuses a sequence number',
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    '5 servers, n0 leading first; 2 clients keep working while 2 others each append to x, crash and restart, append again, crash and ' +
    'restart, and read x. A client keeps its sequence number in storage: one that started again from 1 would send a command the ' +
    'servers take for a duplicate of one they executed, and its append would be answered without taking effect.',
  setup: (implementation, seed) => {
    const plan = clientRestartPlan(seed);
    return serviceRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: 6_000,
      faultsEndMs: Math.max(...plan.flatMap((client) => client.crashes.map((crash) => crash.restartMs))),
      workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [20, 60], startMs: [750, 800], clients: [5, 6] },
      inputs: plan.flatMap(({ client, callsMs }) => [
        call(callsMs[0] as number, client, { kind: 'append', key: 'x', value: `${nodeName(client)}.1;` }),
        call(callsMs[1] as number, client, { kind: 'append', key: 'x', value: `${nodeName(client)}.2;` }),
        call(callsMs[2] as number, client, { kind: 'get', key: 'x' }),
      ]),
    });
  },
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 700),
    ...clientRestartPlan(context.seed).flatMap(({ client, crashes }) =>
      crashes.flatMap(({ crashMs, restartMs }): FaultAction[] => [
        { atMs: crashMs, type: 'crash', node: client },
        { atMs: restartMs, type: 'restart', node: client },
      ]),
    ),
  ],
});

// 5E.17: two clients outside the workload crash in the middle of an operation, once it has reached the leader.
/** Each such client's four calls and its crash: 2 to 12 ms after its second call, with the leader known from the first; the restart 80 to 150 ms later. */
function clientCrashPlan(seed: number) {
  const random = scenarioRandom('5E.17', seed);
  return restartingClients.map((client, position) => {
    const firstMs = 900 + 150 * position + random.integer(0, 50);
    const callsMs = [firstMs, firstMs + 500, firstMs + 1_000, firstMs + 1_500];
    const crashMs = (callsMs[1] as number) + random.integer(2, 12);
    return { client, callsMs, crashMs, restartMs: crashMs + random.integer(80, 150) };
  });
}

/** 5E.18: until then, every message may come twice, and long after the first copy. */
const heldBackEndMs = 4_000;

const heldBackDuplicates = test('E', 18, {
  name: "requests held back: a copy of an older command arrives after its client's next one was executed, and is not executed again",
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    `5 or 3 servers, 4 clients. Until ${heldBackEndMs} ms the network delivers 20% of messages twice and delays every message ` +
    "exponentially (mean 30 ms, up to 400 ms), Raft's and the clients' alike: a copy of a request, or a retry, can arrive long after " +
    "its client's next command was executed. The at-most-once table takes every command at or below a client's last executed " +
    'sequence number as executed, not only the last one. Then the network is stable, and every operation returns, each append ' +
    'taking effect once.',
  setup: (implementation, seed) =>
    serviceRun(implementation, {
      servers: pick([5, 3], seed),
      clients: 4,
      durationMs: heldBackEndMs + 4_000,
      // The last operation may return while messages still take up to 400 ms: every server catches up once the network is stable.
      faultsEndMs: heldBackEndMs,
      network: { duplicateRate: 0.2, delay: { kind: 'exponential', meanMs: 30, maxMs: 400 } },
      workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 1, put: 0, append: 3 }, thinkMs: [0, 10], startMs: firstCallMs },
    }),
  scenario: () => [{ atMs: heldBackEndMs, type: 'network', ...stableNetwork }],
});

const clientsCrashMidOperation = test('E', 17, {
  name: 'clients crash in the middle of an operation: the number of the abandoned command is never used again',
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    '5 servers, n0 leading first; 2 clients keep working while 2 others each append to x, then append again and crash a few ms ' +
    'later, while the cluster executes that command. Restarted, each appends a third time and reads x. The abandoned append may ' +
    'or may not take effect (it never returns), but the third must: a client that stores its sequence number only once an ' +
    'operation returns gives the third append the number of the abandoned one, and the servers answer it as a duplicate.',
  setup: (implementation, seed) => {
    const plan = clientCrashPlan(seed);
    return serviceRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: 6_000,
      faultsEndMs: Math.max(...plan.map((client) => client.restartMs)),
      workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [20, 60], startMs: [750, 800], clients: [5, 6] },
      inputs: plan.flatMap(({ client, callsMs }) => [
        call(callsMs[0] as number, client, { kind: 'append', key: 'x', value: `${nodeName(client)}.1;` }),
        call(callsMs[1] as number, client, { kind: 'append', key: 'x', value: `${nodeName(client)}.2;` }),
        call(callsMs[2] as number, client, { kind: 'append', key: 'x', value: `${nodeName(client)}.3;` }),
        call(callsMs[3] as number, client, { kind: 'get', key: 'x' }),
      ]),
    });
  },
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 700),
    ...clientCrashPlan(context.seed).flatMap(({ client, crashMs, restartMs }): FaultAction[] => [
      { atMs: crashMs, type: 'crash', node: client },
      { atMs: restartMs, type: 'restart', node: client },
    ]),
  ],
});

// Part F: a change that shrinks the cluster and one that grows it back, on a lossy network.

const shrinkAndGrow = test('F', 11, {
  name: 'shrink and grow back under loss: five voters to three and back, on a lossy network',
  points: 2,
  seeds: 4,
  visibility: 'hidden',
  description:
    '5 servers, all voters; 5% of messages are lost and 5% duplicated. From about 900 ms n3 and n4 are removed in one change, ' +
    'then added back in another (their logs are stale, not empty): every change goes through a joint configuration. The service ' +
    'snapshots past 20 log entries, so n3 and n4 catch up from a snapshot that must carry the configuration in force at its last index.',
  setup: (implementation, seed) =>
    membershipRun(implementation, {
      servers: 5,
      initialVoters: range(0, 5),
      steps: [
        { add: [], remove: [3, 4], atMs: changeTimeMs('5F.11', seed) },
        { add: [3, 4], remove: [] },
      ],
      network: { dropRate: 0.05, duplicateRate: 0.05 },
      // Snapshots past 20 entries: n3 and n4 come back from a snapshot, whose configuration says who votes.
      maxLogEntries: 20,
      clients: 3,
      operationsPerClient: 50,
      durationMs: 8_000,
    }),
});

/** 5F.12: when n1 and n2 go down, when n0 is asked to add n3 and n4, when n1 and n2 come back. */
const learnersTimes = (seed: number) => {
  const random = scenarioRandom('5F.12', seed);
  const downMs = 850 + random.integer(0, 100);
  const changeMs = downMs + 300 + random.integer(0, 100);
  return { downMs, changeMs, backMs: changeMs + 700 + random.integer(0, 200) };
};

const learnersDoNotCount = test('F', 12, {
  name: 'learners count in no majority: two servers added while the leader holds entries only it stores',
  points: 2,
  seeds: 5,
  visibility: 'hidden',
  description:
    '5 server nodes, the configuration {n0, n1, n2}, n0 leading first. At about 900 ms n1 and n2 go down; the clients\' commands ' +
    'reach n0 alone, which appends them and cannot commit them. About 350 ms later n0 is asked to add n3 and n4: they catch up as ' +
    'learners and then store those entries, but n0 and two learners are not a majority of {n0, n1, n2}, so nothing may commit until ' +
    'n1 and n2 come back, 700 to 900 ms later. Then the change completes.',
  setup: (implementation, seed) =>
    membershipRun(implementation, {
      servers: 5,
      initialVoters: [0, 1, 2],
      steps: [{ add: [3, 4], remove: [], atMs: learnersTimes(seed).changeMs + 1 }],
      // Given to n0 directly: the driver asks on what the cluster outputs, and nothing commits while n1 and n2 are down.
      inputs: [{ atMs: learnersTimes(seed).changeMs, node: 0, input: { type: 'ChangeMembership', add: [3, 4], remove: [] } }],
      clients: 3,
      operationsPerClient: 40,
      durationMs: 6_000,
    }),
  scenario: (context): FaultAction[] => {
    const { downMs, backMs } = learnersTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 800),
      ...[1, 2].flatMap((node): FaultAction[] => [
        { atMs: downMs, type: 'crash', node },
        { atMs: backMs, type: 'restart', node },
      ]),
    ];
  },
});

const removedLeaderFinishes = test('F', 13, {
  name: 'a removed leader finishes its change: it leads until C_new is committed, and only then do the others elect a leader',
  points: 2,
  seeds: 5,
  visibility: 'hidden',
  description:
    '5 or 3 servers, all voters, n0 leading first, no faults. At about 900 ms n0 is asked to remove itself. It appends C_old,new, ' +
    'then C_new, which leaves it out, and leads until C_new is committed: it outputs MembershipChanged before any other server ' +
    'becomes leader. Then it steps down and the others elect a leader.',
  setup: (implementation, seed) => {
    const servers = pick([5, 3], seed);
    return membershipRun(implementation, {
      servers,
      initialVoters: range(0, servers),
      steps: [{ add: [], remove: [0], atMs: changeTimeMs('5F.13', seed) }],
      clients: 3,
      operationsPerClient: 40,
      durationMs: 6_000,
      extra: [removedLeaderFinishesItsChange(0, range(1, servers - 1)), removedLeaderTellsFollowers(0, range(1, servers - 1))],
    });
  },
  scenario: (context) => n0LeadsFirst(context.servers, 800),
});

/**
 * 5F.14: when n0 is asked to remove itself, and when it crashes. The network's delay is raised to
 * 200 ms in steps of 50 (a heartbeat apart, so no follower's timer runs out) before the change:
 * C_old,new then commits no sooner than 400 ms after the ask, and C_new, appended then and sent
 * by the next heartbeat, is stored by the followers 700 ms after the ask at the latest, while its
 * acknowledgements reach n0 800 ms after the ask at the earliest. n0 crashes in between.
 */
const earlierNewConfigurationTimes = (seed: number) => {
  const changeMs = 1_200 + scenarioRandom('5F.14', seed).integer(0, 100);
  return { changeMs, crashMs: changeMs + 760, restartMs: changeMs + 1_500 };
};
const slowDelayMs = 200;

const earlierNewConfiguration = test('F', 14, {
  name: "an earlier leader's C_new: the removed leader crashes before C_new commits, and the new leader commits and announces it",
  points: 2,
  seeds: 4,
  visibility: 'hidden',
  description:
    `5 servers, all voters, n0 leading first. The network slows to ${slowDelayMs} ms a message; at about 1,250 ms n0 is asked ` +
    'to remove itself. It commits C_old,new and appends C_new, which reaches the four others, and crashes before their ' +
    "acknowledgements come back. The four elect a leader, whose no-op commits the earlier leader's C_new: the leader that " +
    'applies a C_new outputs MembershipChanged, whoever appended it. n0 restarts later and, not a voter of its latest ' +
    'configuration, never stands for election.',
  setup: (implementation, seed) => {
    const { changeMs } = earlierNewConfigurationTimes(seed);
    return membershipRun(implementation, {
      servers: 5,
      initialVoters: range(0, 5),
      // The driver asks only if the change is not done by then: the C_new applied by the new leader is.
      steps: [{ add: [], remove: [0], atMs: changeMs + 3_000 }],
      inputs: [{ atMs: changeMs, node: 0, input: { type: 'ChangeMembership', add: [], remove: [0] } }],
      clients: 3,
      operationsPerClient: 40,
      durationMs: 6_000,
    });
  },
  scenario: (context): FaultAction[] => {
    const { changeMs, crashMs, restartMs } = earlierNewConfigurationTimes(context.seed);
    const fixedDelay = (delayMs: number) => ({ delay: { kind: 'uniform' as const, minMs: delayMs, maxMs: delayMs } });
    return [
      ...n0LeadsFirst(context.servers, 800),
      ...[1, 2, 3, 4].map((step): FaultAction => ({ atMs: changeMs - 250 + step * 50, type: 'network', ...fixedDelay(step * 50) })),
      { atMs: crashMs, type: 'crash', node: 0 },
      { atMs: crashMs, type: 'network', delay: { kind: 'uniform', minMs: 1, maxMs: 10 } },
      { atMs: restartMs, type: 'restart', node: 0 },
    ];
  },
});

/**
 * 5F.15: when n0 is asked to remove n4 (cut off, with C_old,new in its own log only), when it
 * rejoins (the new leader's entries cut that entry from its log), and when every server but n0
 * goes down, so that n0 leads next (as in n0LeadsFirst: n1 and n2 come back once n0's term is
 * above theirs, and can reach only n0 for a while). The clients' own operations are done by then.
 */
const abandonedChangeTimes = (seed: number) => {
  const random = scenarioRandom('5F.15', seed);
  const changeMs = 900 + random.integer(0, 100);
  const rejoinMs = changeMs + 600 + random.integer(0, 100);
  const othersDownMs = rejoinMs + 1_500 + random.integer(0, 100);
  return { changeMs, rejoinMs, othersDownMs, othersBackMs: othersDownMs + othersBackMs, healMs: othersDownMs + 1_000, callsMs: othersDownMs + 1_500 };
};

const abandonedChange = test('F', 15, {
  name: 'an abandoned change is forgotten: a configuration entry cut from the log is no longer in force',
  points: 2,
  seeds: 4,
  visibility: 'hidden',
  description:
    '5 servers, all voters, n0 leading first. At about 950 ms n0, cut off from everyone, is asked to remove n4; it appends ' +
    'C_old,new to its own log alone; nobody asks for that change again. A new leader is elected among the others; when n0 rejoins, ' +
    "that leader's entries replace the C_old,new in n0's log, so n0's configuration is again all five servers. Later every server " +
    'but n0 goes down, and n0 leads with n1 and n2: it must lead in the configuration its log holds, and make no change nobody ' +
    'asked for (no C_new without its C_old,new before it). Three more operations return afterwards.',
  setup: (implementation, seed) => {
    const { changeMs, callsMs } = abandonedChangeTimes(seed);
    const client = 5;
    return membershipRun(implementation, {
      servers: 5,
      initialVoters: range(0, 5),
      steps: [],
      inputs: [
        { atMs: changeMs, node: 0, input: { type: 'ChangeMembership', add: [], remove: [4] } },
        call(callsMs, client, { kind: 'put', key: 'x', value: 'after' }),
        call(callsMs + 200, client, { kind: 'append', key: 'x', value: '+' }),
        call(callsMs + 400, client, { kind: 'get', key: 'x' }),
      ],
      clients: 3,
      operationsPerClient: 20,
      durationMs: callsMs + 3_000,
    });
  },
  scenario: (context): FaultAction[] => {
    const times = abandonedChangeTimes(context.seed);
    const others = [1, 2, 3, 4];
    return [
      ...n0LeadsFirst(context.servers, 800),
      // Cut off as it is asked, n0 appends C_old,new to its own log alone (at once, or at its next heartbeat) and keeps it
      // there, in force, while the others elect a leader; it rejoins as that leader's follower.
      { atMs: times.changeMs - 5, type: 'isolate', node: 0 },
      { atMs: times.rejoinMs, type: 'heal' },
      ...others.map((node): FaultAction => ({ atMs: times.othersDownMs, type: 'crash', node })),
      ...onlyThroughNode(times.othersDownMs, [0, 1, 2], 0),
      { atMs: times.othersBackMs, type: 'restart', node: 1 },
      { atMs: times.othersBackMs, type: 'restart', node: 2 },
      { atMs: times.healMs, type: 'heal' },
      { atMs: times.healMs, type: 'restart', node: 3 },
      { atMs: times.healMs, type: 'restart', node: 4 },
    ];
  },
});

/**
 * 5F.16: when n1 and n2 go down, when n0 is asked to add n3 and n4, when n0 crashes (its
 * C_old,new reached n3 and n4 only), when n1 and n2 come back unable to reach each other, and
 * when everything heals.
 */
const jointElectionTimes = (seed: number) => {
  const random = scenarioRandom('5F.16', seed);
  const downMs = 850 + random.integer(0, 100);
  const changeMs = downMs + 300 + random.integer(0, 100);
  const crashMs = changeMs + 600;
  const backMs = crashMs + 50;
  return { downMs, changeMs, crashMs, backMs, healMs: backMs + 1_200 + random.integer(0, 100) };
};

const electionInJointConfiguration = test('F', 16, {
  name: 'an election in a joint configuration that adds servers: the candidate asks the voters of C_old and of C_new',
  points: 2,
  seeds: 5,
  visibility: 'hidden',
  description:
    '5 server nodes, the configuration {n0, n1, n2}, n0 leading first. At about 900 ms n1 and n2 go down; about 350 ms later n0 is ' +
    'asked to add n3 and n4. It catches them up as learners and appends C_old,new, which reaches only them and cannot commit, and ' +
    'crashes. n1 and n2 come back, each cut off from the other: neither can win in C_old without n0. n3 and n4, in C_old,new, must ' +
    'win a majority of {n0, n1, n2} and one of {n0 … n4}, so a candidate among them asks both sets, n1, n2 and the other new ' +
    'server alike. The new leader commits C_old,new with its no-op, then finishes the change. Everything heals about 1.2 s later.',
  setup: (implementation, seed) => {
    const { changeMs, healMs } = jointElectionTimes(seed);
    return membershipRun(implementation, {
      servers: 5,
      initialVoters: [0, 1, 2],
      steps: [{ add: [3, 4], remove: [], atMs: changeMs + 1 }],
      // Given to n0 directly: the driver asks on what the cluster outputs, and nothing commits while n1 and n2 are down.
      inputs: [{ atMs: changeMs, node: 0, input: { type: 'ChangeMembership', add: [3, 4], remove: [] } }],
      clients: 3,
      operationsPerClient: 40,
      durationMs: healMs + 3_000,
    });
  },
  scenario: (context): FaultAction[] => {
    const { downMs, crashMs, backMs, healMs } = jointElectionTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 800),
      { atMs: downMs, type: 'crash', node: 1 },
      { atMs: downMs, type: 'crash', node: 2 },
      { atMs: crashMs, type: 'crash', node: 0 },
      ...cutBetween(crashMs, [1], [2]),
      { atMs: backMs, type: 'restart', node: 1 },
      { atMs: backMs, type: 'restart', node: 2 },
      { atMs: healMs, type: 'heal' },
      { atMs: healMs, type: 'restart', node: 0 },
    ];
  },
});

/** 5F.17: when n0, the leader, crashes, and when it comes back (removed by then). */
const deadLeaderTimes = (seed: number) => {
  const crashMs = 900 + scenarioRandom('5F.17', seed).integer(0, 100);
  return { crashMs, restartMs: crashMs + 1_500 };
};

const removeDeadLeader = test('F', 17, {
  name: 'the crashed leader is removed: the new leader, asked the moment it wins, commits an entry of its term first',
  points: 2,
  seeds: 5,
  visibility: 'hidden',
  description:
    '4 servers, all voters, n0 leading first. At about 950 ms n0 crashes, and the operator asks at once to remove it: the request ' +
    'reaches the new leader the moment it outputs BecameLeader, before its no-op is committed. It may start the change only once it ' +
    'has committed an entry of its own term (refusing or queuing it until then). C_old,new and C_new commit without n0; n0 comes ' +
    'back 1.5 s later with its old configuration and must not disrupt the three.',
  setup: (implementation, seed) => {
    const { crashMs } = deadLeaderTimes(seed);
    return membershipRun(implementation, {
      servers: 4,
      initialVoters: range(0, 4),
      steps: [{ add: [], remove: [0], atMs: crashMs + 1 }],
      clients: 3,
      operationsPerClient: 40,
      durationMs: 6_000,
    });
  },
  scenario: (context): FaultAction[] => {
    const { crashMs, restartMs } = deadLeaderTimes(context.seed);
    return [...n0LeadsFirst(context.servers, 800), { atMs: crashMs, type: 'crash', node: 0 }, { atMs: restartMs, type: 'restart', node: 0 }];
  },
});

/** 5F.18: when the follower to remove is cut off (just before the ask), and when it is back. */
const cutOffRemovalTimes = (seed: number) => {
  const random = scenarioRandom('5F.18', seed);
  const changeMs = 900 + random.integer(0, 100);
  return { removed: random.integer(1, 4), changeMs, healMs: changeMs + 700 + random.integer(0, 100) };
};

const removedWhileCutOff = test('F', 18, {
  name: 'a server removed while it is cut off never learns of it: back, its RequestVotes change no remaining voter\'s term',
  points: 2,
  seeds: 5,
  visibility: 'hidden',
  description:
    '5 servers, all voters, n0 leading first. At about 950 ms one follower is cut off from everyone, and the leader is asked to ' +
    'remove it: C_old,new and C_new commit on the four others, and the removed server receives neither. It times out again and ' +
    'again with ever higher terms; when it is back, 700 to 800 ms later, its RequestVotes reach the voters, who hear from their ' +
    'leader and ignore them: none of them changes term, and n0 keeps leading, until 4 s.',
  setup: (implementation, seed) => {
    const { removed, changeMs } = cutOffRemovalTimes(seed);
    return membershipRun(implementation, {
      servers: 5,
      initialVoters: range(0, 5),
      steps: [{ add: [], remove: [removed], atMs: changeMs }],
      clients: 3,
      operationsPerClient: 40,
      durationMs: 4_000,
      stopWhenFinished: false,
      extra: [votersKeepTheirTerm()],
    });
  },
  scenario: (context): FaultAction[] => {
    const { removed, changeMs, healMs } = cutOffRemovalTimes(context.seed);
    return [...n0LeadsFirst(context.servers, 800), { atMs: changeMs - 5, type: 'isolate', node: removed }, { atMs: healMs, type: 'heal' }];
  },
});

/** 5F.19: when n2 is cut off (the change is asked for just after), when it is back, and when it is cut off again. */
const snapshotConfigurationTimes = (seed: number) => {
  const random = scenarioRandom('5F.19', seed);
  const cutMs = 900 + random.integer(0, 100);
  const healMs = cutMs + 1_200 + random.integer(0, 100);
  return { cutMs, changeMs: cutMs + 50, healMs, againMs: healMs + 600, backMs: healMs + 1_200 };
};

const configurationFromSnapshot = test('F', 19, {
  name: 'a follower that catches up from a snapshot takes the configuration the snapshot carries',
  points: 2,
  seeds: 5,
  visibility: 'hidden',
  description:
    '5 server nodes, the configuration {n0, n1, n2}; the service snapshots past 10 log entries. At about 950 ms n2 is cut off, and ' +
    'the leader is asked to add n3 and n4: both configuration entries commit, and the clients go on until snapshots have replaced ' +
    'them. Back 1.2 s later, n2 is caught up by InstallSnapshot, whose configuration (n0 to n4) has no entry left in any log; cut off ' +
    'again 600 ms later, it stands for election, and must ask all five.',
  setup: (implementation, seed) =>
    membershipRun(implementation, {
      servers: 5,
      initialVoters: [0, 1, 2],
      steps: [{ add: [3, 4], remove: [], atMs: snapshotConfigurationTimes(seed).changeMs }],
      maxLogEntries: 10,
      clients: 3,
      operationsPerClient: 80,
      durationMs: 6_000,
    }),
  scenario: (context): FaultAction[] => {
    const { cutMs, healMs, againMs, backMs } = snapshotConfigurationTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 800),
      { atMs: cutMs, type: 'isolate', node: 2 },
      { atMs: healMs, type: 'heal' },
      { atMs: againMs, type: 'isolate', node: 2 },
      { atMs: backMs, type: 'heal' },
    ];
  },
});

/** 5F.20: the change, and when n1 and n2 go down, come back, are cut off from the others, and heal. */
const restartConfigurationTimes = (seed: number) => {
  const random = scenarioRandom('5F.20', seed);
  const changeMs = 950 + random.integer(0, 100);
  const downMs = changeMs + 1_200 + random.integer(0, 100);
  return { changeMs, downMs, backMs: downMs + 50, healMs: downMs + 1_200 };
};

const configurationAfterRestart = test('F', 20, {
  name: 'a restarted server takes the configuration its own snapshot carries, not the first one',
  points: 2,
  seeds: 5,
  visibility: 'hidden',
  description:
    '5 server nodes, the configuration {n0, n1, n2}; the service snapshots past 10 log entries. At about 1 s the leader is asked to add ' +
    'n3 and n4; the clients go on until snapshots have replaced both configuration entries. n1 and n2 then crash and restart, and are cut ' +
    'off together from n0, n3 and n4 for 1.2 s: their configuration (n0 to n4) is in their snapshots alone, and two of five elect nobody. ' +
    'A server that reads its configuration before its snapshot counts votes and acknowledgements in {n0, n1, n2}, where n1 and n2 are a majority.',
  setup: (implementation, seed) =>
    membershipRun(implementation, {
      servers: 5,
      initialVoters: [0, 1, 2],
      steps: [{ add: [3, 4], remove: [], atMs: restartConfigurationTimes(seed).changeMs }],
      maxLogEntries: 10,
      clients: 3,
      operationsPerClient: 80,
      durationMs: 6_000,
    }),
  scenario: (context): FaultAction[] => {
    const { downMs, backMs, healMs } = restartConfigurationTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 800),
      { atMs: downMs, type: 'crash', node: 1 },
      { atMs: downMs, type: 'crash', node: 2 },
      ...cutBetween(downMs, [1, 2], [0, 3, 4]),
      { atMs: backMs, type: 'restart', node: 1 },
      { atMs: backMs, type: 'restart', node: 2 },
      { atMs: healMs, type: 'heal' },
    ];
  },
});

export const hiddenTests: readonly SuiteTest<RaftImplementation>[] = [
  staleSender,
  leadsAgain,
  lateVotes,
  crashedLeader,
  majorityRingTest,
  bridgeTest,
  evenSplit,
  fastBackupUnknownTerm,
  laggingDeafFollower,
  longChurn,
  lateReply,
  olderLongerLog,
  figureEightOwnEntry,
  staleMatchIndex,
  unansweredSnapshots,
  conflictingInstall,
  installInsideLog,
  chaos,
  ringWithClients,
  clientsLeaveStaleLeader,
  clientsRestart,
  clientsCrashMidOperation,
  heldBackDuplicates,
  shrinkAndGrow,
  learnersDoNotCount,
  removedLeaderFinishes,
  earlierNewConfiguration,
  abandonedChange,
  electionInJointConfiguration,
  removeDeadLeader,
  removedWhileCutOff,
  configurationFromSnapshot,
  deposedLeaderStandsAgain,
  installedState,
  configurationAfterRestart,
];
