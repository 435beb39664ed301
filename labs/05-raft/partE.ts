// Lab 5, part E: a linearizable key-value service on Raft, with exactly-once clients. Every test
// runs the implementation's KvServer on 3 or 5 servers and its KvClient on client nodes, driven by
// the kit's closed-loop workload, and checks on every seed, besides its own rules: Raft's safety
// properties, "client histories are linearizable", "every command is applied at most once",
// "every append takes effect exactly once", "a client returns only what a server replied" and
// "clients make progress" (serviceRun.ts).
import {
  crashRestarts,
  clientsReachTheMajority,
  nothingCompletesInMinority,
  operationsCompleteAfterHeal,
  type FaultAction,
  type KvClientInput,
  type KvOperation,
  type NodeId,
  type ScheduledInput,
  type SuiteTest,
  type Tagged,
} from 'distlab/testing';
import { storedLogBound } from './checks.ts';
import { heartbeatMs, n0LeadsFirst, pick, range, scenarioRandom, shapedPartitions, stabilize, test, type RaftImplementation } from './harness.ts';
import { messagesPerOperation, operationsPerHeartbeat } from './serviceChecks.ts';
import { serviceRun } from './serviceRun.ts';
import type { Raft } from './src/protocol.ts';

const sizes = (seed: number) => pick([5, 3], seed);

/** Clients start once a leader is likely (the first election takes up to 2T and a round of votes). */
export const firstCallMs: readonly [number, number] = [350, 450];

/** An operation for a client at a fixed time (a scenario's own calls, beside the workload's). */
export const call = (atMs: number, client: NodeId, operation: KvOperation): ScheduledInput<Raft> => ({
  atMs,
  node: client,
  input: { type: 'Invoke', operation } satisfies KvClientInput as Tagged as Raft['input'],
});

const oneClient = test('E', 1, {
  name: 'one client, five servers: every operation returns, linearizable and exactly once',
  points: 1,
  seeds: 5,
  description:
    'The fault-free smoke test of part E: 5 servers, one client performs 30 gets, puts and appends on two keys, one after the ' +
    'other, on a network where messages take 1 to 10 ms. Every command goes through the log, and the leader answers once it is ' +
    'committed and executed.',
  setup: (implementation) =>
    serviceRun(implementation, {
      servers: 5,
      clients: 1,
      durationMs: 5_000,
      workload: { operationsPerClient: 30, startMs: firstCallMs },
    }),
});

const manyClients = test('E', 2, {
  name: 'many concurrent clients: every history linearizable',
  points: 2,
  seeds: 5,
  description:
    '5 or 3 servers, 6 clients, 15 operations each on three keys with little thinking between them: many commands wait in the ' +
    'log at once, and the leader answers each of them when its own entry is executed.',
  setup: (implementation, seed) =>
    serviceRun(implementation, {
      servers: sizes(seed),
      clients: 6,
      durationMs: 6_000,
      workload: { operationsPerClient: 15, keys: ['x', 'y', 'z'], thinkMs: [0, 10], startMs: firstCallMs },
    }),
});

const oneKey = test('E', 3, {
  name: 'concurrent appends to one key: each takes effect once, in a single order every get agrees with',
  points: 2,
  seeds: 5,
  description:
    '5 or 3 servers, 5 clients append to the same key, each value unique, and read it now and then: a lost, doubled or reordered ' +
    'append shows in every later get.',
  setup: (implementation, seed) =>
    serviceRun(implementation, {
      servers: sizes(seed),
      clients: 4,
      durationMs: 6_000,
      workload: { operationsPerClient: 12, keys: ['x'], mix: { get: 3, put: 0, append: 4 }, thinkMs: [0, 20], startMs: firstCallMs },
    }),
});

const unreliable = test('E', 4, {
  name: 'unreliable network: lost and duplicated requests and replies, every command executed once',
  points: 3,
  seeds: 6,
  description:
    '5 or 3 servers, 4 clients; the network loses 10% of messages and delivers 10% twice, Raft\'s and the clients\' alike. A client ' +
    'whose request or reply is lost retries with the same sequence number, possibly at another server, and the at-most-once table ' +
    'answers a command executed already with its first result instead of executing it again.',
  setup: (implementation, seed) =>
    serviceRun(implementation, {
      servers: sizes(seed),
      clients: 4,
      durationMs: 8_000,
      network: { dropRate: 0.1, duplicateRate: 0.1 },
      workload: { operationsPerClient: 15, keys: ['x', 'y'], thinkMs: [0, 10], startMs: firstCallMs },
    }),
});

