// Lab 5, part F: membership change by joint consensus, under the key-value service of part E.
// Every test runs the implementation's KvServer on more server nodes than the initial
// configuration (config.initialVoters): the others start empty and wait to be added. Clients keep
// calling operations throughout, and a driver asks the leader for each change (membershipChecks.ts)
// until it is done, with a client of its own that reads until then. Every seed checks, besides
// the test's own rules: the service's properties
// (linearizability, at most once, exactly once, honest clients, progress: serviceRun.ts), Raft's
// safety with configuration-aware election safety and commitment, and the membership properties:
// only voters stand for election, new servers catch up before they count, a change waits for an
// entry of the leader's term, a removed leader steps down, removed servers do not disrupt the
// cluster, and the membership change completes.
import { combineSchedules, crashRestarts, type FaultAction, type FaultContext, type NodeId, type Property, type RunSetup, type ScheduledInput, type SuiteTest } from 'distlab/testing';
import { cutBetween, electionTimeoutMs, heartbeatMs, n0LeadsFirst, range, scenarioRandom, shapedPartitions, stabilize, test, type RaftImplementation } from './harness.ts';
import {
  candidatesAskEveryVoter,
  changeWaitsForOwnTermCommit,
  configurationOf,
  membersOf,
  membershipChangeCompletes,
  membershipDriver,
  membershipSafetyProperties,
  newServersCatchUpFirst,
  onlyVotersStandForElection,
  removedLeaderStepsDown,
  removedLeaderTellsFollowers,
  removedServersDoNotDisrupt,
  votersKeepTheirTerm,
  type MembershipStep,
} from './membershipChecks.ts';
import { serviceRun, type ServiceRunOptions } from './serviceRun.ts';
import type { Raft } from './src/protocol.ts';

/** Clients start once a leader is likely (the first election takes up to 2T and a round of votes). */
const firstCallMs: readonly [number, number] = [350, 450];

/** Once faults end, a change asked for completes within this bound (elections, catching up, two commits). */
export const membershipBoundMs = 2_500;

interface MembershipRun {
  /** Server nodes n0..n(N-1); only `initialVoters` vote at first. */
  readonly servers: number;
  readonly initialVoters: readonly NodeId[];
  readonly steps: readonly MembershipStep[];
  readonly clients: number;
  readonly operationsPerClient: number;
  /** The clients' wait between operations (default [0, 20] ms). */
  readonly thinkMs?: readonly [number, number];
  readonly durationMs: number;
  /** The service snapshots past this many log entries: a server added later gets the configuration with the snapshot. */
  readonly maxLogEntries?: number;
  readonly network?: ServiceRunOptions['network'];
  readonly inputs?: readonly ScheduledInput<Raft>[];
  readonly extra?: readonly Property<Raft>[];
  readonly stopWhenFinished?: boolean;
}

/** The membership properties every part F run checks (after the service's). */
function membershipProperties(initialVoters: readonly NodeId[]): Property<Raft>[] {
  return [
    onlyVotersStandForElection(initialVoters),
    candidatesAskEveryVoter(initialVoters),
    newServersCatchUpFirst(initialVoters),
    changeWaitsForOwnTermCommit(),
    removedLeaderStepsDown(heartbeatMs),
    removedServersDoNotDisrupt(initialVoters, electionTimeoutMs[0]),
  ] as Property<Raft>[];
}

