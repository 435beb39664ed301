// Lab 2's hidden tests: graded with the visible ones wherever this file is present (the
// staff repository, the Gradescope bundle), and never part of a student's handout.
import type { FaultAction, SuiteTest } from 'distlab/testing';
import { electionCost, loneLeaderStaysSettled, steadyLeaderNotSuspected } from './checks.ts';
import { bully, bullyConfig, clusterSize, crash, maxDelayMs, restart, ring, ringConfig, test, type Algorithm, type Election, type ElectionImplementation } from './suite.ts';
import type { Bully, Ring } from './src/protocol.ts';

/** The first of the two neighbours that are dead in test 2B.14: never n0, and the second is never the highest. */
const firstDead = (nodeCount: number) => Math.max(1, Math.floor((nodeCount - 2) / 2));

const twoDeadSuccessorsTest = test(ring, 14, {
  name: 'ring: two dead successors in a row are skipped',
  visibility: 'hidden',
  points: 2,
  seeds: 14,
  description:
    'Heartbeats off. Two neighbours (neither the highest) crash at about 500 ms; the predecessor of the first starts an election at about ' +
    '1000 ms: its Election, and later the Coordinator, must skip both, each node after the one that did not acknowledge.',
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed, 4);
    const dead = firstDead(nodeCount);
    const crashMs = at(400, 600);
    const suspectMs = at(900, 1_100);
    return {
      nodeCount,
      heartbeats: false,
      suspects: [{ node: dead - 1, atMs: suspectMs }],
      faults: [crash(dead, crashMs), crash(dead + 1, crashMs + at(0, 50))],
      lastPlannedMs: suspectMs,
    };
  },
});

const leaderDiesAnnouncingTest = test(ring, 15, {
  name: 'ring: a Coordinator whose leader crashes on its way round dies out',
  visibility: 'hidden',
  points: 2,
  seeds: 14,
  description:
    'Heartbeats off, every message takes exactly D ms. n(N-1) starts an election at about 100 ms and crashes after it announced itself, ' +
    'before its Coordinator can come back to it: the Coordinator must be dropped once it has made more than N steps. n0 suspects the ' +
    'leader at about 1000 ms, and n(N-2) is elected.',
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed);
    const startMs = at(100, 200);
    // The Election goes once round in N hops of D; the Coordinator would be back N hops later.
    const announceMs = startMs + maxDelayMs * nodeCount;
    const crashMs = announceMs + at(1, maxDelayMs * (nodeCount - 1) - 1);
    const suspectMs = at(900, 1_100);
    return {
      nodeCount,
      heartbeats: false,
      fixedDelayMs: maxDelayMs,
      suspects: [
        { node: nodeCount - 1, atMs: startMs },
        { node: 0, atMs: suspectMs },
      ],
      faults: [crash(nodeCount - 1, crashMs)],
      lastPlannedMs: suspectMs,
    };
  },
});

/** No faults, heartbeats on: after the first election (T from the start), the leader's heartbeats keep every node from suspecting it. */
function steadyLeaderTest<P extends Election>(algorithm: Algorithm<P>, index: number): SuiteTest<ElectionImplementation> {
  return test(algorithm, index, {
    name: `${algorithm.title}: a leader whose heartbeats arrive is never suspected`,
    visibility: 'hidden',
    points: 1,
    seeds: 7,
    description:
      `No faults, heartbeats on. From T = ${algorithm.boundMs} ms, when the first election is over, to the end of the run one second ` +
      'later, the leader sends a heartbeat every heartbeatMs and nobody sends an Election.',
    plan: (seed) => ({
      nodeCount: clusterSize(seed),
      heartbeats: true,
      lastPlannedMs: 0,
      extra: [steadyLeaderNotSuspected<P>(algorithm.boundMs)],
    }),
  });
}