// 5E.5: n0 leads first; at splitMs it and n1 are cut off with one client (the minority), the rest
// (three servers and the other clients) go on.
const partitionTimes = (seed: number) => {
  const splitMs = 900 + scenarioRandom('5E.5', seed).integer(0, 100);
  return { splitMs, healMs: splitMs + 1_500 };
};
const partitionBoundMs = 1_500;
/** The minority's client: it talks to n0 first, and n0 still believes it leads. */
const minorityClient = 5;

const partitionTest = test('E', 5, {
  name: 'a partition: the majority goes on, nothing completes in the minority, everything completes after the heal',
  points: 3,
  seeds: 5,
  description:
    '5 servers, n0 leading first. At about 950 ms n0 and n1 are cut off with one client (its calls go to n0, which still believes ' +
    'it leads): the client\'s append and get must not return while the partition lasts (only a majority commits), while three other ' +
    `clients keep working with the majority. After the heal 1.5 s later, every operation returns within ${partitionBoundMs} ms, and the ` +
    'minority client reads what the majority wrote.',
  setup: (implementation, seed) => {
    const { splitMs, healMs } = partitionTimes(seed);
    return serviceRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: healMs + 3_000,
      faultsEndMs: healMs,
      // No puts: a put would hide an append lost before it.
      workload: { operationsPerClient: 30, keys: ['x', 'y'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [10, 40], startMs: [750, 800], clients: [6, 7, 8] },
      inputs: [
        call(750, minorityClient, { kind: 'append', key: 'x', value: 'n5.1;' }),
        call(splitMs + 100, minorityClient, { kind: 'append', key: 'x', value: 'n5.2;' }),
        call(splitMs + 200, minorityClient, { kind: 'get', key: 'x' }),
        call(healMs + 600, minorityClient, { kind: 'get', key: 'x' }),
      ],
      extraAfter: [
        nothingCompletesInMinority<Raft>([minorityClient], splitMs, healMs, `while n0, n1 and ${'n5'} were cut off from the majority (${splitMs} to ${healMs} ms)`),
        clientsReachTheMajority([6, 7, 8], splitMs, healMs, `while n0 and n1 were cut off from the other servers (${splitMs} to ${healMs} ms)`),
        operationsCompleteAfterHeal<Raft>(healMs, partitionBoundMs),
      ],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs } = partitionTimes(context.seed);
    return [...n0LeadsFirst(context.servers, 700), { atMs: splitMs, type: 'partition', groups: [[0, 1, minorityClient]] }, { atMs: healMs, type: 'heal' }];
  },
});

const repartitionEndMs = 3_500;

const repartitioning = test('E', 6, {
  name: 'repeated repartitioning with many clients: linearizable throughout, and every operation returns in the end',
  points: 3,
  seeds: 8,
  description:
    `5 servers, 5 clients. Until ${repartitionEndMs} ms partitions of every shape come and go among the servers (halves, one isolated, a ` +
    'majority ring, a bridge, a one-way cut), 200 to 700 ms each: leaders change, entries are overwritten, clients retry elsewhere. ' +
    'Then the network heals, and every operation returns.',
  setup: (implementation) =>
    serviceRun(implementation, {
      servers: 5,
      clients: 5,
      durationMs: repartitionEndMs + 4_000,
      faultsEndMs: repartitionEndMs,
      workload: { operationsPerClient: 25, keys: ['x', 'y'], thinkMs: [20, 60], startMs: firstCallMs },
    }),
  scenario: () => [{ atMs: repartitionEndMs, type: 'heal' }],
  faults: (context) => shapedPartitions(context.servers, { count: [3, 6], withinMs: [400, repartitionEndMs - 700], lengthMs: [200, 700] }),
});

const crashEndMs = 3_000;

/** Every server crashes once, one after the other, each down 100 to 400 ms. */
function everyServerCrashes(testNumber: string, seed: number, servers: readonly NodeId[], fromMs: number, everyMs: number): FaultAction[] {
  const random = scenarioRandom(testNumber, seed);
  return servers.flatMap((node, position): FaultAction[] => {
    const crashMs = fromMs + position * everyMs + random.integer(0, 80);
    return [
      { atMs: crashMs, type: 'crash', node },
      { atMs: crashMs + random.integer(100, 400), type: 'restart', node },
    ];
  });
}

const crashes = test('E', 7, {
  name: 'crashes and restarts of every server: the state is rebuilt from the durable log',
  points: 3,
  seeds: 5,
  description:
    `5 or 3 servers, 4 clients. Every server crashes once, one after the other, and more crashes come at random until ${crashEndMs} ms; ` +
    'a restarted server rebuilds its key-value state, the at-most-once table included, by applying its log again. No command is ' +
    'executed twice, and every operation returns once all are back.',
  setup: (implementation, seed) =>
    serviceRun(implementation, {
      servers: sizes(seed),
      clients: 4,
      durationMs: crashEndMs + 4_000,
      faultsEndMs: crashEndMs,
      workload: { operationsPerClient: 25, keys: ['x', 'y'], thinkMs: [10, 50], startMs: firstCallMs },
    }),
  scenario: (context) => [...everyServerCrashes('5E.7', context.seed, context.servers, 700, 450), ...stabilize(crashEndMs, context.servers)],
  faults: (context) => crashRestarts(context.servers, { count: [1, 3], withinMs: [500, crashEndMs - 400], lengthMs: [50, 300] }),
});

