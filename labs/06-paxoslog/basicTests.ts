// Lab 6, tests 6.1-6.7: the replicated log in a stable network and under partitions, an old
// leader whose stores are rejected, and what a stable leader and a leadership change cost. Every
// run checks the log's safety properties (a finalized slot never changes, finalized only after a
// majority stored it, an operation stored by a majority is kept, epochs never decrease and are owned, a slot is written only from a Store,
// an overthrow stops the old leader, a rejected leader steps down, replies follow storage,
// execution follows the finalized log), the kit's linearizability, at-most-once and progress,
// and that every operation returns (harness.ts); each test adds its own rules.
//
// Some tests choose who leads first without knowing the code (n0LeadsFirst): the other servers
// are down until n0 has tried to lead on its own at least twice, so its epoch is above any they
// start with, and when they are back, until `n0LeadsUntilMs`, they cannot talk to one another,
// so that none of them can hear from a majority without n0. n0's next overthrow wins.
import {
  halves,
  onlyThroughNode,
  serversApart,
  clientsReachTheMajority,
  nothingCompletesInMinority,
  operationsCompleteAfterHeal,
  type FaultAction,
  type NodeId,
  type SuiteTest,
  n0LeadsFirst as n0LeadsFirstAfter,
} from 'distlab/testing';
import { answerWithinOneRoundTrip, grantResetsLeaderTimeout, leadershipChangeCost, leaderTakesOver, overthrowOnlyOnLeaderChange, storeAndFinalizeRounds } from './checks.ts';
import { call, firstCallMs, leaderTimeoutMs, maxDelayMs, paxosLogRun, pick, range, scenarioRandom, test, type PaxosLogImplementation } from './harness.ts';
import type { PaxosLog } from './src/protocol.ts';

/** Five servers, then three: most tests run on both sizes. */
const sizes = (seed: number) => pick([5, 3], seed);

/** When the other servers come back in n0LeadsFirst: n0 has tried to lead at least twice by then (each LeaderTimeout is at most 300 ms). */
export const othersBackMs = 610;
/** When every link heals in n0LeadsFirst: n0 has overthrown them since othersBackMs, with an epoch above theirs. */
export const n0LeadsUntilMs = 1_000;

/** n0 leads first, of three or five: the others come back late, and every link heals at n0LeadsUntilMs unless `then` says otherwise. */
export const n0LeadsFirst = (servers: readonly NodeId[], then: readonly FaultAction[] = [{ atMs: n0LeadsUntilMs, type: 'heal' }]): FaultAction[] =>
  n0LeadsFirstAfter(servers, othersBackMs, then);

/** `servers` turned so that it starts at position `offset`: `halves` of it cuts off a different minority. */
const rotate = (servers: readonly NodeId[], offset: number): NodeId[] => servers.map((_node, position) => servers[(position + offset) % servers.length] as NodeId);

const smoke = test(1, {
  name: 'one client, three servers: every operation returns, linearizable and exactly once',
  points: 1,
  seeds: 5,
  description:
    'The fault-free smoke test: 3 servers, one client performs 20 gets, puts and appends on two keys, one after the other, on a ' +
    'network where messages take 1 to 10 ms. One server times out, overthrows the others and leads; the client finds it through ' +
    'redirects; each command is stored by a majority in the leader\'s epoch, finalized, executed in slot order and answered by the leader.',
  setup: (implementation) =>
    paxosLogRun(implementation, {
      servers: 3,
      clients: 1,
      durationMs: 4_000,
      workload: { operationsPerClient: 20, startMs: firstCallMs },
    }),
});

const noPartition = test(2, {
  name: 'progress with no partition: five servers, several clients',
  points: 2,
  seeds: 5,
  description:
    '5 servers, 3 clients with 15 operations each on two keys, no faults. Several operations are being stored at once, each in its ' +
    'own slot; every server finalizes the same operation in each slot and executes them in slot order, and every operation returns, linearizable.',
  setup: (implementation) =>
    paxosLogRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: 5_000,
      workload: { operationsPerClient: 15, thinkMs: [0, 20], startMs: firstCallMs },
    }),
});

// 6.3: n0 leads first; at splitMs two of the five servers are cut off for good, the clients stay
// with the three others. Seeds 1 and 3 cut off n0, the leader; the others cut off two followers.
const majorityOffsets = [0, 3, 4, 1, 2];
const majoritySplitMs = (seed: number) => n0LeadsUntilMs + 250 + scenarioRandom('6.3', seed).integer(0, 100);