const lowerRestartTest = test(bully, 15, {
  name: 'bully: a restarted lower node learns the leader (heartbeats off)',
  visibility: 'hidden',
  points: 2,
  seeds: 14,
  description:
    'Heartbeats off. n0 starts the first election and n(N-1) leads; a lower node (drawn) crashes at about 1000 ms and restarts at about ' +
    '1500 ms. Its own election is all it has: the live leader it asks must answer Ok and hold an election of its own, which ends in a ' +
    'Coordinator.',
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed);
    const firstMs = at(100, 200);
    const restarted = at(0, nodeCount - 2);
    const crashMs = at(900, 1_100);
    const restartMs = at(1_400, 1_600);
    return {
      nodeCount,
      heartbeats: false,
      suspects: [{ node: 0, atMs: firstMs }],
      faults: [crash(restarted, crashMs), restart(restarted, restartMs)],
      lastPlannedMs: restartMs,
    };
  },
});

const higherRestartTest = test(bully, 16, {
  name: "bully: a restarted higher node is not talked out of its election by the lower leader's heartbeats",
  visibility: 'hidden',
  points: 2,
  seeds: 14,
  description:
    'Heartbeats on, N = 4 to 9. n(N-1) is elected first and crashes at about 500 ms; n(N-2) takes over, and crashes at about 1500 ms; ' +
    'n(N-3) takes over. n(N-2) restarts at about 2500 ms: it is the highest live id, and its election must end with it leading, ' +
    "though the heartbeats of the lower leader keep coming while it waits for an Ok: a node follows a heartbeat's sender only if it " +
    'is higher than itself.',
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed, 4);
    const top = nodeCount - 1;
    const firstCrashMs = at(400, 600);
    const secondCrashMs = at(1_400, 1_600);
    const restartMs = at(2_400, 2_600);
    return {
      nodeCount,
      heartbeats: true,
      suspects: [{ node: 0, atMs: 100 }],
      faults: [crash(top, firstCrashMs), crash(top - 1, secondCrashMs), restart(top - 1, restartMs)],
      lastPlannedMs: restartMs,
    };
  },
});

const aloneTest = test(ring, 17, {
  name: 'ring: a node whose Election finds every other node dead leads alone',
  visibility: 'hidden',
  points: 1,
  seeds: 14,
  description:
    'Heartbeats off. n(N-1) is elected first; then every node but one lower node (drawn) crashes at about 500 ms, and the survivor starts an ' +
    'election at about 1000 ms. Every successor is skipped in turn, and the survivor must lead, and then hold no more elections: ' +
    'nothing fails or is suspected after that.',
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed);
    // Not the leader of the first election, which would lead already.
    const survivor = at(0, nodeCount - 2);
    const crashMs = at(400, 600);
    const suspectMs = at(900, 1_100);
    const others = Array.from({ length: nodeCount }, (_unused, id) => id).filter((id) => id !== survivor);
    return {
      nodeCount,
      heartbeats: false,
      suspects: [
        { node: nodeCount - 1, atMs: 100 },
        { node: survivor, atMs: suspectMs },
      ],
      faults: others.map((id) => crash(id, crashMs)),
      lastPlannedMs: suspectMs,
      // Skipping the dead successors takes at most N - 1 Ack timeouts.
      extra: [loneLeaderStaysSettled<Ring>(suspectMs + nodeCount * ringConfig.ackTimeoutMs + 100)],
    };
  },
});

/** When 2A.18 and 2B.19 tell n(N-1) to suspect its leader the second time. */
const secondSuspicionMs = 1_050;

/** 2A.18 and 2B.19: heartbeats off, every message takes D, and n(N-1) is told SuspectLeader at 100 ms and again at 1050 ms. */
function twoElectionsOfTheHighest<P extends Election>(nodeCount: number, expected: number, formula: string) {
  return {
    nodeCount,
    heartbeats: false,
    fixedDelayMs: maxDelayMs,
    suspects: [
      { node: nodeCount - 1, atMs: 100 },
      { node: nodeCount - 1, atMs: secondSuspicionMs },
    ],
    lastPlannedMs: secondSuspicionMs,
    extra: [electionCost<P>(secondSuspicionMs, expected, formula)],
  };
}

