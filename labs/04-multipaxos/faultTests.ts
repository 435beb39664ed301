// Lab 4's run tests under faults, 4.11 to 4.19: garbage collection while a server is cut off,
// a lossy and duplicating network, a partition with a bound on every client's wait, constant
// repartitioning, crashes and restarts from durable storage, a leader that crashes after phase 2
// reached a minority, holes in the log, and a group of one. Every run checks, besides each
// test's own rules, MultiPaxos's safety properties, linearizability, at-most-once execution and
// progress (harness.ts). Scenarios that need a known leader make n0 lead first.
import {
  always,
  crashRestarts,
  drawNodes,
  majorityPhases,
  serversApart,
  emptyKvHistory,
  kvHistoryOf,
  nodeName,
  operationsCompleteAfterHeal,
  recordKvEvent,
  shapedPartitions,
  type FaultAction,
  type HistoryEvent,
  type KvHistoryRecording,
  type NodeId,
  type Property,
  type SuiteTest,
  n0LeadsFirst as n0LeadsFirstAfter,
} from 'distlab/testing';
import { acceptedSlot, everyWaitAtMost, leaderTakesOver, logEntriesBounded } from './checks.ts';
import { call, firstCallMs, holeCalls, holeFaults, multipaxosRun, pick, range, scenarioRandom, stableNetwork, test, type MultiPaxosImplementation } from './harness.ts';
import type { MultiPaxos } from './src/protocol.ts';

// Scenario building blocks.

/** When the other servers come back in n0LeadsFirst: no LeaderTimeout of theirs can fire before n0's first one has. */
const othersBackMs = 150;

/**
 * n0 leads first, by about 330 ms: the other servers are down until othersBackMs, so n0's
 * LeaderTimeout (at most 300 ms) fires before any of theirs (at least 300 ms), and its phase 1
 * finds them up. Until `untilMs` they talk only to n0. Then every link heals, and n0's
 * heartbeats keep the others from running phase 1.
 */
const n0LeadsFirst = (servers: readonly NodeId[], untilMs: number): FaultAction[] => n0LeadsFirstAfter(servers, othersBackMs, [{ atMs: untilMs, type: 'heal' }]);

// The tests' own properties.

interface HeldEntries {
  /** Per server: the slots of the accepted:* keys it holds in storage. */
  readonly held: Set<number>[];
  /** The most any server held from `fromMs` on. */
  mostAfter: number;
}

/** Follows a storage event of an accepted:* key; returns the server's new count, or undefined for any other event. */
function followHeld(held: readonly Set<number>[], event: HistoryEvent<MultiPaxos>): number | undefined {
  if (event.kind !== 'storage') return undefined;
  const slot = acceptedSlot(event.key);
  const slots = held[event.node];
  if (slot === undefined || slots === undefined) return undefined;
  if (event.value === undefined) slots.delete(slot);
  else slots.add(slot);
  return slots.size;
}

/**
 * 'the log stays bounded': from `fromMs` on, no server holds more than `most` accepted:* keys
 * in its durable storage (followed from its storage writes and deletions).
 */
function logStaysBounded(most: number, fromMs: number, why: string): Property<MultiPaxos, HeldEntries> {
  const complaint = (node: NodeId, count: number, atMs: number) =>
    `${nodeName(node)} holds ${count} accepted entries in its storage at ${atMs} ms, more than ${most} ${why}: once every server has ` +
    'checkpointed a slot, the leader says so in its heartbeats (collectBelow), and every server deletes its accepted entries below it';
  return always<MultiPaxos, HeldEntries>('the log stays bounded', {
    memory: (cluster) => ({ held: cluster.nodeIds.map(() => new Set<number>()), mostAfter: 0 }),
    records: ['storage'],
    record(memory, event) {
      const count = followHeld(memory.held, event);
      if (count === undefined || event.kind !== 'storage' || event.timeMs < fromMs) return undefined;
      memory.mostAfter = Math.max(memory.mostAfter, count);
      return count > most ? complaint(event.node, count, event.timeMs) : undefined;
    },
    check(cluster, memory) {
      if (cluster.nowMs < fromMs) return undefined;
      for (const server of cluster.servers) {
        const count = memory.held[server]?.size ?? 0;
        if (count > most) return complaint(server, count, cluster.nowMs);
      }
      return undefined;
    },
    measure: (memory) => ({ acceptedEntriesHeldMostAfterShrink: memory.mostAfter }),
  });
}