export function membershipRun(implementation: RaftImplementation, run: MembershipRun): RunSetup<Raft> {
  // One more client than the workload's: the driver's watcher, which reads until every change is done.
  const watcher = run.servers + run.clients;
  const driver = membershipDriver({ initialVoters: run.initialVoters, steps: run.steps, watcher, watchFromMs: firstCallMs[1] });
  return serviceRun(implementation, {
    // A server may time the leader it last heard from, to ignore candidates meanwhile (the handout's "Removed servers must not disrupt").
    clock: true,
    servers: run.servers,
    clients: run.clients + 1,
    durationMs: run.durationMs,
    workload: {
      operationsPerClient: run.operationsPerClient,
      keys: ['x', 'y', 'z'],
      thinkMs: run.thinkMs ?? [0, 20],
      startMs: firstCallMs,
      clients: range(run.servers, run.clients),
    },
    config: { initialVoters: run.initialVoters, ...(run.maxLogEntries === undefined ? {} : { maxLogEntries: run.maxLogEntries }) },
    ...(run.network === undefined ? {} : { network: run.network }),
    ...(run.inputs === undefined ? {} : { inputs: run.inputs }),
    extraWorkload: driver,
    safety: () => membershipSafetyProperties(run.initialVoters),
    // A server may leave aside the replies of servers its configuration does not hold (removed ones, whose terms run ahead).
    termSenders: (cluster, receiver) => membersOf(configurationOf(cluster, receiver, run.initialVoters)),
    // Removed servers (and servers not yet added) never apply what comes after: replicas are not all servers.
    reach: false,
    // The change's completion is checked before the service's: a change that never completes keeps
    // the run going to its end, where an operation called a moment before would be reported as
    // "never returned" in its place.
    extra: [...membershipProperties(run.initialVoters), ...(run.extra ?? []), membershipChangeCompletes(driver.targets)],
    ...(run.stopWhenFinished === undefined ? {} : { stopWhenFinished: run.stopWhenFinished }),
  });
}

/** A change is first asked for at about this time: the first leader has committed its no-op and some operations. */
export const changeTimeMs = (testNumber: string, seed: number) => 800 + scenarioRandom(testNumber, seed).integer(0, 200);

/** n0 leads first (the others are down, then cannot talk to one another, until this time). */
const n0LeadsUntilMs = 800;

const addOne = test('F', 1, {
  name: 'add one server: it catches up as a learner, then the joint and the new configuration commit',
  points: 1,
  seeds: 5,
  description:
    'The fault-free smoke test of part F: 4 server nodes, the configuration {n0, n1, n2}; n3 starts empty and must not stand for ' +
    'election. At about 900 ms the leader is asked to add n3, while 3 clients keep calling operations: n3 is caught up as a ' +
    'non-voting learner, then C_old,new and C_new are committed and the leader outputs MembershipChanged {n0, n1, n2, n3}.',
  setup: (implementation, seed) =>
    membershipRun(implementation, {
      servers: 4,
      initialVoters: [0, 1, 2],
      steps: [{ add: [3], remove: [], atMs: changeTimeMs('5F.1', seed) }],
      clients: 3,
      operationsPerClient: 40,
      durationMs: 6_000,
    }),
});

/** 5F.2: when n1 and n2 go down, when n0 is asked to add n3 and n4, when n1 and n2 come back. */
const addTwoTimes = (seed: number) => {
  const random = scenarioRandom('5F.2', seed);
  const downMs = 850 + random.integer(0, 100);
  return { downMs, changeMs: downMs + 50, backMs: downMs + 700 + random.integer(0, 200) };
};

const addTwo = test('F', 2, {
  name: 'add two servers while two old ones are down: the new servers and the leader alone do not decide',
  points: 2,
  seeds: 5,
  description:
    '5 server nodes, the configuration {n0, n1, n2}, n0 leading first. At about 900 ms n1 and n2 go down, and n0 is asked to add ' +
    'n3 and n4 in one change. The learners catch up and n0 appends C_old,new; n0, n3 and n4 are a majority of C_new but one of three ' +
    'in C_old, so nothing may commit while the joint configuration is in force, until n1 and n2 come back about 700 ms later. Then ' +
    'the change completes.',
  setup: (implementation, seed) =>
    membershipRun(implementation, {
      servers: 5,
      initialVoters: [0, 1, 2],
      steps: [{ add: [3, 4], remove: [], atMs: addTwoTimes(seed).changeMs }],
      clients: 3,
      operationsPerClient: 40,
      durationMs: 6_000,
    }),
  scenario: (context): FaultAction[] => {
    const { downMs, backMs } = addTwoTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, n0LeadsUntilMs),
      ...[1, 2].flatMap((node): FaultAction[] => [
        { atMs: downMs, type: 'crash', node },
        { atMs: backMs, type: 'restart', node },
      ]),
    ];
  },
});

/** 5F.3 and 5F.8: the follower removed (n0 leads). */
const removedFollower = (testNumber: string, seed: number) => scenarioRandom(testNumber, seed).integer(1, 4);

