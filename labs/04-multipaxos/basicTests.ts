// Lab 4, tests 4.1-4.10: the replicated key-value store in a stable network and under
// partitions, and what a stable leader costs. Every run checks MultiPaxos's safety properties
// (a command accepted by a majority is kept, consistent logs, execution in slot order, promises
// kept, safe garbage collection), the kit's linearizability, at-most-once and progress, and that
// every operation returns (harness.ts); each test adds its own rules.
//
// Some tests choose who leads first without knowing the code (n0LeadsFirst): the other servers
// are down until n0 has run phase 1 twice on its own, so its ballot is above any they start
// with, and when they are back, until `n0LeadsUntilMs`, they cannot talk to one another, so that
// none of them can hear from a majority without n0. n0's next phase 1 wins.
import {
  halves,
  nodeName,
  nothingCompletesInMinority,
  operationsCompleteAfterHeal,
  type FaultAction,
  type NodeId,
  type SuiteTest,
  n0LeadsFirst as n0LeadsFirstAfter,
} from 'distlab/testing';
import { candidateTriesAgain, leaderTakesOver, messagesPerChosenSlot, phaseOneOnlyOnLeaderChange, promiseResetsLeaderTimeout } from './checks.ts';
import { call, firstCallMs, leaderTimeoutMs, multipaxosRun, pick, range, scenarioRandom, test, type MultiPaxosImplementation } from './harness.ts';
import type { MultiPaxos } from './src/protocol.ts';

/** Five servers, then three: most tests run on both sizes. */
const sizes = (seed: number) => pick([5, 3], seed);

/** When the other servers come back in n0LeadsFirst: n0 has run phase 1 at least twice by then (each LeaderTimeout is at most 300 ms). */
const othersBackMs = 610;
/** When every link heals in n0LeadsFirst: n0 has run phase 1 again since othersBackMs, with a ballot above theirs. */
const n0LeadsUntilMs = 1_000;

/** n0 leads first, of three or five (harness.ts): the others come back late, and every link heals at n0LeadsUntilMs unless `then` says otherwise. */
const n0LeadsFirst = (servers: readonly NodeId[], then: readonly FaultAction[] = [{ atMs: n0LeadsUntilMs, type: 'heal' }]): FaultAction[] =>
  n0LeadsFirstAfter(servers, othersBackMs, then);

/** `servers` turned so that it starts at position `offset`: `halves` of it cuts off a different minority. */
const rotate = (servers: readonly NodeId[], offset: number): NodeId[] => servers.map((_node, position) => servers[(position + offset) % servers.length] as NodeId);

/** The minority `halves` cuts off: the first ⌊N/2⌋ servers of the list. */
const minorityOf = (servers: readonly NodeId[]) => servers.slice(0, Math.floor(servers.length / 2));

const names = (nodes: readonly NodeId[]) => nodes.map(nodeName).join(', ');

const smoke = test(1, {
  name: 'one client, three servers: every operation returns, linearizable and exactly once',
  points: 1,
  seeds: 5,
  description:
    'The fault-free smoke test: 3 servers, one client performs 20 gets, puts and appends on two keys, one after the other, on a ' +
    'network where messages take 1 to 10 ms. One server becomes the leader with phase 1, the client finds it through redirects, and ' +
    'each command is chosen in a slot with phase 2, executed in slot order and answered by the leader.',
  setup: (implementation) =>
    multipaxosRun(implementation, {
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
    '5 servers, 3 clients with 15 operations each on two keys, no faults. Several commands are in phase 2 at once, each in its own ' +
    'slot; every server executes the same commands in the same slot order, and every operation returns, linearizable.',
  setup: (implementation) =>
    multipaxosRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: 5_000,
      workload: { operationsPerClient: 15, thinkMs: [0, 20], startMs: firstCallMs },
    }),
});

// 4.3: n0 leads first; at splitMs two of the five servers are cut off for good, the clients stay
// with the three others. Seeds 1 and 3 cut off n0, the leader; the others cut off two followers.
const majorityOffsets = [0, 3, 4, 1, 2];
const majoritySplitMs = (seed: number) => n0LeadsUntilMs + 250 + scenarioRandom('4.3', seed).integer(0, 100);

