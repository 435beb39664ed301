// Lab 6's hidden tests: graded with the visible ones wherever this file is present (the staff
// repository, the Gradescope bundle), and never part of a student's handout. The runs keep faults
// going for seconds while many clients keep calling: crashes in the middle of a reaction with
// partitions and loss, a majority ring that moves leadership around, a leader whose stores reach
// only one other server before it crashes, a network that delivers every message twice, and a
// StoreReply that reaches its leader an epoch late, once it leads again, and a takeover whose walk
// must ask again: its Reads lost on the way, or a granter gone for good; a slot stored in two
// epochs, whose walk reads the lower epoch's operation first; a no-op stored by a majority in a
// higher epoch than an operation the next walk reads; a late answer to a leader's earlier walk,
// arriving during its next one; and an earlier leader's late Finalize, arriving during a walk: the
// last four in runs, where only servers send server messages (in the searches, a client plays the
// earlier leaders). The searches explore a walk whose lower epoch's answer arrives last, a crash
// between two effects of one reaction, and a no-op stored in a higher epoch than an operation.
import {
  boundedRetryClient,
  clientsReachTheMajority,
  combineSchedules,
  crashRestarts,
  drawNodes,
  lateAnswerScenario,
  lateAnswerTimes,
  majorityRing,
  nothingCompletesInMinority,
  onlyThroughNode,
  shapedPartitions,
  slowMoment,
  stabilize,
  type FaultAction,
  type KvClient,
  type KvClientInput,
  type KvCommand,
  type KvOperation,
  type NodeClass,
  type NodeId,
  type SuiteTest,
} from 'distlab/testing';
import { n0LeadsFirst, n0LeadsUntilMs, othersBackMs } from './basicTests.ts';
import { refusedOnlyBelowEpoch } from './checks.ts';
import { call, firstCallMs, paxosLogRun, pick, scenarioRandom, search, stableNetwork, test, type PaxosLogImplementation } from './harness.ts';
import { scenarioSettings, searchScenarios, type SearchScenario } from './search.ts';
import type { PaxosLog } from './src/protocol.ts';

const chaosEndMs = 3_000;

const chaos = test(15, {
  name: 'chaos: crashes in the middle of a reaction, partitions of every shape and a lossy network, then every operation returns',
  visibility: 'hidden',
  points: 3,
  seeds: 5,
  // Long runs: a failure shrinks in fewer runs, so its report comes well within the time limit.
  shrinkRuns: 30,
  description:
    `5 servers, 4 clients. Until ${chaosEndMs} ms the network loses and duplicates 5% of messages, servers crash in the middle of a ` +
    'reaction and restart from their durable storage, and partitions of every shape come and go. Then everything heals: every ' +
    'operation returns, the history is linearizable, and every completed write reaches every server.',
  setup: (implementation) =>
    paxosLogRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: chaosEndMs + 6_000,
      faultsEndMs: chaosEndMs,
      network: { dropRate: 0.05, duplicateRate: 0.05 },
      workload: { operationsPerClient: 25, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [10, 50], startMs: firstCallMs },
    }),
  scenario: (context) => stabilize(chaosEndMs, context.servers, stableNetwork),
  faults: (context) =>
    combineSchedules(
      crashRestarts(context.servers, { count: [2, 5], withinMs: [400, chaosEndMs - 400], lengthMs: [20, 300], afterEffects: [0, 3] }),
      shapedPartitions(context.servers, { count: [1, 3], withinMs: [400, chaosEndMs - 700], lengthMs: [200, 600] }),
    ),
});

const ringStartMs = 900;
const ringEndMs = 2_900;

const ring = test(16, {
  name: 'a majority ring for 2 s under many clients: leadership moves, every history stays linearizable',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    `5 servers, 5 clients that reach every server. From ${ringStartMs} to ${ringEndMs} ms each server talks only to its two neighbours on a ` +
    'ring (a different majority for each): servers on the far side of the leader time out and overthrow it with a majority of their own, ' +
    'stores of one epoch are rejected by the next, and clients retry. After the heal every operation returns.',
  setup: (implementation) =>
    paxosLogRun(implementation, {
      servers: 5,
      clients: 5,
      durationMs: ringEndMs + 4_000,
      faultsEndMs: ringEndMs,
      workload: { operationsPerClient: 30, keys: ['x', 'y', 'z'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [10, 40], startMs: firstCallMs },
    }),
  scenario: () => [...majorityRing(ringStartMs, [0, 1, 2, 3, 4]), { atMs: ringEndMs, type: 'heal' }],
});

// 6.17: n0 leads; its stores reach only n1 for a while (nothing is finalized: n0 and n1 are two
// of five), then n0 crashes. A new leader whose overthrow majority holds n1 must store n1's
// operations again; one whose majority does not may fill those slots with no-ops. Either way no
// finalized slot changes, and n0, restarting with its own unfinalized operations, catches up.
const narrowTimes = (seed: number) => {
  const random = scenarioRandom('6.17', seed);
  const narrowMs = n0LeadsUntilMs + 300 + random.integer(0, 100);
  const crashMs = narrowMs + 60 + random.integer(0, 40);
  return { narrowMs, crashMs, restartMs: crashMs + 500 + random.integer(0, 200) };
};

const narrowStores = test(17, {
  name: 'a leader whose stores reach one follower only, then crashes: unfinalized operations are kept or replaced, never half of each',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    '5 servers, n0 leading first, 4 clients calling all the time. At about 1.35 s n0\'s messages stop reaching n2, n3 and n4; it stores ' +
    'new operations on itself and n1 only, finalizes none of them, and crashes 60 to 100 ms later. The next leader\'s overthrow majority ' +
    'may hold n1 or not; slots it reads as stored in one epoch only by n1 are stored again (and those nobody holds are filled with ' +
    'no-ops). n0 restarts with its old operations in the same slots and is brought in line with the new leader\'s log.',
  setup: (implementation, seed) =>
    paxosLogRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: 7_000,
      faultsEndMs: narrowTimes(seed).restartMs,
      workload: { operationsPerClient: 35, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [0, 10], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
    }),
  scenario: (context) => {
    const { narrowMs, crashMs, restartMs } = narrowTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers),
      { atMs: narrowMs, type: 'cut', from: [0], to: [2, 3, 4] },
      { atMs: crashMs, type: 'crash', node: 0 },
      { atMs: crashMs, type: 'heal' },
      { atMs: restartMs, type: 'restart', node: 0 },
    ] satisfies FaultAction[];
  },
});