const inMajority = test(3, {
  name: 'progress in a majority: with two of five servers cut off, the clients of the other three go on',
  points: 3,
  seeds: 5,
  description:
    '5 servers, n0 leading first, 3 clients with 25 operations each. At about 1.3 s two servers are cut off until the end of the run ' +
    '(n0, the leader, and one other, or two others, depending on the seed), and the clients stay with the other three. Three of five ' +
    'are a majority: one of them overthrows the old leader if it must, reads every slot it has not finalized from the servers that ' +
    'accepted its epoch, and goes on. Operations in progress at the cut complete with the new leader.',
  setup: (implementation) =>
    paxosLogRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: 5_000,
      // The servers cut off never hear of the later operations.
      reach: false,
      workload: { operationsPerClient: 25, thinkMs: [10, 30], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers),
    ...halves(majoritySplitMs(context.seed), rotate(context.servers, pick(majorityOffsets, context.seed))),
  ],
});

// 6.4: n0 leads first; at splitMs n0 and n1 are cut off with two clients, whose calls after the
// split must not return until the heal. n5 asks n0 first and n6 asks n1 first (the kit's client
// starts at server id mod N), and both have had an operation answered before the split.
const minorityTimes = (seed: number) => {
  const splitMs = n0LeadsUntilMs + 250 + scenarioRandom('6.4', seed).integer(0, 100);
  return { splitMs, healMs: splitMs + 1_500 };
};
const minorityClients = [5, 6];
/** The clients that stay with n2, n3 and n4: one of those overthrows n0, and their operations go on meanwhile. */
const majorityClients = [7, 8, 9];
/** After the heal, every operation pending then returns within this long. */
const healBoundMs = 1_000;

const nothingInMinority = test(4, {
  name: 'nothing completes in a minority, and everything does after the heal',
  points: 3,
  seeds: 5,
  description:
    '5 servers, n0 leading first. At about 1.3 s n0 and n1 are cut off for 1.5 s with two clients (n5 and n6), which call two appends ' +
    'and two gets: none of them may return while the partition lasts, although n0 still believes it leads: an operation is finalized ' +
    'only once a majority, three of five, stored it. Three other clients keep working with n2, n3 and n4, one of which overthrows n0: each of them completes an operation called after the split before the heal. ' +
    `After the heal n0's stores are rejected, it becomes passive, and every operation pending then returns within ${healBoundMs} ms.`,
  setup: (implementation, seed) => {
    const { splitMs, healMs } = minorityTimes(seed);
    return paxosLogRun(implementation, {
      servers: 5,
      clients: 5,
      durationMs: healMs + 3_000,
      faultsEndMs: healMs,
      // No puts: a put would hide an append lost before it.
      workload: { operationsPerClient: 25, mix: { get: 2, put: 0, append: 3 }, thinkMs: [10, 40], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100], clients: majorityClients },
      inputs: [
        call(n0LeadsUntilMs + 50, 5, { kind: 'append', key: 'x', value: 'n5.1;' }),
        call(n0LeadsUntilMs + 60, 6, { kind: 'append', key: 'y', value: 'n6.1;' }),
        call(splitMs + 100, 5, { kind: 'append', key: 'x', value: 'n5.2;' }),
        call(splitMs + 150, 6, { kind: 'get', key: 'x' }),
        call(splitMs + 200, 5, { kind: 'get', key: 'y' }),
        call(splitMs + 250, 6, { kind: 'append', key: 'y', value: 'n6.2;' }),
      ],
      extraAfter: [
        nothingCompletesInMinority<PaxosLog>(minorityClients, splitMs, healMs, `while n0, n1, n5 and n6 were cut off from the majority (${splitMs} to ${healMs} ms)`),
        clientsReachTheMajority<PaxosLog>(majorityClients, splitMs, healMs, `while n0, the leader, was cut off from the majority (${splitMs} to ${healMs} ms)`),
        operationsCompleteAfterHeal<PaxosLog>(healMs, healBoundMs),
      ],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs } = minorityTimes(context.seed);
    return [...n0LeadsFirst(context.servers), { atMs: splitMs, type: 'partition', groups: [[0, 1, ...minorityClients]] }, { atMs: healMs, type: 'heal' }];
  },
});