const inMajority = test(3, {
  name: 'progress in a majority: with two of five servers cut off, the clients of the other three go on',
  points: 3,
  seeds: 5,
  description:
    '5 servers, n0 leading first, 3 clients with 25 operations each. At about 1.3 s two servers are cut off until the end of the run ' +
    '(n0, the leader, and one other, or two others, depending on the seed), and the clients stay with the other three. Three of five ' +
    'are a majority: they elect a leader if they need one, which learns every accepted command with phase 1, and every operation ' +
    'returns, linearizable. Operations in progress at the cut go on with the new leader. A candidate whose phase 1 has not finished ' +
    'starts it again when its LeaderTimeout fires.',
  setup: (implementation) =>
    multipaxosRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: 5_000,
      // The servers cut off never hear of the later commands.
      reach: false,
      workload: { operationsPerClient: 25, thinkMs: [10, 30], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
      // n0 runs phase 1 alone until the others start, and the servers cut off go on trying: each try ends or is tried again.
      extra: [candidateTriesAgain(2 * leaderTimeoutMs[1])],
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers),
    ...halves(majoritySplitMs(context.seed), rotate(context.servers, pick(majorityOffsets, context.seed))),
  ],
});

// 4.4: n0 leads first; at splitMs n0 and n1 are cut off with two clients, whose calls after the
// split must not return until the heal. n5 asks n0 first and n6 asks n1 first (the kit's client
// starts at server id mod N), and both have had an operation answered before the split.
const minorityTimes = (seed: number) => {
  const splitMs = n0LeadsUntilMs + 250 + scenarioRandom('4.4', seed).integer(0, 100);
  return { splitMs, healMs: splitMs + 1_500 };
};
const minorityClients = [5, 6];

const nothingInMinority = test(4, {
  name: 'nothing completes in a minority: a leader cut off with one follower answers no client',
  points: 3,
  seeds: 12,
  description:
    '5 servers, n0 leading first. At about 1.3 s n0 and n1 are cut off for 1.5 s with two clients (n5 and n6), which call two appends ' +
    'and two gets: none of them may return while the partition lasts, although n0 still believes it leads: a command is ' +
    'chosen only once a majority, three of five, accepted it. Three other clients keep working with n2, n3 and n4, which elect a ' +
    'leader of their own. After the heal every operation returns.',
  setup: (implementation, seed) => {
    const { splitMs, healMs } = minorityTimes(seed);
    return multipaxosRun(implementation, {
      servers: 5,
      clients: 5,
      durationMs: healMs + 3_000,
      faultsEndMs: healMs,
      // No puts: a put would hide an append lost before it.
      workload: { operationsPerClient: 25, mix: { get: 2, put: 0, append: 3 }, thinkMs: [10, 40], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100], clients: [7, 8, 9] },
      inputs: [
        call(n0LeadsUntilMs + 50, 5, { kind: 'append', key: 'x', value: 'n5.1;' }),
        call(n0LeadsUntilMs + 60, 6, { kind: 'append', key: 'y', value: 'n6.1;' }),
        call(splitMs + 100, 5, { kind: 'append', key: 'x', value: 'n5.2;' }),
        call(splitMs + 150, 6, { kind: 'get', key: 'x' }),
        call(splitMs + 200, 5, { kind: 'get', key: 'y' }),
        call(splitMs + 250, 6, { kind: 'append', key: 'y', value: 'n6.2;' }),
      ],
      // The majority's clients must not merely wait for the heal: a cluster in which only n0 ever leads would pass.
      extra: [leaderTakesOver(range(0, 5), 0, splitMs, healMs, `while n0, the leader, was cut off with n1 (${splitMs} to ${healMs} ms)`)],
      extraAfter: [nothingCompletesInMinority<MultiPaxos>(minorityClients, splitMs, healMs, `while n0, n1, n5 and n6 were cut off from the majority (${splitMs} to ${healMs} ms)`)],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs } = minorityTimes(context.seed);
    return [...n0LeadsFirst(context.servers), { atMs: splitMs, type: 'partition', groups: [[0, 1, ...minorityClients]] }, { atMs: healMs, type: 'heal' }];
  },
});

// 4.5: a minority (⌊N/2⌋ servers, a different one for each seed, holding the leader or not) is cut
// off with one client; after the heal, its operations return within healBoundMs.
const healBoundMs = 1_000;
const healOffsets = [0, 2, 3, 1, 4, 0];
const healTimes = (seed: number) => {
  const splitMs = 950 + scenarioRandom('4.5', seed).integer(0, 100);
  return { splitMs, healMs: splitMs + 1_000 };
};
const healMinority = (servers: readonly NodeId[], seed: number) => minorityOf(rotate(servers, pick(healOffsets, seed) % servers.length));
/** The minority's client: the one that asks a minority server first. */
const healClient = (servers: readonly NodeId[], seed: number) => servers.length + Math.min(...healMinority(servers, seed));
const healClients = 4;

