// Lab 5's graded suite: Raft, in six parts — A election, B log replication, C persistence,
// D snapshots (this file), E the key-value service on Raft (partE.ts), F membership change
// (partF.ts). Data only: it names the class it needs and never imports an implementation.
//
// Many tests choose who leads first, without knowing the code: the other servers cannot talk
// to one another for a while (one-way cuts both ways), so that only the chosen server hears
// from a majority; or they are down, and come back when the chosen one has stood.
import * as fc from 'fast-check';
import {
  combineSchedules,
  crashRestarts,
  searchTest,
  sortSchedule,
  type FaultAction,
  type FaultContext,
  type FaultSchedule,
  type LabSuite,
  type NodeId,
  type ScheduledInput,
  type SearchTest,
  type SuiteTest,
} from 'distlab/testing';
import {
  electionMessageBudget,
  entriesSentBudget,
  entryIsCommitted,
  figureEightReached,
  serverBecomesLeader,
  serverStoresAnEntry,
  heartbeatBudget,
  idleMessages,
  messagesToCommit,
  messagesToElect,
  newLeaderWhileCutOff,
  noElectionWithoutFaults,
  noLeaderBetween,
  nothingCommittedBefore,
  rejectionBudget,
  rejoinDisturbsNobody,
  snapshotInstalledFromLeader,
  startedAt,
  restartsFromStoredSnapshot,
  snapshotsStored,
  storedLogBound,
  splitVotesEnd,
} from './checks.ts';
import { serviceTests } from './partE.ts';
import { membershipTests } from './partF.ts';
import { raftSearch, searchScenarios } from './search.ts';
import {
  commitBoundMs,
  cutBetween,
  describeDeadline,
  electionBoundMs,
  lab,
  maxDelayMs,
  n0LeadsFirst,
  othersBackMs,
  pick,
  raftRun,
  range,
  scenarioRandom,
  shapedPartitions,
  stabilize,
  stableNetwork,
  test,
  type Part,
  type RaftImplementation,
} from './harness.ts';
import type { Raft } from './src/protocol.ts';

export * from './harness.ts';

const sizes = (seed: number, options: readonly number[] = [3, 5]) => pick(options, seed);
const serversOf = (context: FaultContext<Raft>) => context.servers;

// ---------------------------------------------------------------------------------------------
// Part A: election

const initialElection = test('A', 1, {
  name: 'initial election: one leader, and every server agrees on its term',
  points: 1,
  seeds: 10,
  description:
    '3 servers start together on a network where messages take 1 to D ms and none is lost. Within a second one becomes ' +
    'leader, and every server is in its term.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 3,
      durationMs: 2_500,
      deadline: describeDeadline(0, 2_500),
      electionWithinMs: electionBoundMs,
      everyoneAgrees: true,
    }),
});

const quietLeader = test('A', 2, {
  name: 'no election while the leader is heard: heartbeats keep every follower from standing',
  points: 1,
  seeds: 10,
  description:
    '3, 5 or 7 servers, no faults, 3 s. Once a server leads, nobody stands for election again: every AppendEntries from the ' +
    'leader of the current term, a heartbeat with no entries too, resets the election timer.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed, [3, 5, 7]),
      durationMs: 3_000,
      deadline: describeDeadline(0, 3_000),
      everyoneAgrees: true,
      extra: [noElectionWithoutFaults(2 * maxDelayMs)],
    }),
});

const reElectionTimes = (seed: number) => {
  const random = scenarioRandom('5A.3', seed);
  const isolateMs = random.integer(900, 1_000);
  return { isolateMs, rejoinMs: isolateMs + random.integer(1_100, 1_300) };
};

const reElection = test('A', 3, {
  name: 're-election when the leader is cut off; the old leader rejoining disturbs nobody',
  points: 2,
  seeds: 10,
  description:
    '3 or 5 servers; n0 leads first (the others are down, then cannot talk to one another, until 800 ms). At about 950 ms n0 is cut off from ' +
    `everyone: the others elect a new leader within ${electionBoundMs} ms. About 1.2 s later n0 rejoins: it learns the newer ` +
    'term and follows, and nobody stands for election again.',
  setup: (implementation, seed) => {
    const { isolateMs, rejoinMs } = reElectionTimes(seed);
    return raftRun(implementation, {
      servers: sizes(seed),
      durationMs: rejoinMs + 1_500,
      deadline: describeDeadline(rejoinMs, 1_500),
      electionWithinMs: electionBoundMs,
      everyoneAgrees: true,
      extra: [newLeaderWhileCutOff(0, isolateMs, electionBoundMs), rejoinDisturbsNobody(0, rejoinMs + maxDelayMs, rejoinMs + 1_500)],
    });
  },
  scenario: (context) => {
    const { isolateMs, rejoinMs } = reElectionTimes(context.seed);
    return [...n0LeadsFirst(serversOf(context), 800), { atMs: isolateMs, type: 'isolate', node: 0 }, { atMs: rejoinMs, type: 'heal' }];
  },
});

const noMajorityTimes = (seed: number) => {
  const splitMs = scenarioRandom('5A.4', seed).integer(800, 900);
  return { splitMs, healMs: splitMs + 1_500 };
};

/** No group holds a majority: 3 servers each alone; 5 as {n0,n1} | {n2,n3} | {n4}. */
const minorityGroups = (count: number): NodeId[][] => (count === 3 ? [[0], [1], [2]] : [[0, 1], [2, 3], [4]]);