const removeFollower = test('F', 3, {
  name: 'remove a follower: the four others go on, and commitment counts only them once C_new is in force',
  points: 2,
  seeds: 5,
  description:
    '5 servers, all voters, n0 leading first. At about 900 ms it is asked to remove one follower (n1 to n4, by seed). The change ' +
    'completes, the removed server stands for election in vain, and every operation still returns.',
  setup: (implementation, seed) =>
    membershipRun(implementation, {
      servers: 5,
      initialVoters: range(0, 5),
      steps: [{ add: [], remove: [removedFollower('5F.3', seed)], atMs: changeTimeMs('5F.3', seed) }],
      clients: 3,
      operationsPerClient: 40,
      durationMs: 6_000,
    }),
  scenario: (context) => n0LeadsFirst(context.servers, n0LeadsUntilMs),
});

const removeLeader = test('F', 4, {
  name: 'remove the leader: it manages the change, steps down once C_new is committed, and the others elect a new leader',
  points: 2,
  seeds: 5,
  description:
    '5 servers, all voters, n0 leading first. At about 900 ms n0 is asked to remove itself. It replicates C_old,new and C_new ' +
    `(counting itself only in C_old), outputs MembershipChanged {n1, n2, n3, n4}, tells the four that C_new is committed (leaderCommit), ` +
    `and within a heartbeat (${heartbeatMs} ms) stops ` +
    'sending AppendEntries and accepting commands; it never stands for election again. The four others elect a leader and the ' +
    'clients carry on with it.',
  setup: (implementation, seed) =>
    membershipRun(implementation, {
      servers: 5,
      initialVoters: range(0, 5),
      steps: [{ add: [], remove: [0], atMs: changeTimeMs('5F.4', seed) }],
      clients: 3,
      operationsPerClient: 50,
      durationMs: 6_000,
      extra: [removedLeaderTellsFollowers(0, range(1, 4))],
    }),
  scenario: (context) => n0LeadsFirst(context.servers, n0LeadsUntilMs),
});

const replaceAll = test('F', 5, {
  name: 'replace every server, one by one: {n0, n1, n2} becomes {n3, n4, n5}, leaders removed along the way',
  points: 3,
  seeds: 4,
  description:
    '6 server nodes, the configuration {n0, n1, n2}. From about 900 ms, three changes one after the other: n3 replaces n0, n4 ' +
    'replaces n1, n5 replaces n2 (each change adds one and removes one). Whoever leads may be removed; the clients keep working ' +
    'throughout, and at the end no server of the first configuration votes. The service snapshots past 20 log entries, so the ' +
    'servers added later catch up from a snapshot, which must carry the configuration of the entries it replaced.',
  setup: (implementation, seed) => {
    const startMs = changeTimeMs('5F.5', seed);
    return membershipRun(implementation, {
      servers: 6,
      initialVoters: [0, 1, 2],
      steps: [
        { add: [3], remove: [0], atMs: startMs },
        { add: [4], remove: [1] },
        { add: [5], remove: [2] },
      ],
      clients: 3,
      operationsPerClient: 70,
      durationMs: 9_000,
      maxLogEntries: 20,
    });
  },
});

/** 5F.6: the split that keeps C_old,new from n1 and n2, the leader's crash, the heal, the end of the random faults. */
const faultTimes = (seed: number) => {
  const random = scenarioRandom('5F.6', seed);
  const splitMs = 900 + random.integer(0, 100);
  const askMs = splitMs + 20;
  const crashMs = askMs + 100;
  const healMs = crashMs + 600 + random.integer(0, 100);
  return { splitMs, askMs, crashMs, healMs, secondMs: healMs + 300, chaosEndMs: 3_500 };
};

