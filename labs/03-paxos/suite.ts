// Lab 3's graded suite: single-decree Paxos. Data only: it names the class it needs and
// never imports an implementation.
import fc from 'fast-check';
import {
  combineSchedules,
  crashRestarts,
  isolations,
  partitions,
  runTest,
  searchTest,
  type FaultAction,
  type FaultContext,
  type FaultSchedule,
  type SuiteTest,
  type LabSuite,
  type NetworkSettings,
  type NodeClass,
  type NodeId,
  type Property,
  type RunSetup,
  type RunTest,
  type SearchTest,
  type Workload,
} from 'distlab/testing';
import { everyLearnerLearns, messageCost, nothingLearnedBefore, onlyValueLearned, safetyProperties } from './checks.ts';
import { paxosSearch } from './search.ts';
import type { Paxos } from './src/protocol.ts';

export interface PaxosImplementation {
  readonly PaxosNode: NodeClass<Paxos>;
}

/** D: once the network is stable, every message arrives within this many ms. */
export const maxDelayMs = 10;
/** A proposer retries after a random time in this range (5D to 25D). */
export const retryMs: readonly [number, number] = [50, 250];
/** An undecided learner asks the other learners this often (10D). */
export const askEveryMs = 100;
/** T: once the network is stable and every node is up, every learner learns within this bound. */
export const boundMs = 2_000;

