// Lab 4's hidden tests: graded with the visible ones wherever this file is present (the staff
// repository, the Gradescope bundle), and never part of a student's handout. Each keeps faults of
// several kinds going for seconds while many clients keep calling: crashes in the middle of a
// reaction with partitions and loss, and a majority ring that moves leadership around.
import { combineSchedules, crashRestarts, cutBetween, lateAnswerScenario, lateAnswerTimes, majorityRing, n0LeadsFirst, onlyThroughNode, operationsCompleteAfterHeal, serversApart, shapedPartitions, stabilize, type FaultAction, type NodeId, type SuiteTest } from 'distlab/testing';
import { everyWaitAtMost, executedInOneSlot, logEntriesBounded } from './checks.ts';
import type { MultiPaxos } from './src/protocol.ts';
import { call, firstCallMs, holeCalls, holeFaults, multipaxosRun, range, scenarioRandom, search, stableNetwork, test, type MultiPaxosImplementation } from './harness.ts';
import { scenarioSettings, searchScenarios } from './search.ts';

const chaosEndMs = 3_000;

/** Once the chaos ends, every log is collected down to this many accepted entries per server. */
const collectedBound = 40;


const chaos = test(20, {
  name: 'chaos: crashes in the middle of a reaction, partitions of every shape and a lossy network, then every operation returns and the logs are collected',
  visibility: 'hidden',
  points: 3,
  seeds: 5,
  // Long runs: a failure shrinks in fewer runs, so its report comes well within the time limit.
  shrinkRuns: 30,
  description:
    `5 servers, 4 clients. Until ${chaosEndMs} ms the network loses and duplicates 5% of messages, servers crash in the middle of a ` +
    'reaction and restart from their durable storage, and partitions of every shape come and go. Then everything heals: every ' +
    `operation returns, the history is linearizable, and within 2 s every server holds at most ${collectedBound} accepted entries.`,
  setup: (implementation) =>
    multipaxosRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: chaosEndMs + 5_000,
      faultsEndMs: chaosEndMs,
      network: { dropRate: 0.05, duplicateRate: 0.05 },
      workload: { operationsPerClient: 25, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [10, 50], startMs: firstCallMs },
      extraAfter: [logEntriesBounded(collectedBound, { withinMs: 2_000 })],
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

const ring = test(21, {
  name: 'a majority ring for 2 s under many clients: leadership moves, every history stays linearizable',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    `5 servers, 5 clients that reach every server. From ${ringStartMs} to ${ringEndMs} ms each server talks only to its two neighbours on a ` +
    'ring (a different majority for each): servers on the far side of the leader time out and run phase 1, proposals of one ballot ' +
    'are overtaken by the next, and clients retry. After the heal every operation returns.',
  setup: (implementation) =>
    multipaxosRun(implementation, {
      servers: 5,
      clients: 5,
      durationMs: ringEndMs + 4_000,
      faultsEndMs: ringEndMs,
      workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 2, put: 0, append: 3 }, thinkMs: [20, 60], startMs: firstCallMs },
    }),
  scenario: (context) => {
    const offset = scenarioRandom('4.21', context.seed).integer(0, context.servers.length - 1);
    const rotated = context.servers.map((_server, position) => context.servers[(position + offset) % context.servers.length] as NodeId);
    return [...majorityRing(ringStartMs, rotated), { atMs: ringEndMs, type: 'heal' }];
  },
});

// 4.22: n2 is down from the start, so nothing is collected; n0 leads with n1. n1 crashes and
// restarts from its checkpoint; then n0 crashes for good as n2 comes back, empty. n1 takes over:
// its timeout, last reset by n0's heartbeats, runs out before n2 can stand twice, and n2's first
// ballot, of round 1, is below the one n1 promised n0. n1 no longer knows which of the slots
// below its checkpoint were chosen: phase 1 reports what n1 accepted there, and n1 must propose
// it again, or n2 never executes those slots.
/** n1 is back by then and n0 leads, in a round above 1: n1 stood before n0's phase 1 (n0LeadsFirst). */
const laggingLeadsMs = 1_000;
const laggingTimes = (seed: number) => {
  const random = scenarioRandom('4.22', seed);
  const restartMs = 1_500 + random.integer(0, 200);
  return { crashMs: restartMs - 200, restartMs, leaderCrashMs: restartMs + 900 + random.integer(0, 200) };
};

const laggingServer = test(22, {
  name: 'a server down from the start catches up from slot 1 after a restarted server takes over',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    '3 servers, 2 clients. n2 is down from the start, so no log entry is collected; n0 leads with n1. About 1.4 s in, n1 ' +
    'crashes and comes back 200 ms later from its checkpoint; about 0.9 s after that n0 crashes for good and n2 comes back, ' +
    "with nothing. n1 takes over (n2's first ballot is below the one n1 promised n0), though it no longer knows which of the " +
    'slots below its checkpoint were chosen. Every operation returns, and every completed write reaches n2 as well: the new ' +
    'leader proposes again, from what phase 1 reports, every slot n2 has not executed.',
  setup: (implementation, seed) => {
    const { leaderCrashMs } = laggingTimes(seed);
    return multipaxosRun(implementation, {
      servers: 3,
      clients: 2,
      durationMs: leaderCrashMs + 5_000,
      faultsEndMs: leaderCrashMs,
      workload: { operationsPerClient: 40, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [5, 30], startMs: [laggingLeadsMs + 50, laggingLeadsMs + 150] },
    });
  },
  scenario: (context) => {
    const { crashMs, restartMs, leaderCrashMs } = laggingTimes(context.seed);
    return [
      // n0 leads n0 and n1 (n1 is back at 610 ms, and stands once before n0's next phase 1 wins); n2 is down.
      ...n0LeadsFirst([0, 1], 610, []),
      { atMs: 0, type: 'crash', node: 2 },
      { atMs: crashMs, type: 'crash', node: 1 },
      { atMs: restartMs, type: 'restart', node: 1 },
      { atMs: leaderCrashMs, type: 'crash', node: 0 },
      { atMs: leaderCrashMs, type: 'restart', node: 2 },
    ];
  },
});