interface HeldAtMoment {
  readonly held: Set<number>[];
  /** The most accepted entries a server other than the one cut off held at the moment (-1: not reached yet). */
  atMoment: number;
}

/** A measurement, never judged: the most accepted entries a server other than `cutOff` holds at `atMs` (how far the logs grew). */
function entriesHeldAt(atMs: number, cutOff: NodeId): Property<MultiPaxos, HeldAtMoment> {
  return always<MultiPaxos, HeldAtMoment>('log entries held while a server is cut off', {
    memory: (cluster) => ({ held: cluster.nodeIds.map(() => new Set<number>()), atMoment: -1 }),
    records: ['storage'],
    record(memory, event) {
      if (event.kind === 'storage' && event.timeMs >= atMs && memory.atMoment < 0) {
        memory.atMoment = Math.max(0, ...memory.held.map((slots, node) => (node === cutOff ? 0 : slots.size)));
      }
      followHeld(memory.held, event);
      return undefined;
    },
    measure: (memory) => ({ acceptedEntriesHeldAtHeal: memory.atMoment }),
  });
}

const returnedBefore = (recording: KvHistoryRecording, untilMs: number) =>
  kvHistoryOf(recording).filter((operation) => operation.returnTime !== null && operation.returnTime < untilMs).length;

/** 'operations complete during the repartitioning': at least `fewest` operations return before `untilMs`. Judged at the end. */
function progressWhileRepartitioned(fewest: number, untilMs: number): Property<MultiPaxos, KvHistoryRecording> {
  return always<MultiPaxos, KvHistoryRecording>(
    'operations complete during the repartitioning',
    {
      memory: () => emptyKvHistory(),
      records: ['input:Invoke', 'output:Returned'],
      record: (recording, event) => recordKvEvent(recording, event),
      check(_cluster, recording) {
        // Nothing returned at all: "clients make progress" says so.
        if (recording.returned === 0) return undefined;
        const returned = returnedBefore(recording, untilMs);
        if (returned >= fewest) return undefined;
        return (
          `only ${returned} operations returned before ${untilMs} ms, fewer than ${fewest}: while the partitions change, each lasts long enough ` +
          'for a majority to choose a leader and commands'
        );
      },
      measure: (recording) => ({ operationsReturnedWhileRepartitioned: returnedBefore(recording, untilMs) }),
    },
    { atEnd: true },
  );
}

// 4.11: garbage collection. One server is cut off from the start: the leader never hears its
// checkpoint, so nothing may be collected until the heal; then it catches up and the logs shrink.

const collectionTimes = (seed: number) => {
  const random = scenarioRandom('4.11', seed);
  const servers = pick([3, 5], seed);
  const cutOff = random.integer(0, servers - 1);
  const healMs = 1_300 + random.integer(0, 100);
  return { servers, cutOff, healMs };
};
/** After the heal, every log is collected down to collectedBound within this long. */
const shrinkWithinMs = 1_000;
/** What a log holds once collected: the slots of a few heartbeats of traffic. */
const collectedBound = 40;

const garbageCollection = test(11, {
  name: 'old slots are garbage-collected: bounded in a long run, held while one server is cut off, collected after the heal',
  points: 3,
  seeds: 5,
  description:
    `3 or 5 servers, 3 clients with 270 operations. One server is cut off from the start until about 1.3 s: no slot may be collected while ` +
    'it has not checkpointed it (its accepted entries and the others\' must stay, so the logs grow). After the heal it catches up from the ' +
    `leader, and within ${shrinkWithinMs} ms every server holds at most ${collectedBound} accepted entries in its storage; from then on, through ` +
    'the rest of the run, no server holds more.',
  setup: (implementation, seed) => {
    const { servers, cutOff, healMs } = collectionTimes(seed);
    return multipaxosRun(implementation, {
      servers,
      clients: 3,
      durationMs: 9_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 90, keys: ['x', 'y', 'z'], mix: { get: 2, put: 2, append: 3 }, thinkMs: [0, 10], startMs: firstCallMs },
      extra: [
        entriesHeldAt(healMs, cutOff),
        logStaysBounded(collectedBound, healMs + shrinkWithinMs, `(${shrinkWithinMs} ms after the heal at ${healMs} ms, with every server connected)`),
      ],
      extraAfter: [logEntriesBounded(collectedBound, { withinMs: shrinkWithinMs })],
    });
  },
  scenario: (context) => {
    const { cutOff, healMs } = collectionTimes(context.seed);
    return [...serversApart(0, context.servers, [cutOff]), { atMs: healMs, type: 'heal' }];
  },
});