const underFaults = test('F', 6, {
  name: 'changes under partitions and crashes: C_old,new reaches only the servers it removes, its leader crashes; then random faults',
  points: 3,
  seeds: 6,
  description:
    '5 servers, all voters, n0 leading first. At about 950 ms n0 can reach only n3 and n4 (n2 is cut off from everyone) when it ' +
    'is asked to remove n3 and n4: C_old,new reaches only them, and n0 crashes 100 ms later. n3 and n4 hold C_old,new, uncommitted, ' +
    'and it is in force for them: with n1 they are a majority of the five, but not of {n0, n1, n2}, so none of them may win an ' +
    'election (a server that waited for the commit to use the new configuration would). After the heal about 700 ms later, the ' +
    'change completes; then n3 replaces n0 while partitions of every shape come and go and servers crash and restart (their logs ' +
    `and configurations read back from storage). From 3.5 s everything heals, and both changes must complete within ${membershipBoundMs} ms.`,
  setup: (implementation, seed) => {
    const { askMs, secondMs, chaosEndMs } = faultTimes(seed);
    return membershipRun(implementation, {
      servers: 5,
      initialVoters: range(0, 5),
      steps: [
        { add: [], remove: [3, 4], atMs: askMs + 1 },
        { add: [3], remove: [0], atMs: secondMs },
      ],
      inputs: [{ atMs: askMs, node: 0, input: { type: 'ChangeMembership', add: [], remove: [3, 4] } }],
      clients: 4,
      operationsPerClient: 40,
      // Slower clients: their operations go on through the random faults.
      thinkMs: [20, 60],
      // Judged when the run ends: within the bound of the last heal.
      durationMs: chaosEndMs + membershipBoundMs,
    });
  },
  scenario: (context): FaultAction[] => {
    const { splitMs, crashMs, healMs, chaosEndMs } = faultTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, n0LeadsUntilMs),
      ...cutBetween(splitMs, [0], [1, 2]),
      { atMs: splitMs, type: 'isolate', node: 2 },
      { atMs: crashMs, type: 'crash', node: 0 },
      { atMs: healMs, type: 'heal' },
      { atMs: healMs, type: 'restart', node: 0 },
      ...stabilize(chaosEndMs, context.servers),
    ];
  },
  faults: (context) => {
    const { healMs, chaosEndMs } = faultTimes(context.seed);
    const within: [number, number] = [healMs + 200, chaosEndMs - 400];
    return combineSchedules(
      shapedPartitions(context.servers, { count: [1, 3], withinMs: within, lengthMs: [200, 600] }),
      crashRestarts(context.servers, { count: [1, 3], withinMs: within, lengthMs: [100, 800] }),
    );
  },
});

const inFlight = test('F', 7, {
  name: 'a change asked for while another is in flight: refused or queued, never two at once',
  points: 2,
  seeds: 5,
  description:
    '5 server nodes, the configuration {n0, n1, n2}, n0 leading first. At about 900 ms n0 is asked to add n3, and 5 ms later, while ' +
    'n3 is still catching up, to add n4. The second request may be refused (MembershipRefused; it is asked again later) or queued, ' +
    'but the configurations in the log go one change at a time: C, C_old,new, C_new, and only then the next change. Both complete.',
  setup: (implementation, seed) => {
    const atMs = changeTimeMs('5F.7', seed);
    return membershipRun(implementation, {
      servers: 5,
      initialVoters: [0, 1, 2],
      steps: [
        { add: [3], remove: [], atMs },
        { add: [4], remove: [] },
      ],
      inputs: [
        { atMs, node: 0, input: { type: 'ChangeMembership', add: [3], remove: [] } },
        { atMs: atMs + 5, node: 0, input: { type: 'ChangeMembership', add: [4], remove: [] } },
      ],
      clients: 3,
      operationsPerClient: 50,
      durationMs: 6_000,
    });
  },
  scenario: (context) => n0LeadsFirst(context.servers, n0LeadsUntilMs),
});

/** 5F.8: how long the run goes on after the change, for the removed server to stand again and again. */
const disruptionEndMs = 3_500;

const noDisruption = test('F', 8, {
  name: 'removed servers do not disrupt the cluster: their RequestVotes change no remaining voter\'s term',
  points: 2,
  seeds: 5,
  description:
    `5 servers, all voters, n0 leading first; at about 900 ms one follower is removed, and it keeps running until ${disruptionEndMs} ms. ` +
    'It no longer hears from the leader, times out and asks for votes with ever higher terms. The remaining voters, who hear from ' +
    'their leader, ignore a RequestVote that comes within the minimum election timeout of a heartbeat: none of them changes term ' +
    'once the change is done, and n0 keeps leading.',
  setup: (implementation, seed) =>
    membershipRun(implementation, {
      servers: 5,
      initialVoters: range(0, 5),
      steps: [{ add: [], remove: [removedFollower('5F.8', seed)], atMs: changeTimeMs('5F.8', seed) }],
      clients: 3,
      operationsPerClient: 40,
      durationMs: disruptionEndMs,
      stopWhenFinished: false,
      extra: [votersKeepTheirTerm()],
    }),
  scenario: (context) => n0LeadsFirst(context.servers, n0LeadsUntilMs),
});