export const maxLogEntries = 8;
/** What a stored log may hold: the entries after the snapshot (at most maxLogEntries once applied), and those not yet applied. */
export const serviceLogBound = 4 * maxLogEntries;
const snapshotCrashTimes = (seed: number) => {
  const random = scenarioRandom('5E.8', seed);
  const cutMs = 1_000 + random.integer(0, 100);
  const crashMs = cutMs + 400;
  const backMs = crashMs + random.integer(100, 250);
  const laterCrashes = everyServerCrashes('5E.8', seed, range(0, 5), backMs + 700, 300);
  return { cutMs, crashMs, backMs, laterCrashes, lastRestartMs: Math.max(...laterCrashes.map((action) => action.atMs)) };
};
/** 5E.8's clients whose replies are lost before the crash: they retry commands the snapshot already covers. */
const unansweredClients = [5, 6, 7];

const snapshots = test('E', 8, {
  name: 'snapshots keep the log bounded, and carry the at-most-once table through crashes',
  points: 3,
  seeds: 5,
  description:
    `5 servers, 5 clients, config.maxLogEntries ${maxLogEntries}: the service snapshots its state, map and at-most-once table, whenever the ` +
    `log grows past it, so no stored log holds more than ${serviceLogBound} entries. At about 1 s the servers' replies to three of the clients ` +
    'are lost for 400 ms (their commands are executed; they retry), then every server crashes and restarts from its snapshot and log: ' +
    'the retries must be recognized from the table in the snapshot, not executed again. Every server also crashes once more later.',
  setup: (implementation, seed) =>
    serviceRun(implementation, {
      servers: 5,
      clients: 5,
      durationMs: 7_000,
      faultsEndMs: snapshotCrashTimes(seed).lastRestartMs,
      config: { maxLogEntries },
      workload: { operationsPerClient: 25, keys: ['w', 'x', 'y', 'z'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [10, 40], startMs: firstCallMs },
      extra: [storedLogBound(serviceLogBound, `config.maxLogEntries is ${maxLogEntries}`)],
    }),
  scenario: (context) => {
    const { cutMs, crashMs, backMs, laterCrashes } = snapshotCrashTimes(context.seed);
    return [
      { atMs: cutMs, type: 'cut', from: context.servers, to: unansweredClients },
      ...context.servers.map((node): FaultAction => ({ atMs: crashMs, type: 'crash', node })),
      { atMs: crashMs, type: 'heal' },
      ...context.servers.map((node, position): FaultAction => ({ atMs: backMs + 20 * position, type: 'restart', node })),
      ...laterCrashes,
    ];
  },
});

// 5E.9: n0 leads first; at cutMs its messages to the clients are lost (it goes on executing
// their commands), and soon after it crashes: the clients retry elsewhere.
const executedCrashTimes = (seed: number) => {
  const cutMs = 1_000 + scenarioRandom('5E.9', seed).integer(0, 100);
  return { cutMs, crashMs: cutMs + 120, restartMs: cutMs + 900 };
};

const executedThenCrash = test('E', 9, {
  name: 'a leader executes commands and crashes before its answers leave: the retries are not executed again',
  points: 3,
  seeds: 6,
  description:
    '5 or 3 servers, n0 leading first, 4 clients. From about 1 s nothing n0 sends reaches a client: it commits and executes their ' +
    'commands, but the replies are lost, and 120 ms later it crashes. The clients retry the same commands at the other servers; the new ' +
    'leader finds them executed in the at-most-once table and answers with their first result. n0 restarts later and catches up.',
  setup: (implementation, seed) =>
    serviceRun(implementation, {
      servers: sizes(seed),
      clients: 4,
      durationMs: 6_000,
      faultsEndMs: executedCrashTimes(seed).restartMs,
      workload: { operationsPerClient: 25, keys: ['x', 'y'], thinkMs: [0, 30], startMs: [750, 800] },
      extraAfter: [clientsReachTheMajority(range(sizes(seed), 4), executedCrashTimes(seed).crashMs, executedCrashTimes(seed).restartMs, 'while n0, the leader, was down')],
    }),
  scenario: (context) => {
    const { cutMs, crashMs, restartMs } = executedCrashTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 700),
      { atMs: cutMs, type: 'cut', from: [0], to: context.clients },
      { atMs: crashMs, type: 'crash', node: 0 },
      { atMs: crashMs, type: 'heal' },
      { atMs: restartMs, type: 'restart', node: 0 },
    ];
  },
});