// 4.12: an unreliable network, and a retried command chosen in two slots. n0 leads. On a calm
// network at first: client A's command and then client C's reach n0 alone (slots k and k+1, accepted
// by n0 only), and n0 is cut off. The others choose a new leader; C retries there, and it is chosen
// in slot k. Then those four crash, and two of them come back with n0: the only majority is the
// three of them, so the next leader's phase 1 hears n0: C in slot k (the new ballot) and, from n0,
// C in slot k+1. C is chosen twice; the state machine must apply it once. From then on the network
// loses 20% of messages and delivers 20% twice.

const duplicateTimes = (seed: number) => {
  const random = scenarioRandom('4.12', seed);
  const aloneMs = 900 + random.integer(0, 100);
  const isolatedMs = aloneMs + 26;
  const othersDownMs = isolatedMs + 700;
  const [first = 1, second = 2] = drawNodes(random, [1, 2, 3, 4], 2);
  return { aloneMs, isolatedMs, othersDownMs, backFirst: [first, second], lastBackMs: othersDownMs + 700 };
};
const lossyNetwork = { dropRate: 0.2, duplicateRate: 0.2 } as const;
/** The network turns lossy this long after the four crash (n0 has led again by then). */
const lossFromMs = 400;
/** 4.12's scenario clients A and C (after the workload's four). */
const duplicateClients = { first: 9, retried: 10 } as const;
const duplicateWorkloadClients = [5, 6, 7, 8];

const unreliable = test(12, {
  name: 'unreliable network: lost and duplicated messages, and a retried command chosen in two slots, each command executed once',
  points: 3,
  seeds: 6,
  description:
    '5 servers, n0 leading first, 6 clients. First, on a calm network, a command chosen in two slots: two clients\' commands reach n0 ' +
    'alone, in slots k and k+1, and n0 is cut off; the second client retries with the others\' new leader, which chooses its command in ' +
    'slot k. Then those four crash, and two of them come back with n0: the next leader\'s phase 1 hears of the command in slot k (the ' +
    'new ballot) and in slot k+1 (n0\'s), and both are chosen. The state machine\'s at-most-once table must skip the second. From then ' +
    'on the network loses 20% of messages and delivers 20% twice (and on every other seed the clients send each request twice, with a ' +
    'stale copy of the one before): lost P2a are sent again, leaders change, clients retry the same command elsewhere, and every ' +
    'command is executed once.',
  setup: (implementation, seed) => {
    const { aloneMs, lastBackMs } = duplicateTimes(seed);
    return multipaxosRun(implementation, {
      servers: 5,
      clients: 6,
      durationMs: lastBackMs + 6_000,
      faultsEndMs: lastBackMs,
      network: lossyNetwork,
      config: { kvClient: { duplicates: seed % 2 === 0 } },
      workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [0, 20], startMs: [750, 800], clients: duplicateWorkloadClients },
      inputs: [
        // Each learns that n0 leads, so that its next request goes straight to n0.
        call(750, duplicateClients.first, { kind: 'append', key: 'x', value: 'A0;' }),
        call(760, duplicateClients.retried, { kind: 'append', key: 'y', value: 'C0;' }),
        call(aloneMs + 2, duplicateClients.first, { kind: 'append', key: 'x', value: 'A1;' }),
        call(aloneMs + 14, duplicateClients.retried, { kind: 'append', key: 'y', value: 'C1;' }),
        call(lastBackMs + 200, duplicateClients.first, { kind: 'get', key: 'y' }),
        call(lastBackMs + 200, duplicateClients.retried, { kind: 'get', key: 'x' }),
      ],
    });
  },
  scenario: (context) => {
    const { aloneMs, isolatedMs, othersDownMs, backFirst, lastBackMs } = duplicateTimes(context.seed);
    const others = context.servers.filter((node) => node !== 0);
    return [
      { atMs: 0, type: 'network', dropRate: 0, duplicateRate: 0 },
      ...n0LeadsFirst(context.servers, 700),
      // The workload's clients wait, so that no command but A's and C's takes a slot until the four crash.
      { atMs: aloneMs - 40, type: 'cut', from: duplicateWorkloadClients, to: context.servers },
      { atMs: aloneMs, type: 'cut', from: [0], to: context.servers },
      { atMs: isolatedMs, type: 'isolate', node: 0 },
      { atMs: isolatedMs, type: 'cut', from: [duplicateClients.first], to: context.servers },
      ...others.map((node): FaultAction => ({ atMs: othersDownMs, type: 'crash', node })),
      { atMs: othersDownMs, type: 'heal' },
      ...backFirst.map((node): FaultAction => ({ atMs: othersDownMs + 30, type: 'restart', node })),
      { atMs: othersDownMs + lossFromMs, type: 'network', ...lossyNetwork },
      ...others.map((node): FaultAction => ({ atMs: lastBackMs, type: 'restart', node })),
    ];
  },
});