const noLeaderWithoutMajority = test('A', 4, {
  name: 'no leader without a majority: nobody is elected while every group is a minority, a leader within a second of the heal',
  points: 2,
  seeds: 10,
  description:
    '3 or 5 servers elect a leader; at about 850 ms they are split so that no group holds a majority (3: each alone; 5: ' +
    '{n0,n1} | {n2,n3} | {n4}). Candidates keep standing, and none may win. 1.5 s later the network heals, and a leader ' +
    `must be known within ${electionBoundMs} ms.`,
  setup: (implementation, seed) => {
    const { splitMs, healMs } = noMajorityTimes(seed);
    const count = sizes(seed);
    return raftRun(implementation, {
      servers: count,
      durationMs: healMs + electionBoundMs,
      deadline: describeDeadline(healMs, electionBoundMs),
      electionWithinMs: electionBoundMs,
      extra: [noLeaderBetween(splitMs, healMs, `the servers were split in groups of at most ${Math.floor(count / 2)} (of ${count}) from ${splitMs} to ${healMs} ms`)],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs } = noMajorityTimes(context.seed);
    return [{ atMs: splitMs, type: 'partition', groups: minorityGroups(context.servers.length) }, { atMs: healMs, type: 'heal' }];
  },
});

const manyElectionsEndMs = 4_000;

const manyElections = test('A', 5, {
  name: 'many elections: 7 servers under random partitions of every shape, one leader per term throughout',
  points: 2,
  seeds: 10,
  description:
    `7 servers; until ${manyElectionsEndMs} ms, partitions of every shape come and go (halves, one server isolated, a majority ring ` +
    'where each server sees a different majority, a bridge server between two halves, a one-way cut), 200 to 800 ms each. ' +
    `Election safety holds throughout; after the last heal a leader is known within ${electionBoundMs} ms.`,
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 7,
      durationMs: manyElectionsEndMs + electionBoundMs,
      deadline: describeDeadline(manyElectionsEndMs, electionBoundMs),
      everyoneAgrees: true,
    }),
  scenario: () => [{ atMs: manyElectionsEndMs, type: 'heal' }],
  faults: (context) => shapedPartitions(context.servers, { count: [4, 8], withinMs: [0, manyElectionsEndMs - 800], lengthMs: [200, 800] }),
});

/** 5A.6's plan: phases of 1 s, each a one-way cut, with n0 leading first. */
const oneWayStartMs = 800;
const oneWayPhaseMs = 1_000;

function oneWayCuts(servers: readonly NodeId[]): FaultAction[] {
  const others = servers.filter((node) => node !== 0);
  const phase = (index: number) => oneWayStartMs + index * (oneWayPhaseMs + 500);
  return [
    ...n0LeadsFirst(servers, oneWayStartMs - 100),
    // The leader can send but not receive: followers hear its heartbeats; nothing commits until the heal.
    { atMs: phase(0), type: 'cut', from: others, to: [0] },
    { atMs: phase(0) + oneWayPhaseMs, type: 'heal' },
    // n0 can receive but not send: the others elect a leader, whose AppendEntries n0 hears.
    { atMs: phase(1), type: 'cut', from: [0], to: others },
    { atMs: phase(1) + oneWayPhaseMs, type: 'heal' },
    // n1 can receive but not send: its replies are lost, the others go on.
    { atMs: phase(2), type: 'cut', from: [1], to: servers.filter((node) => node !== 1) },
    { atMs: phase(2) + oneWayPhaseMs, type: 'heal' },
  ];
}

const oneWayEndMs = oneWayStartMs + 3 * (oneWayPhaseMs + 500);

const oneWay = test('A', 6, {
  name: 'one-way cuts: a leader that can send but not receive, a server that can receive but not send',
  points: 2,
  seeds: 10,
  description:
    '3 or 5 servers, n0 leading first, a command every 100 ms (so that logs differ; part A does not ask that they be applied). ' +
    'For 1 s n0 can send but not receive (followers hear it, nothing commits); then for 1 s n0 can receive but not send (the ' +
    'others elect a new leader, and n0 follows it); then n1 can receive but not send. After each heal a leader is known within a second.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: oneWayEndMs + commitBoundMs,
      deadline: describeDeadline(oneWayEndMs),
      electionWithinMs: electionBoundMs,
      service: { commands: 40, firstAtMs: 500, everyMs: 100 },
      // Part A stands on its own: the commands make logs differ, and part B asks that they be applied.
      required: () => false,
    }),
  scenario: (context) => oneWayCuts(context.servers),
});

const splitVotesResolve = test('A', 7, {
  name: 'split votes resolve: candidates that lose to a leader of their own term step down',
  points: 2,
  seeds: 10,
  description:
    '5 or 7 servers whose election timeouts fall in a narrow range ([150, 170] ms): several stand at once, and votes split. ' +
    'Once one wins, every other candidate of that term hears its AppendEntries, steps down and resets its timer: nobody ' +
    'stands again, and every server ends in the leader\'s term.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed, [5, 7]),
      config: { electionTimeoutMs: [150, 170] },
      durationMs: 3_000,
      deadline: describeDeadline(0, 3_000),
      everyoneAgrees: true,
      extra: [noElectionWithoutFaults(2 * maxDelayMs)],
    }),
});

const heartbeatBudgetTest = test('A', 8, {
  name: 'heartbeat budget: at most 10 heartbeats per second to each follower, with heartbeatMs = 100',
  kind: 'budget',
  points: 1,
  seeds: 10,
  description:
    '3 or 5 servers, heartbeatMs = 100 and election timeouts in [300, 600] ms, no faults, a few commands (not required to be ' +
    'applied in part A): a leader sends each follower an AppendEntries every heartbeatMs, and no more empty ones (none in answer to replies, but the probe that answers a failed consistency check at once).',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      config: { heartbeatMs: 100, electionTimeoutMs: [300, 600] },
      durationMs: 4_000,
      deadline: describeDeadline(0, 4_000),
      service: { commands: 5, firstAtMs: 1_500, everyMs: 300 },
      required: () => false,
      extra: [heartbeatBudget(10, 100), noElectionWithoutFaults(2 * maxDelayMs)],
    }),
});

/** 5A.9's budget: enough for three candidacies in a row per election (split votes happen), never for a storm. */
const electionsBudget = (count: number, elections: number) => elections * 3 * 2 * (count - 1);

const electionBudgetTest = test('A', 9, {
  name: 'election message budget: split votes are rare, so few RequestVotes per election',
  kind: 'budget',
  points: 1,
  seeds: 10,
  description:
    '5 servers; n0 leads first, is cut off at 1 s (the other four elect a new leader) and rejoins at 2.2 s. RequestVote and ' +
    'RequestVoteReply sent to other servers in all: at most 3 × 3 × 2(N-1) = 72, three candidacies\' worth for each of three ' +
    'elections — timeouts drawn at random in [T, 2T], anew each time, make a split vote unlikely to repeat.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: 4_500,
      deadline: describeDeadline(3_500, 1_000),
      everyoneAgrees: true,
      extra: [electionMessageBudget(electionsBudget(5, 3), 'three elections of 5 servers: 3 × 3 × 2(N-1)')],
    }),
  scenario: () => [...n0LeadsFirst([0, 1, 2, 3, 4], 800), { atMs: 1_000, type: 'isolate', node: 0 }, { atMs: 2_200, type: 'heal' }],
});