// 4.23: the followers crash again and again in the middle of a reaction, some just after the
// HeartbeatReply that reports a new checkpoint slot, while the leader collects below the lowest
// slot reported: a follower that reports its checkpoint before writing it has the leader delete
// slots it will need again from its older stored checkpoint.
const followerCrashesEndMs = 3_500;

const followerCrashes = test(23, {
  name: 'followers crash in the middle of their reactions while the leader collects: a checkpoint is durable before it is reported',
  visibility: 'hidden',
  points: 2,
  seeds: 8,
  description:
    `5 servers, n0 leading first, 2 clients. Until ${followerCrashesEndMs} ms n1 to n4 crash again and again in the middle of a ` +
    'reaction (after 0 to 4 of its sends, storage writes and outputs) and restart from storage, while n0 collects below the lowest ' +
    'checkpoint reported: no accepted entry is deleted while a stored checkpoint is at or below it, every operation returns, and by the ' +
    `end no live server holds more than ${collectedBound} accepted entries.`,
  setup: (implementation) =>
    multipaxosRun(implementation, {
      servers: 5,
      clients: 2,
      durationMs: followerCrashesEndMs + 4_000,
      faultsEndMs: followerCrashesEndMs,
      workload: { operationsPerClient: 40, keys: ['x', 'y'], mix: { get: 1, put: 1, append: 2 }, thinkMs: [20, 80], startMs: [750, 800] },
      // The leader does collect: a server that never deletes an entry is safe here for want of trying.
      extraAfter: [logEntriesBounded(collectedBound)],
    }),
  scenario: (context) => n0LeadsFirst(context.servers, 610, [{ atMs: 1_000, type: 'heal' }]),
  faults: () => crashRestarts([1, 2, 3, 4], { count: [10, 14], withinMs: [1_100, followerCrashesEndMs - 200], lengthMs: [20, 120], afterEffects: [0, 4] }),
});

// 4.24: the network delivers many messages twice while minorities are cut off and rejoin: a
// candidate that counts P1b messages rather than servers leads with a minority's promises, and
// its proposals overwrite what the majority chose once the partition heals.
const minoritiesCut: readonly (readonly NodeId[])[] = [
  [3, 4],
  [1, 2],
  [2, 4],
  [1, 3],
];
const firstCutMs = 1_200;
const cutEveryMs = 700;
const cutLengthMs = 450;
const lastHealMs = firstCutMs + (minoritiesCut.length - 1) * cutEveryMs + cutLengthMs;

const duplicatedPromises = test(24, {
  name: 'minorities cut off and rejoining through a network that duplicates messages: a majority of servers, not of P1bs, elects a leader',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    '5 servers, n0 leading first, 3 clients that reach every server; the network delivers 30% of messages twice. Four times, ' +
    `every ${cutEveryMs} ms from ${firstCutMs} ms, two followers are cut off from the other servers for ${cutLengthMs} ms: they time out and ` +
    'run phase 1 with each other alone, which must not succeed. Every operation returns and every log stays consistent.',
  setup: (implementation) =>
    multipaxosRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: lastHealMs + 4_000,
      faultsEndMs: lastHealMs,
      network: { duplicateRate: 0.3 },
      workload: { operationsPerClient: 40, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [10, 50], startMs: [750, 800] },
    }),
  scenario: (context) => [
    ...n0LeadsFirst(context.servers, 610, [{ atMs: 1_000, type: 'heal' }]),
    ...minoritiesCut.flatMap((minority, index): FaultAction[] => {
      const atMs = firstCutMs + index * cutEveryMs;
      return [...serversApart(atMs, context.servers, minority), { atMs: atMs + cutLengthMs, type: 'heal' }];
    }),
  ],
});

// 4.25: a client's command is executed, but no reply reaches the client; every server then
// checkpoints, crashes and restarts, and the client's retry reaches the next leader, which
// knows of the command only from its checkpoint. The handout: "The checkpoint holds the table,
// with the map: a replica that restarts from its checkpoint must still know which commands it
// executed below the checkpoint's slot." A checkpoint without the table has the retry chosen
// in a new slot and executed again.
const lostReplyTimes = (seed: number) => {
  const random = scenarioRandom('4.25', seed);
  const executedMs = 1_200 + random.integer(0, 100);
  const crashMs = executedMs + 300 + random.integer(0, 50);
  return { executedMs, crashMs, restartMs: crashMs + 40, healMs: crashMs + 700 };
};
/** 4.25's client whose reply is lost (after the workload's one, n5). */
const lostReplyClient = 6;