// 6.5: n0 leads; it is cut off from the other servers while the clients still reach it, so it
// keeps taking their operations into slots of its own that no other server hears of. Meanwhile
// n2, n3 and n4 can talk to n1 only, so n1 is the one that overthrows n0, and uses those slots
// for other operations. At the heal every link comes back but n1's to n0, for a while: n0 hears
// of the new epoch only in the answers to its own Stores and Queries, which reject them, and
// must become passive, not lead on with the epoch it learned.
const rejectedTimes = (seed: number) => {
  const random = scenarioRandom('6.5', seed);
  const cutMs = n0LeadsUntilMs + 300 + random.integer(0, 100);
  const healMs = cutMs + 900 + random.integer(0, 200);
  return { cutMs, healMs, n1ReachesN0Ms: healMs + 300 };
};
/** 6.5's client whose call reaches n0 just before the heal: a fresh client asks server (id mod N) first, and 10 mod 5 is n0. */
const lateClient = 10;

const rejectedLeader = test(5, {
  name: 'an old leader cut off and healed: its stores are rejected, and it becomes passive',
  points: 3,
  seeds: 6,
  description:
    '5 servers, n0 leading first, 4 clients that reach every server. At about 1.35 s n0 is cut off from the other servers, but not ' +
    'from the clients: it goes on taking operations into slots no other server hears of, and answers none of them. Meanwhile n2, n3 ' +
    'and n4 can talk to n1 only: the passive servers time out and try to overthrow n0, and n1, the only one of them that can win, often does, perhaps only after the heal, and uses the same slots for other operations. About a second later every link ' +
    "heals but n1's to n0, which stays cut for 300 ms more: n0 sends its stores and queries again, and learns of the new epoch only " +
    'from their answers, which reject them (a server that accepts a store below its epoch breaks the overthrow). n0 must become ' +
    "passive, not lead on with the epoch it learned. n0's own slots are then overwritten by n1's, and every operation pending at " +
    `the heal returns within ${healBoundMs} ms.`,
  setup: (implementation, seed) => {
    const { cutMs, healMs, n1ReachesN0Ms } = rejectedTimes(seed);
    return paxosLogRun(implementation, {
      servers: 5,
      clients: 6,
      durationMs: healMs + 3_000,
      faultsEndMs: n1ReachesN0Ms,
      workload: {
        operationsPerClient: 30,
        keys: ['x', 'y'],
        mix: { get: 2, put: 1, append: 3 },
        thinkMs: [10, 40],
        startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100],
        clients: [5, 6, 7, 8],
      },
      // n0 stores this one just before the heal: it has a Store to send again when the links come back.
      inputs: [call(healMs - 40, lateClient, { kind: 'append', key: 'x', value: 'late;' })],
      // The others must try to overthrow n0 while it is cut off: a cluster in which only n0 ever leads would only wait for the
      // heal. Winning is not asked: n2, n3 and n4 stand too, and each overthrow of theirs that n1 grants puts its timeout off.
      extra: [leaderTakesOver(range(0, 5), 0, cutMs, healMs, `while n0, the leader, was cut off from the other servers (${cutMs} to ${healMs} ms)`, { standsOnly: true })],
      extraAfter: [operationsCompleteAfterHeal<PaxosLog>(healMs, healBoundMs)],
    });
  },
  scenario: (context) => {
    const { cutMs, healMs, n1ReachesN0Ms } = rejectedTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers),
      ...serversApart(cutMs, context.servers, [0]),
      ...onlyThroughNode(cutMs, [1, 2, 3, 4], 1),
      { atMs: healMs, type: 'heal' },
      { atMs: healMs, type: 'cut', from: [1], to: [0] },
      { atMs: n1ReachesN0Ms, type: 'heal' },
    ];
  },
});

/** 6.6: distinct epochs in Overthrow messages over the whole fault-free run: the first leader, with room for a few servers that time out together. */
const mostEpochs = 4;
/** 6.6's clients start once the first leader surely leads. */
const stableFromMs = 800;
/** 6.6's third client calls this late: the others are done by about 2 s. */
const idleUntilMs = 3_000;