/** 2B.19: the highest node holds two elections 950 ms apart, within the first one's coordinator timeout. */
const secondElectionTest = test(ring, 19, {
  name: "ring: a second election within the first one's coordinator timeout costs 2N messages too",
  visibility: 'hidden',
  kind: 'budget',
  points: 1,
  seeds: 7,
  description:
    `Heartbeats off, every message takes D ms, N = 3 to 9. n(N-1) starts an election at 100 ms and another at 1050 ms, while the ` +
    `first one's CoordinatorTimeout (${ringConfig.coordinatorTimeoutMs} ms) is still set. The second must cost 2N Election and ` +
    'Coordinator messages, as one election alone does (2B.10): a timer of an election that is over does nothing.',
  plan: (seed) => twoElectionsOfTheHighest<Ring>(clusterSize(seed), 2 * clusterSize(seed), '2N'),
});

/** When 2B.20 tells n(N-1) to suspect its leader, twice. */
const doubleSuspicionMs = [1_000, 1_005] as const;

/** 2B.20: n(N-1) is told SuspectLeader twice, 5 ms apart: it holds one election, not two. */
const doubleSuspicionTest = test(ring, 20, {
  name: 'ring: a node told twice to suspect its leader, 5 ms apart, holds one election',
  visibility: 'hidden',
  kind: 'budget',
  points: 1,
  seeds: 7,
  description:
    `Heartbeats off, every message takes D ms, N = 3 to 9. n(N-1) is told SuspectLeader at ${doubleSuspicionMs[0]} ms and again at ` +
    `${doubleSuspicionMs[1]} ms, while its first election is on its way round. A node that is a participant already starts no new election: ` +
    'the suspicions cost 2N Election and Coordinator messages, as one election does (2B.10).',
  plan: (seed) => {
    const nodeCount = clusterSize(seed);
    return {
      nodeCount,
      heartbeats: false,
      fixedDelayMs: maxDelayMs,
      suspects: doubleSuspicionMs.map((atMs) => ({ node: nodeCount - 1, atMs })),
      lastPlannedMs: doubleSuspicionMs[1],
      extra: [electionCost<Ring>(doubleSuspicionMs[0], 2 * nodeCount, '2N')],
    };
  },
});

/**
 * 2B.21: n0 is alone, and its own Election is being passed from one dead node to the next when
 * n(N-1) comes back; n0 passes on n(N-1)'s Election, and its own then runs out of nodes.
 */
const latestElectionTest = test(ring, 21, {
  name: "ring: a node's older Election that runs out of nodes does not make it lead",
  visibility: 'hidden',
  points: 1,
  seeds: 7,
  description:
    `Heartbeats off, every message takes D ms, N = 3 to 9. n(N-1) leads from about 100 ms; every other node but n0 crashes at 500 ms, and ` +
    `n0 is told SuspectLeader at 1000 ms. Its Election tries each dead node in turn, ${ringConfig.ackTimeoutMs} ms apart. n(N-1) restarts ` +
    "just after n0's Election to it arrived, while n0 still waits for its Ack: its own Election reaches n0, which passes it on. n0's own " +
    'Election then runs out of nodes to try, but it is no longer its latest: n0 must not lead, and n(N-1), the highest alive, is elected.',
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed);
    const highest = nodeCount - 1;
    const suspectMs = 1_000;
    // n0's Election reaches n(N-1), dead, D ms after n0 sends it there, and n0 gives up on it ackTimeoutMs after the send.
    const sentToHighestMs = suspectMs + ringConfig.ackTimeoutMs * (nodeCount - 2);
    const restartMs = sentToHighestMs + maxDelayMs + at(1, ringConfig.ackTimeoutMs - 2 * maxDelayMs - 1);
    return {
      nodeCount,
      heartbeats: false,
      fixedDelayMs: maxDelayMs,
      suspects: [
        { node: highest, atMs: 100 },
        { node: 0, atMs: suspectMs },
      ],
      faults: [...Array.from({ length: highest }, (_unused, index) => crash(index + 1, 500)), restart(highest, restartMs)],
      lastPlannedMs: restartMs,
    };
  },
});