// 4.13: one partition of the servers, n0 (the leader) in the minority; clients reach every server.

const partitionTimes = (seed: number) => {
  const random = scenarioRandom('4.13', seed);
  const splitMs = 1_000 + random.integer(0, 100);
  return { splitMs, healMs: splitMs + 1_500, minority: [0, random.integer(1, 4)] };
};
/** The longest any operation may wait: a leader timeout, phase 1, and a few client retries. */
const partitionWaitMs = 1_000;
const afterHealMs = 1_000;

const singlePartition = test(13, {
  name: `a partition and its heal: the majority takes over from a leader cut off, and no client waits more than ${partitionWaitMs} ms`,
  points: 3,
  seeds: 5,
  description:
    `5 servers, n0 leading first, 5 clients that reach every server. At about 1 s the servers split: n0 and one other apart from the other ` +
    `three. The majority's servers stop hearing n0's heartbeats and one of them runs phase 1; clients waiting on n0 retry elsewhere and are ` +
    `redirected to the new leader. No operation may wait more than ${partitionWaitMs} ms, and after the heal 1.5 s later n0 (which still ` +
    `believes it leads) must give way: every operation pending then returns within ${afterHealMs} ms.`,
  setup: (implementation, seed) => {
    const { healMs } = partitionTimes(seed);
    return multipaxosRun(implementation, {
      servers: 5,
      clients: 5,
      durationMs: healMs + 3_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 40, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [10, 40], startMs: [750, 800] },
      extraAfter: [
        everyWaitAtMost(partitionWaitMs, '(a majority of servers could always talk, and every client reaches every server)'),
        operationsCompleteAfterHeal<MultiPaxos>(healMs, afterHealMs),
      ],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs, minority } = partitionTimes(context.seed);
    return [...n0LeadsFirst(context.servers, 700), ...serversApart(splitMs, context.servers, minority), { atMs: healMs, type: 'heal' }];
  },
});

// 4.14 and 4.15: repartitioning.

const repartitionStartMs = 900;
const repartitionEndMs = 4_000;

/** The longest any operation may wait under constant repartitioning. */
const repartitionWaitMs = 1_500;

const constantRepartitioning = test(14, {
  name: `constant repartitioning: a new majority every half second, and no client waits more than ${repartitionWaitMs} ms`,
  points: 3,
  seeds: 5,
  description:
    `5 servers, 5 clients that reach every server. From ${repartitionStartMs} to ${repartitionEndMs} ms the servers are repartitioned every 400 to ` +
    '600 ms: a random majority of three can talk, the other two are cut off from it and from each other. The leader is often cut off; the ' +
    `majority elects another, which must learn every slot accepted before, and clients move to it. No operation may wait more than ` +
    `${repartitionWaitMs} ms, and every history stays linearizable.`,
  setup: (implementation) =>
    multipaxosRun(implementation, {
      servers: 5,
      clients: 5,
      durationMs: repartitionEndMs + 4_000,
      faultsEndMs: repartitionEndMs,
      workload: { operationsPerClient: 40, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [20, 60], startMs: firstCallMs },
      extraAfter: [everyWaitAtMost(repartitionWaitMs, '(every partition left a majority of servers able to talk for at least 400 ms)')],
    }),
  scenario: (context) =>
    majorityPhases(scenarioRandom('4.14', context.seed), context.servers, { startMs: repartitionStartMs, endMs: repartitionEndMs, phaseMs: [400, 600] }),
});