// 6.18: every message is delivered twice, so each server receives every Overthrow and Store it
// granted a second time, in the same epoch; n0 leads first, then crashes and restarts, and the
// next leader's overthrow is delivered twice as well.
const twiceTimes = (seed: number) => {
  const crashMs = n0LeadsUntilMs + 400 + scenarioRandom('6.18', seed).integer(0, 100);
  return { crashMs, restartMs: crashMs + 300 };
};

const deliveredTwice = test(18, {
  name: 'every message delivered twice: a copy of an Overthrow or a Store already granted is granted again',
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    '5 or 3 servers, n0 leading first, 3 clients; the network delivers every message twice. Each server receives each Overthrow it ' +
    'granted, and each Store it accepted, a second time in the same epoch: it grants it again (an epoch equal to its own is its ' +
    'leader\'s), and refuses only an epoch below its own. At about 1.45 s n0 crashes, and comes back 300 ms later: the next leader\'s ' +
    'overthrow is delivered twice too. Every operation returns.',
  setup: (implementation, seed) =>
    paxosLogRun(implementation, {
      servers: pick([5, 3], seed),
      clients: 3,
      durationMs: 6_000,
      network: { duplicateRate: 1 },
      faultsEndMs: twiceTimes(seed).restartMs,
      workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [0, 20], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
      extra: [refusedOnlyBelowEpoch()],
    }),
  scenario: (context) => {
    const { crashMs, restartMs } = twiceTimes(context.seed);
    return [...n0LeadsFirst(context.servers), { atMs: crashMs, type: 'crash', node: 0 }, { atMs: restartMs, type: 'restart', node: 0 }] satisfies FaultAction[];
  },
});

/** 6.19: when the four servers split into two pairs, and when they heal. */
const evenSplitTimes = (seed: number) => {
  const splitMs = n0LeadsUntilMs + 250 + scenarioRandom('6.19', seed).integer(0, 100);
  return { splitMs, healMs: splitMs + 1_500 };
};
const evenSplitClients = [4, 5, 6];

const evenSplit = test(19, {
  name: 'an even cluster split in two pairs: 2 of 4 servers are no majority, and nothing completes until the heal',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    '4 servers, n0 leading first, 3 clients. At about 1.3 s the servers split in two pairs (n0 with one of the others, by seed) for ' +
    '1.5 s; the clients stay with the pair without n0. A majority of 4 is 3: neither pair may overthrow, store or finalize, so no ' +
    'operation called during the split returns before the heal; after it, every operation returns.',
  setup: (implementation, seed) => {
    const { splitMs, healMs } = evenSplitTimes(seed);
    return paxosLogRun(implementation, {
      servers: 4,
      clients: 3,
      durationMs: healMs + 3_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [10, 40], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
      extraAfter: [nothingCompletesInMinority<PaxosLog>(evenSplitClients, splitMs, healMs, `while the servers were split in two pairs, 2 of 4 each (${splitMs} to ${healMs} ms)`)],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs } = evenSplitTimes(context.seed);
    return [...n0LeadsFirst(context.servers), { atMs: splitMs, type: 'partition', groups: [[0, pick([1, 2, 3], context.seed)]] }, { atMs: healMs, type: 'heal' }] satisfies FaultAction[];
  },
});

/** 6.20: n0 is cut off; the others, with a newer epoch, all crash and restart while n0 can send to them but hears nothing. */
const staleSenderTimes = (seed: number) => {
  const isolateMs = n0LeadsUntilMs + 250 + scenarioRandom('6.20', seed).integer(0, 100);
  const crashMs = isolateMs + 800;
  const restartMs = crashMs + 100;
  return { isolateMs, crashMs, restartMs, healMs: restartMs + 1_500 };
};
const staleSenderClients = [5, 6, 7];

const staleSender = test(20, {
  name: 'an overthrown leader that can still send: its Queries of an old epoch keep nobody from leading',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    '5 servers, n0 leading first, 3 clients. At about 1.3 s n0 is cut off, and one of the others overthrows it. 800 ms later those four ' +
    'all crash, and restart 100 ms after that, knowing the newer epoch but no leader; from then on n0 can send to them but hears ' +
    'nothing, and it goes on sending Queries of its old epoch. They answer that epoch with theirs, which resets nothing, and one of ' +
    'them leads again: each client completes an operation called after the restart before every link heals, 1.5 s later.',
  setup: (implementation, seed) => {
    const { restartMs, healMs } = staleSenderTimes(seed);
    return paxosLogRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: healMs + 3_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 60, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [10, 40], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
      extraAfter: [clientsReachTheMajority<PaxosLog>(staleSenderClients, restartMs, healMs, `while n0, overthrown, could send but hear nothing (${restartMs} to ${healMs} ms)`)],
    });
  },
  scenario: (context) => {
    const { isolateMs, crashMs, restartMs, healMs } = staleSenderTimes(context.seed);
    const others = [1, 2, 3, 4];
    return [
      ...n0LeadsFirst(context.servers),
      { atMs: isolateMs, type: 'isolate', node: 0 },
      ...others.map((node): FaultAction => ({ atMs: crashMs, type: 'crash', node })),
      ...others.map((node): FaultAction => ({ atMs: restartMs, type: 'restart', node })),
      { atMs: restartMs, type: 'heal' },
      { atMs: restartMs, type: 'cut', from: [...others, ...staleSenderClients], to: [0] },
      { atMs: healMs, type: 'heal' },
    ] satisfies FaultAction[];
  },
});

/**
 * 6.21's plan. n0 leads its first epoch with n1 and n2 (n3 and n4 are down) and is given x; the
 * network is so slow for a moment that its Store of x reaches n1 only seconds later, and then every
 * server goes down. n0 comes back alone, then n2 and n3, which can reach only n0: n0 leads a new
 * epoch, reads x from itself and stores it again in that epoch. n3 goes down as that Store reaches
 * it, n2 stores x and goes down later: n0 and n2 are two of five. n1 comes back as the slow Store
 * arrives, and the network is slow again while it answers: its StoreReply ok, of n0's first epoch,
 * reaches n0 seconds later, while n0 still leads the new epoch with x pending in the same slot. A
 * leader that counted it would have "3 of 5" for x: two in one epoch and one in another.
 */
const lateStoreReplyTimes = (seed: number) => lateAnswerTimes(n0LeadsUntilMs + 300 + scenarioRandom('6.21', seed).integer(0, 50), othersBackMs);
/** Calls x: a fresh client asks server (id mod N) first, and 5 mod 5 is n0. */
const lateStoreClient = 5;
const lateStoreWorkloadClients = [6, 7];