const splitVotes = test('A', 10, {
  name: 'split votes: with timeouts that are not randomized, or T close to the broadcast time, elections fail again and again (demonstration)',
  points: 0,
  seeds: 10,
  demonstrates: 'split votes resolve',
  description:
    'Odd seeds: every election timeout is exactly 150 ms (not drawn at random): all servers stand at the same instant, each ' +
    'votes for itself, and the same split repeats. Even seeds: timeouts in [8, 16] ms while messages take up to 10 ms: ' +
    'candidates time out before the votes come back. Shown when candidates stand in more than 10 terms in a row with no leader ' +
    '(a cluster where nobody stands shows nothing). The handout explains why T must be well above the broadcast time, and random.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: 5,
      config: seed % 2 === 1 ? { electionTimeoutMs: [150, 150] } : { electionTimeoutMs: [8, 16], heartbeatMs: 5 },
      durationMs: 3_000,
      deadline: '(the run lasts 3 s with no faults)',
      extra: [splitVotesEnd(10)],
    }),
});

// ---------------------------------------------------------------------------------------------
// Part B: log replication

const basicAgreement = test('B', 1, {
  name: 'basic agreement: one command at a time, each committed at the next index on every server',
  points: 1,
  seeds: 10,
  description:
    '3 servers, no faults. From 500 ms, a command is offered to every server; the leader appends it, and once every ' +
    'server has applied it, the next one is offered. Command ck must be at index k + 1 everywhere.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 3,
      durationMs: 500 + 10 * 200 + commitBoundMs,
      deadline: describeDeadline(500),
      service: { commands: 10, firstAtMs: 500, mode: 'one-at-a-time' },
      extra: [startedAt((command) => Number(command.slice(1)) + 1), noElectionWithoutFaults(2 * maxDelayMs)],
      stopWhenDone: true,
    }),
});

const minorityTimes = (seed: number) => {
  const splitMs = scenarioRandom('5B.2', seed).integer(750, 850);
  return { splitMs, healMs: splitMs + 1_500 };
};

const noCommitWithoutMajority = test('B', 2, {
  name: 'nothing is committed without a majority: the leader with one follower appends but commits nothing until the heal',
  points: 2,
  seeds: 10,
  description:
    '5 servers, n0 leading first. At about 800 ms n0 keeps only n1; n2, n3 and n4 are each alone. Commands offered meanwhile ' +
    'are appended by n0 and reach n1, but none may be applied until the heal 1.5 s later; then every command is applied everywhere.',
  setup: (implementation, seed) => {
    const { splitMs, healMs } = minorityTimes(seed);
    return raftRun(implementation, {
      servers: 5,
      durationMs: healMs + commitBoundMs,
      deadline: describeDeadline(healMs),
      service: { commands: 8, firstAtMs: splitMs + 50, everyMs: 100 },
      extra: [nothingCommittedBefore(healMs, `only n0 and n1 (2 of 5) could talk from ${splitMs} to ${healMs} ms, and these commands were given then`)],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs } = minorityTimes(context.seed);
    return [...n0LeadsFirst(context.servers, 700), { atMs: splitMs, type: 'partition', groups: [[0, 1], [2], [3], [4]] }, { atMs: healMs, type: 'heal' }];
  },
});

const failuresEndMs = 3_800;

/** 5B.3: when the follower n1, then the leader n0, is cut off for a second. */
const disconnectionTimes = (seed: number) => {
  const random = scenarioRandom('5B.3', seed);
  return { followerMs: random.integer(750, 850), leaderMs: random.integer(2_250, 2_350) };
};

const followerAndLeaderFailure = test('B', 3, {
  name: 'agreement despite a disconnected follower, then a disconnected leader',
  points: 2,
  seeds: 10,
  description:
    '3 or 5 servers, n0 leading first, a command every 60 ms. From about 800 ms n1 is cut off for a second (the others go on ' +
    'committing); from about 2.3 s n0, the leader, is cut off for a second (the others elect a new leader and go on). At the ' +
    'end every command is applied everywhere.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: failuresEndMs + commitBoundMs,
      deadline: describeDeadline(failuresEndMs),
      electionWithinMs: electionBoundMs,
      service: { commands: 50, firstAtMs: 600, everyMs: 60 },
      extra: [newLeaderWhileCutOff(0, disconnectionTimes(seed).leaderMs, electionBoundMs)],
    }),
  scenario: (context) => {
    const { followerMs, leaderMs } = disconnectionTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 700),
      { atMs: followerMs, type: 'isolate', node: 1 },
      { atMs: followerMs + 1_000, type: 'heal' },
      { atMs: leaderMs, type: 'isolate', node: 0 },
      { atMs: leaderMs + 1_000, type: 'heal' },
    ];
  },
});

const catchUpHealMs = 2_500;

const followerCatchesUp = test('B', 4, {
  name: 'a follower that missed 80 entries catches up',
  points: 2,
  seeds: 10,
  description:
    `5 servers, n0 leading first. n2 is cut off from 750 to ${catchUpHealMs} ms while 80 commands are committed without it ` +
    '(a backlog a leader may send in batches). After the heal the leader walks nextIndex back to what n2 has, and n2 applies every command.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: catchUpHealMs + commitBoundMs,
      deadline: describeDeadline(catchUpHealMs),
      service: { commands: 80, firstAtMs: 700, everyMs: 20 },
      stopWhenDone: true,
    }),
  scenario: (context) => [...n0LeadsFirst(context.servers, 700), { atMs: 750, type: 'isolate', node: 2 }, { atMs: catchUpHealMs, type: 'heal' }],
});

const concurrentStarts = test('B', 5, {
  name: 'concurrent Starts: 5 commands given at the same instant, 6 times, all commit in one term',
  points: 1,
  seeds: 10,
  description: '3 or 5 servers, no faults. From 600 ms, 5 commands are offered at once every 150 ms, as from 5 clients: the leader appends them in some order, and all are applied everywhere without another election.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: 600 + 6 * 150 + commitBoundMs,
      deadline: describeDeadline(600),
      service: { commands: 30, firstAtMs: 600, everyMs: 150, batch: 5 },
      extra: [noElectionWithoutFaults(2 * maxDelayMs)],
      stopWhenDone: true,
    }),
});

const rejoinTimes = { isolateMs: 750, healMs: 2_200 } as const;