const throughputEndMs = 2_500;
/**
 * Operations that must return while the partitions change: enough to tell a cluster that
 * chooses nothing while partitions come and go, low enough for a leader that batches its P2as
 * at its heartbeats (each client then finishes at most one operation a heartbeat) and whose
 * followers refuse P1as for a while, both of which the handout allows.
 */
const fewestWhileRepartitioned = 60;
const noDeadlockMs = 1_500;

const fullThroughput = test(15, {
  name: 'full throughput under repartitioning of every shape, then every operation returns: no deadlock',
  points: 3,
  seeds: 4,
  // Each run is long, and judging a history that is not linearizable takes the checker a while:
  // a failure shrinks in fewer runs, so its report comes well within the time limit.
  shrinkRuns: 8,
  description:
    `5 or 3 servers, 5 clients that call again as soon as an operation returns, more than they can finish before ${throughputEndMs} ms. Until ` +
    'then partitions of every shape come and go (halves, one server cut off, a majority ring, a bridge, a one-way cut), 150 to 500 ms ' +
    `each: leaders change, phase 1 and phase 2 of different ballots overlap. At least ${fewestWhileRepartitioned} operations return ` +
    `meanwhile, and after the heal every operation pending then returns within ${noDeadlockMs} ms, and the rest follow.`,
  setup: (implementation, seed) =>
    multipaxosRun(implementation, {
      servers: pick([5, 3], seed),
      clients: 5,
      // The run ends once every operation returned: room for a leader that batches its P2as at its heartbeats, which
      // finishes each client's operations one a heartbeat.
      durationMs: throughputEndMs + 12_000,
      faultsEndMs: throughputEndMs,
      workload: { operationsPerClient: 120, keys: ['x', 'y', 'z'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [0, 0], startMs: firstCallMs },
      extraAfter: [progressWhileRepartitioned(fewestWhileRepartitioned, throughputEndMs), operationsCompleteAfterHeal<MultiPaxos>(throughputEndMs, noDeadlockMs)],
    }),
  scenario: () => [{ atMs: throughputEndMs, type: 'heal' }],
  faults: (context) => shapedPartitions(context.servers, { count: [4, 7], withinMs: [400, throughputEndMs - 500], lengthMs: [150, 500] }),
});

// 4.16: crashes and restarts. n0 leads first and is cut off from the other servers (the clients
// still reach it, and it keeps proposing what they send); they choose another leader. Then n2
// crashes and comes back on n0's side: its stored promise must refuse n0's old ballot. Then every
// server crashes once, then all at once, and random crashes, some in the middle of a reaction.

const crashTimes = (seed: number) => {
  const random = scenarioRandom('4.16', seed);
  const cutMs = 1_000 + random.integer(0, 80);
  const n2CrashMs = cutMs + 450;
  const n2BackMs = n2CrashMs + 100;
  const healMs = n2BackMs + 150;
  const turns: FaultAction[] = range(0, 5).flatMap((node, position): FaultAction[] => {
    const crashMs = healMs + 300 + position * 250 + random.integer(0, 60);
    return [
      { atMs: crashMs, type: 'crash', node },
      { atMs: crashMs + random.integer(80, 200), type: 'restart', node },
    ];
  });
  const allDownMs = healMs + 300 + 5 * 250 + 200 + random.integer(0, 60);
  const allBack = range(0, 5).map((node, position): FaultAction => ({ atMs: allDownMs + 150 + 30 * position, type: 'restart', node }));
  const lastMs = Math.max(...allBack.map((action) => action.atMs));
  return { cutMs, n2CrashMs, n2BackMs, healMs, turns, allDownMs, allBack, lastMs };
};

const crashes = test(16, {
  name: 'crashes and restarts: promises and accepted values are durable, and a restarted server catches up',
  points: 4,
  seeds: 8,
  description:
    '5 servers, n0 leading first, 4 clients. At about 1 s n0 is cut off from the other servers (clients still reach it): they choose a new ' +
    'leader in a higher ballot, while n0 still leads its old one and proposes what clients send it. Then n2 crashes, and comes back on n0\'s ' +
    'side of the partition: it must refuse n0\'s heartbeats and proposals, because it promised a higher ballot before the crash. Then every ' +
    'server crashes once in turn, then all at once (everything comes back from durable storage: promises, accepted values, checkpoints), ' +
    'and 1 to 3 more crashes strike, some in the middle of a reaction. Every operation returns, and every completed write reaches every ' +
    'server that is up.',
  setup: (implementation, seed) =>
    multipaxosRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: 9_000,
      faultsEndMs: crashTimes(seed).lastMs,
      workload: { operationsPerClient: 45, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [10, 40], startMs: [750, 800] },
      extra: [leaderTakesOver(range(0, 5), 0, crashTimes(seed).cutMs, crashTimes(seed).healMs, 'while n0, the leader, was cut off from the other servers')],
    }),
  scenario: (context) => {
    const { cutMs, n2CrashMs, n2BackMs, healMs, turns, allDownMs, allBack } = crashTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 700),
      ...serversApart(cutMs, context.servers, [0]),
      { atMs: n2CrashMs, type: 'crash', node: 2 },
      // n2 comes back on n0's side: it hears only n0 (and the clients), which still leads its old ballot.
      { atMs: n2BackMs, type: 'heal' },
      ...serversApart(n2BackMs, context.servers, [0, 2]),
      { atMs: n2BackMs, type: 'restart', node: 2 },
      { atMs: healMs, type: 'heal' },
      ...turns,
      ...context.servers.map((node): FaultAction => ({ atMs: allDownMs, type: 'crash', node })),
      ...allBack,
    ];
  },
  faults: (context) => crashRestarts(context.servers, { count: [1, 3], withinMs: [1_000, crashTimes(context.seed).lastMs - 300], lengthMs: [30, 250], afterEffects: [0, 3] }),
});