const lateStoreReply = test(21, {
  name: 'a StoreReply that arrives an epoch late: its leader leads again since, and counts only the replies of its new epoch',
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    '5 servers; n0 leads first, with n1 and n2 (n3 and n4 are down). At about 1.3 s n0 is given x, and the network is so slow for a ' +
    'moment that its Store of x reaches n1 2.5 s later; then every server goes down. n0 comes back alone, then n2 and n3, which can ' +
    'reach only n0: n0 leads a new epoch, reads x from itself and stores it again in that epoch. n3 goes down as that Store reaches it; ' +
    'n2 stores x and goes down later: two of five hold x in the new epoch. n1 comes back as the slow Store arrives, stores x in ' +
    "n0's first epoch and answers ok while the network is slow again: its StoreReply, of n0's first epoch, reaches n0 2.5 s later, " +
    'while n0 leads the new epoch with x pending in the same slot. A leader counts only the StoreReplies of its current epoch: x must ' +
    'not be finalized before a majority stored it in one epoch. At about 6.4 s everything heals and every server is up: x and every ' +
    'later operation return.',
  setup: (implementation, seed) => {
    const { xMs, stableMs } = lateStoreReplyTimes(seed);
    return paxosLogRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: stableMs + 3_000,
      faultsEndMs: stableMs,
      workload: { operationsPerClient: 10, keys: ['x', 'y'], mix: { get: 1, put: 1, append: 2 }, thinkMs: [10, 30], startMs: [stableMs + 50, stableMs + 100], clients: lateStoreWorkloadClients },
      inputs: [
        call(n0LeadsUntilMs + 50, lateStoreClient, { kind: 'put', key: 'x', value: 'first;' }),
        call(xMs, lateStoreClient, { kind: 'append', key: 'x', value: 'late;' }),
      ],
    });
  },
  // n0 leads first with n1 and n2, which can reach only n0 (fewer servers that try to lead meanwhile); n3 and n4 are down.
  scenario: (context) => lateAnswerScenario(lateStoreReplyTimes(context.seed), context.servers, n0LeadsFirst([0, 1, 2], []), 'Store', stableNetwork),
});

/**
 * When each step of 6.22 and 6.23 comes: n1's messages stop reaching n0 (so n1 holds stores it
 * never learns were finalized), then the old leader goes down; in 6.23, n2 too, which comes back
 * to grant and goes down again, and n0 comes back.
 */
function lostGranterTimes(test: string, seed: number) {
  const random = scenarioRandom(test, seed);
  const n1DeafMs = n0LeadsUntilMs + 300 + random.integer(0, 50);
  const downMs = n1DeafMs + 40;
  const n2BackMs = downMs + 400;
  return { n1DeafMs, downMs, n2BackMs, n2DownMs: n2BackMs + 250, n0BackMs: n2BackMs + 450 };
}

const takeoverWorkload = { operationsPerClient: 40, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [0, 10] as const, startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] as const };