const oldLeaderRejoins = test('B', 6, {
  name: 'a partitioned leader with uncommitted entries rejoins and discards them',
  points: 2,
  seeds: 10,
  description:
    `3 or 5 servers, n0 leading first. From ${rejoinTimes.isolateMs} to ${rejoinTimes.healMs} ms n0 is cut off and still believes it ` +
    'leads: the commands offered meanwhile are appended by n0 (never to commit there) and by the new leader of the others. ' +
    'After the heal n0 replaces its conflicting entries with the new leader\'s: log matching and state machine safety hold, and every command is applied everywhere.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: rejoinTimes.healMs + 300 + commitBoundMs,
      deadline: describeDeadline(rejoinTimes.healMs + 300),
      service: { commands: 30, firstAtMs: 800, everyMs: 60 },
      stopWhenDone: true,
      extra: [newLeaderWhileCutOff(0, rejoinTimes.isolateMs, electionBoundMs)],
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 700),
    { atMs: rejoinTimes.isolateMs, type: 'isolate', node: 0 },
    { atMs: rejoinTimes.healMs, type: 'heal' },
  ],
});

/**
 * 5B.7: 50 commands only n0 and n1 get while they are a minority, 50 the majority commits
 * meanwhile. The split comes 240 ms after the last of the first five commands: time for them to
 * commit even where entries travel only with heartbeats, which the handout allows.
 */
const backupSplitMs = 1_000;
const backupAloneMs = 1_400;
const backupHealMs = 2_500;
const conflictingCommands = 50;

const fastBackup = test('B', 7, {
  name: `fast backup: a follower with ${conflictingCommands} conflicting entries is repaired in a few round trips, not one per entry`,
  kind: 'budget',
  points: 2,
  seeds: 10,
  description:
    `5 servers, n0 leading first; 5 commands commit. At ${backupSplitMs} ms n0 and n1 are cut off from the other three: ` +
    `${conflictingCommands} commands given to n0 alone reach only n1, while the other three elect a leader and commit ` +
    `${conflictingCommands} other commands at the same indexes; from ${backupAloneMs} ms n1 is alone too, and stands for ` +
    `election again and again. At ${backupHealMs} ms the network heals: n1's term forces a new election among the three, ` +
    'and the winner repairs n0 and n1 from the end of its log. With the conflicting term and its first index in the reply, ' +
    'that takes a round trip or two per follower; at most 16 AppendEntries may fail the consistency check in the whole run ' +
    '(a few fail without a conflict, when a heartbeat overtakes the entries sent before it).',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: backupHealMs + commitBoundMs,
      deadline: describeDeadline(backupHealMs),
      inputs: [
        ...range(0, 5).map((index): ScheduledInput<Raft> => ({ atMs: 700 + 15 * index, node: 0, input: { type: 'Start', command: `a${index}` } })),
        ...range(0, conflictingCommands).map((index): ScheduledInput<Raft> => ({ atMs: backupSplitMs + 50 + 5 * index, node: 0, input: { type: 'Start', command: `x${index}` } })),
      ],
      service: { commands: conflictingCommands, firstAtMs: backupAloneMs + 400, everyMs: 10 },
      required: (command) => !command.startsWith('x'),
      extra: [rejectionBudget(16, `${conflictingCommands} conflicting entries on n0 and n1`)],
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 700),
    { atMs: backupSplitMs, type: 'partition', groups: [[0, 1], [2, 3, 4]] },
    // n1 alone: it stands again and again, and at the heal its term forces a new election, whose winner knows nothing of n0 and n1.
    { atMs: backupAloneMs, type: 'partition', groups: [[0], [1], [2, 3, 4]] },
    { atMs: backupHealMs, type: 'heal' },
  ],
});

const rpcCounts = test('B', 8, {
  name: 'RPC counts: few messages to elect, to commit 11 entries, and while idle',
  kind: 'budget',
  points: 1,
  seeds: 10,
  description:
    '3 servers, no faults. At most 60 messages (30 requests and their replies) until the first leader; from the first Start until every server applied ' +
    '11 entries (given one after another), at most 120; in the idle second that follows, at most 2 × (N-1) × (1000 / heartbeatMs) + 10 = 90 (heartbeats and their replies).',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 3,
      durationMs: 4_500,
      deadline: describeDeadline(0, 4_500),
      service: { commands: 11, firstAtMs: 1_000, mode: 'one-at-a-time' },
      extra: [messagesToElect(60), messagesToCommit(range(0, 3), 11, 120), idleMessages(3_400, 4_400, 2 * 2 * 20 + 10, 'heartbeats every 50 ms to 2 followers, and their replies')],
    }),
});

const entriesBudget = test('B', 9, {
  name: 'byte budget: each command is sent to each follower about once',
  kind: 'budget',
  points: 1,
  seeds: 10,
  description:
    '3 or 5 servers, no faults, 50 commands offered every 20 ms. The entries that AppendEntries carry, counted over the whole ' +
    'run: at most 1.2 × commands × followers (heartbeats carry no entries a follower already acknowledged).',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: 600 + 50 * 20 + commitBoundMs,
      deadline: describeDeadline(600),
      service: { commands: 50, firstAtMs: 600, everyMs: 20 },
      extra: [entriesSentBudget(sizes(seed) - 1, 1.2)],
    }),
});

// ---------------------------------------------------------------------------------------------
// Part C: persistence

const persistedAgreement = test('C', 1, {
  name: 'agreement with durable state written: 20 commands on 3 or 5 servers, no faults',
  points: 1,
  seeds: 10,
  description: 'The smoke test of part C: no faults; 20 commands offered every 40 ms. Every check of durability runs, and every command is applied everywhere.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: 500 + 20 * 40 + commitBoundMs,
      deadline: describeDeadline(500),
      service: { commands: 20, firstAtMs: 500, everyMs: 40 },
      stopWhenDone: true,
    }),
});

const restartsEndMs = 3_200;

const restarts = test('C', 2, {
  name: 'restarts: the leader, then the followers, then every server, and nothing committed is lost',
  points: 3,
  seeds: 10,
  description:
    '3 or 5 servers, n0 leading first, a command every 50 ms. At about 800 ms n0 (the leader) crashes and restarts 300 ms ' +
    'later; at about 1.6 s the other servers crash one after the other and restart; at about 2.6 s every server crashes, and ' +
    'all restart 100 ms later. A restart keeps only durable storage: currentTerm, votedFor and the log.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: restartsEndMs + commitBoundMs,
      deadline: describeDeadline(restartsEndMs),
      service: { commands: 50, firstAtMs: 500, everyMs: 50 },
    }),
  scenario: (context) => {
    const random = scenarioRandom('5C.2', context.seed);
    const leaderMs = random.integer(750, 850);
    const followersMs = random.integer(1_550, 1_650);
    const everyoneMs = random.integer(2_550, 2_650);
    const others = context.servers.filter((node) => node !== 0);
    return sortSchedule([
      ...n0LeadsFirst(context.servers, 700),
      { atMs: leaderMs, type: 'crash', node: 0 },
      { atMs: leaderMs + 300, type: 'restart', node: 0 },
      ...others.flatMap((node, index): FaultAction[] => [
        { atMs: followersMs + 60 * index, type: 'crash', node },
        { atMs: followersMs + 60 * index + 250, type: 'restart', node },
      ]),
      ...context.servers.map((node): FaultAction => ({ atMs: everyoneMs, type: 'crash', node })),
      ...context.servers.map((node): FaultAction => ({ atMs: everyoneMs + 100, type: 'restart', node })),
    ]);
  },
});