// 4.17: n0 leads; its P2a reach first a bare majority (n3 and n4 miss them), then only n1, and
// then it crashes. The slots of the first window are chosen though n3 and n4 never accepted them;
// those of the second are accepted by n0 and n1 only. The new leader must learn both in phase 1.

const minorityTimes = (seed: number) => {
  const random = scenarioRandom('4.17', seed);
  const majorityOnlyMs = 1_000 + random.integer(0, 80);
  const minorityOnlyMs = majorityOnlyMs + 50 + random.integer(0, 20);
  const crashMs = minorityOnlyMs + 30 + random.integer(0, 10);
  return { majorityOnlyMs, minorityOnlyMs, crashMs, restartMs: crashMs + 700 };
};

const minorityThenCrash = test(17, {
  name: 'a leader crashes after its last proposals reached only a minority: the new leader learns every accepted slot in phase 1',
  points: 3,
  seeds: 8,
  description:
    '5 servers, n0 leading first, 4 clients calling all the time. At about 1 s n0\'s messages stop reaching n3 and n4 (its proposals are still ' +
    'chosen, by n0, n1 and n2), 50 ms later they stop reaching n2 too (its proposals are accepted by n0 and n1 only), and 30 ms later n0 ' +
    'crashes. A new leader must run phase 1: slots chosen that it never accepted, and slots accepted by a minority, come back to it in ' +
    'the P1b of a majority, and it proposes them again in its ballot. n0 restarts 700 ms later holding proposals of its old ballot, and ' +
    'catches up.',
  setup: (implementation, seed) =>
    multipaxosRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: 7_000,
      faultsEndMs: minorityTimes(seed).restartMs,
      workload: { operationsPerClient: 35, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [0, 10], startMs: [750, 800] },
      extra: [leaderTakesOver(range(0, 5), 0, minorityTimes(seed).crashMs, minorityTimes(seed).restartMs, 'while n0, the leader, was down')],
    }),
  scenario: (context) => {
    const { majorityOnlyMs, minorityOnlyMs, crashMs, restartMs } = minorityTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 700),
      { atMs: majorityOnlyMs, type: 'cut', from: [0], to: [3, 4] },
      { atMs: minorityOnlyMs, type: 'cut', from: [0], to: [2] },
      { atMs: crashMs, type: 'crash', node: 0 },
      { atMs: crashMs, type: 'heal' },
      { atMs: restartMs, type: 'restart', node: 0 },
    ];
  },
});