/** Who plays what. Node ids are 0..nodeCount-1. */
export interface Layout {
  readonly nodeCount: number;
  readonly proposers: readonly NodeId[];
  readonly acceptors: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

const range = (from: number, count: number): NodeId[] => Array.from({ length: count }, (_unused, index) => from + index);

/** N nodes, each an acceptor and a learner; the first `proposerCount` are proposers too. */
export function shared(acceptorCount: number, proposerCount: number): Layout {
  const everyone = range(0, acceptorCount);
  return { nodeCount: acceptorCount, proposers: range(0, proposerCount), acceptors: everyone, learners: everyone };
}

/** Proposers first, then acceptors, then learners, each on nodes of their own. */
export function separate(acceptorCount: number, proposerCount: number, learnerCount: number): Layout {
  return {
    nodeCount: proposerCount + acceptorCount + learnerCount,
    proposers: range(0, proposerCount),
    acceptors: range(proposerCount, acceptorCount),
    learners: range(proposerCount + acceptorCount, learnerCount),
  };
}

/** Proposers on nodes of their own; acceptors after them. Learners: every node, or only the acceptors. */
export function proposersApart(acceptorCount: number, proposerCount: number, proposersLearn = true): Layout {
  const nodeCount = proposerCount + acceptorCount;
  const acceptors = range(proposerCount, acceptorCount);
  return { nodeCount, proposers: range(0, proposerCount), acceptors, learners: proposersLearn ? range(0, nodeCount) : acceptors };
}

/** Seeds 1, 2, 3, ... cycle through `options`. */
const pick = <T>(options: readonly T[], seed: number): T => options[(seed - 1) % options.length] as T;

/** The value proposer `id` is asked to propose. */
export const valueOf = (id: NodeId) => `v${id}`;

export const stableNetwork: Partial<NetworkSettings> = { delay: { kind: 'uniform', minMs: 1, maxMs: maxDelayMs }, dropRate: 0, duplicateRate: 0 };

interface Proposal {
  readonly node: NodeId;
  /** Given at a random time in this window (the seed's workload draws it). */
  readonly atMs: readonly [number, number];
}

/** Gives each Propose input at a time the run's workload draws from its window. */
function proposals(list: readonly Proposal[]): Workload<Paxos> {
  return {
    start(context) {
      for (const proposal of list) {
        const [from, to] = proposal.atMs;
        context.input(proposal.node, { type: 'Propose', value: valueOf(proposal.node) }, from === to ? from : context.random.integer(from, to));
      }
    },
  };
}

interface Scenario {
  readonly layout: Layout;
  readonly proposals: readonly Proposal[];
  readonly durationMs: number;
  readonly network?: Partial<NetworkSettings>;
  /** Says how the run's deadline was set, for the termination message. */
  readonly deadline: string;
  readonly extra?: Property<Paxos>[];
}

function scenario(implementation: PaxosImplementation, settings: Scenario): RunSetup<Paxos> {
  const { layout } = settings;
  return {
    nodes: Array.from({ length: layout.nodeCount }, () => ({ role: 'server' as const, node: implementation.PaxosNode })),
    config: { proposers: layout.proposers, acceptors: layout.acceptors, learners: layout.learners, retryMs, askEveryMs },
    network: { ...stableNetwork, ...settings.network },
    durationMs: settings.durationMs,
    workload: proposals(settings.proposals),
    properties: [
      ...safetyProperties(layout),
      everyLearnerLearns(layout.learners, settings.deadline),
      ...(settings.extra ?? []),
    ],
  };
}

type PaxosRunTest = RunTest<Paxos, PaxosImplementation>;

function test(
  index: number,
  fields: Omit<PaxosRunTest, 'number' | 'part' | 'kind' | 'visibility'> & Partial<Pick<PaxosRunTest, 'kind' | 'visibility'>>,
): SuiteTest<PaxosImplementation> {
  return runTest<Paxos, PaxosImplementation>({ kind: 'run', visibility: 'visible', ...fields, number: `3.${index}`, part: '' });
}

/** A fixed fault schedule, computed from the cluster (shown, and shrunk, like any other). */
const fixed = (faults: (context: FaultContext<Paxos>) => FaultAction[]) => (context: FaultContext<Paxos>) => fc.constant<FaultSchedule>(faults(context));

/** The end of a chaotic phase: links healed, every node restarted, the network stable. */
function stabilize(atMs: number, nodes: readonly NodeId[]): FaultAction[] {
  return [
    { atMs, type: 'heal' },
    ...nodes.map((node): FaultAction => ({ atMs, type: 'restart', node })),
    { atMs, type: 'network', ...stableNetwork },
  ];
}

/** A chaotic network from 0 ms: losses, duplicates, and long, exponentially distributed delays. */
function chaoticNetwork(maxDropRate: number): fc.Arbitrary<FaultSchedule> {
  return fc
    .record({
      dropRate: fc.noBias(fc.integer({ min: 0, max: Math.round(maxDropRate * 100) })),
      duplicateRate: fc.noBias(fc.integer({ min: 0, max: 30 })),
      meanMs: fc.noBias(fc.integer({ min: 5, max: 60 })),
    })
    .map(({ dropRate, duplicateRate, meanMs }): FaultSchedule => [
      {
        atMs: 0,
        type: 'network',
        dropRate: dropRate / 100,
        duplicateRate: duplicateRate / 100,
        delay: { kind: 'exponential', meanMs, maxMs: 20 * meanMs },
      },
    ]);
}

const afterStable = (stableAtMs: number) => `(the network is stable and every node up from ${stableAtMs} ms; the bound is T = ${boundMs} ms after that)`;

// 3.1

const smokeTest = test(1, {
  name: 'one proposer, three acceptors, no faults: every learner learns the proposed value',
  points: 1,
  seeds: 10,
  description: 'The smoke test: n0 proposes v0; n0, n1 and n2 are acceptors and learners; messages take 1 to D ms and none is lost.',
  setup: (implementation) =>
    scenario(implementation, {
      layout: shared(3, 1),
      proposals: [{ node: 0, atMs: [0, 100] }],
      durationMs: 100 + boundMs,
      deadline: afterStable(100),
      extra: [onlyValueLearned(valueOf(0), 'n0 proposed v0 and nobody else proposed anything')],
    }),
});

// 3.2

/** The layouts of test 3.2, one per seed in turn. */
const configurations: readonly Layout[] = [
  shared(3, 2),
  shared(4, 2),
  shared(5, 2),
  separate(3, 2, 2),
  separate(4, 2, 2),
  separate(5, 2, 3),
];

const describeLayout = (layout: Layout) =>
  `proposers ${layout.proposers.map((id) => `n${id}`).join(',')}; acceptors ${layout.acceptors.map((id) => `n${id}`).join(',')}; ` +
  `learners ${layout.learners.map((id) => `n${id}`).join(',')}`;

const configurationsTest = test(2, {
  name: '3, 4 and 5 acceptors, roles shared or on separate nodes: everyone decides despite lost messages',
  points: 2,
  seeds: 24,
  description:
    'Seeds cycle through six layouts (' +
    configurations.map(describeLayout).join(' / ') +
    '). Two proposers at random times; 10% of messages are lost, so proposers retry and learners ask.',
  setup: (implementation, seed) => {
    const layout = pick(configurations, seed);
    return scenario(implementation, {
      layout,
      proposals: layout.proposers.map((node) => ({ node, atMs: [0, 300] })),
      network: { dropRate: 0.1 },
      durationMs: 300 + 3 * boundMs,
      deadline: `(messages are lost all along; the bound is 3T = ${3 * boundMs} ms after the last proposal)`,
    });
  },
});

// 3.3

const duels: readonly Layout[] = [shared(3, 2), shared(4, 2), shared(5, 2), shared(3, 3), shared(4, 3), shared(5, 3)];

const duelingTest = test(3, {
  name: 'dueling proposers: 2 or 3 proposers with different values at the same instant agree on one',
  points: 3,
  seeds: 30,
  description:
    'N = 3 to 5 nodes, each an acceptor and a learner; two or three of them propose different values at 0 ms. Lower ballots ' +
    'are rejected, and the randomized back-off lets one proposer finish.',
  setup: (implementation, seed) => {
    const layout = pick(duels, seed);
    return scenario(implementation, {
      layout,
      proposals: layout.proposers.map((node) => ({ node, atMs: [0, 0] })),
      durationMs: boundMs,
      deadline: afterStable(0),
    });
  },
});

// 3.4

/** Test 3.4's partitions: no group holds a majority of the acceptors, and each group with a proposer is a minority. */
function minoritySplit(nodeCount: number): { groups: NodeId[][]; proposers: NodeId[] } {
  if (nodeCount === 3) return { groups: [[0], [1, 2]], proposers: [0] };
  if (nodeCount === 4) return { groups: [[0, 1], [2, 3]], proposers: [0, 2] };
  return { groups: [[0, 1], [2, 3, 4]], proposers: [0, 1] };
}

const healAtMs = 1_500;

const minorityTest = test(4, {
  name: 'no decision without a majority: nothing is learned while the proposers reach only a minority, everything after the heal',
  points: 3,
  seeds: 15,
  description:
    `N = 3 to 5 nodes, each an acceptor and a learner, split until ${healAtMs} ms so that no proposer reaches a majority ` +
    '(3: {n0} | {n1,n2}, proposer n0; 4: {n0,n1} | {n2,n3}, proposers n0 and n2; 5: {n0,n1} | {n2,n3,n4}, proposers n0 and n1). ' +
    `Nobody may learn before the heal; every learner must learn within T = ${boundMs} ms after it.`,
  setup: (implementation, seed) => {
    const nodeCount = 3 + ((seed - 1) % 3);
    const { proposers } = minoritySplit(nodeCount);
    const layout = { ...shared(nodeCount, 0), proposers };
    return scenario(implementation, {
      layout,
      proposals: proposers.map((node) => ({ node, atMs: [0, 200] })),
      durationMs: healAtMs + boundMs,
      deadline: afterStable(healAtMs),
      extra: [nothingLearnedBefore(healAtMs, `no proposer could reach a majority of the acceptors (the partition healed only at ${healAtMs} ms)`)],
    });
  },
  faults: fixed((cluster) => [
    { atMs: 0, type: 'partition', groups: minoritySplit(cluster.servers.length).groups },
    { atMs: healAtMs, type: 'heal' },
  ]),
});

// 3.5

const cutOffUntilMs = 1_000;

/** Test 3.5's layout: n1 is a proposer only; n0 and n2..nN are acceptors and learners, and n0 proposes too. */
function cutOffLayout(acceptorCount: number): Layout {
  const acceptors = [0, ...range(2, acceptorCount - 1)];
  return { nodeCount: acceptorCount + 1, proposers: [0, 1], acceptors, learners: acceptors };
}

const cutOffTest = test(5, {
  name: 'a proposer cut off while v0 was chosen proposes v1 after the heal: everyone keeps v0',
  points: 3,
  seeds: 18,
  description:
    `3 to 5 acceptors; n0 proposes v0, and n1, a proposer only (neither acceptor nor learner), is isolated from 0 to ${cutOffUntilMs} ms ` +
    'while v0 is chosen. n1 is asked to propose v1 during the isolation (odd seeds: its ballots keep rising) or after the heal ' +
    '(even seeds). Its phase 1 must find v0 and propose it again: no acceptor may accept v1.',
  setup: (implementation, seed) => {
    const layout = cutOffLayout(3 + ((seed - 1) % 3));
    const lateAtMs: [number, number] = seed % 2 === 1 ? [200, 400] : [cutOffUntilMs + 1, cutOffUntilMs + 50];
    return scenario(implementation, {
      layout,
      proposals: [
        { node: 0, atMs: [0, 50] },
        { node: 1, atMs: lateAtMs },
      ],
      durationMs: cutOffUntilMs + 50 + boundMs,
      deadline: afterStable(cutOffUntilMs + 50),
      extra: [onlyValueLearned(valueOf(0), `v0 was chosen while n1 was cut off (until ${cutOffUntilMs} ms)`)],
    });
  },
  faults: fixed(() => [
    { atMs: 0, type: 'isolate', node: 1 },
    { atMs: cutOffUntilMs, type: 'heal' },
  ]),
});

// 3.6

const restartsEndMs = 600;
const restartsStableMs = 800;
const restartLayouts: readonly Layout[] = [proposersApart(3, 2, false), proposersApart(3, 3, false), proposersApart(5, 2, false), proposersApart(5, 3, false)];

const restartsTest = test(6, {
  name: 'acceptors that crash and restart while proposers duel keep their promises',
  points: 3,
  seeds: 24,
  description:
    'Two or three proposers on nodes of their own (not learners) start one after the other, the highest id first, so that each ' +
    'newcomer\'s first ballot is below the promises already made; 3 or 5 acceptors (also the learners) crash and restart again ' +
    `and again until ${restartsEndMs} ms; messages are duplicated and delayed (exponentially) until ${restartsStableMs} ms. ` +
    'An acceptor that forgets its promise in a restart promises or accepts below it, which its messages show.',
  setup: (implementation, seed) => {
    const layout = pick(restartLayouts, seed);
    return scenario(implementation, {
      layout,
      // The highest id first: each later proposer's first ballot is below the promises already made.
      proposals: [...layout.proposers].reverse().map((node, index): Proposal => ({ node, atMs: index === 0 ? [0, 0] : [200 * index - 100, 200 * index + 100] })),
      network: { duplicateRate: 0.25, delay: { kind: 'exponential', meanMs: 25, maxMs: 400 } },
      durationMs: restartsStableMs + boundMs,
      deadline: afterStable(restartsStableMs),
    });
  },
  faults: (context) =>
    combineSchedules(
      crashRestarts(context.config.acceptors, { count: [3, 8], withinMs: [0, restartsEndMs - 100], lengthMs: [1, 80] }),
      fc.constant<FaultSchedule>(stabilize(restartsStableMs, context.config.acceptors)),
    ),
});

// 3.7

const chaosEndMs = 3_000;
const chaosLayouts: readonly Layout[] = [shared(3, 1), shared(4, 2), shared(5, 3), shared(3, 2), shared(4, 3), shared(5, 2)];

const chaosTest = test(7, {
  name: 'chaos, then calm: safe throughout, and every learner learns within T once the network is stable',
  points: 4,
  seeds: 30,
  description:
    `Until ${chaosEndMs} ms: losses, duplicates and exponential delays (drawn per seed), crashes and restarts, partitions and ` +
    `isolations. At ${chaosEndMs} ms everything heals, every node is up, delays are 1 to D ms and nothing is lost; the proposers ` +
    `are asked again (a restart forgets the value to propose). Every learner must learn within T = ${boundMs} ms.`,
  setup: (implementation, seed) => {
    const layout = pick(chaosLayouts, seed);
    return scenario(implementation, {
      layout,
      proposals: [
        ...layout.proposers.map((node): Proposal => ({ node, atMs: [0, 500] })),
        ...layout.proposers.map((node): Proposal => ({ node, atMs: [chaosEndMs + 1, chaosEndMs + 1] })),
      ],
      durationMs: chaosEndMs + boundMs,
      deadline: afterStable(chaosEndMs),
    });
  },
  faults: (cluster) => {
    const window = { withinMs: [0, chaosEndMs - 500] as const };
    return combineSchedules(
      chaoticNetwork(0.4),
      crashRestarts(cluster.servers, { ...window, count: [0, 4], lengthMs: [10, 500] }),
      partitions(cluster.servers, { ...window, count: [0, 2], lengthMs: [50, 500] }),
      isolations(cluster.servers, { ...window, count: [0, 2], lengthMs: [50, 500] }),
      fc.constant<FaultSchedule>(stabilize(chaosEndMs, cluster.servers)),
    );
  },
});

// 3.8

/** Messages for one decision, one proposer, N nodes that are all acceptors and learners. */
export const costFormula = 'N(N-1) + 3(N-1)';
export const expectedCost = (nodeCount: number) => nodeCount * (nodeCount - 1) + 3 * (nodeCount - 1);

const budgetTest = test(8, {
  name: `one proposer, no faults: exactly ${costFormula} messages for a decision`,
  kind: 'budget',
  points: 1,
  seeds: 6,
  description:
    'N = 3 to 5 nodes, each an acceptor and a learner; n0 alone proposes. Prepare, Promise and Accept go to and from the N-1 ' +
    'other acceptors, each acceptor sends Accepted to the N-1 other learners, and nobody needs to retry or ask (a message to oneself is free).',
  setup: (implementation, seed) => {
    const nodeCount = 3 + ((seed - 1) % 3);
    return scenario(implementation, {
      layout: shared(nodeCount, 1),
      proposals: [{ node: 0, atMs: [0, 0] }],
      durationMs: boundMs,
      deadline: afterStable(0),
      extra: [messageCost(expectedCost(nodeCount), costFormula)],
    });
  },
  measure: (result, seed) => {
    const nodeCount = 3 + ((seed - 1) % 3);
    return { [`measured@${nodeCount}`]: result.counters.messagesSent, [`formula@${nodeCount}`]: expectedCost(nodeCount) };
  },
});

// 3.9, 3.10 (hidden)

const mixedLayouts: readonly Layout[] = [separate(5, 3, 2), shared(5, 3), proposersApart(5, 3), separate(3, 2, 4), shared(7, 4), proposersApart(4, 2)];

const everythingTest = test(9, {
  name: 'everything at once: chaos with up to 7 acceptors, separate roles and 4 proposers',
  visibility: 'hidden',
  points: 3,
  seeds: 30,
  description:
    'The chaos of 3.7 over more layouts, some with roles on separate nodes. Proposers that are not acceptors do not crash ' +
    '(they keep no durable state to remember their ballots).',
  setup: (implementation, seed) => {
    const layout = pick(mixedLayouts, seed);
    return scenario(implementation, {
      layout,
      proposals: [
        ...layout.proposers.map((node): Proposal => ({ node, atMs: [0, 1_000] })),
        ...layout.proposers.map((node): Proposal => ({ node, atMs: [chaosEndMs + 1, chaosEndMs + 1] })),
      ],
      durationMs: chaosEndMs + boundMs,
      deadline: afterStable(chaosEndMs),
    });
  },
  faults: (cluster) => {
    // Each layout has its own number of nodes, which tells it.
    const layout = mixedLayouts.find((candidate) => candidate.nodeCount === cluster.servers.length);
    const nodes = layout ? crashable(layout) : cluster.servers;
    const window = { withinMs: [0, chaosEndMs - 500] as const };
    return combineSchedules(
      chaoticNetwork(0.4),
      crashRestarts(nodes, { ...window, count: [0, 6], lengthMs: [10, 800] }),
      partitions(cluster.servers, { ...window, count: [0, 3], lengthMs: [50, 800] }),
      isolations(cluster.servers, { ...window, count: [0, 3], lengthMs: [50, 800] }),
      fc.constant<FaultSchedule>(stabilize(chaosEndMs, cluster.servers)),
    );
  },
});

/** The nodes that may crash: all but proposers that are not acceptors. */
function crashable(layout: Layout): NodeId[] {
  return range(0, layout.nodeCount).filter((id) => !layout.proposers.includes(id) || layout.acceptors.includes(id));
}

const crowdTest = test(10, {
  name: 'a crowd of proposers: 5 proposers, messages duplicated and reordered, nobody crashes',
  visibility: 'hidden',
  points: 2,
  seeds: 20,
  description: 'Five nodes, all proposers, acceptors and learners, propose within 20 ms of each other on a network that duplicates a third of the messages.',
  setup: (implementation) =>
    scenario(implementation, {
      layout: shared(5, 5),
      proposals: range(0, 5).map((node): Proposal => ({ node, atMs: [0, 20] })),
      network: { duplicateRate: 0.33, delay: { kind: 'exponential', meanMs: 4, maxMs: maxDelayMs } },
      durationMs: 20 + boundMs,
      deadline: afterStable(20),
    }),
});

// 3.11

const midReactionEndMs = 600;
const midReactionStableMs = 800;
const midReactionLayouts: readonly Layout[] = [separate(3, 2, 2), separate(5, 2, 1), separate(3, 3, 1), separate(5, 3, 2)];

const midReactionTest = test(11, {
  name: 'acceptors that crash in the middle of answering: what they answered was durable',
  points: 2,
  seeds: 24,
  description:
    'Two or three proposers duel (the highest id first) over 3 or 5 acceptors, each role on nodes of its own; messages are ' +
    `delayed exponentially until ${midReactionStableMs} ms. Until ${midReactionEndMs} ms the acceptors crash again and again ` +
    'in the middle of a reaction, after 0 to 3 of its sends and storage writes, and restart. An acceptor that sends its ' +
    'Promise or Accepted before it writes its storage has answered something that its restart forgets.',
  setup: (implementation, seed) => {
    const layout = pick(midReactionLayouts, seed);
    return scenario(implementation, {
      layout,
      proposals: [...layout.proposers].reverse().map((node, index): Proposal => ({ node, atMs: index === 0 ? [0, 0] : [150 * index - 100, 150 * index + 100] })),
      network: { delay: { kind: 'exponential', meanMs: 15, maxMs: 200 } },
      durationMs: midReactionStableMs + boundMs,
      deadline: afterStable(midReactionStableMs),
    });
  },
  faults: (context) =>
    combineSchedules(
      crashRestarts(context.config.acceptors, { count: [4, 10], withinMs: [0, midReactionEndMs - 100], lengthMs: [1, 60], afterEffects: [0, 3] }),
      fc.constant<FaultSchedule>(stabilize(midReactionStableMs, context.config.acceptors)),
    ),
});

/** A bound for breadth-first searches that stop at a goal: the reference needs far fewer states. */
const searchMaxStates = 500_000;
/** 3.S4's depth: 2 past the first decision (at depth 6), room for a crash and a restart on the way. */
const midReactionSearchDepth = 8;

// Search tests: the model checker on small configurations (see search.ts), checking the
// same properties as the runs. Bounded by depth or by a number of states, never by time.

/** A search test of lab 3. */
function search(
  number: string,
  fields: Omit<SearchTest<Paxos, PaxosImplementation>, 'number' | 'part' | 'kind' | 'visibility'>,
): SuiteTest<PaxosImplementation> {
  return searchTest<Paxos, PaxosImplementation>({ kind: 'search', visibility: 'visible', ...fields, number, part: '' });
}

const searchBfsTest = search('3.S1', {
  name: 'every interleaving of 2 proposers and 3 acceptors, to the first decision + 6 steps: validity, agreement, integrity, promises (search)',
  points: 3,
  seeds: 1,
  description:
    'Breadth-first search over every order of message deliveries (no timers), checking the safety properties in every state, ' +
    'down to 6 steps past the depth where a value is first chosen. A failure shows the shortest path to it.',
  search: (implementation) => ({
    strategy: 'bfs',
    expect: 'goal',
    settings: { ...paxosSearch(implementation.PaxosNode, { proposers: 2, acceptors: 3 }), depthAfterGoal: 6, maxStates: searchMaxStates },
  }),
});

const searchGoalTest = search('3.S2', {
  name: 'a value can be chosen: the goal is reachable with 2 proposers and 3 acceptors (search)',
  points: 1,
  seeds: 1,
  description: 'Breadth-first search stops at the first state where a majority of acceptors hold the same proposal as accepted.',
  search: (implementation) => ({
    strategy: 'bfs',
    expect: 'goal',
    settings: { ...paxosSearch(implementation.PaxosNode, { proposers: 2, acceptors: 3 }), stopAtGoal: true, maxStates: searchMaxStates },
  }),
});

const searchProbeTest = search('3.S3', {
  name: 'random deep probes on 3 proposers and 5 acceptors, with timers, losses and an acceptor crash: safety holds (search)',
  points: 2,
  seeds: 3,
  description:
    'Random walks of up to 80 events (deliveries, losses, retries, a crash and restart of an acceptor) without a visited set: ' +
    'deep interleavings fast. A violation\'s path is shortened to the events it needs.',
  search: (implementation) => ({
    strategy: 'probes',
    expect: 'goal',
    probes: { probes: 400, depth: 80 },
    settings: paxosSearch(implementation.PaxosNode, { proposers: 3, acceptors: 5, timers: true, drops: true, crashes: 1 }),
  }),
});

const searchMidReactionTest = search('3.S4', {
  name: 'every interleaving of 2 proposers and 3 acceptors where an acceptor crashes once, at any point of a reaction, and restarts (search)',
  points: 1,
  seeds: 1,
  description:
    `Breadth-first search to depth ${midReactionSearchDepth}: deliveries in any order, and one crash of an acceptor between two events ` +
    'or in the middle of a reaction (after 0, 1 or 2 of its sends and storage writes), then its restart. What an acceptor ' +
    'answered must be in its storage when it crashes, and a value can still be chosen.',
  search: (implementation) => ({
    strategy: 'bfs',
    expect: 'goal',
    settings: { ...paxosSearch(implementation.PaxosNode, { proposers: 2, acceptors: 3, crashes: 1, midReaction: 3 }), maxDepth: midReactionSearchDepth },
  }),
});

export const suite: LabSuite<PaxosImplementation> = {
  lab: '03-paxos',
  title: 'Lab 3: single-decree Paxos',
  exports: ['PaxosNode'],
  tests: [
    smokeTest,
    configurationsTest,
    duelingTest,
    minorityTest,
    cutOffTest,
    restartsTest,
    chaosTest,
    budgetTest,
    everythingTest,
    crowdTest,
    midReactionTest,
    searchBfsTest,
    searchGoalTest,
    searchProbeTest,
    searchMidReactionTest,
  ],
};

export default suite;