/** 2A.18: the leader itself is told SuspectLeader; like any node, it holds an election. */
const leaderSuspectsTest = test(bully, 18, {
  name: 'bully: a leader told SuspectLeader holds an election too',
  visibility: 'hidden',
  kind: 'budget',
  points: 1,
  seeds: 7,
  description:
    'Heartbeats off, every message takes D ms, N = 3 to 9. n(N-1) starts an election at 100 ms and leads; at 1050 ms it is told ' +
    'SuspectLeader. A node told SuspectLeader holds an election, whoever it follows: with no higher id to ask, n(N-1) declares itself ' +
    'again, which costs N-1 Coordinators.',
  plan: (seed) => twoElectionsOfTheHighest<Bully>(clusterSize(seed), clusterSize(seed) - 1, 'N-1'),
});

/**
 * Eleven to thirteen nodes, heartbeats on: the first leader is n10 or above, and so is the next
 * one in most runs. Ids are numbers; ids ordered as text (JavaScript's default sort, or a
 * comparison of strings) put n9 above them, which clusters of 3 to 9 nodes never show.
 */
function largeClusterTest<P extends Election>(algorithm: Algorithm<P>, index: number): SuiteTest<ElectionImplementation> {
  const crashFromMs = algorithm.boundMs + 500;
  return test(algorithm, index, {
    name: `${algorithm.title}: eleven to thirteen nodes, the leader crashes; ids are compared as numbers`,
    visibility: 'hidden',
    points: 1,
    seeds: 6,
    description:
      `Heartbeats on, 11 to 13 nodes. Within T = ${algorithm.boundMs} ms every node follows n(N-1); the leader then crashes between ` +
      `${crashFromMs} and ${crashFromMs + 100} ms, and within T every live node follows n(N-2).`,
    plan: (seed, at) => {
      const nodeCount = 11 + ((seed - 1) % 3);
      const crashMs = at(crashFromMs, crashFromMs + 100);
      return { nodeCount, heartbeats: true, faults: [crash(nodeCount - 1, crashMs)], lastPlannedMs: crashMs };
    },
  });
}

/**
 * 2A.19 and 2B.22: heartbeats off, every message takes exactly D ms; n0 starts the first
 * election at `firstMs` and the second at `secondMs`, and `faults` (the last of which ends the
 * plan) fall around the second.
 */
function secondElectionOfN0(nodeCount: number, firstMs: number, secondMs: number, faults: readonly FaultAction[]) {
  return {
    nodeCount,
    heartbeats: false,
    fixedDelayMs: maxDelayMs,
    suspects: [
      { node: 0, atMs: firstMs },
      { node: 0, atMs: secondMs },
    ],
    faults,
    lastPlannedMs: Math.max(...faults.map((fault) => fault.atMs)),
  };
}

/**
 * 2A.19: 2A.8 in a second election. Heartbeats off, n0 starts the first election; the leader
 * dies; in the election n0 starts next, n(N-2) answers Ok and crashes before it announces
 * itself. Whatever the first election left behind (a timer cancelled, a flag still set), the
 * second must set its coordinator timeout again.
 */