const afterHeal = test(5, {
  name: `progress after the heal: the minority's operations return within ${healBoundMs} ms`,
  points: 3,
  seeds: 6,
  description:
    `5 or 3 servers, ${healClients} clients. At about 1 s a minority of the servers (two of five or one of three, the leader among them or ` +
    'not, depending on the seed) is cut off for 1 s with one client, which calls an append, a get and another append meanwhile; the ' +
    'other clients keep working with the majority. Nothing the cut-off client calls returns before the heal; after it, every ' +
    `operation pending at the heal returns within ${healBoundMs} ms: the client's retries reach the leader (which may change once more, ` +
    'if a cut-off server ran phase 1 with a higher ballot), the cut-off servers catch up, and the client reads what the majority wrote. ' +
    'A cut-off server whose phase 1 cannot finish starts it again each time its LeaderTimeout fires.',
  setup: (implementation, seed) => {
    const servers = sizes(seed);
    const serverIds = range(0, servers);
    const { splitMs, healMs } = healTimes(seed);
    const client = healClient(serverIds, seed);
    return multipaxosRun(implementation, {
      servers,
      clients: healClients,
      durationMs: healMs + 3_000,
      faultsEndMs: healMs,
      workload: {
        operationsPerClient: 30,
        mix: { get: 2, put: 0, append: 3 },
        thinkMs: [10, 40],
        startMs: firstCallMs,
        clients: range(servers, healClients).filter((node) => node !== client),
      },
      inputs: [
        call(firstCallMs[0], client, { kind: 'append', key: 'x', value: `n${client}.1;` }),
        call(splitMs + 100, client, { kind: 'append', key: 'y', value: `n${client}.2;` }),
        call(splitMs + 200, client, { kind: 'get', key: 'x' }),
        call(splitMs + 300, client, { kind: 'append', key: 'x', value: `n${client}.3;` }),
      ],
      extra: [candidateTriesAgain(2 * leaderTimeoutMs[1])],
      extraAfter: [
        nothingCompletesInMinority<MultiPaxos>([client], splitMs, healMs, `while n${client} was cut off with ${names(healMinority(serverIds, seed))} (${splitMs} to ${healMs} ms)`),
        operationsCompleteAfterHeal<MultiPaxos>(healMs, healBoundMs),
      ],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs } = healTimes(context.seed);
    const minority = healMinority(context.servers, context.seed);
    return [{ atMs: splitMs, type: 'partition', groups: [[...minority, healClient(context.servers, context.seed)]] }, { atMs: healMs, type: 'heal' }];
  },
});

// 4.6: the clients work with a first majority, then with a second one that shares a single server
// with the first: only that server knows what was chosen, and the new leader learns it in phase 1.
// n0 leads the first majority (n0LeadsFirst), so the second one must elect a leader.
const switchTimes = (seed: number) => {
  const switchMs = 2_000 + scenarioRandom('4.6', seed).integer(0, 100);
  return { switchMs, healMs: switchMs + 1_500 };
};

const switching = test(6, {
  name: 'one server switching partitions carries what was chosen from one majority to the next',
  points: 3,
  seeds: 6,
  description:
    '5 or 3 servers, n0 leading first, 3 clients with 40 operations each. From 1 s the last ⌊N/2⌋ servers are cut off; at ' +
    'about 2 s the partition moves: the first ⌊N/2⌋ are cut off and the others join, so the new majority shares a single server with ' +
    'the old one (n2 of five, n1 of three), the only one that accepted what was chosen before. The new majority elects a leader, ' +
    'which learns every chosen command from that server in phase 1: later gets see every earlier write. 1.5 s later ' +
    'everything heals and the servers left behind catch up.',
  setup: (implementation, seed) => {
    const { switchMs, healMs } = switchTimes(seed);
    return multipaxosRun(implementation, {
      servers: sizes(seed),
      clients: 3,
      durationMs: healMs + 3_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 40, thinkMs: [10, 40], startMs: [n0LeadsUntilMs + 50, n0LeadsUntilMs + 100] },
      // Without a leader of its own, the second majority would only wait for the heal, and learn nothing in phase 1.
      extra: [leaderTakesOver(range(0, sizes(seed)), 0, switchMs, healMs, `while n0, the leader, was cut off from the second majority (${switchMs} to ${healMs} ms)`)],
    });
  },
  scenario: (context) => {
    const { switchMs, healMs } = switchTimes(context.seed);
    const servers = context.servers;
    // halves cuts off the first ⌊N/2⌋ of the list: first the last ones, then the first ones.
    const lastCutOff = (atMs: number) => halves(atMs, rotate(servers, servers.length - Math.floor(servers.length / 2)));
    return [...n0LeadsFirst(servers, lastCutOff(n0LeadsUntilMs)), ...halves(switchMs, servers), { atMs: healMs, type: 'heal' }];
  },
});