const stableLeader = test(6, {
  name: 'a stable leader: one store round and one finalize round per operation, answered after the store round',
  kind: 'budget',
  points: 3,
  seeds: 4,
  description:
    `5 or 3 servers, 2 clients with 30 operations each, no faults, from ${stableFromMs} ms, and a third that calls twice from ${idleUntilMs} ms, ` +
    `after about a second with nothing to store. For each operation the leader sends one Store and one ` +
    'Finalize to each other server, (N-1) of each (with one round to spare over the whole run): no store sent twice, no finalize sent ' +
    'again to a server that already has it (catching up through Query only what was finalized before the heartbeat before last). It answers ' +
    `the client once a majority stored the operation: within one round trip, ${2 * maxDelayMs} ms, of the request reaching it. And at most ` +
    `${mostEpochs} epochs are ever used: the leader's Query resets every passive server's LeaderTimeout, so nobody tries to lead while it is up. ` +
    `An Overthrow a server grants resets its LeaderTimeout too: it sends no Overthrow of its own within ${leaderTimeoutMs[0]} ms of the grant.`,
  setup: (implementation, seed) => {
    const servers = sizes(seed);
    return paxosLogRun(implementation, {
      servers,
      clients: 3,
      durationMs: 6_000,
      workload: { operationsPerClient: 30, thinkMs: [0, 30], startMs: [stableFromMs, stableFromMs + 50], clients: range(servers, 2) },
      // A third client calls long after the others are done: the log is idle for about a second
      // before, while only the leader's Queries keep the passive servers from trying to lead.
      inputs: [call(idleUntilMs, servers + 2, { kind: 'get', key: 'x' }), call(idleUntilMs + 600, servers + 2, { kind: 'append', key: 'y', value: 'late;' })],
      extra: [
        storeAndFinalizeRounds(range(0, servers), { fromMs: 0 }),
        answerWithinOneRoundTrip({ fromMs: stableFromMs, maxDelayMs }),
        overthrowOnlyOnLeaderChange(mostEpochs),
        grantResetsLeaderTimeout(leaderTimeoutMs[0]),
      ],
    });
  },
});

// 6.7: a leader change under load. n0 leads; its messages stop reaching n3 and n4 (a window of
// slots stored by a bare majority), then it crashes. The new leader overthrows the others once
// and reads exactly the slots it has not finalized, each from the servers that accepted it.
const changeTimes = (seed: number) => {
  const random = scenarioRandom('6.7', seed);
  const narrowMs = n0LeadsUntilMs + 400 + random.integer(0, 100);
  const crashMs = narrowMs + 40 + random.integer(0, 20);
  return { narrowMs, crashMs, restartMs: crashMs + 600 };
};

const leadershipChange = test(7, {
  name: 'a leadership change costs one overthrow round and the reads of the slots the new leader has not finalized',
  kind: 'budget',
  points: 3,
  seeds: 5,
  description:
    '5 servers, n0 leading first, 3 clients calling all the time. At about 1.45 s n0\'s messages stop reaching n3 and n4, and about 50 ms ' +
    'later n0 crashes: slots stored by n0, n1 and n2 only are finalized though n3 and n4 never heard of them. A new leader sends one ' +
    'Overthrow to each other server, then Read only for the slots it has not finalized itself (up to the last used slot a granting ' +
    'server reported), each at most once to each server, and stores what it found in its own epoch. n0 restarts 600 ms later and catches up.',
  setup: (implementation, seed) => {
    const { crashMs, restartMs } = changeTimes(seed);
    return paxosLogRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: 6_000,
      faultsEndMs: restartMs,
      workload: { operationsPerClient: 35, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [0, 10], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
      extra: [leadershipChangeCost(range(0, 5)), leaderTakesOver(range(0, 5), 0, crashMs, restartMs, `while n0, the leader, was down (${crashMs} to ${restartMs} ms)`)],
    });
  },
  scenario: (context) => {
    const { narrowMs, crashMs, restartMs } = changeTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers),
      { atMs: narrowMs, type: 'cut', from: [0], to: [3, 4] },
      { atMs: crashMs, type: 'crash', node: 0 },
      { atMs: crashMs, type: 'heal' },
      { atMs: restartMs, type: 'restart', node: 0 },
    ];
  },
});

export const basicTests: SuiteTest<PaxosLogImplementation>[] = [smoke, noPartition, inMajority, nothingInMinority, rejectedLeader, stableLeader, leadershipChange];