const staggeredEndMs = 3_500;

const staggeredCrashes = test('C', 3, {
  name: 'staggered crashes of majorities: three of five servers down at once, again and again',
  points: 2,
  seeds: 10,
  description:
    `5 servers, a command every 40 ms. 2 to 4 times, starting between 300 and ${staggeredEndMs - 1_200} ms, a group of three servers (a majority) crash one after ` +
    'the other, 50 to 150 ms apart, and come back the same way, 100 to 500 ms after the last is down (the last back by ' +
    `${staggeredEndMs - 100} ms): the cluster stalls and resumes; nothing committed is lost and no server votes twice in a term.`,
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: staggeredEndMs + commitBoundMs,
      deadline: describeDeadline(staggeredEndMs),
      service: { commands: 60, firstAtMs: 400, everyMs: 40 },
    }),
  scenario: (context) => stabilize(staggeredEndMs, context.servers),
  faults: () =>
    fc
      .noBias(
        fc.array(
          fc.tuple(
            fc.noBias(fc.integer({ min: 0, max: 4 })),
            fc.noBias(fc.integer({ min: 300, max: staggeredEndMs - 1_200 })),
            fc.noBias(fc.integer({ min: 50, max: 150 })),
            fc.noBias(fc.integer({ min: 100, max: 500 })),
          ),
          { minLength: 2, maxLength: 4 },
        ),
      )
      .map((episodes) =>
        sortSchedule(
          episodes.flatMap(([first, atMs, gapMs, downMs]): FaultAction[] =>
            [0, 1, 2].flatMap((position): FaultAction[] => {
              const node = (first + position) % 5;
              return [
                { atMs: atMs + position * gapMs, type: 'crash', node },
                { atMs: atMs + 2 * gapMs + downMs + position * gapMs, type: 'restart', node },
              ];
            }),
          ),
        ),
      ),
});

/**
 * Figure 8 of the paper, played on 5 servers with forced leaders (see figureEightPlan):
 * (a) n0 leads term a and gives f1 to n1 only; (b) n4 leads term b and appends f2 alone;
 * (c) n0 or n1 leads term c and copies f1 to a majority — which does not commit it;
 * (d) n4 leads again, with f2, and may overwrite f1. A leader that commits f1 in (c) by
 * counting replicas has committed an entry n4 then erases.
 */
export interface FigureEightPlan {
  readonly schedule: FaultSchedule;
  readonly inputs: ScheduledInput<Raft>[];
  /** The end of the plan: everyone up, network stable, the final commands. */
  readonly stableMs: number;
}

/** Between a server's crash and the next phase: longer than any message takes, so none of its messages lands in the next phase. */
const drainMs = 200;

/**
 * `ownEntry`: late in (c), n2 and n3 go down and n0 and n1 are each given f3, which the leader
 * of (c) appends and copies to the other only: the leader then holds an entry of its own term,
 * not on a majority, after f1, which is. Counting replicas of f1 is as wrong as before; a leader
 * that commits f1 because its last entry is of its own term (rather than f1's being so) is
 * caught as one that counts.
 */
export function figureEightPlan(phaseMs: number, { ownEntry = false }: { readonly ownEntry?: boolean } = {}): FigureEightPlan {
  const aEndMs = phaseMs;
  const bStartMs = aEndMs + 150 + drainMs;
  const bEndMs = bStartMs + phaseMs;
  const cStartMs = bEndMs + 150 + drainMs;
  const dStartMs = cStartMs + phaseMs;
  const stableMs = dStartMs + phaseMs;
  // Late in (c), long after its leader copied f1 to a majority, and long enough before (d) for f3 to reach the other of n0 and n1.
  const ownEntryMs = dStartMs - 400;
  const crash = (atMs: number, ...nodes: NodeId[]) => nodes.map((node): FaultAction => ({ atMs, type: 'crash', node }));
  const restart = (atMs: number, ...nodes: NodeId[]) => nodes.map((node): FaultAction => ({ atMs, type: 'restart', node }));
  return {
    schedule: sortSchedule([
      // (a) n3 and n4 down; n1 and n2 down at first, then unable to talk: only n0 can win. Then n2 goes down, and f1 reaches n1 only.
      ...crash(0, 1, 2, 3, 4),
      ...restart(othersBackMs, 1, 2),
      ...cutBetween(0, [1], [2]),
      ...crash(aEndMs, 2),
      ...crash(aEndMs + 150, 0, 1),
      // (b) n4 back first; n2 and n3 later, unable to talk: only n4 can win. Then n2 and n3 go down, and f2 stays on n4.
      { atMs: bStartMs, type: 'heal' },
      ...restart(bStartMs, 4),
      ...cutBetween(bStartMs, [2], [3]),
      ...restart(bStartMs + othersBackMs, 2, 3),
      ...crash(bEndMs, 2, 3),
      ...crash(bEndMs + 150, 4),
      // (c) n4 down; n0 or n1 (they hold f1, n2 and n3 hold nothing) leads and copies f1 to a majority.
      { atMs: cStartMs, type: 'heal' },
      ...restart(cStartMs, 0, 1, 2, 3),
      // With ownEntry, n2 and n3 go down before f3 comes: it reaches n0 and n1 only.
      ...(ownEntry ? crash(ownEntryMs - 100, 2, 3) : []),
      // (d) n0 and n1 down; n2 and n3 restarted (whichever led is a follower again), and n4 back: its f2 (a later term) beats the f1 of n2 and n3: n4 leads.
      ...(ownEntry ? crash(dStartMs, 0, 1) : crash(dStartMs, 0, 1, 2, 3)),
      ...restart(dStartMs + drainMs, 2, 3, 4),
      // Then everyone is back.
      { atMs: stableMs, type: 'heal' },
      ...restart(stableMs, 0, 1),
    ]),
    inputs: [
      { atMs: aEndMs + 10, node: 0, input: { type: 'Start', command: 'f1' } },
      { atMs: bEndMs + 10, node: 4, input: { type: 'Start', command: 'f2' } },
      ...(ownEntry
        ? [0, 1].map((node): ScheduledInput<Raft> => ({ atMs: ownEntryMs, node, input: { type: 'Start', command: 'f3' } }))
        : []),
    ],
    stableMs,
  };
}