const manyClients = test(7, {
  name: 'many synchronous clients agree on every result',
  points: 2,
  seeds: 5,
  description:
    '5 or 3 servers, 10 clients with 8 operations each on three keys, each calling its next operation as soon as the last returned. ' +
    'Many commands wait for slots at once; each is chosen in exactly one slot, executed once, and answered with the result of its own ' +
    'slot, so that every client history is linearizable.',
  setup: (implementation, seed) =>
    multipaxosRun(implementation, {
      servers: sizes(seed),
      clients: 10,
      durationMs: 5_000,
      workload: { operationsPerClient: 8, keys: ['x', 'y', 'z'], thinkMs: [0, 5], startMs: firstCallMs },
    }),
});

const oneKey = test(8, {
  name: 'many concurrent appends to one key: each takes effect once, in one order every get agrees with',
  points: 2,
  seeds: 5,
  description:
    '3 or 5 servers, 5 clients append to the same key, each value unique, and read it now and then. An append lost, doubled or ' +
    'executed in a different slot order on two servers shows in every later get.',
  setup: (implementation, seed) =>
    multipaxosRun(implementation, {
      servers: pick([3, 5], seed),
      clients: 5,
      durationMs: 5_000,
      workload: { operationsPerClient: 12, keys: ['x'], mix: { get: 2, put: 0, append: 4 }, thinkMs: [0, 20], startMs: firstCallMs },
    }),
});

/** 4.9's budget per chosen slot, with N servers. */
const slotBudget = (servers: number) => 2.5 * (servers - 1);

const messageBudget = test(9, {
  name: 'messages per chosen slot with a stable leader: at most 2.5(N-1)',
  kind: 'budget',
  points: 2,
  seeds: 4,
  description:
    '5 or 3 servers, 2 clients with 30 operations each, no faults. The protocol messages sent in the whole run (P1a, P1b, P2a, P2b, ' +
    'Preempted and Decision), divided by the number of slots chosen, are at most 2.5(N-1): 10 with five servers, 5 with three. A ' +
    'stable leader chooses a slot with one P2a to each other server and its P2b, 2(N-1); the followers learn what is chosen from the ' +
    "heartbeats, not from a Decision per slot. Phase 1 for every slot, or a Decision to every server for every slot, costs more.",
  setup: (implementation, seed) => {
    const servers = sizes(seed);
    return multipaxosRun(implementation, {
      servers,
      clients: 2,
      durationMs: 5_000,
      workload: { operationsPerClient: 30, thinkMs: [0, 10], startMs: firstCallMs },
      extra: [messagesPerChosenSlot(slotBudget(servers))],
    });
  },
});

/** 4.10: distinct ballots in phase 1 over the whole fault-free run: the first election, with a few duels (1 to 3 in practice; followers that heartbeats do not hold back start 15 or more). */
const mostBallots = 5;

const stableLeader = test(10, {
  name: 'a stable leader: phase 1 runs only when the leader changes',
  kind: 'budget',
  points: 2,
  seeds: 4,
  description:
    `5 or 3 servers, 2 clients with 40 operations each, about 3 s with no faults. At most ${mostBallots} ballots appear in P1a messages ` +
    'over the whole run: the first election, with room for a few servers that time out together. A leader proposes new commands with ' +
    'phase 2 alone, and its heartbeats reset every follower\'s leader timeout, so no follower starts phase 1 while the leader is up. ' +
    'A server that promises another server\'s higher ballot resets its own leader timeout too: it sends no P1a of its own within ' +
    `${leaderTimeoutMs[0]} ms of that promise.`,
  setup: (implementation, seed) =>
    multipaxosRun(implementation, {
      servers: sizes(seed),
      clients: 2,
      durationMs: 6_000,
      workload: { operationsPerClient: 40, thinkMs: [30, 60], startMs: firstCallMs },
      extra: [phaseOneOnlyOnLeaderChange(mostBallots), promiseResetsLeaderTimeout(leaderTimeoutMs[0])],
    }),
});

export const basicTests: SuiteTest<MultiPaxosImplementation>[] = [
  smoke,
  noPartition,
  inMajority,
  nothingInMinority,
  afterHeal,
  switching,
  manyClients,
  oneKey,
  messageBudget,
  stableLeader,
];