const secondCandidateCrashesTest = test(bully, 19, {
  name: 'bully: a candidate that crashes after answering Ok in a second election does not stall it',
  visibility: 'hidden',
  points: 1,
  seeds: 14,
  description:
    'Heartbeats off, every message takes exactly D ms. n0 starts the first election at about 100 ms and n(N-1) leads; n(N-1) dies at about ' +
    '500 ms; n0 suspects it at about 1000 ms, and n(N-2) answers Ok, then crashes before it can announce itself. The nodes waiting for its ' +
    'Coordinator must give up, as in 2A.8, and elect n(N-3).',
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed);
    const deadMs = at(400, 600);
    const suspectMs = at(900, 1_100);
    // n(N-2) answers Ok at suspectMs + D and cannot declare itself before answerTimeoutMs after that.
    const crashMs = suspectMs + maxDelayMs + at(1, bullyConfig.answerTimeoutMs - 1);
    return secondElectionOfN0(nodeCount, at(100, 200), suspectMs, [crash(nodeCount - 1, deadMs), crash(nodeCount - 2, crashMs)]);
  },
});

/** 2A.20: a node that took no part in an election follows its Coordinator, though it names a node below the leader it knew. */
const bystanderFollowsTest = test(bully, 20, {
  name: "bully: a node that took no part in an election follows its winner, below the leader it knew",
  visibility: 'hidden',
  points: 1,
  seeds: 14,
  description:
    'Heartbeats off. n0 starts the first election and n(N-1) leads; n(N-1) dies at about 500 ms, and a node between n1 and n(N-2) (drawn) ' +
    "suspects it at about 1000 ms. n0 is told nothing and sends no Election: the winner's Coordinator is all it hears, and it names a node " +
    'below the leader n0 knew. On Coordinator from j, j leads: n0 must follow it.',
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed);
    const suspectMs = at(900, 1_100);
    return {
      nodeCount,
      heartbeats: false,
      suspects: [
        { node: 0, atMs: at(100, 200) },
        { node: at(1, nodeCount - 2), atMs: suspectMs },
      ],
      faults: [crash(nodeCount - 1, at(400, 600))],
      lastPlannedMs: suspectMs,
    };
  },
});

/**
 * 2A.21 and 2B.23: heartbeats on. n(N-1) dies and n(N-2) takes over; then every node but n0 and
 * n(N-2) dies, and n0 crashes and restarts. Its own election ends with n(N-2)'s Coordinator,
 * and n(N-2) crashes before its next heartbeat can reach n0: a node that learned its leader
 * from a Coordinator must suspect it when no heartbeat follows, or n0, the only live node,
 * follows the dead n(N-2) for good. `announcedAfterMs(N)`: when n(N-2) announces itself after
 * n0's restart, every message taking D ms; the crash falls `crashWindowMs` after that.
 */
function newLeaderDiesTest<P extends Election>(
  algorithm: Algorithm<P>,
  index: number,
  announcedAfterMs: (nodeCount: number) => number,
  crashWindowMs: readonly [number, number],
): SuiteTest<ElectionImplementation> {
  return test(algorithm, index, {
    name: `${algorithm.title}: a leader learned from a Coordinator and never heard again is suspected`,
    visibility: 'hidden',
    points: 1,
    seeds: 14,
    description:
      'Heartbeats on, every message takes exactly D ms. n(N-1) dies at about 500 ms and n(N-2) takes over; every other node but n0 dies at ' +
      'about 1500 ms; n0 crashes at about 2000 ms and restarts 100 to 200 ms later. Its own election ends with the Coordinator of n(N-2), ' +
      'which crashes before its next heartbeat reaches n0. n0 must suspect it, and lead: it is the only live node.',
    plan: (seed, at) => {
      const nodeCount = clusterSize(seed);
      const others = Array.from({ length: nodeCount - 3 }, (_unused, index) => index + 1);
      const crashMs = at(1_900, 2_100);
      const restartMs = crashMs + at(100, 200);
      const leaderCrashMs = restartMs + announcedAfterMs(nodeCount) + at(crashWindowMs[0], crashWindowMs[1]);
      return {
        nodeCount,
        heartbeats: true,
        fixedDelayMs: maxDelayMs,
        faults: [
          crash(nodeCount - 1, at(400, 600)),
          ...others.map((id) => crash(id, at(1_400, 1_600))),
          crash(0, crashMs),
          restart(0, restartMs),
          crash(nodeCount - 2, leaderCrashMs),
        ],
        lastPlannedMs: leaderCrashMs,
      };
    },
  });
}