const tableAcrossRestarts = test(25, {
  name: 'every server restarts after a command was executed but its reply lost: the retry is answered from the at-most-once table in the checkpoint',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    '5 servers, n0 leading first, 2 clients. About 1.2 s in, nothing the servers send reaches client n6 (and client n5 waits): n6\'s ' +
    'append is chosen and executed, but its replies are lost, and n6 retries it again and again. 300 ms later every server crashes ' +
    'and restarts from its storage; 700 ms later the links heal, and n6\'s retry reaches the new leader. It must answer from the ' +
    'at-most-once table restored from its checkpoint: no command is executed in two slots, and n6\'s next get reads its value once.',
  setup: (implementation, seed) => {
    const { executedMs, healMs } = lostReplyTimes(seed);
    return multipaxosRun(implementation, {
      servers: 5,
      clients: 2,
      durationMs: healMs + 4_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 30, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [10, 40], startMs: [750, 800], clients: [5] },
      inputs: [
        // n6 learns that n0 leads, so that its append goes straight to n0.
        call(800, lostReplyClient, { kind: 'append', key: 'z', value: 'A;' }),
        call(executedMs, lostReplyClient, { kind: 'append', key: 'z', value: 'B;' }),
        call(healMs + 300, lostReplyClient, { kind: 'get', key: 'z' }),
      ],
      extra: [executedInOneSlot()],
    });
  },
  scenario: (context) => {
    const { executedMs, crashMs, restartMs, healMs } = lostReplyTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 610, [{ atMs: 1_000, type: 'heal' }]),
      // The workload's client waits, so that every server goes idle and checkpoints past n6's append.
      { atMs: executedMs - 40, type: 'cut', from: [5], to: context.servers },
      { atMs: executedMs - 5, type: 'cut', from: context.servers, to: [lostReplyClient] },
      ...context.servers.map((node): FaultAction => ({ atMs: crashMs, type: 'crash', node })),
      ...context.servers.map((node): FaultAction => ({ atMs: restartMs, type: 'restart', node })),
      { atMs: healMs, type: 'heal' },
    ];
  },
});

// 4.26: n0 is cut off and a majority elects another leader; then n1 to n4 crash and restart
// (whoever led among them is gone, their promises kept), and n0's messages reach them again
// while nothing reaches n0: it still believes it leads, and its heartbeats carry its old
// ballot. The handout: a server resets its LeaderTimeout on "Heartbeat { ballot: b } with b ≥
// promised", and "a heartbeat of a ballot below promised comes from a leader that has been
// overtaken". A server re-armed by such heartbeats never runs phase 1, and nothing is chosen
// until n0 hears again.
const staleLeaderTimes = (seed: number) => {
  const random = scenarioRandom('4.26', seed);
  const cutOffMs = 1_100 + random.integer(0, 100);
  const restartMs = cutOffMs + 900;
  return { cutOffMs, restartMs, healMs: restartMs + 1_500 };
};
/** The longest any operation may wait: a LeaderTimeout after the restart, phase 1, and a few client retries. */
const staleLeaderWaitMs = 1_000;

const staleLeaderHeartbeats = test(26, {
  name: 'a deposed leader whose heartbeats still arrive, and who hears nothing: its old ballot keeps no server from running phase 1',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    '5 servers, n0 leading first, 3 clients. At about 1.1 s n0 is cut off from the other servers, which elect a leader of their own. ' +
    '900 ms later n1 to n4 crash and restart at once, so that no leader is left among them; from then on n0\'s messages reach them, ' +
    'but nothing reaches n0, and n0 reaches no client. n0 still believes it leads and sends heartbeats in its old ballot, below ' +
    `what n1 to n4 promised: they must run phase 1 anyway, and no operation may wait more than ${staleLeaderWaitMs} ms. 1.5 s later the links heal.`,
  setup: (implementation, seed) => {
    const { healMs } = staleLeaderTimes(seed);
    return multipaxosRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: healMs + 3_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 40, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [10, 40], startMs: [750, 800] },
      extraAfter: [everyWaitAtMost(staleLeaderWaitMs, '(n1 to n4 could always talk to each other and to every client)')],
    });
  },
  scenario: (context) => {
    const { cutOffMs, restartMs, healMs } = staleLeaderTimes(context.seed);
    const others = context.servers.filter((node) => node !== 0);
    const clients = range(context.servers.length, 3);
    return [
      ...n0LeadsFirst(context.servers, 610, [{ atMs: 1_000, type: 'heal' }]),
      ...cutBetween(cutOffMs, [0], others),
      ...others.map((node): FaultAction => ({ atMs: restartMs, type: 'crash', node })),
      { atMs: restartMs, type: 'heal' },
      { atMs: restartMs, type: 'cut', from: [...others, ...clients], to: [0] },
      { atMs: restartMs, type: 'cut', from: [0], to: clients },
      ...others.map((node): FaultAction => ({ atMs: restartMs + 20, type: 'restart', node })),
      { atMs: healMs, type: 'heal' },
    ];
  },
});

// 4.27: n0 leads; n4 is cut off while the others choose and checkpoint many slots. Then the
// others can reach only n4, so only n4 can gather a majority: the new leader is the server
// furthest behind. It must not collect slots it has not checkpointed itself.
const behindTimes = (seed: number) => {
  const random = scenarioRandom('4.27', seed);
  const cutMs = 800 + random.integer(0, 100);
  const leadMs = cutMs + 1_000 + random.integer(0, 200);
  return { cutMs, leadMs, healMs: leadMs + 1_500 };
};
const behindServer = 4;

const leaderFurthestBehind = test(27, {
  name: 'the server furthest behind becomes the leader: it collects only what every server, itself included, has checkpointed',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    `5 servers, 3 clients. n0 leads; from about 0.85 s n4 is cut off for a second or so, while the others choose, execute and checkpoint ` +
    'many slots. Then the other four can reach only n4, which alone can gather a majority: the new leader is the server furthest ' +
    'behind, and for 0.8 s 30% of messages are lost, so its catch-up takes a few periods. Collecting below the followers\' ' +
    'checkpoints, past its own, it would delete slots it still has to learn and execute. Every link heals 1.5 s after the takeover; ' +
    'every operation returns.',
  setup: (implementation, seed) => {
    const { healMs } = behindTimes(seed);
    return multipaxosRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: healMs + 5_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 60, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [0, 20], startMs: firstCallMs },
    });
  },
  scenario: (context) => {
    const { cutMs, leadMs, healMs } = behindTimes(context.seed);
    return [
      ...n0LeadsFirst(context.servers, 150, [{ atMs: 700, type: 'heal' }]),
      { atMs: cutMs, type: 'partition', groups: [[behindServer]] },
      { atMs: leadMs, type: 'heal' },
      ...onlyThroughNode(leadMs, context.servers, behindServer),
      // Lossy while n4 takes over: its catch-up takes several periods, and collection has every checkpoint well before.
      { atMs: leadMs, type: 'network', dropRate: 0.3 },
      { atMs: leadMs + 800, type: 'network', ...stableNetwork },
      { atMs: healMs, type: 'heal' },
    ];
  },
});