// 4.18: holes. n0 leads. For a few ms every message takes exactly 1 ms: client A's command reaches
// n0 while nothing n0 sends reaches another server (slot s is accepted by n0 alone); then client
// B's command reaches every server (slot s+1 is chosen), and n0 is cut off before a heartbeat
// could send slot s again. The others' new leader hears of s+1 but not of s in phase 1: a hole,
// which it must fill with a no-op before anything after it can be executed. n0 rejoins later,
// holding its own proposal for s in its old ballot.

const holeTimes = (seed: number) => {
  const random = scenarioRandom('4.18', seed);
  const holeMs = 1_100 + random.integer(0, 100);
  return { holeMs, healMs: holeMs + 900 };
};
const holes = test(18, {
  name: 'holes: slot s+1 chosen while s is not; the new leader fills s, and execution goes on',
  points: 3,
  seeds: 8,
  description:
    '5 servers, n0 leading first, 2 clients working and 2 more for the scenario. At about 1.1 s, for a few ms, messages take exactly 1 ms: ' +
    'one client\'s command reaches n0 while nothing n0 sends reaches another server, so only n0 accepts it in slot s; then another\'s command ' +
    'reaches every server in slot s+1, which is chosen; then n0 is cut off. The others\' new leader finds s+1 in phase 1 and nothing for s: ' +
    'it must propose a no-op there (or the value it learned), since no slot after s can be executed before s is chosen. 900 ms later n0 ' +
    'rejoins: its own proposal for s was in an old ballot, and is not what was chosen.',
  setup: (implementation, seed) => {
    const { holeMs, healMs } = holeTimes(seed);
    return multipaxosRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: 6_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 30, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [10, 40], startMs: [750, 800], clients: [5, 6] },
      extra: [leaderTakesOver(range(0, 5), 0, holeMs + 5, healMs, 'while n0, the leader, was cut off')],
      inputs: holeCalls(800, holeMs, healMs),
    });
  },
  scenario: (context) => {
    const { holeMs, healMs } = holeTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 700),
      ...holeFaults(context.servers, holeMs),
      { atMs: holeMs + 5, type: 'isolate', node: 0 },
      { atMs: holeMs + 5, type: 'network', ...stableNetwork },
      { atMs: healMs, type: 'heal' },
    ];
  },
});

// 4.19: a group of one.

const singletonTimes = (seed: number) => {
  const random = scenarioRandom('4.19', seed);
  const crashMs = 900 + random.integer(0, 200);
  return { crashMs, restartMs: crashMs + random.integer(100, 300) };
};

const singleton = test(19, {
  name: 'a group of one server: it is its own majority, and survives a crash',
  points: 2,
  seeds: 4,
  description:
    '1 server, 3 clients. The server leads a majority of one: phase 1 and phase 2 with itself, every command chosen as soon as it has ' +
    'accepted it, and its log collected once it has checkpointed. It crashes at about 1 s (once in the middle of a reaction, on odd seeds) ' +
    'and restarts from its storage: its promise, accepted values and checkpoint.',
  setup: (implementation, seed) =>
    multipaxosRun(implementation, {
      servers: 1,
      clients: 3,
      durationMs: 5_000,
      faultsEndMs: singletonTimes(seed).restartMs,
      workload: { operationsPerClient: 30, keys: ['x', 'y'], thinkMs: [0, 20], startMs: firstCallMs },
      extraAfter: [logEntriesBounded(collectedBound)],
    }),
  scenario: (context) => {
    const { crashMs, restartMs } = singletonTimes(context.seed);
    return [
      context.seed % 2 === 1 ? { atMs: crashMs, type: 'crash', node: 0, afterEffects: 1 } : { atMs: crashMs, type: 'crash', node: 0 },
      { atMs: restartMs, type: 'restart', node: 0 },
    ];
  },
});

export const faultTests: SuiteTest<MultiPaxosImplementation>[] = [
  garbageCollection,
  unreliable,
  singlePartition,
  constantRepartitioning,
  fullThroughput,
  crashes,
  minorityThenCrash,
  holes,
  singleton,
];