/**
 * 2A.22 and 2B.25: heartbeats off; the highest id crashes and restarts twice, a lower node
 * taking over each time in between. Each restart is a restart (`startedBefore` stays set):
 * the second must hold an election too.
 */
function restartsTwiceTest<P extends Election>(algorithm: Algorithm<P>, index: number): SuiteTest<ElectionImplementation> {
  return test(algorithm, index, {
    name: `${algorithm.title}: a highest id that restarts twice holds an election each time (heartbeats off)`,
    visibility: 'hidden',
    points: 1,
    seeds: 14,
    description:
      'Heartbeats off. n0 starts the first election. n(N-1) crashes at about 500 ms, a lower node notices, and n(N-2) takes over; n(N-1) ' +
      'restarts at about 1500 ms and leads again. The same happens again: crash at about 2500 ms, a lower node takes over, restart at ' +
      'about 3500 ms: its own election must make it lead again.',
    plan: (seed, at) => {
      const nodeCount = clusterSize(seed);
      const top = nodeCount - 1;
      const firstCrashMs = at(400, 600);
      const secondCrashMs = at(2_400, 2_600);
      const lastRestartMs = at(3_400, 3_600);
      return {
        nodeCount,
        heartbeats: false,
        suspects: [
          { node: 0, atMs: at(100, 200) },
          { node: at(0, nodeCount - 2), atMs: firstCrashMs + at(100, 300) },
          { node: at(0, nodeCount - 2), atMs: secondCrashMs + at(100, 300) },
        ],
        faults: [crash(top, firstCrashMs), restart(top, at(1_400, 1_600)), crash(top, secondCrashMs), restart(top, lastRestartMs)],
        lastPlannedMs: lastRestartMs,
      };
    },
  });
}

/** 2B.22: 2B.9 in a second election: the first election's timers, cancelled or fired, leave the second its own coordinator timeout. */
const secondLostCandidateTest = test(ring, 22, {
  name: 'ring: an election whose candidate crashes is restarted by timeout, in a second election too',
  visibility: 'hidden',
  points: 1,
  seeds: 14,
  description:
    'Heartbeats off, every message takes exactly D ms. n0 starts the first election at about 100 ms and n(N-1) is elected; n0 starts ' +
    'another at about 1200 ms, and n(N-1) crashes after it put its own id in that Election and before the Election can come back to it. ' +
    'The Election is lost; the participants time out, as in 2B.9, and elect n(N-2).',
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed);
    const suspectMs = at(1_100, 1_300);
    // n(N-1) puts its id in after N-1 hops of D; the Election would be back N hops later.
    const crashMs = suspectMs + maxDelayMs * (nodeCount - 1) + at(1, maxDelayMs * nodeCount - 1);
    return secondElectionOfN0(nodeCount, at(100, 200), suspectMs, [crash(nodeCount - 1, crashMs)]);
  },
});

/**
 * 2B.24: n(N-1) restarts while a lower node's election runs without it; its own election
 * announces it, and the lower node's Coordinator reaches it afterwards. A Coordinator naming a
 * node smaller than its receiver makes the receiver start an election of its own.
 */
const restartDuringElectionTest = test(ring, 24, {
  name: "ring: a highest id that restarts during a lower node's election takes over from its Coordinator",
  visibility: 'hidden',
  points: 1,
  seeds: 14,
  description:
    'Heartbeats off, every message takes exactly D ms. n0 starts the first election and n(N-1) leads; n(N-1) crashes at about 1000 ms; ' +
    "n1 suspects it at about 1100 ms, and n(N-1) restarts just after n1's election found it dead. Its own election announces it, and " +
    "the lower winner's Coordinator, on its way round, reaches it afterwards: it must start an election of its own, and lead.",
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed);
    const suspectMs = at(1_050, 1_150);
    // n1's Election reaches n(N-1), dead, after N-2 hops of D.
    const restartMs = suspectMs + maxDelayMs * (nodeCount - 2) + at(1, maxDelayMs);
    return {
      nodeCount,
      heartbeats: false,
      fixedDelayMs: maxDelayMs,
      suspects: [
        { node: 0, atMs: at(100, 200) },
        { node: 1, atMs: suspectMs },
      ],
      faults: [crash(nodeCount - 1, at(950, 1_000)), restart(nodeCount - 1, restartMs)],
      lastPlannedMs: restartMs,
    };
  },
});