/**
 * 4.28's plan. n0 leads its first ballot with n1 and n2 (n3 and n4 are down) and is given x; the
 * network is so slow for a moment that its P2a for x reaches n1 only seconds later, and then every
 * server goes down. n0 has accepted x in its first ballot (its own acceptor answers at once). n0
 * comes back alone, then n2 and n3, which can reach only n0: n0 leads a higher ballot, finds x in
 * its own P1b and proposes it again in the same slot. n3 goes down as that P2a reaches it, n2
 * accepts x and goes down later: n0 and n2 are two of five in the new ballot. n1 comes back as the
 * slow P2a arrives, accepts x in n0's first ballot and answers while the network is slow again:
 * its P2b, of the first ballot, reaches n0 seconds later, while n0 still leads the new ballot with
 * x waiting in the same slot. A leader that counted it would have "3 of 5" for x: two in one ballot
 * and one in another.
 */
/** n0 leads by then (n0LeadsFirst below), and the put before x is chosen. */
const lateAcceptLeadsMs = 1_000;
const lateAcceptTimes = (seed: number) => lateAnswerTimes(lateAcceptLeadsMs + 300 + scenarioRandom('4.28', seed).integer(0, 50), 610);
/** Calls x: a fresh client asks server (id mod N) first, and 5 mod 5 is n0. */
const lateAcceptClient = 5;
const lateAcceptWorkloadClients = [6, 7];

const lateAccept = test(28, {
  name: 'a P2b that arrives a ballot late: its leader leads again since, and counts only the P2bs of its new ballot',
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    '5 servers; n0 leads first, with n1 and n2 (n3 and n4 are down). At about 1.3 s n0 is given x, and the network is so slow for a ' +
    'moment that its P2a for x reaches n1 2.5 s later; then every server goes down. n0 comes back alone, then n2 and n3, which can ' +
    'reach only n0: n0 leads a higher ballot, finds x in its own P1b and proposes it again in the same slot. n3 goes down as that ' +
    'P2a reaches it; n2 accepts x and goes down later: two of five hold x in the new ballot. n1 comes back as the slow P2a arrives, ' +
    "accepts x in n0's first ballot and answers while the network is slow again: its P2b, of n0's first ballot, reaches n0 2.5 s " +
    'later, while n0 leads the new ballot with x waiting in the same slot. A leader counts only the P2bs of its current ballot: x ' +
    'must not be chosen before a majority accepted it in one ballot. At about 6.4 s everything heals and every server is up: x and ' +
    'every later operation return.',
  setup: (implementation, seed) => {
    const { xMs, stableMs } = lateAcceptTimes(seed);
    return multipaxosRun(implementation, {
      servers: 5,
      clients: 3,
      durationMs: stableMs + 3_000,
      faultsEndMs: stableMs,
      workload: { operationsPerClient: 10, keys: ['x', 'y'], mix: { get: 1, put: 1, append: 2 }, thinkMs: [10, 30], startMs: [stableMs + 50, stableMs + 100], clients: lateAcceptWorkloadClients },
      inputs: [
        call(lateAcceptLeadsMs + 50, lateAcceptClient, { kind: 'put', key: 'x', value: 'first;' }),
        call(xMs, lateAcceptClient, { kind: 'append', key: 'x', value: 'late;' }),
      ],
    });
  },
  // n0 leads first with n1 and n2, which can reach only n0 (fewer servers that try to lead meanwhile); n3 and n4 are down.
  scenario: (context) => lateAnswerScenario(lateAcceptTimes(context.seed), context.servers, n0LeadsFirst([0, 1, 2], 610, []), 'P2a', stableNetwork),
});

// 4.29: an even cluster. Four servers split two and two: neither half holds a majority (three
// of four), so neither chooses anything until the heal.
const evenSplitTimes = (seed: number) => {
  const random = scenarioRandom('4.29', seed);
  const splitMs = 900 + random.integer(0, 100);
  return { splitMs, healMs: splitMs + 1_200 + random.integer(0, 200), half: random.integer(0, 1) === 0 ? [0, 1] : [0, 3] };
};

const evenCluster = test(29, {
  name: 'four servers: a majority is three, and a cluster split two and two chooses nothing until the heal',
  visibility: 'hidden',
  points: 2,
  seeds: 4,
  description:
    '4 servers, 4 clients that reach every server. At about 0.9 s the servers split into two halves of two (the clients still ' +
    "reach all of them) for about 1.3 s: a majority of four is three, so neither half completes phase 1 or chooses a slot, and " +
    "the clients' operations wait. After the heal every operation returns, linearizable.",
  setup: (implementation, seed) => {
    const { healMs } = evenSplitTimes(seed);
    return multipaxosRun(implementation, {
      servers: 4,
      clients: 4,
      durationMs: healMs + 4_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 3 }, thinkMs: [10, 40], startMs: firstCallMs },
      extraAfter: [operationsCompleteAfterHeal<MultiPaxos>(healMs, 1_500)],
    });
  },
  scenario: (context) => {
    const { splitMs, healMs, half } = evenSplitTimes(context.seed);
    return [...serversApart(splitMs, context.servers, half), { atMs: healMs, type: 'heal' }];
  },
});