const lossyTakeover = test(22, {
  name: 'the old leader down for good, a takeover on a lossy network: lost Reads are sent again',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    "3 servers; n0 leads first while three clients call. n1's messages stop reaching n0, so n1 holds stores it never learns were " +
    'finalized; then n0 goes down for good, and for about a second 30% of messages are lost while n1 or n2 takes over. The new ' +
    "leader's walk must read every slot from a majority: a Read not answered for a whole period is sent again at the HeartbeatTick. " +
    'Every operation returns.',
  setup: (implementation, seed) => {
    const { n0BackMs } = lostGranterTimes('6.22', seed);
    return paxosLogRun(implementation, { servers: 3, clients: 3, durationMs: n0BackMs + 4_000, faultsEndMs: n0BackMs, workload: takeoverWorkload });
  },
  scenario: (context) => {
    const { n1DeafMs, downMs, n0BackMs } = lostGranterTimes('6.22', context.seed);
    const actions: FaultAction[] = [
      ...n0LeadsFirst(context.servers),
      { atMs: n1DeafMs, type: 'cut', from: [1], to: [0] },
      { atMs: downMs, type: 'crash', node: 0 },
      { atMs: downMs, type: 'heal' },
      { atMs: downMs, type: 'network', dropRate: 0.3 },
      { atMs: n0BackMs, type: 'network', dropRate: 0 },
    ];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

const lostGranter = test(23, {
  name: 'a granter lost in the middle of the walk: the new leader asks a server that did not grant',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    "3 servers; n0 leads first while three clients call. n1's messages stop reaching n0, so n1 holds stores it never learns were " +
    'finalized; then n0 and n2 go down, and n1 tries to lead alone. n2 comes back on a slow network (100 ms a message), grants ' +
    "n1's Overthrow and goes down for good before it answers n1's Reads. n0, which granted nothing, comes back: a walk that still lacks " +
    'a majority of answers sends its Overthrow again to the servers that have not granted it. Every operation returns.',
  setup: (implementation, seed) => {
    const { n0BackMs } = lostGranterTimes('6.23', seed);
    return paxosLogRun(implementation, { servers: 3, clients: 3, durationMs: n0BackMs + 4_000, faultsEndMs: n0BackMs, workload: takeoverWorkload });
  },
  scenario: (context) => {
    const { n1DeafMs, downMs, n2BackMs, n2DownMs, n0BackMs } = lostGranterTimes('6.23', context.seed);
    const actions: FaultAction[] = [
      ...n0LeadsFirst(context.servers),
      { atMs: n1DeafMs, type: 'cut', from: [1], to: [0] },
      { atMs: downMs, type: 'crash', node: 0 },
      { atMs: downMs, type: 'crash', node: 2 },
      { atMs: downMs, type: 'heal' },
      ...slowMoment(n2BackMs, n0BackMs, 100, stableNetwork),
      { atMs: n2BackMs, type: 'restart', node: 2 },
      { atMs: n2DownMs, type: 'crash', node: 2 },
      { atMs: n0BackMs, type: 'restart', node: 0 },
    ];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

// 6.24: a client whose replies are lost across a restart of the whole cluster: its retry of a
// command executed before the crash is answered from the at-most-once table the servers rebuild
// from their logs, not executed again.
const retryAcrossRestartTimes = (seed: number) => {
  const cutMs = 1_100 + scenarioRandom('6.24', seed).integer(0, 100);
  return { cutMs, downMs: cutMs + 400, backMs: cutMs + 600, healMs: cutMs + 1_000 };
};

const retryAcrossRestart = test(24, {
  name: 'a retry across a restart of the whole cluster is answered from the rebuilt at-most-once table, not executed again',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    '3 servers, n0 leading first, 3 clients. At about 1.15 s nothing the servers send reaches n5, the last client: its command is ' +
    'finalized and executed, but the reply is lost, and so are the answers to its retries. 400 ms later every server crashes, and ' +
    'comes back 200 ms after that; 400 ms later n5 hears the servers again, and its retry reaches the new leader. A restarted server ' +
    'executes its finalized log again, at-most-once table included, so the retry is answered from the table: each command is ' +
    'applied at most once, each append takes effect once.',
  setup: (implementation, seed) =>
    paxosLogRun(implementation, {
      servers: 3,
      clients: 3,
      durationMs: retryAcrossRestartTimes(seed).healMs + 4_000,
      faultsEndMs: retryAcrossRestartTimes(seed).healMs,
      workload: { operationsPerClient: 60, keys: ['x', 'y'], mix: { get: 1, put: 1, append: 4 }, thinkMs: [10, 30], startMs: firstCallMs },
    }),
  scenario: (context) => {
    const { cutMs, downMs, backMs, healMs } = retryAcrossRestartTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers),
      { atMs: cutMs, type: 'cut', from: context.servers, to: [5] },
      ...context.servers.map((node): FaultAction => ({ atMs: downMs, type: 'crash', node })),
      ...context.servers.map((node): FaultAction => ({ atMs: backMs, type: 'restart', node })),
      { atMs: healMs, type: 'heal' },
    ];
  },
});

// 6.25: the walk's choice in a run, with no node but the servers ever sending a server's
// message (as the searches' earlier leaders do). Slot 1 holds x, stored by n0 and n1 in n0's
// epoch, and y, stored by the other three in a higher epoch and finalized nowhere; n1 leads
// next, with n0 and one of the three as its granters, so its walk sees x (its own record
// first) and y, in either order.
const twoEpochsTimes = (seed: number) => {
  const partitionMs = 1_100 + scenarioRandom('6.25', seed).integer(0, 100);
  const yMs = partitionMs + 900;
  const takeoverMs = yMs + 800;
  return { partitionMs, xMs: partitionMs + 5, downMs: partitionMs + 45, armMs: yMs - 1, yMs, takeoverMs, stableMs: takeoverMs + 1_200 };
};
/** x's client asks n0 first (5 mod 5), y's n1 (down then), the last one runs the workload once everything is stable. */
const twoEpochsX = 5;
const twoEpochsY = 6;
const twoEpochsWorkloadClients = [7];

const twoEpochs = test(25, {
  name: "a slot stored in two epochs: the new leader's walk keeps the higher epoch's operation, whatever it reads first",
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    "5 servers, n0 leading first. At about 1.15 s n0 and n1 are cut off from the other three, and n0 is given x: it stores x in " +
    "slot 1 on n0 and n1, then both go down. n2, n3 and n4 elect a leader of a higher epoch, which is given y and stores it in " +
    'slot 1 on all three, and goes down as the first StoreReply reaches it: y is stored by a majority, finalized nowhere. Then n0, ' +
    'n1 and one of the three come back, all reaching only n1: n1 leads, and its walk reads x from itself and from n0, y from the ' +
    'third. y was stored in the higher epoch, so n1 must store y in slot 1, not x (an operation stored by a majority is kept). ' +
    'At about 4.1 s everything heals and every server is up: x, y and the later operations return.',
  setup: (implementation, seed) => {
    const { xMs, yMs, stableMs } = twoEpochsTimes(seed);
    return paxosLogRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: stableMs + 3_000,
      faultsEndMs: stableMs,
      workload: { operationsPerClient: 10, keys: ['x', 'y'], mix: { get: 1, put: 1, append: 2 }, thinkMs: [10, 30], startMs: [stableMs + 50, stableMs + 100], clients: twoEpochsWorkloadClients },
      inputs: [call(xMs, twoEpochsX, { kind: 'append', key: 'x', value: 'stored-in-the-lower-epoch;' }), call(yMs, twoEpochsY, { kind: 'append', key: 'x', value: 'stored-in-the-higher-epoch;' })],
    });
  },
  scenario: (context) => {
    const { partitionMs, downMs, armMs, takeoverMs, stableMs } = twoEpochsTimes(context.seed);
    const three = [2, 3, 4];
    const actions: FaultAction[] = [
      ...n0LeadsFirst(context.servers),
      // x's client reaches only n0 and n1: its retries must not bring x to the three.
      { atMs: partitionMs, type: 'cut', from: [0, 1, twoEpochsX], to: three },
      { atMs: partitionMs, type: 'cut', from: three, to: [0, 1, twoEpochsX] },
      { atMs: downMs, type: 'crash', node: 0 },
      { atMs: downMs, type: 'crash', node: 1 },
      // Whichever of the three leads is stopped as the first StoreReply (for y) reaches it, before it counts it.
      ...three.map((node): FaultAction => ({ atMs: armMs, type: 'crash', node, afterEffects: 0, inReactionTo: 'message:StoreReply' })),
      { atMs: takeoverMs, type: 'heal' },
      ...onlyThroughNode(takeoverMs, context.servers, 1),
      { atMs: takeoverMs, type: 'crash', node: 3 },
      { atMs: takeoverMs, type: 'crash', node: 4 },
      // n2 comes back (a crash still waiting happens first): it holds y, in the higher epoch, unfinalized.
      { atMs: takeoverMs, type: 'restart', node: 2 },
      { atMs: takeoverMs, type: 'restart', node: 0 },
      { atMs: takeoverMs, type: 'restart', node: 1 },
      ...stabilize(stableMs, context.servers, stableNetwork),
    ];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

// 6.26: 6.S9's story in a run, played by the servers alone. n0 stores x in slot 1 on itself only,
// then y in slot 2 on every server, finalizes y and goes down. The next leader walks slot 1 (a
// granter reported slot 2), where none of its granters holds anything: it stores a no-op there on
// the four, and goes down as the first StoreReply reaches it. Then n0 and two of the four come back
// alone, three of five: whoever leads reads x, of n0's epoch, and the no-op, of a higher one.
const noOpOverOperationTimes = (seed: number) => {
  const random = scenarioRandom('6.26', seed);
  const xMs = n0LeadsUntilMs + 100 + random.integer(0, 100);
  // x's request reaches n0 within 10 ms. 31 ms after y's call, its request, Stores and StoreReplies have
  // arrived and n0 has sent its Finalizes; x's Store has waited less than a heartbeat period, and is not sent again.
  const yMs = xMs + 11;
  const n0DownMs = yMs + 31;
  const takeoverMs = n0DownMs + 900;
  return { xMs, yMs, n0DownMs, takeoverMs, stableMs: takeoverMs + 1_200, readers: drawNodes(random, [1, 2, 3, 4], 2) };
};
/** x's and y's clients ask n0 first (5 and 10 mod 5); the others run the workload once everything is stable. */
const noOpX = 5;
const noOpY = 10;
const noOpWorkloadClients = [6, 7];

const noOpOverOperationRun = test(26, {
  name: 'a hole filled with a no-op in a higher epoch than an operation another server holds: the next walk keeps the no-op',
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    '5 servers, n0 leading first. At about 1.15 s n0 is given x and stores it in slot 1 on itself alone (its Stores reach nobody), ' +
    'then y, which it stores in slot 2 on every server and finalizes; then n0 goes down. The next leader is told of slot 2 by its ' +
    'granters and walks slot 1, which none of them holds: it stores a no-op there in its own epoch on the four, and goes down as the ' +
    'first StoreReply reaches it: the no-op is stored by a majority, finalized nowhere. About a second later n0 and two of the four ' +
    'come back, alone: whoever leads reads x from n0 and the no-op, of a higher epoch, from the two. A no-op is an operation: the ' +
    'walk must store the no-op again, not x (an operation stored by a majority is kept). At about 3.3 s everything heals and every ' +
    'server is up: x, y and the later operations return.',
  setup: (implementation, seed) => {
    const { xMs, yMs, stableMs } = noOpOverOperationTimes(seed);
    return paxosLogRun(implementation, {
      servers: 5,
      clients: 6,
      durationMs: stableMs + 3_000,
      faultsEndMs: stableMs,
      workload: { operationsPerClient: 10, keys: ['x', 'y'], mix: { get: 1, put: 1, append: 2 }, thinkMs: [10, 30], startMs: [stableMs + 50, stableMs + 100], clients: noOpWorkloadClients },
      inputs: [call(xMs, noOpX, { kind: 'append', key: 'x', value: 'held-by-n0-alone;' }), call(yMs, noOpY, { kind: 'append', key: 'y', value: 'finalized-after-the-hole;' })],
    });
  },
  scenario: (context) => {
    const { xMs, yMs, n0DownMs, takeoverMs, stableMs, readers } = noOpOverOperationTimes(context.seed);
    const four = [1, 2, 3, 4];
    const actions: FaultAction[] = [
      ...n0LeadsFirst(context.servers),
      // Nothing n0 sends reaches another server while x is stored.
      { atMs: xMs, type: 'cut', from: [0], to: four },
      { atMs: yMs, type: 'heal' },
      // From y on, no client reaches the four: the next leader's first StoreReply is its no-op's (and x's retries stay away).
      { atMs: yMs, type: 'cut', from: context.clients, to: four },
      { atMs: n0DownMs, type: 'crash', node: 0 },
      // Whichever of the four leads is stopped as the first StoreReply reaches it, before it counts it.
      ...four.map((node): FaultAction => ({ atMs: n0DownMs, type: 'crash', node, afterEffects: 0, inReactionTo: 'message:StoreReply' })),
      { atMs: takeoverMs, type: 'heal' },
      // A crash still waiting happens now: the two that come back hold the no-op, unfinalized.
      ...four.map((node): FaultAction => ({ atMs: takeoverMs, type: 'crash', node })),
      { atMs: takeoverMs, type: 'restart', node: 0 },
      ...readers.map((node): FaultAction => ({ atMs: takeoverMs, type: 'restart', node })),
      ...stabilize(stableMs, context.servers, stableNetwork),
    ];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

// 6.27: 6.S6's story in a run, played by the servers alone. n0 holds a in slot 1, alone. It leads
// again with two granters, the pair, and reads slot 1 from them; they answer that walk only in a
// slow moment ("nothing"), seconds late, and n0 goes down. The pair and the other two store b in
// slot 1 in a higher epoch. Then n0 leads a third epoch with the pair, which answers none of its
// Reads, and the late answers to its earlier walk arrive. While n0 needs them, the two reach only
// n0 (no other server can win a majority), and restart every 140 ms (a LeaderTimeout is at least
// 150 ms: they never overthrow, which would keep n0 granting their epochs instead of leading),
// each time to go down as the next Read reaches them.
const staleAnswerTimes = (seed: number) => {
  const random = scenarioRandom('6.27', seed);
  const aMs = n0LeadsUntilMs + 100 + random.integer(0, 100);
  // a's request reaches n0 within 10 ms, and its Store is held back.
  const aloneMs = aMs + 11;
  const n0BackMs = aloneMs + 30;
  // n0 leads with the pair within a second. Then every message takes 110 ms, so that a Read n0 sends again
  // in the last 110 ms before the slow moment (it does every period) reaches the pair in it.
  const approachMs = n0BackMs + 1_200;
  const slowMs = approachMs + 200;
  const slowDelayMs = 3_000;
  const slowEndMs = slowMs + 111;
  const thirdMs = slowEndMs + 1_100;
  return {
    aMs,
    aloneMs,
    n0BackMs,
    approachMs,
    slowMs,
    slowDelayMs,
    slowEndMs,
    bMs: slowEndMs + 100,
    thirdMs,
    stableMs: slowMs + slowDelayMs + 400,
    pair: drawNodes(random, [1, 2, 3, 4], 2),
  };
};
/** Restarts every 140 ms: never long enough up for a LeaderTimeout to run out. */
const restartPeriodMs = 140;

/**
 * `nodes` restart `count` times, every restartPeriodMs from `fromMs` (n0 leads well within that),
 * each time to go down as the next Read reaches them.
 */
const restartsThatAnswerNoRead = (nodes: readonly NodeId[], fromMs: number, count: number): FaultAction[] =>
  Array.from({ length: count }, (_unused, index) => fromMs + index * restartPeriodMs).flatMap((atMs) =>
    nodes.flatMap((node): FaultAction[] => [
      { atMs, type: 'restart', node },
      { atMs, type: 'crash', node, afterEffects: 0, inReactionTo: 'message:Read' },
    ]),
  );
/** a's client asks n0 first (5 mod 5); b's is any; the others run the workload once everything is stable. */
const staleA = 5;
const staleB = 6;
const staleWorkloadClients = [7, 8];

const staleReadAnswer = test(27, {
  name: "a late answer to a leader's earlier walk: the new walk counts only the answers to its own epoch's Reads",
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    '5 servers, n0 leading first. At about 1.15 s n0 is given a and stores it in slot 1 on itself alone (its Stores reach nobody); ' +
    'every server goes down. n0 comes back with two others, which reach only n0 and restart every 140 ms, too soon for their own ' +
    'LeaderTimeouts: n0 leads a new epoch and reads slot 1 from the two, which go down whenever a Read reaches them, so its walk waits ' +
    'and sends its Read again. Then every message takes 110 ms, and n0 goes down as a slow moment begins: the two come back and ' +
    'answer its last Read ("nothing stored"), and their answers take 3 s to arrive. Meanwhile the four others elect a leader of a ' +
    'higher epoch, which stores b in slot 1 on all four. Then n0 and the same two come back as before: n0 leads a third epoch, the ' +
    'two go down whenever its Reads reach them, and only the late answers to its earlier walk arrive. They answer another ' +
    "epoch's Reads: a walk that counts them has a majority, with its own a the highest epoch, and stores a where a majority stored " +
    'b (an operation stored by a majority is kept). At about 6 s everything heals and every server is up: a, b and the later ' +
    'operations return.',
  setup: (implementation, seed) => {
    const { aMs, bMs, stableMs } = staleAnswerTimes(seed);
    return paxosLogRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: stableMs + 3_000,
      faultsEndMs: stableMs,
      workload: { operationsPerClient: 10, keys: ['x', 'y'], mix: { get: 1, put: 1, append: 2 }, thinkMs: [10, 30], startMs: [stableMs + 50, stableMs + 100], clients: staleWorkloadClients },
      inputs: [call(aMs, staleA, { kind: 'append', key: 'x', value: 'held-by-n0-alone;' }), call(bMs, staleB, { kind: 'append', key: 'x', value: 'stored-by-a-majority;' })],
    });
  },
  scenario: (context) => {
    const { aMs, aloneMs, n0BackMs, approachMs, slowMs, slowDelayMs, slowEndMs, thirdMs, stableMs, pair } = staleAnswerTimes(context.seed);
    const four = [1, 2, 3, 4];
    const others = four.filter((node) => !pair.includes(node));
    const actions: FaultAction[] = [
      ...n0LeadsFirst(context.servers),
      // a's Store never leaves n0; a's client is kept away from the servers until the end.
      { atMs: aMs, type: 'cut', from: [0], to: four },
      { atMs: aloneMs, type: 'heal' },
      { atMs: aloneMs, type: 'cut', from: [staleA], to: context.servers },
      ...context.servers.map((node): FaultAction => ({ atMs: aloneMs, type: 'crash', node })),
      // n0 leads with the pair, and its walk waits: it sends its Read again every period.
      ...onlyThroughNode(n0BackMs, context.servers, 0),
      { atMs: n0BackMs, type: 'restart', node: 0 },
      ...restartsThatAnswerNoRead(pair, n0BackMs, 6),
      { atMs: approachMs, type: 'network', delay: { kind: 'uniform', minMs: 110, maxMs: 110 } },
      // The pair answers the Reads that reach it in the slow moment; n0 is down when the answers arrive.
      { atMs: slowMs, type: 'crash', node: 0 },
      ...pair.map((node): FaultAction => ({ atMs: slowMs, type: 'restart', node })),
      ...slowMoment(slowMs, slowEndMs, slowDelayMs, stableNetwork),
      // The four elect a leader of a higher epoch; b is stored in slot 1 on all of them.
      { atMs: slowEndMs, type: 'heal' },
      { atMs: slowEndMs, type: 'cut', from: [staleA], to: context.servers },
      ...others.map((node): FaultAction => ({ atMs: slowEndMs, type: 'restart', node })),
      // n0 and the pair: n0 leads a third epoch before the late answers arrive.
      ...four.map((node): FaultAction => ({ atMs: thirdMs, type: 'crash', node })),
      ...onlyThroughNode(thirdMs, context.servers, 0),
      { atMs: thirdMs, type: 'restart', node: 0 },
      ...restartsThatAnswerNoRead(pair, thirdMs, 8),
      ...stabilize(stableMs, context.servers, stableNetwork),
    ];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

// 6.28: 6.S10's story in a run, played by the servers alone. n0 stores a in slot 1 on every
// server and finalizes it, but its Finalizes go out in a slow moment and arrive a second later;
// n0 goes down at once. n1 leads with two granters, which go down whenever a Read reaches them,
// so its walk of slot 1 waits; the late Finalize arrives in the middle of it. Then the granters
// answer: the walk must leave slot 1 finalized, not store a there again in its own epoch.
const lateFinalizeTimes = (seed: number) => {
  const random = scenarioRandom('6.28', seed);
  const aMs = n0LeadsUntilMs + 100 + random.integer(0, 100);
  // Every message takes 20 ms from aMs - 30: a's request reaches n0 at aMs + 20, its Stores reach
  // the others at aMs + 40, and their StoreReplies reach n0 at aMs + 60, where it sends its Finalizes.
  const fixedDelayMs = 20;
  const approachMs = aMs - 30;
  // From just after the StoreReplies left until n0 went down, whatever is sent arrives a second later.
  const slowMs = aMs + 2 * fixedDelayMs + 1;
  const slowDelayMs = 1_000;
  const n0DownMs = aMs + 3 * fixedDelayMs + 1;
  // The granters restart every 140 ms until after the Finalize reached n1, then once more to answer.
  const answerMs = n0DownMs + 1_100;
  return { aMs, approachMs, fixedDelayMs, slowMs, slowDelayMs, n0DownMs, answerMs, stableMs: answerMs + 400, granters: drawNodes(random, [2, 3, 4], 2) };
};
/** a's client asks n0 first (5 mod 5); the others run the workload once everything is stable. */
const lateFinalizeA = 5;
const lateFinalizeWorkloadClients = [6, 7];

const lateFinalizeRun = test(28, {
  name: "an earlier leader's Finalize arrives during the new leader's walk: the slot stays finalized",
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    '5 servers, n0 leading first. At about 1.1 s every message starts to take 20 ms, and n0 is given a: it stores a in slot 1 on every ' +
    'server and finalizes it, but its Finalizes go out in a slow moment and take a second to arrive; n0 goes down at once. n1 leads ' +
    'with two others, which reach only n1 and restart every 140 ms, too soon for their own LeaderTimeouts, and go down whenever a ' +
    'Read reaches them: n1\'s walk of slot 1 waits, and n0\'s Finalize reaches n1 in the middle of it. Slot 1 is then finalized on ' +
    'n1, and leaves the walk. When the two come back for good and answer, n1 must leave slot 1 as it is: a walk that stores a ' +
    'there again, in its own epoch, writes it back as not finalized (a finalized slot never changes). At about 2.7 s everything ' +
    'heals and every server is up: a and the later operations return.',
  setup: (implementation, seed) => {
    const { aMs, stableMs } = lateFinalizeTimes(seed);
    return paxosLogRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: stableMs + 3_000,
      faultsEndMs: stableMs,
      workload: { operationsPerClient: 10, keys: ['x', 'y'], mix: { get: 1, put: 1, append: 2 }, thinkMs: [10, 30], startMs: [stableMs + 50, stableMs + 100], clients: lateFinalizeWorkloadClients },
      inputs: [call(aMs, lateFinalizeA, { kind: 'append', key: 'x', value: 'finalized-late;' })],
    });
  },
  scenario: (context) => {
    const { approachMs, fixedDelayMs, slowMs, slowDelayMs, n0DownMs, answerMs, stableMs, granters } = lateFinalizeTimes(context.seed);
    const third = [2, 3, 4].filter((node) => !granters.includes(node));
    const fixed = { delay: { kind: 'uniform', minMs: fixedDelayMs, maxMs: fixedDelayMs } } as const;
    const actions: FaultAction[] = [
      ...n0LeadsFirst(context.servers),
      { atMs: approachMs, type: 'network', ...fixed },
      ...slowMoment(slowMs, n0DownMs, slowDelayMs, stableNetwork),
      // a's client is kept away from the servers until the end: its retries would give n1 a command to store.
      { atMs: n0DownMs, type: 'cut', from: [lateFinalizeA], to: context.servers },
      { atMs: n0DownMs, type: 'crash', node: 0 },
      ...third.map((node): FaultAction => ({ atMs: n0DownMs, type: 'crash', node })),
      // n1 leads with the granters, and its walk waits: it sends its Read again every period.
      ...onlyThroughNode(n0DownMs, context.servers, 1),
      ...granters.map((node): FaultAction => ({ atMs: n0DownMs, type: 'crash', node })),
      ...restartsThatAnswerNoRead(granters, n0DownMs + 1, 8),
      // After the Finalize reached n1 (at n0DownMs + 999), the granters come back and answer its Reads.
      ...granters.map((node): FaultAction => ({ atMs: answerMs, type: 'restart', node })),
      ...stabilize(stableMs, context.servers, stableNetwork),
    ];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

// 6.S7: 6.S3's history, but n1 is the one that may lead: its own record, "b" of epoch 2, is the
// walk's first answer, and n0's "a" of epoch 1 may come after it. The highest epoch must win
// whatever the order of arrival ("Keep, per slot, the answer with the highest epoch ..., not the
// first or the last to arrive").
const { higherEpochFinalized, twoOperations } = searchScenarios;
const lowerEpochArrivesLast: SearchScenario = {
  ...higherEpochFinalized,
  description:
    '3 servers: put(old, "a") stored in slot 1 by n0 in epoch 1, put(old, "b") by n1 and n2 in epoch 2 and finalized by n2; n1 may then try to ' +
    'lead (epochs up to 4); a client puts x; one message in flight per link and kind',
  configuration: { ...higherEpochFinalized.configuration, maxEpoch: 4, candidates: [1] },
};

const lastAnswerLower = search(7, {
  name: "a new leader's own record is the highest epoch, and a lower one's answer arrives after it (search)",
  visibility: 'hidden',
  points: 2,
  seeds: 1,
  description:
    `Breadth-first search until the client's put returns (at most ${lowerEpochArrivesLast.maxDepth} steps): ${lowerEpochArrivesLast.description}. ` +
    'n1\'s walk of slot 1 starts with its own "b" (epoch 2); if n0 grants its overthrow, n0\'s answer "a" (epoch 1) arrives after it. n1 must ' +
    'store "b": a leader that keeps the last answer to arrive stores "a" where a majority stored "b" (an operation stored by a majority is kept).',
  search: (implementation) => ({
    strategy: 'bfs' as const,
    expect: 'goal' as const,
    settings: scenarioSettings(implementation.PaxosLogServer, lowerEpochArrivesLast),
  }),
});

// 6.S8: 6.S1's two operations, and one server that may crash in the middle of a reaction, after
// any of its first two effects (no restart). A leader that answers its client before it writes
// its own copy of the slot finalized can crash between the two: the client has its answer and no
// server holds the command finalized ("a leader answers a client only after it executed the
// command, which comes after the command's slot is finalized").
const crashMidReaction = (implementation: PaxosLogImplementation) => ({
  ...scenarioSettings(implementation.PaxosLogServer, twoOperations),
  crashes: { nodes: [0, 1, 2], max: 1, restart: false, midReaction: 2 },
});

const answerAfterFinalized = search(8, {
  name: 'a server crashes in the middle of a reaction: no client is answered before its command is finalized in storage (search)',
  visibility: 'hidden',
  points: 2,
  seeds: 1,
  description:
    `Breadth-first search over every order of deliveries and timeouts, ${twoOperations.description}, and one crash of any server in the ` +
    `middle of a reaction, after none or one of its sends, storage writes and outputs, until both operations returned (at most ` +
    `${twoOperations.maxDepth} steps). A leader that answers a client before it writes the command's slot finalized can crash in between: ` +
    'the client returns while no server holds its command finalized (an operation returns only once finalized).',
  search: (implementation) => ({
    strategy: 'bfs' as const,
    expect: 'goal' as const,
    settings: crashMidReaction(implementation),
  }),
});

// 6.S9: a no-op stored in a higher epoch than an operation. The first client plays earlier leaders
// first (as 6.S3's does, one message at a time, nothing else happening meanwhile): in epoch 1,
// put(old, "a") is stored in slot 1 by n1 only; in epoch 2, a no-op is stored in slot 1 by n0 and
// n2 and finalized by n2. n0 may then lead (epoch 3): its own record, the no-op of epoch 2, is the
// highest, and it must store the no-op again ("else the operation stored in the highest epoch
// among the answers"; a no-op is an operation, null). A leader that takes a no-op it reads for an
// empty slot picks "a" of epoch 1 where n2 finalized the no-op.
const noOpHistoryMessages = new Set(['Overthrow', 'OverthrowReply', 'Store', 'StoreReply', 'Finalize', 'FinalizeReply']);

interface NoOpHistoryStep {
  readonly to: NodeId;
  readonly message: PaxosLog['message'];
  readonly answer: string;
}

function noOpHistorySteps(self: NodeId, serverCount: number): NoOpHistoryStep[] {
  const overthrowAll = (epoch: number): NoOpHistoryStep[] =>
    Array.from({ length: serverCount }, (_unused, server): NoOpHistoryStep => ({ to: server, message: { type: 'Overthrow', epoch }, answer: 'OverthrowReply' }));
  const a: KvCommand = { client: self, sequence: 1, operation: { kind: 'put', key: 'old', value: 'a' } };
  return [
    ...overthrowAll(1),
    { to: 1, message: { type: 'Store', epoch: 1, slot: 1, operation: a }, answer: 'StoreReply' },
    ...overthrowAll(2),
    { to: 0, message: { type: 'Store', epoch: 2, slot: 1, operation: null }, answer: 'StoreReply' },
    { to: 2, message: { type: 'Store', epoch: 2, slot: 1, operation: null }, answer: 'StoreReply' },
    { to: 2, message: { type: 'Finalize', epoch: 2, slot: 1 }, answer: 'FinalizeReply' },
  ];
}

/** The kit's client, which first plays noOpHistorySteps, one message at a time; a refusal ends the history. */
class NoOpHistoryThenClient extends boundedRetryClient(0) {
  step = 0;
  deferred: KvOperation[] = [];

  override onStart(): void {
    super.onStart();
    // Its own commands come after the history's sequence number.
    if (this.lastSequence < 10) this.lastSequence = 10;
    this.take();
  }

  take(): void {
    const steps = noOpHistorySteps(this.id, this.servers.length);
    const step = steps[this.step];
    if (step === undefined) {
      const deferred = this.deferred;
      this.deferred = [];
      for (const operation of deferred) super.onInput({ type: 'Invoke', operation });
      return;
    }
    (this as unknown as { send(to: NodeId, message: PaxosLog['message']): void }).send(step.to, step.message);
  }

  override onInput(input: KvClientInput): void {
    if (this.step < noOpHistorySteps(this.id, this.servers.length).length) this.deferred.push(input.operation);
    else super.onInput(input);
  }

  override onMessage(from: NodeId, message: Parameters<KvClient['onMessage']>[1]): void {
    const log = message as unknown as PaxosLog['message'];
    if (!noOpHistoryMessages.has(log.type)) {
      super.onMessage(from, message);
      return;
    }
    const steps = noOpHistorySteps(this.id, this.servers.length);
    const step = steps[this.step];
    if (step === undefined || from !== step.to || log.type !== step.answer) return;
    this.step = 'ok' in log && !log.ok ? steps.length : this.step + 1;
    this.take();
  }
}

const noOpOverOperation: SearchScenario = {
  ...higherEpochFinalized,
  description:
    '3 servers: put(old, "a") stored in slot 1 by n1 in epoch 1, a no-op by n0 and n2 in epoch 2 and finalized by n2; n0 may then try to lead ' +
    '(epochs up to 3); a client puts x; one message in flight per link and kind',
};

const noOpSearch = (implementation: PaxosLogImplementation) => {
  // The history is played here, and n0 is the only candidate here too: the base prune would take the player's Overthrows for a server's.
  const { candidates: _candidates, ...configuration } = noOpOverOperation.configuration;
  const settings = scenarioSettings(implementation.PaxosLogServer, { ...noOpOverOperation, configuration: { ...configuration, history: 'none' } });
  const player = 3;
  return {
    ...settings,
    nodes: settings.nodes.map((spec, index) => (index === player ? { ...spec, node: NoOpHistoryThenClient as unknown as NodeClass<PaxosLog> } : spec)),
    // n0 hears nothing from n2 (which stored and finalized the no-op): it leads with n1's grant, and its walk must weigh
    // n1's "a" against its own no-op. Were n2's grant enough too, a submission could prune every state where it weighs
    // them (sending something extra there) and reach the goal through n2 alone.
    cuts: [{ from: [2], to: [0] }],
    // Nothing else happens while the history's messages, and the answers to them, are in flight.
    prune: (view: Parameters<NonNullable<typeof settings.prune>>[0]) => {
      if (settings.prune?.(view) === true) return true;
      let history = false;
      let meanwhile = false;
      for (const { from, to, message } of view.inFlight()) {
        if (message.type === 'Overthrow' && from !== player && from !== 0) return true;
        if ((from === player || to === player) && noOpHistoryMessages.has(message.type)) history = true;
        else if (!message.type.startsWith('Client')) meanwhile = true;
      }
      return history && meanwhile;
    },
  };
};

const noOpHighest = search(9, {
  name: 'a no-op stored in a higher epoch than an operation: the new leader stores the no-op again (search)',
  visibility: 'hidden',
  points: 2,
  seeds: 1,
  description:
    `Breadth-first search until the client's put returns (at most ${noOpOverOperation.maxDepth} steps): ${noOpOverOperation.description}. ` +
    'n0 hears nothing from n2: it leads with n1\'s grant, and its walk of slot 1 weighs its own no-op (epoch 2) against n1\'s "a" (epoch 1). A no-op is an operation: ' +
    'n0 must store the no-op again, and a leader that takes a no-op it reads for an empty slot stores "a" where a majority stored the no-op ' +
    '(an operation stored by a majority is kept).',
  search: (implementation) => ({ strategy: 'bfs' as const, expect: 'goal' as const, settings: noOpSearch(implementation) }),
});

// 6.S10: an earlier leader stored "a" in slot 1 on n0 and n1; its Finalize to n0 is still on its
// way when n0 takes over, and may arrive at any point of n0's walk. Once it has, slot 1 is
// finalized on n0 and leaves the walk ("it then leaves the walk at once").
const { lateFinalize } = searchScenarios;

const walkMeetsLateFinalize = search(10, {
  name: "an earlier leader's Finalize arrives during the new leader's walk: the slot leaves the walk as it is (search)",
  visibility: 'hidden',
  points: 2,
  seeds: 1,
  description:
    `Breadth-first search until the client's put returns on a path where the Finalize reached n0 during its walk of slot 1, and n0 took a ` +
    `further step once every answer to that walk had reached it (at most ${lateFinalize.maxDepth} steps): ${lateFinalize.description}. ` +
    'Whenever the Finalize reaches n0, before its walk reads slot 1, between the answers, or after them, n0 must keep slot 1 finalized: ' +
    'a walk that stores its pick there afterwards writes it back as not finalized (a finalized slot never changes).',
  search: (implementation) => ({
    strategy: 'bfs' as const,
    expect: 'goal' as const,
    settings: scenarioSettings(implementation.PaxosLogServer, lateFinalize),
  }),
});

export const hiddenTests: SuiteTest<PaxosLogImplementation>[] = [
  chaos,
  ring,
  narrowStores,
  deliveredTwice,
  evenSplit,
  staleSender,
  lateStoreReply,
  lossyTakeover,
  lostGranter,
  lastAnswerLower,
  answerAfterFinalized,
  noOpHighest,
  retryAcrossRestart,
  twoEpochs,
  walkMeetsLateFinalize,
  noOpOverOperationRun,
  staleReadAnswer,
  lateFinalizeRun,
];