const figureEightPhaseMs = 2_500;

function figureEightTest(index: number, unreliable: boolean): SuiteTest<RaftImplementation> {
  const plan = figureEightPlan(figureEightPhaseMs);
  return test('C', index, {
    name: unreliable
      ? 'Figure 8 on an unreliable network: lost, duplicated and long-delayed messages, the same dangerous interleaving'
      : 'Figure 8: an entry of an old term copied to a majority is not committed by counting replicas',
    points: 3,
    seeds: 10,
    description:
      "The paper's Figure 8, played on 5 servers by crashes and cuts that leave one possible winner per phase: n0 leads and " +
      'gives f1 to n1 only; n4 leads a later term and appends f2 alone; n0 or n1 leads a third term and copies f1 to a ' +
      'majority — a leader must not commit f1 by counting its replicas, since n4, whose last entry has a later term, can ' +
      'still be elected and overwrite it, which it then is. A leader that commits f1 is caught when n4 becomes leader ' +
      '(leader completeness). Then everyone is back and 10 commands must be applied everywhere' +
      (unreliable
        ? '; until then, all along, 10% of messages are lost, 10% duplicated, and delays are exponential (mean 15 ms, up to 150 ms), ' +
          'and the network is stable once everyone is back.'
        : '.'),
    setup: (implementation) =>
      raftRun(implementation, {
        servers: 5,
        durationMs: plan.stableMs + 500 + commitBoundMs,
        deadline: describeDeadline(plan.stableMs),
        ...(unreliable ? { network: { dropRate: 0.1, duplicateRate: 0.1, delay: { kind: 'exponential', meanMs: 15, maxMs: 150 } } } : {}),
        inputs: plan.inputs,
        service: { commands: 10, firstAtMs: plan.stableMs + 100, everyMs: 30 },
        required: (command) => command.startsWith('c'),
        extra: [figureEightReached(range(0, 5))],
      }),
    // A leader is judged when the run ends: a network that still loses messages then could be in the middle of an election.
    scenario: () => (unreliable ? [...plan.schedule, { atMs: plan.stableMs, type: 'network', ...stableNetwork }] : plan.schedule),
  });
}

const figureEight = figureEightTest(4, false);
const figureEightUnreliable = figureEightTest(5, true);

const unreliableEndMs = 3_000;

const unreliableAgreement = test('C', 6, {
  name: 'unreliable agreement: 5 clients at once over a network that loses, duplicates and reorders messages',
  points: 2,
  seeds: 10,
  description:
    `5 servers; until ${unreliableEndMs} ms 10% of messages are lost, 10% duplicated, and delays are exponential (mean 20 ms, up to ` +
    '300 ms), so they arrive out of order; 5 commands are offered at once every 100 ms. Then the network is stable, and every command must be applied everywhere.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: unreliableEndMs + commitBoundMs,
      deadline: describeDeadline(unreliableEndMs),
      network: { dropRate: 0.1, duplicateRate: 0.1, delay: { kind: 'exponential', meanMs: 20, maxMs: 300 } },
      service: { commands: 100, firstAtMs: 300, everyMs: 100, batch: 5 },
    }),
  scenario: () => [{ atMs: unreliableEndMs, type: 'network', ...stableNetwork }],
});

const churnEndMs = 5_000;

const churn = test('C', 7, {
  name: 'churn: a server crashes, restarts or is cut off about every 700 ms, with 3 clients',
  points: 3,
  seeds: 10,
  description:
    `5 servers; until ${churnEndMs} ms, crashes and restarts, partitions of every shape (drawn per seed), on a network that loses 5% of messages; ` +
    '3 commands are offered at once every 150 ms. Then everything heals, every server is up, and the commands must all be applied everywhere.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: churnEndMs + commitBoundMs,
      deadline: describeDeadline(churnEndMs),
      network: { dropRate: 0.05 },
      service: { commands: 99, firstAtMs: 300, everyMs: 150, batch: 3 },
    }),
  scenario: (context) => stabilize(churnEndMs, context.servers),
  faults: (context) => {
    const window = { withinMs: [0, churnEndMs - 700] as const };
    return combineSchedules(
      crashRestarts(context.servers, { ...window, count: [3, 6], lengthMs: [100, 700] }),
      shapedPartitions(context.servers, { ...window, count: [2, 4], lengthMs: [200, 700] }),
    );
  },
});

const midReactionEndMs = 3_000;

const midReactionCrashes = test('C', 8, {
  name: 'crashes in the middle of a reaction: what a server answered was durable',
  points: 3,
  seeds: 10,
  description:
    `5 servers, a command every 40 ms. Until ${midReactionEndMs - 200} ms servers crash again and again in the middle of a reaction, ` +
    'after 0 to 3 of its sends, storage writes and outputs, and restart. A server that answers (a vote, an acknowledgement) ' +
    'before it writes what the answer depends on is caught when the crash falls between the two.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: midReactionEndMs + commitBoundMs,
      deadline: describeDeadline(midReactionEndMs),
      service: { commands: 60, firstAtMs: 300, everyMs: 40 },
    }),
  scenario: (context) => stabilize(midReactionEndMs, context.servers),
  faults: (context) => crashRestarts(context.servers, { count: [8, 16], withinMs: [0, midReactionEndMs - 300], lengthMs: [5, 150], afterEffects: [0, 3] }),
});

/** 5C.9: rounds of elections, each from a restart of every server, in which two servers crash in the middle of their first reaction. */
const votingRounds = 4;
const votingRoundMs = 1_000;
const votingStartMs = 500;
const votingEndMs = votingStartMs + votingRounds * votingRoundMs;

function crashesWhileVoting(seed: number, servers: readonly NodeId[]): FaultSchedule {
  const random = scenarioRandom('5C.9', seed);
  const actions: FaultAction[] = [];
  for (let round = 0; round < votingRounds; round++) {
    const roundMs = votingStartMs + round * votingRoundMs;
    actions.push(...servers.map((node): FaultAction => ({ atMs: roundMs, type: 'crash', node })));
    actions.push(...servers.map((node): FaultAction => ({ atMs: roundMs + 10, type: 'restart', node })));
    const first = random.integer(0, servers.length - 1);
    const second = (first + random.integer(1, servers.length - 1)) % servers.length;
    for (const node of [first, second]) {
      // Its next reaction is its own election timeout or, more often, another candidate's RequestVote.
      actions.push({ atMs: roundMs + 20, type: 'crash', node, afterEffects: random.integer(1, 4) });
      actions.push({ atMs: roundMs + 400, type: 'restart', node });
    }
  }
  return sortSchedule(actions);
}