/** When n0's proposals begin to reach only n1 (for 30 to 40 ms), and when n0 crashes (4.30, 4.31). */
function proposalsToN1OnlyTimes(test: string, seed: number) {
  const random = scenarioRandom(test, seed);
  const minorityOnlyMs = 1_000 + random.integer(0, 80);
  return { minorityOnlyMs, crashMs: minorityOnlyMs + 30 + random.integer(0, 10) };
}

/**
 * The start of 4.30 and 4.31: n0 leads, and its proposals reach only n1 until n0 crashes (with
 * `alsoDown`), so some slots are accepted by n0 and n1 alone; two clients go down with it.
 */
function proposalsToN1Only(context: { readonly servers: readonly NodeId[]; readonly clients: readonly NodeId[] }, minorityOnlyMs: number, crashMs: number, alsoDown: readonly NodeId[]): FaultAction[] {
  return [
    ...n0LeadsFirst(context.servers, 700, []),
    { atMs: 700, type: 'heal' },
    { atMs: minorityOnlyMs, type: 'cut', from: [0], to: [2, 3, 4] },
    ...[0, ...alsoDown].map((node): FaultAction => ({ atMs: crashMs, type: 'crash', node })),
    // Two clients go down with n0: their commands, which only n0 and n1 accepted, are never
    // sent again, so other commands are chosen in those slots.
    ...context.clients.slice(0, 2).map((node): FaultAction => ({ atMs: crashMs, type: 'crash', node })),
    { atMs: crashMs, type: 'heal' },
  ];
}

/** The clients and workload of 4.30 and 4.31, until `healMs`. */
const proposalsToN1OnlySetup = (implementation: MultiPaxosImplementation, healMs: number) =>
  multipaxosRun(implementation, {
    servers: 5,
    clients: 4,
    durationMs: healMs + 4_000,
    faultsEndMs: healMs,
    workload: { operationsPerClient: 60, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [0, 10], startMs: [750, 800] },
  });

/**
 * When each step of 4.30 comes: n0 leads, and its proposals reach only n1 for 30 to 40 ms before
 * it crashes; the rest, in order, leave n1 holding stale acceptances below its checkpoint.
 */
function staleAcceptanceTimes(seed: number) {
  const { minorityOnlyMs, crashMs } = proposalsToN1OnlyTimes('4.30', seed);
  const n1HealMs = crashMs + 600;
  const n1CrashMs = n1HealMs + 400;
  const n1BackMs = n1CrashMs + 50;
  const othersDownMs = n1BackMs + 300;
  const othersBackMs = othersDownMs + 500;
  const n0BackMs = othersBackMs + 400;
  return { minorityOnlyMs, crashMs, n1HealMs, n1CrashMs, n1BackMs, othersDownMs, othersBackMs, n0BackMs, healMs: n0BackMs + 100 };
}