/**
 * 2B.26: n0 passes on n(N-1)'s Election, and then every other node dies: its latest Election
 * carries a larger candidate that is gone. The handout lets a node alone lead at once, or send
 * its Election on to itself until `hops` passes N and its coordinator timeout starts an election
 * of its own: either way it leads within T.
 */
const aloneWithDeadCandidateTest = test(ring, 26, {
  name: "ring: a node left alone while it passes on a larger candidate's Election leads",
  visibility: 'hidden',
  points: 1,
  seeds: 7,
  description:
    'Heartbeats off, every message takes exactly D ms. n(N-1) leads from about 100 ms and starts another election at about 1000 ms; n0 ' +
    'passes its Election on, and every node but n0 crashes before n1 gets it. n0 is alone, and its latest Election names a dead ' +
    'candidate: whether it leads at once or sends that Election round itself until it is dropped and its coordinator timeout ends ' +
    'the wait, it must lead within T.',
  plan: (seed, at) => {
    const nodeCount = clusterSize(seed);
    const suspectMs = at(950, 1_050);
    // n(N-1)'s Election reaches n0 after D, and n1 after 2D.
    const crashMs = suspectMs + maxDelayMs + at(1, maxDelayMs - 1);
    return {
      nodeCount,
      heartbeats: false,
      fixedDelayMs: maxDelayMs,
      suspects: [
        { node: nodeCount - 1, atMs: 100 },
        { node: nodeCount - 1, atMs: suspectMs },
      ],
      faults: Array.from({ length: nodeCount - 1 }, (_unused, index) => crash(index + 1, crashMs)),
      lastPlannedMs: crashMs,
    };
  },
});

export const hiddenTests: readonly SuiteTest<ElectionImplementation>[] = [
  steadyLeaderTest(bully, 14),
  lowerRestartTest,
  higherRestartTest,
  twoDeadSuccessorsTest,
  leaderDiesAnnouncingTest,
  steadyLeaderTest(ring, 16),
  aloneTest,
  largeClusterTest(bully, 17),
  largeClusterTest(ring, 18),
  secondElectionTest,
  leaderSuspectsTest,
  doubleSuspicionTest,
  latestElectionTest,
  secondCandidateCrashesTest,
  bystanderFollowsTest,
  // n0's Election reaches n(N-2) after D; n(N-2) holds an election, and declares answerTimeoutMs later; its next heartbeat is heartbeatMs away.
  newLeaderDiesTest(bully, 21, () => maxDelayMs + bullyConfig.answerTimeoutMs, [1, 40]),
  restartsTwiceTest(bully, 22),
  secondLostCandidateTest,
  // n0's Election skips N-3 dead nodes (an Ack timeout each) to reach n(N-2); n(N-2)'s own skips n(N-1) to reach n0, which passes it on
  // past the dead again: three deliveries and 2(N-3) + 1 Ack timeouts. Its Coordinator skips n(N-1) to reach n0 an Ack timeout and D later.
  newLeaderDiesTest(ring, 23, (nodeCount) => (2 * (nodeCount - 3) + 1) * ringConfig.ackTimeoutMs + 3 * maxDelayMs, [ringConfig.ackTimeoutMs + 1, 49]),
  restartDuringElectionTest,
  restartsTwiceTest(ring, 25),
  aloneWithDeadCandidateTest,
];