const crashWhileVoting = test('C', 9, {
  name: 'crashes in the middle of voting: a vote is durable before it is sent',
  points: 2,
  seeds: 10,
  description:
    `5 servers. ${votingRounds} times, every server crashes and restarts at once, so that an election follows (and then 3 commands); ` +
    'two of them crash again in the middle of their next reaction — mostly the answer to a RequestVote — after 1 to 4 of its ' +
    'writes and sends, and come back 400 ms after the round began. A server that sends its vote before votedFor (and currentTerm) is in ' +
    'durable storage is caught when the crash falls between the two.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: votingEndMs + commitBoundMs,
      deadline: describeDeadline(votingEndMs),
      // Commands between the elections (so that logs differ), offered to every server; the crashes wait for votes, not for these.
      inputs: range(0, votingRounds).flatMap((round) =>
        [600, 700, 800].flatMap((offsetMs, index) =>
          range(0, 5).map((node): ScheduledInput<Raft> => ({ atMs: votingStartMs + round * votingRoundMs + offsetMs, node, input: { type: 'Start', command: `r${round}.${index}` } })),
        ),
      ),
      service: { commands: 10, firstAtMs: votingEndMs + 100, everyMs: 50 },
      required: (command) => command.startsWith('c'),
    }),
  scenario: (context) => [...crashesWhileVoting(context.seed, context.servers), ...stabilize(votingEndMs, context.servers)],
});

// ---------------------------------------------------------------------------------------------
// Part D: snapshots

const snapshotEvery = 10;
/** Entries a stored log may hold: a snapshot every 10 applied, and what is not yet applied or snapshotted. */
const logBound = 3 * snapshotEvery;
/** The same where servers crash or lose their answers, and entries wait longer to be applied: still well below a log never compacted. */
export const crashLogBound = 6 * snapshotEvery;

const snapshotBasics = test('D', 1, {
  name: 'snapshots: the service snapshots every 10 entries, and the stored log stays short',
  points: 1,
  seeds: 10,
  description:
    `3 or 5 servers, no faults, 60 commands. Every ${snapshotEvery} applied entries the service hands Raft a snapshot; Raft ` +
    `discards the entries it covers, so no stored log ever holds more than ${logBound} entries.`,
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: 500 + 60 * 20 + commitBoundMs,
      deadline: describeDeadline(500),
      service: { commands: 60, firstAtMs: 500, everyMs: 20, snapshotEvery },
      extra: [storedLogBound(logBound, `the service snapshots every ${snapshotEvery} entries`)],
      stopWhenDone: true,
    }),
});

const laggingHealMs = 2_000;

const laggingFollower = test('D', 2, {
  name: 'a lagging follower catches up through InstallSnapshot',
  points: 2,
  seeds: 10,
  description:
    `3 or 5 servers, n0 leading first. n2 is cut off from 750 to ${laggingHealMs} ms while 60 commands are committed and ` +
    'snapshotted: the entries it lacks are gone from the leader\'s log, so the leader sends its snapshot, and n2 installs it and applies the rest.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: laggingHealMs + commitBoundMs,
      deadline: describeDeadline(laggingHealMs),
      service: { commands: 60, firstAtMs: 700, everyMs: 20, snapshotEvery },
      extra: [snapshotInstalledFromLeader(2), storedLogBound(logBound, `the service snapshots every ${snapshotEvery} entries`)],
    }),
  scenario: (context) => [...n0LeadsFirst(context.servers, 700), { atMs: 750, type: 'isolate', node: 2 }, { atMs: laggingHealMs, type: 'heal' }],
});

const restartedFollower = test('D', 3, {
  name: 'a restarted follower catches up through InstallSnapshot',
  points: 2,
  seeds: 10,
  description:
    `3 or 5 servers, n0 leading first. n2 crashes at 750 ms and restarts at ${laggingHealMs} ms, after 60 commands were committed ` +
    'and snapshotted without it: it gets the leader\'s snapshot, and applies the rest.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: laggingHealMs + commitBoundMs,
      deadline: describeDeadline(laggingHealMs),
      service: { commands: 60, firstAtMs: 700, everyMs: 20, snapshotEvery },
      extra: [snapshotInstalledFromLeader(2)],
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 700),
    { atMs: 750, type: 'crash', node: 2 },
    { atMs: laggingHealMs, type: 'restart', node: 2 },
  ],
});

const everyoneCrashMs = 1_800;

const crashAfterSnapshot = test('D', 4, {
  name: 'every server crashes after snapshots: each restarts from its snapshot and its log',
  points: 2,
  seeds: 10,
  description:
    `3 or 5 servers, a command every 25 ms. At about ${everyoneCrashMs} ms, when several snapshots have been taken, every server ` +
    'crashes, and they restart one after the other 100 to 300 ms later: each outputs SnapshotInstalled with its stored snapshot, ' +
    'then applies from the entry after it. More commands follow; all are applied everywhere.',
  setup: (implementation, seed) =>
    raftRun(implementation, {
      servers: sizes(seed),
      durationMs: everyoneCrashMs + 500 + commitBoundMs,
      deadline: describeDeadline(everyoneCrashMs + 500),
      service: { commands: 80, firstAtMs: 400, everyMs: 25, snapshotEvery },
      extra: [restartsFromStoredSnapshot(`about 50 entries were applied before it, and the service snapshots every ${snapshotEvery}`)],
    }),
  scenario: (context) => {
    const random = scenarioRandom('5D.4', context.seed);
    const crashMs = everyoneCrashMs + random.integer(0, 50);
    return [
      ...context.servers.map((node): FaultAction => ({ atMs: crashMs, type: 'crash', node })),
      ...context.servers.map((node): FaultAction => ({ atMs: crashMs + random.integer(100, 300), type: 'restart', node })),
    ];
  },
});

const snapshotCrashEndMs = 2_500;