const staleAcceptance = test(30, {
  name: "a restarted leader catches a replica up below its checkpoint with what phase 1 reported, not with its own stale acceptance",
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    "5 servers, 4 clients. n0 leads; for 30 to 40 ms its proposals reach only n1, so some slots are accepted by n0 and n1 alone, " +
    'and then n0 crashes, and two clients with it, whose commands are never sent again. n1 is cut off while n2, n3 and n4 elect a ' +
    'leader and choose other commands in those slots. n1 comes back (restarted, so it hears the new leader before it could run ' +
    'phase 1), learns those slots by Decision (its own accepted:s still hold the stale proposals), checkpoints past them, and ' +
    'restarts from the checkpoint. n2, n3 and n4 go down and come back able to reach only n1, which leads; n0, whose checkpoint is ' +
    'below those slots, comes back and must be caught up. What a new leader proposes or sends below its checkpoint is what was ' +
    'chosen there, never a proposal of its own that lost.',
  setup: (implementation, seed) => proposalsToN1OnlySetup(implementation, staleAcceptanceTimes(seed).healMs),
  scenario: (context) => {
    const times = staleAcceptanceTimes(context.seed);
    const actions: FaultAction[] = [
      ...proposalsToN1Only(context, times.minorityOnlyMs, times.crashMs, []),
      ...serversApart(times.crashMs, context.servers, [1]),
      // n1 comes back restarted, its leader timeout fresh: it hears the new leader before it
      // could run phase 1 (which would store the chosen commands over its stale acceptances).
      { atMs: times.n1HealMs - 5, type: 'crash', node: 1 },
      { atMs: times.n1HealMs, type: 'restart', node: 1 },
      { atMs: times.n1HealMs, type: 'heal' },
      { atMs: times.n1CrashMs, type: 'crash', node: 1 },
      { atMs: times.n1BackMs, type: 'restart', node: 1 },
      ...[2, 3, 4].map((node): FaultAction => ({ atMs: times.othersDownMs, type: 'crash', node })),
      ...onlyThroughNode(times.othersDownMs, context.servers, 1),
      ...[2, 3, 4].map((node): FaultAction => ({ atMs: times.othersBackMs, type: 'restart', node })),
      { atMs: times.n0BackMs, type: 'restart', node: 0 },
      { atMs: times.healMs, type: 'heal' },
    ];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

/**
 * When each step of 4.31 comes: as in 4.30, n0 leads and its proposals reach only n1 for 30 to
 * 40 ms before it crashes, with n1; then n0 comes back alone, n2, n3 and n4 go down and come back
 * able to reach only n0, which leads again, and n1 comes back once it has.
 */
function sameLeaderAgainTimes(seed: number) {
  const { minorityOnlyMs, crashMs } = proposalsToN1OnlyTimes('4.31', seed);
  const n0BackMs = crashMs + 600;
  const othersDownMs = n0BackMs + 300;
  const othersBackMs = othersDownMs + 300;
  const n1BackMs = othersBackMs + 700;
  return { minorityOnlyMs, crashMs, n0BackMs, othersDownMs, othersBackMs, n1BackMs, healMs: n1BackMs + 400 };
}

const sameLeaderAgain = test(31, {
  name: "a follower learns from a heartbeat only what it accepted in the heartbeat's own ballot, not in an older ballot of the same leader",
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    '5 servers, 4 clients. n0 leads; for 30 to 40 ms its proposals reach only n1, so some slots are accepted by n0 and n1 alone, and then ' +
    'n0 and n1 crash, and two clients with them, whose commands are never sent again. n2, n3 and n4 elect a leader and choose other ' +
    'commands in those slots. n0 comes back cut off; n2, n3 and n4 go down and come back able to reach only n0, which leads again in a ' +
    'higher ballot and proposes what they chose. n1 comes back, still holding the proposals of n0\'s first ballot, and hears n0\'s ' +
    'heartbeats: slots below chosenBelow are chosen, but what n1 accepted there, in another ballot of the same leader, is not what was chosen.',
  setup: (implementation, seed) => proposalsToN1OnlySetup(implementation, sameLeaderAgainTimes(seed).healMs),
  scenario: (context) => {
    const times = sameLeaderAgainTimes(context.seed);
    const actions: FaultAction[] = [
      ...proposalsToN1Only(context, times.minorityOnlyMs, times.crashMs, [1]),
      // n0 comes back cut off from the leader of n2, n3 and n4, so it learns nothing of their slots.
      ...serversApart(times.n0BackMs, context.servers, [0]),
      { atMs: times.n0BackMs, type: 'restart', node: 0 },
      ...[2, 3, 4].map((node): FaultAction => ({ atMs: times.othersDownMs, type: 'crash', node })),
      { atMs: times.othersDownMs, type: 'heal' },
      ...onlyThroughNode(times.othersDownMs, context.servers, 0),
      ...[2, 3, 4].map((node): FaultAction => ({ atMs: times.othersBackMs, type: 'restart', node })),
      // n1's LeaderTimeout is fresh: it hears n0's heartbeats before it could run phase 1.
      { atMs: times.n1BackMs, type: 'restart', node: 1 },
      { atMs: times.healMs, type: 'heal' },
    ];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

// 4.32: 4.S9's story in a run, with the servers' own code all along. n0 leads; for 2 ms its
// proposals reach no other server, so client A's command is accepted by n0 alone in slot s, and
// client B's, just after, by every server in s + 1 (4.18's hole). From then on nothing n0 sends
// reaches the others, and n0 goes down in its reaction to the first P1a that reaches it, once it
// has stored the promise: it learns the new round and nothing of the new ballot. The others' new
// leader hears of s + 1 and not of s, fills s with a no-op, and its majority chooses it. Then n1
// to n4 go down and n0 comes back alone; they come back able to reach only n0, so that n0, which
// has not executed s, is the only server that can lead. Its phase 1 hears its own command of the
// old ballot in s and the others' no-op of a higher one: it must propose the no-op. A leader that
// prefers a command to a no-op has "a command accepted by a majority is kept" fail at once.
const noOpOutranksTimes = (seed: number) => {
  const random = scenarioRandom('4.32', seed);
  const holeMs = 1_100 + random.integer(0, 100);
  const othersDownMs = holeMs + 700 + random.integer(0, 100);
  // n0 runs phase 1 alone at least three times before the others come back (a LeaderTimeout is at
  // most 300 ms), so that its round is above any they reached, even where candidates bid against
  // each other before their leader won: its next phase 1 wins.
  const othersBackMs = othersDownMs + 910;
  return { holeMs, othersDownMs, othersBackMs, healMs: othersBackMs + 600 };
};

const noOpOutranksCommand = test(32, {
  name: 'a no-op chosen in a higher ballot outranks a command of a lower one: the next leader, which holds the command, proposes the no-op',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    '5 servers, n0 leading first, 2 clients working and 2 more for the scenario. At about 1.1 s, for 2 ms, nothing n0 sends reaches ' +
    "another server: one client's command is accepted by n0 alone, in slot s; another's reaches every server in slot s+1. Then nothing " +
    'n0 sends reaches the others, and n0 goes down as it promises the first ballot they run phase 1 for. Their new leader finds s+1 and ' +
    'nothing for s: it fills s with a no-op, which its majority chooses. About 0.7 s later n1 to n4 go down and n0 comes back alone; ' +
    "0.9 s later they come back, able to reach only n0, which leads. Its phase 1 hears its own command in s, of its old ballot, and the " +
    "others' no-op, of a higher one: it must propose the no-op, since a no-op is a value like any other and the highest ballot wins. " +
    '0.6 s later everything heals, and every operation returns.',
  setup: (implementation, seed) => {
    const { holeMs, healMs } = noOpOutranksTimes(seed);
    return multipaxosRun(implementation, {
      servers: 5,
      clients: 4,
      durationMs: healMs + 4_000,
      faultsEndMs: healMs,
      workload: { operationsPerClient: 30, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [10, 40], startMs: [750, 800], clients: [5, 6] },
      inputs: holeCalls(800, holeMs, healMs),
    });
  },
  scenario: (context) => {
    const { holeMs, othersDownMs, othersBackMs, healMs } = noOpOutranksTimes(context.seed);
    const others = context.servers.filter((node) => node !== 0);
    const actions: FaultAction[] = [
      ...n0LeadsFirst(context.servers, 150, [{ atMs: 700, type: 'heal' }]),
      ...holeFaults(context.servers, holeMs),
      { atMs: holeMs + 5, type: 'cut', from: [0], to: others },
      { atMs: holeMs + 5, type: 'network', ...stableNetwork },
      // The promise is stored, the P1b never sent: n0 learns the new round, and holds nothing of the new ballot.
      { atMs: holeMs + 5, type: 'crash', node: 0, inReactionTo: 'message:P1a', afterEffects: 1 },
      ...others.map((node): FaultAction => ({ atMs: othersDownMs, type: 'crash', node })),
      { atMs: othersDownMs, type: 'heal' },
      ...onlyThroughNode(othersDownMs, context.servers, 0),
      { atMs: othersDownMs, type: 'restart', node: 0 },
      ...others.map((node): FaultAction => ({ atMs: othersBackMs, type: 'restart', node })),
      { atMs: healMs, type: 'heal' },
    ];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

// 4.33 and 4.34: 4.S8's story in a run, with the servers' own code all along: two leaders of one
// round. n3 and n4 are down from the start, with nothing stored; n0 wins its first phase 1, in
// round 1. As in 4.32, client A's command is accepted by n0 alone in slot s, and client B's by n0,
// n1 and n2 in s + 1; then n0, n1 and n2 go down. n3 and n4 come back, then n1 and n2: the first
// of n3 and n4 to time out stands in round 1 too (it has seen no other), and its ballot {1, n3}
// or {1, n4} is above n0's {1, n0}. It finds s + 1 and nothing for s, and fills s with a no-op
// that its majority chooses. n0 holds A of {1, n0} in s, the others the no-op of a ballot of the
// same round. In 4.33, n1 to n4 go down and n0 comes back alone, and they come back able to reach
// only n0, which leads: its phase 1 must propose the no-op, and a leader that compares rounds
// alone keeps what it read first, its own A. In 4.34, n0 comes back while n3 or n4 leads: its
// heartbeat says s is chosen, and a follower that compares rounds alone takes its A as chosen.
const sameRoundTimes = (test: string, seed: number) => {
  const random = scenarioRandom(test, seed);
  const holeMs = 1_000 + random.integer(0, 100);
  // n0, n1 and n2 go down once B's command is chosen, before a follower of n0 could stand in round 2.
  const downMs = holeMs + 8;
  // n1 and n2 come back 140 ms after n3 and n4: a LeaderTimeout is 150 to 300 ms, so n3 or n4 stands once they are back, and
  // almost always before their own first LeaderTimeout (at 290 ms at the earliest).
  const othersBackMs = downMs + 140;
  return { holeMs, downMs, othersBackMs, n0BackMs: downMs + 600 + random.integer(0, 100) };
};

/** 4.33's and 4.34's clients and workload, until `healMs`. */
const sameRoundSetup = (implementation: MultiPaxosImplementation, holeMs: number, healMs: number) =>
  multipaxosRun(implementation, {
    servers: 5,
    clients: 4,
    durationMs: healMs + 3_000,
    faultsEndMs: healMs,
    workload: { operationsPerClient: 20, keys: ['x', 'y'], mix: { get: 2, put: 1, append: 4 }, thinkMs: [10, 40], startMs: [750, 800], clients: [5, 6] },
    inputs: holeCalls(700, holeMs, healMs),
  });

/** The start of 4.33 and 4.34, until n3 or n4 leads in round 1 and n0 is down, holding A in s. */
function sameRoundStart(context: { readonly servers: readonly NodeId[] }, times: ReturnType<typeof sameRoundTimes>): FaultAction[] {
  const { holeMs, downMs, othersBackMs } = times;
  const others = context.servers.filter((node) => node !== 0);
  return [
    // n0 stands first (at 150 ms at the earliest) and wins round 1 with n1 and n2, back at 145 ms: their own first LeaderTimeout comes 150 ms later at the earliest.
    ...others.map((node): FaultAction => ({ atMs: 0, type: 'crash', node })),
    ...onlyThroughNode(0, context.servers, 0),
    { atMs: 145, type: 'restart', node: 1 },
    { atMs: 145, type: 'restart', node: 2 },
    { atMs: 500, type: 'heal' },
    ...holeFaults(context.servers, holeMs),
    { atMs: holeMs + 5, type: 'cut', from: [0], to: others },
    { atMs: holeMs + 5, type: 'network', ...stableNetwork },
    ...[0, 1, 2].map((node): FaultAction => ({ atMs: downMs, type: 'crash', node })),
    { atMs: downMs, type: 'restart', node: 3 },
    { atMs: downMs, type: 'restart', node: 4 },
    { atMs: othersBackMs, type: 'restart', node: 1 },
    { atMs: othersBackMs, type: 'restart', node: 2 },
  ];
}

const sameRoundStory =
  '5 servers, 2 clients working and 2 more for the scenario. n3 and n4 are down from the start; n0 leads, in round 1. At about 1 s, ' +
  "for 2 ms, nothing n0 sends reaches another server: one client's command is accepted by n0 alone, in slot s; another's is chosen in " +
  'slot s+1. Then n0, n1 and n2 go down; n3 and n4 come back with nothing, then n1 and n2. n3 or n4 runs phase 1 in round 1, as n0 ' +
  "did, and its ballot is above n0's (ballots of one round are ordered by their leader): it finds s+1 and nothing for s, so it fills s " +
  'with a no-op, which its majority chooses.';

/** When n1 to n4 come back in 4.33: n0 has run phase 1 alone at least three times (as in 4.32), so its round is above any they reached. */
const sameRoundLeaderTimes = (seed: number) => {
  const times = sameRoundTimes('4.33', seed);
  const allBackMs = times.n0BackMs + 910;
  return { ...times, allBackMs, healMs: allBackMs + 600 };
};

const sameRoundLeader = test(33, {
  name: 'two ballots of one round are ordered by their leader: the next leader proposes the value of the higher one',
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    `${sameRoundStory} About 0.6 s later n1 to n4 go down and n0 comes back alone; 0.9 s later they come back, able to reach only n0, ` +
    "which leads. Its phase 1 hears its own command in s and the others' no-op, both of round 1: it must propose the no-op, of the " +
    'higher ballot. 0.6 s later everything heals, and every operation returns.',
  setup: (implementation, seed) => {
    const { holeMs, healMs } = sameRoundLeaderTimes(seed);
    return sameRoundSetup(implementation, holeMs, healMs);
  },
  scenario: (context) => {
    const times = sameRoundLeaderTimes(context.seed);
    const others = context.servers.filter((node) => node !== 0);
    const actions: FaultAction[] = [
      ...sameRoundStart(context, times),
      ...others.map((node): FaultAction => ({ atMs: times.n0BackMs, type: 'crash', node })),
      { atMs: times.n0BackMs, type: 'heal' },
      ...onlyThroughNode(times.n0BackMs, context.servers, 0),
      { atMs: times.n0BackMs, type: 'restart', node: 0 },
      ...others.map((node): FaultAction => ({ atMs: times.allBackMs, type: 'restart', node })),
      { atMs: times.healMs, type: 'heal' },
    ];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

const sameRoundFollower = test(34, {
  name: "a follower learns from a heartbeat only what it accepted in the heartbeat's own ballot, not in another ballot of the same round",
  visibility: 'hidden',
  points: 2,
  seeds: 5,
  description:
    `${sameRoundStory} About 0.6 s later n0 comes back and every link heals, while n3 or n4 still leads. n0 holds its command in s, of ` +
    "ballot {1, n0}, and the leader's heartbeats, of {1, n3} or {1, n4}, say that every slot up to past s is chosen: n0 must not take " +
    'its command as chosen (it was accepted in another ballot of the same round), and learns the no-op instead. Every operation returns.',
  setup: (implementation, seed) => {
    const { holeMs, n0BackMs } = sameRoundTimes('4.34', seed);
    return sameRoundSetup(implementation, holeMs, n0BackMs);
  },
  scenario: (context) => {
    const times = sameRoundTimes('4.34', context.seed);
    const actions: FaultAction[] = [...sameRoundStart(context, times), { atMs: times.n0BackMs, type: 'heal' }, { atMs: times.n0BackMs, type: 'restart', node: 0 }];
    return actions.sort((left, right) => left.atMs - right.atMs);
  },
});

// 4.S8: 4.S4's story with two earlier leaders of one round: ballots {2, c} and {2, c + 1} differ
// only in their leader's id. n0 holds "a" of the lower one; "b" of the higher one is chosen, and
// its heartbeat tells n0 that slot 1 is. A ballot's round alone says nothing: n0 must not take its
// "a" as chosen, and its phase 1, hearing "a" and "b" of round 2, must propose "b".
const { sameRound } = searchScenarios;

const sameRoundLeaders = search(8, {
  name: 'two earlier leaders of one round: ballots are ordered by round, then by leader (search)',
  visibility: 'hidden',
  points: 2,
  seeds: 1,
  description:
    `Breadth-first search until a new leader chooses slot 1, accepted by a majority in its own ballot (at most ${sameRound.maxDepth} steps): ` +
    `${sameRound.description}. n0 must not take "a" as chosen from a heartbeat of another ballot of the same round, and its phase 1 hears ` +
    '"a" and "b", both of round 2: it must propose "b", of the higher ballot. A leader that compares rounds alone may keep "a" where a ' +
    'majority accepted "b" (a command accepted by a majority is kept).',
  search: (implementation) => ({
    strategy: 'bfs' as const,
    expect: 'goal' as const,
    settings: scenarioSettings(implementation.MultiPaxosServer, sameRound),
  }),
});

// 4.S9: a no-op chosen in a higher ballot than a command that lost. n0 holds the command; its
// phase 1 hears it and the no-op: a no-op is a value like any other, and the higher ballot wins.
const { noOpChosen } = searchScenarios;

const noOpOutranks = search(9, {
  name: 'a no-op chosen in a higher ballot outranks a command of a lower one (search)',
  visibility: 'hidden',
  points: 2,
  seeds: 1,
  description:
    `Breadth-first search until a new leader chooses slot 1, accepted by a majority in its own ballot (at most ${noOpChosen.maxDepth} steps): ` +
    `${noOpChosen.description}. n0's phase 1 hears "a" (ballot 1) from its own acceptor and the no-op (ballot 2) from n1 or n2: it must ` +
    'propose the no-op. A leader that prefers a command to a no-op proposes "a" where a majority accepted the no-op (a command accepted ' +
    'by a majority is kept).',
  search: (implementation) => ({
    strategy: 'bfs' as const,
    expect: 'goal' as const,
    settings: scenarioSettings(implementation.MultiPaxosServer, noOpChosen),
  }),
});

export const hiddenTests: readonly SuiteTest<MultiPaxosImplementation>[] = [
  chaos,
  ring,
  laggingServer,
  followerCrashes,
  duplicatedPromises,
  tableAcrossRestarts,
  staleLeaderHeartbeats,
  leaderFurthestBehind,
  lateAccept,
  evenCluster,
  staleAcceptance,
  sameLeaderAgain,
  noOpOutranksCommand,
  sameRoundLeader,
  sameRoundFollower,
  sameRoundLeaders,
  noOpOutranks,
];