// 5E.10: n0 leads first and is cut off with one client; the others write x in the majority; then
// the cut-off client reads x through n0.
const staleTimes = (seed: number) => {
  const splitMs = 900 + scenarioRandom('5E.10', seed).integer(0, 100);
  return { splitMs, readMs: splitMs + 1_000, healMs: splitMs + 1_500 };
};
const staleClient = 5;

const staleLeader = test('E', 10, {
  name: 'a stale leader must not answer a get from its own state',
  points: 3,
  seeds: 5,
  description:
    '5 servers, n0 leading first. At about 950 ms n0 is cut off with one client, which has just written x through it; the other ' +
    'servers elect a new leader, and three clients append to x there. 1 s later the cut-off client reads x from n0, which still ' +
    'believes it leads: answered from n0\'s own state, the get would miss appends that returned before it was called. A get goes ' +
    'through the log, so it cannot be answered before the heal.',
  setup: (implementation, seed) => {
    const { splitMs, readMs, healMs } = staleTimes(seed);
    return serviceRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: splitMs + 5_000,
      faultsEndMs: healMs,
      // The others start once the majority is on its own, so that the history the checker reads stays short.
      workload: { operationsPerClient: 10, keys: ['x'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [20, 60], startMs: [splitMs + 300, splitMs + 350], clients: [6, 7, 8] },
      inputs: [call(splitMs - 100, staleClient, { kind: 'put', key: 'x', value: 'n5.1' }), call(readMs, staleClient, { kind: 'get', key: 'x' })],
      extraAfter: [clientsReachTheMajority([6, 7, 8], splitMs, healMs, `while n0 was cut off with n5 (${splitMs} to ${healMs} ms)`)],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs } = staleTimes(context.seed);
    return [...n0LeadsFirst(context.servers, 700), { atMs: splitMs, type: 'partition', groups: [[0, staleClient]] }, { atMs: healMs, type: 'heal' }];
  },
});

const messagesPerOperationBudget = 24;

const messageBudget = test('E', 11, {
  name: `messages per operation with a stable leader: at most ${messagesPerOperationBudget}`,
  kind: 'budget',
  points: 1,
  seeds: 3,
  description:
    '5 servers, n0 leading, 2 clients, 30 operations each, no faults. From the first call to the last return, the messages sent ' +
    `(Raft's and the clients') per operation are at most ${messagesPerOperationBudget}: one request and one reply, an AppendEntries ` +
    'and its answer per follower, and the heartbeats of the time it took. Redirect chains, broadcasting requests, or an AppendEntries per ' +
    'entry per follower and more cost more.',
  setup: (implementation) =>
    serviceRun(implementation, {
      servers: 5,
      clients: 2,
      durationMs: 5_000,
      workload: { operationsPerClient: 30, keys: ['x', 'y'], thinkMs: [0, 10], startMs: [750, 800] },
      extra: [messagesPerOperation(messagesPerOperationBudget, 'with a stable leader, an operation needs a request, a reply and one round of AppendEntries')],
    }),
  scenario: (context) => n0LeadsFirst(context.servers, 700),
});

const speedOperations = 40;

const speed = test('E', 12, {
  name: 'speed: at least three operations per heartbeat interval',
  kind: 'budget',
  axes: { x: "one client's operation (# in call order)", y: 'latency (simulated ms)' },
  points: 1,
  seeds: 3,
  description:
    `5 servers, n0 leading, one client performs ${speedOperations} operations one after the other, with no faults, on a network where messages ` +
    `take 1 to 5 ms. Their mean latency is at most ` +
    `heartbeatMs / 3 (${(heartbeatMs / 3).toFixed(1)} ms): the leader sends a new entry to its followers at once, not with the next heartbeat, ` +
    'and answers as soon as it is committed and executed. The report charts each operation\'s latency.',
  setup: (implementation) =>
    serviceRun(implementation, {
      servers: 5,
      clients: 1,
      durationMs: 5_000,
      network: { delay: { kind: 'uniform', minMs: 1, maxMs: 5 } },
      workload: { operationsPerClient: speedOperations, keys: ['x', 'y'], thinkMs: [0, 0], startMs: [800, 800] },
      extra: [operationsPerHeartbeat(heartbeatMs, 3)],
    }),
  scenario: (context) => n0LeadsFirst(context.servers, 700),
});

export const serviceTests: readonly SuiteTest<RaftImplementation>[] = [
  oneClient,
  manyClients,
  oneKey,
  unreliable,
  partitionTest,
  repartitioning,
  crashes,
  snapshots,
  executedThenCrash,
  staleLeader,
  messageBudget,
  speed,
];