const snapshotThenCrash = test('D', 5, {
  name: 'a snapshot taken, then a crash before it is durable: the log and the snapshot always join',
  points: 2,
  seeds: 10,
  description:
    `5 servers; the service snapshots every 5 entries, and until ${snapshotCrashEndMs - 200} ms servers crash again and again in the ` +
    'middle of a reaction (after 0 to 3 of its effects), some of them in their next reaction to a Snapshot input, ' +
    'and restart. When a server crashes, its stored log must begin at most ' +
    'one past its stored snapshot: a snapshot is written before the log it shortens, else the entries between are lost. By the end, ' +
    'every server holds a stored snapshot.',
  setup: (implementation) =>
    raftRun(implementation, {
      servers: 5,
      durationMs: snapshotCrashEndMs + commitBoundMs,
      deadline: describeDeadline(snapshotCrashEndMs),
      service: { commands: 100, firstAtMs: 300, everyMs: 20, snapshotEvery: 5 },
      extra: [snapshotsStored()],
    }),
  scenario: (context) => stabilize(snapshotCrashEndMs, context.servers),
  faults: (context) =>
    combineSchedules(
      crashRestarts(context.servers, { count: [10, 20], withinMs: [300, snapshotCrashEndMs - 300], lengthMs: [5, 100], afterEffects: [0, 3] }),
      // Crashes kept for a server's next Snapshot input, which writes the snapshot and the log it shortens.
      crashRestarts(context.servers, { count: [4, 8], withinMs: [300, snapshotCrashEndMs - 300], lengthMs: [5, 100], afterEffects: [0, 2], inReactionTo: 'input:Snapshot' }),
    ),
});

// ---------------------------------------------------------------------------------------------
// Search tests: the model checker on three servers (see search.ts), checking the same safety
// properties as the runs in every state. Bounded by depth, terms and one message in flight per
// link, never by time.

/** A search test of lab 5. */
function search(
  part: Part,
  index: number,
  fields: Omit<SearchTest<Raft, RaftImplementation>, 'number' | 'part' | 'kind' | 'visibility'>,
): SuiteTest<RaftImplementation> {
  return searchTest<Raft, RaftImplementation>({ kind: 'search', visibility: 'visible', ...fields, number: `5${part}.S${index}`, part });
}

const { elections: electionSearch, committedEntry: committedSearch, figureEight: figureEightSearch } = searchScenarios;

const electionSearchTest = search('A', 1, {
  name: `every interleaving of elections on 3 servers, ${electionSearch.maxDepth} steps deep: election safety and every other property (search)`,
  points: 2,
  seeds: 1,
  description:
    `Breadth-first search over every order of deliveries and timeouts on 3 servers with empty logs, to depth ${electionSearch.maxDepth} ` +
    `(terms up to ${electionSearch.configuration.maxTerm}, one message in flight per link): no two leaders in a term, every vote durable, ` +
    'and each of the three servers is elected leader on some path (any server\'s timeout may fire first). A failure shows the shortest path to it.',
  search: (implementation) => {
    const settings = raftSearch(implementation.RaftNode, electionSearch.configuration);
    return {
      strategy: 'bfs',
      expect: 'every-goal',
      settings: { ...settings, properties: [...(settings.properties ?? []), ...[0, 1, 2].map(serverBecomesLeader)], maxDepth: electionSearch.maxDepth },
    };
  },
});

const upToDateSearchTest = search('A', 2, {
  name: `every interleaving from a committed entry on n0 and n1, ${committedSearch.maxDepth} steps deep: the server without it never leads (the up-to-date check; search)`,
  points: 2,
  seeds: 1,
  description:
    `Breadth-first search on 3 servers where an earlier leader committed ⟨1, term 1, "a"⟩ on n0 and n1 and n2 holds nothing, to depth ` +
    `${committedSearch.maxDepth} (terms up to ${committedSearch.configuration.maxTerm}): log matching holds for every log written and every ` +
    'AppendEntries sent, and every leader holds "a". A server that grants its vote without comparing the candidate\'s last log ' +
    'term and index with its own lets n2 lead without "a" (leader completeness), found on the shortest path to it.',
  search: (implementation) => {
    const settings = raftSearch(implementation.RaftNode, committedSearch.configuration);
    // The earlier leader's entry must be applied on some path: a cluster that ignores its
    // AppendEntries commits nothing, and then no leader can lose it.
    return {
      strategy: 'bfs',
      expect: 'every-goal',
      settings: { ...settings, properties: [...(settings.properties ?? []), entryIsCommitted()], maxDepth: committedSearch.maxDepth },
    };
  },
});

const figureEightSearchTest = search('C', 1, {
  name: `Figure 8 on 3 servers: every interleaving, ${figureEightSearch.maxDepth} steps deep, and no leader commits an old term's entry by counting (search)`,
  points: 2,
  seeds: 1,
  description:
    'Breadth-first search on 3 servers where the leader of term 1 put ⟨1, term 1, "a"⟩ on n0 and the leader of term 2 put ' +
    `⟨1, term 2, "b"⟩ on n1, to depth ${figureEightSearch.maxDepth} (terms up to ${figureEightSearch.configuration.maxTerm}). n0 can lead ` +
    'term 3 and copy "a" to n2, a majority; n1 can then lead term 4 and replace it. A leader that commits "a" by counting its ' +
    'replicas is caught on the shortest path when n1 becomes leader without it; log matching and every other property hold in every state.',
  search: (implementation) => {
    const settings = raftSearch(implementation.RaftNode, figureEightSearch.configuration);
    // n2, which holds nothing, must be given an entry on some path: a cluster that never
    // replicates is never in Figure 8's danger, and a leader is elected all the same.
    return {
      strategy: 'bfs',
      expect: 'every-goal',
      settings: { ...settings, properties: [...(settings.properties ?? []), serverStoresAnEntry(2)], maxDepth: figureEightSearch.maxDepth },
    };
  },
});

export const suite: LabSuite<RaftImplementation> = {
  lab,
  title: 'Lab 5: Raft',
  exports: ['RaftNode', 'KvServer', 'KvClient'],
  tests: [
    initialElection,
    quietLeader,
    reElection,
    noLeaderWithoutMajority,
    manyElections,
    oneWay,
    splitVotesResolve,
    heartbeatBudgetTest,
    electionBudgetTest,
    splitVotes,
    basicAgreement,
    noCommitWithoutMajority,
    followerAndLeaderFailure,
    followerCatchesUp,
    concurrentStarts,
    oldLeaderRejoins,
    fastBackup,
    rpcCounts,
    entriesBudget,
    persistedAgreement,
    restarts,
    staggeredCrashes,
    figureEight,
    figureEightUnreliable,
    unreliableAgreement,
    churn,
    midReactionCrashes,
    crashWhileVoting,
    snapshotBasics,
    laggingFollower,
    restartedFollower,
    crashAfterSnapshot,
    snapshotThenCrash,
    electionSearchTest,
    upToDateSearchTest,
    figureEightSearchTest,
    ...serviceTests,
    ...membershipTests,
  ],
};

export default suite;