/** 5F.9: when the old member goes down, and when the new servers are asked for. */
const catchUpTimes = (seed: number) => {
  const random = scenarioRandom('5F.9', seed);
  const downMs = 900 + random.integer(0, 100);
  const changeMs = downMs + 600 + random.integer(0, 200);
  return { downMs, changeMs, n4BackMs: changeMs + 300 + random.integer(0, 100) };
};

const catchUp = test('F', 9, {
  name: 'new servers catch up before they count: added while an old member is down, one of them late',
  points: 2,
  seeds: 5,
  description:
    '5 server nodes, the configuration {n0, n1, n2}, n0 leading first. At about 950 ms n2 goes down for good, and the clients ' +
    'fill the log with a hundred entries. Then n3 and n4 (empty) are added; n4 is down, and starts about 350 ms later. Both must ' +
    'be caught up as learners before C_old,new names them: with n2 down, a majority of the five needs one of them, and counting an ' +
    'empty server stalls commitment (or lets n0 and an empty server decide with n1 missing). The change waits for n4.',
  setup: (implementation, seed) =>
    membershipRun(implementation, {
      servers: 5,
      initialVoters: [0, 1, 2],
      steps: [{ add: [3, 4], remove: [], atMs: catchUpTimes(seed).changeMs }],
      clients: 4,
      operationsPerClient: 45,
      durationMs: 7_000,
    }),
  scenario: (context): FaultAction[] => {
    const { downMs, n4BackMs } = catchUpTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, n0LeadsUntilMs),
      { atMs: downMs, type: 'crash', node: 2 },
      { atMs: downMs, type: 'crash', node: 4 },
      { atMs: n4BackMs, type: 'restart', node: 4 },
    ];
  },
});

/** 5F.10: when n0 is asked to remove n4 and crashes having appended C_old,new on itself only; when it comes back. */
const unfinishedTimes = (seed: number) => {
  const random = scenarioRandom('5F.10', seed);
  const changeMs = 900 + random.integer(0, 100);
  return { changeMs, restartMs: changeMs + 700 + random.integer(0, 200) };
};

const unfinishedChange = test('F', 10, {
  name: "a new leader with an earlier leader's unfinished change: it commits an entry of its term before its own change",
  points: 3,
  seeds: 5,
  description:
    '5 servers, all voters, n0 leading first. At about 950 ms n0 is asked to remove n4, appends C_old,new to its own log and ' +
    'crashes before sending it. A new leader is elected among the others (it does not hold that entry); asked for the same change, ' +
    'it must first commit an entry of its own term (its no-op), since an earlier leader\'s uncommitted change may still be in ' +
    'logs — the fix to the 2015 bug of single-server changes — and then complete it. n0 comes back later with the stale ' +
    'configuration in its log, which the new leader overwrites.',
  setup: (implementation, seed) => {
    const { changeMs } = unfinishedTimes(seed);
    return membershipRun(implementation, {
      servers: 5,
      initialVoters: range(0, 5),
      steps: [{ add: [], remove: [4], atMs: changeMs + 1 }],
      inputs: [{ atMs: changeMs, node: 0, input: { type: 'ChangeMembership', add: [], remove: [4] } }],
      clients: 3,
      operationsPerClient: 50,
      durationMs: 6_000,
    });
  },
  scenario: (context: FaultContext<Raft>): FaultAction[] => {
    const { changeMs, restartMs } = unfinishedTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, n0LeadsUntilMs),
      // Its next reaction is the ChangeMembership: it stops once the first effect (writing its log) is made.
      { atMs: changeMs, type: 'crash', node: 0, afterEffects: 1 },
      { atMs: restartMs, type: 'restart', node: 0 },
    ];
  },
});

export const membershipTests: readonly SuiteTest<RaftImplementation>[] = [
  addOne,
  addTwo,
  removeFollower,
  removeLeader,
  replaceAll,
  underFaults,
  inFlight,
  noDisruption,
  catchUp,
  unfinishedChange,
];
