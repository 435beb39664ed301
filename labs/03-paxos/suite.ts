// Lab 3's graded suite: single-decree Paxos. Data only: it names the class it needs and
// never imports an implementation.
import * as fc from 'fast-check';
import {
  combineSchedules,
  crashRestarts,
  isolations,
  partitions,
  RandomSource,
  runSeed,
  runTest,
  searchTest,
  type FaultAction,
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
import {
  acceptsOnlyWhatWasAsked,
  learnsFromWhatItWasTold,
  everyLearnerLearns,
  messageCost,
  newBallotOutranksNacks,
  nothingLearnedBefore,
  onlyValueLearned,
  proposerProperties,
  proposersRunPhaseOne,
  proposersKeepTrying,
  safetyProperties,
  valueChosen,
} from './checks.ts';
import { paxosSearch } from './search.ts';
import type { Paxos } from './src/protocol.ts';

const lab = '03-paxos';

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

export const range = (from: number, count: number): NodeId[] => Array.from({ length: count }, (_unused, index) => from + index);

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
export const pick = <T>(options: readonly T[], seed: number): T => options[(seed - 1) % options.length] as T;

/** The value proposer `id` is asked to propose. */
export const valueOf = (id: NodeId) => `v${id}`;

export const stableNetwork: Partial<NetworkSettings> = { delay: { kind: 'uniform', minMs: 1, maxMs: maxDelayMs }, dropRate: 0, duplicateRate: 0 };

export interface Proposal {
  readonly node: NodeId;
  /** Given at a random time in this window (the seed's workload draws it). */
  readonly atMs: readonly [number, number];
  /** The value to propose: by default `v<node>`. */
  readonly value?: string;
}

/** Gives each Propose input at a time the run's workload draws from its window. */
function proposals(list: readonly Proposal[]): Workload<Paxos> {
  return {
    start(context) {
      for (const proposal of list) {
        const [from, to] = proposal.atMs;
        context.input(proposal.node, { type: 'Propose', value: proposal.value ?? valueOf(proposal.node) }, from === to ? from : context.random.integer(from, to));
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

export function scenario(implementation: PaxosImplementation, settings: Scenario): RunSetup<Paxos> {
  const { layout } = settings;
  return {
    nodes: Array.from({ length: layout.nodeCount }, () => ({ role: 'server' as const, node: implementation.PaxosNode })),
    config: { proposers: layout.proposers, acceptors: layout.acceptors, learners: layout.learners, retryMs, askEveryMs },
    network: { ...stableNetwork, ...settings.network },
    // No clock, as under search: a node that could read one in runs could tell a run from a search.
    clock: false,
    durationMs: settings.durationMs,
    workload: proposals(settings.proposals),
    properties: [
      ...safetyProperties(layout),
      ...proposerProperties(layout),
      newBallotOutranksNacks(),
      proposersRunPhaseOne(layout.acceptors),
      proposersKeepTrying(layout, retryMs, maxDelayMs),
      acceptsOnlyWhatWasAsked(layout.acceptors),
      learnsFromWhatItWasTold(layout.acceptors),
      everyLearnerLearns(layout.learners, settings.deadline),
      ...(settings.extra ?? []),
    ],
  };
}

type PaxosRunTest = RunTest<Paxos, PaxosImplementation>;

export function test(
  index: number,
  fields: Omit<PaxosRunTest, 'number' | 'part' | 'kind' | 'visibility'> & Partial<Pick<PaxosRunTest, 'kind' | 'visibility'>>,
): SuiteTest<PaxosImplementation> {
  return runTest<Paxos, PaxosImplementation>({ kind: 'run', visibility: 'visible', ...fields, number: `3.${index}`, part: '' });
}

/** The end of a chaotic phase: links healed, every node restarted, the network stable. */
export function stabilize(atMs: number, nodes: readonly NodeId[]): FaultAction[] {
  return [
    { atMs, type: 'heal' },
    ...nodes.map((node): FaultAction => ({ atMs, type: 'restart', node })),
    { atMs, type: 'network', ...stableNetwork },
  ];
}

/** A chaotic network from 0 ms: losses, duplicates, and long, exponentially distributed delays. */
export function chaoticNetwork(maxDropRate: number): fc.Arbitrary<FaultSchedule> {
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

export const afterStable = (stableAtMs: number, down?: string) =>
  down === undefined
    ? `(the network is stable and every node up from ${stableAtMs} ms; the bound is T = ${boundMs} ms after that)`
    : `(the network is stable from ${stableAtMs} ms, and every node up but ${down}; the bound is T = ${boundMs} ms after that)`;

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
  scenario: (cluster) => [
    { atMs: 0, type: 'partition', groups: minoritySplit(cluster.servers.length).groups },
    { atMs: healAtMs, type: 'heal' },
  ],
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
  scenario: () => [
    { atMs: 0, type: 'isolate', node: 1 },
    { atMs: cutOffUntilMs, type: 'heal' },
  ],
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
  scenario: (context) => stabilize(restartsStableMs, context.config.acceptors),
  faults: (context) => crashRestarts(context.config.acceptors, { count: [3, 8], withinMs: [0, restartsEndMs - 100], lengthMs: [1, 80] }),
});

// 3.7

export const chaosEndMs = 3_000;
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
  scenario: (cluster) => stabilize(chaosEndMs, cluster.servers),
  faults: (cluster) => {
    const window = { withinMs: [0, chaosEndMs - 500] as const };
    return combineSchedules(
      chaoticNetwork(0.4),
      crashRestarts(cluster.servers, { ...window, count: [0, 4], lengthMs: [10, 500] }),
      partitions(cluster.servers, { ...window, count: [0, 2], lengthMs: [50, 500] }),
      isolations(cluster.servers, { ...window, count: [0, 2], lengthMs: [50, 500] }),
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
  axes: { x: 'nodes (N), each an acceptor and a learner', y: 'messages sent to choose one value' },
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
  scenario: (context) => stabilize(midReactionStableMs, context.config.acceptors),
  faults: (context) => crashRestarts(context.config.acceptors, { count: [4, 10], withinMs: [0, midReactionEndMs - 100], lengthMs: [1, 60], afterEffects: [0, 3] }),
});

// 3.12

const overlapEndMs = 1_000;

/** 3.12's runs, one per seed in turn: two proposers on nodes of their own, 3 or 5 acceptors, messages fast or slow. */
const overlapRuns: readonly { readonly layout: Layout; readonly slow: boolean }[] = [
  { layout: proposersApart(3, 2, false), slow: false },
  { layout: proposersApart(3, 2, false), slow: true },
  { layout: proposersApart(5, 2, false), slow: false },
  { layout: proposersApart(5, 2, false), slow: true },
];

/** Slow messages: exponential delays, often longer than a retry period, so Promises of an old ballot arrive after the retry. */
const slowNetwork: Partial<NetworkSettings> = { delay: { kind: 'exponential', meanMs: 40, maxMs: 800 } };

/**
 * Until `untilMs`, each of the two proposers reaches a majority of the acceptors, and the
 * two majorities share one acceptor: n0 reaches the first half and the middle one, n1 the
 * middle one and the second half. Then every link heals and the network is stable.
 */
function overlappingMajorities(layout: Layout, untilMs: number): FaultAction[] {
  const middle = Math.floor(layout.acceptors.length / 2);
  const firstHalf = layout.acceptors.slice(0, middle);
  const secondHalf = layout.acceptors.slice(middle + 1);
  const [first, second] = layout.proposers as [NodeId, NodeId];
  return [
    { atMs: 0, type: 'cut', from: [first], to: secondHalf },
    { atMs: 0, type: 'cut', from: secondHalf, to: [first] },
    { atMs: 0, type: 'cut', from: [second], to: firstHalf },
    { atMs: 0, type: 'cut', from: firstHalf, to: [second] },
    { atMs: untilMs, type: 'heal' },
    { atMs: untilMs, type: 'network', ...stableNetwork },
  ];
}

const overlapTest = test(12, {
  name: 'duels with retries over two majorities that share one acceptor: each proposal follows its Promises, and a ballot is used once',
  points: 2,
  seeds: 24,
  description:
    `Until ${overlapEndMs} ms, n0 reaches only the first half of the acceptors and the middle one, n1 only the middle one and ` +
    'the second half (3 or 5 acceptors, also the learners). n0 proposes at 0 ms, n1 1 to 10 ms later: n0\'s proposal is often ' +
    'accepted by its side while n1\'s wins the middle acceptor, and n0 retries and hears both. Odd seeds: messages take 1 to D ms; ' +
    'even seeds: they are slow (exponential, 40 ms on average), so Promises of an old ballot arrive after the retry.',
  setup: (implementation, seed) => {
    const { layout, slow } = pick(overlapRuns, seed);
    const [first, second] = layout.proposers as [NodeId, NodeId];
    return scenario(implementation, {
      layout,
      proposals: [
        { node: first, atMs: [0, 0] },
        { node: second, atMs: [1, 10] },
      ],
      ...(slow ? { network: slowNetwork } : {}),
      durationMs: overlapEndMs + boundMs,
      deadline: afterStable(overlapEndMs),
    });
  },
  scenario: (context) => overlappingMajorities(pick(overlapRuns, context.seed).layout, overlapEndMs),
});

// 3.13

const restartedProposerLayouts: readonly Layout[] = [shared(3, 2), shared(5, 2), shared(4, 2)];

/** 3.13's plan for one seed: when each proposer crashes and restarts (it is asked again 1 ms after). */
function proposerRestarts(seed: number): { readonly node: NodeId; readonly crashMs: number; readonly restartMs: number }[] {
  const random = RandomSource.fork(runSeed(lab, '3.13', seed), 'scenario');
  return [0, 1].map((node) => {
    const crashMs = random.integer(5, 60);
    return { node, crashMs, restartMs: crashMs + random.integer(5, 40) };
  });
}

/** After the last restart (at most 60 + 40 ms) and its Propose, nothing more is planned. */
const restartedProposerEndMs = 101;

const restartedProposerTest = test(13, {
  name: 'proposers that crash in the middle of an attempt and restart never use a ballot twice',
  points: 2,
  seeds: 18,
  description:
    'N = 3 to 5 nodes, each an acceptor and a learner; n0 and n1 propose, and each crashes between 5 and 60 ms (while its ' +
    'attempt is under way), restarts 5 to 40 ms later and is asked to propose again 1 ms after its restart. A restarted ' +
    'proposer takes its round from its own stored promise: its new ballots are above every ballot it used before.',
  setup: (implementation, seed) => {
    const layout = pick(restartedProposerLayouts, seed);
    return scenario(implementation, {
      layout,
      proposals: [
        { node: 0, atMs: [0, 0] },
        { node: 1, atMs: [0, 30] },
        ...proposerRestarts(seed).map(({ node, restartMs }): Proposal => ({ node, atMs: [restartMs + 1, restartMs + 1] })),
      ],
      durationMs: restartedProposerEndMs + boundMs,
      deadline: afterStable(restartedProposerEndMs),
    });
  },
  scenario: (context) =>
    proposerRestarts(context.seed).flatMap(({ node, crashMs, restartMs }): FaultAction[] => [
      { atMs: crashMs, type: 'crash', node },
      { atMs: restartMs, type: 'restart', node },
    ]),
});

// 3.18

/**
 * 3.18's layouts: every node an acceptor and a learner; the proposers are the two lowest ids or
 * the two highest (as in the searches, where the acceptors come first).
 */
const lostProposerLayouts: readonly Layout[] = [shared(3, 2), { ...shared(3, 0), proposers: [1, 2] }, shared(5, 2), { ...shared(5, 0), proposers: [3, 4] }];

/** When 3.18's first proposer crashes for good: 1 to 45 ms after it was asked at 0 ms, drawn per seed. */
function lostProposerCrashMs(seed: number): number {
  return RandomSource.fork(runSeed(lab, '3.18', seed), 'scenario').integer(1, 45);
}

/**
 * 3.18's proposers, the one that crashes first: the lower id on the first four seeds, the
 * higher on the next four, and so on. When the higher one is lost, the survivor's first
 * ballot of the same round loses to the lost one's, which the acceptors may have promised.
 */
function lostProposerOrder(seed: number): readonly [first: NodeId, second: NodeId] {
  const [lower, higher] = pick(lostProposerLayouts, seed).proposers as [NodeId, NodeId];
  return Math.floor((seed - 1) / lostProposerLayouts.length) % 2 === 0 ? [lower, higher] : [higher, lower];
}

const lostProposerTest = test(18, {
  name: 'the first proposer crashes for good during its attempt: the other finishes alone, keeping what may have been chosen',
  points: 2,
  seeds: 24,
  description:
    'N = 3 or 5 nodes, each an acceptor and a learner; the proposers are the two lowest ids or the two highest. One proposer (the ' +
    'lower id on some seeds, the higher on others) is asked at 0 ms and crashes for good 1 to 45 ms later, before, during or after ' +
    'its value is chosen; the other is asked at 100 to 200 ms. It must finish alone: its phase 1 finds what the first got ' +
    'accepted (with a ballot above the ones the acceptors promised the first), and every live learner learns.',
  setup: (implementation, seed) => {
    const layout = pick(lostProposerLayouts, seed);
    const [first, second] = lostProposerOrder(seed);
    return scenario(implementation, {
      layout,
      proposals: [
        { node: first, atMs: [0, 0] },
        { node: second, atMs: [100, 200] },
      ],
      durationMs: 200 + boundMs,
      deadline: afterStable(200, 'the first proposer, down for good'),
    });
  },
  scenario: (context) => [{ atMs: lostProposerCrashMs(context.seed), type: 'crash', node: lostProposerOrder(context.seed)[0] }],
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
    settings: { ...paxosSearch(implementation.PaxosNode, { proposers: 2, acceptors: 3, proposerRules: true }), depthAfterGoal: 6, maxStates: searchMaxStates },
  }),
});

const searchGoalTest = search('3.S2', {
  name: "each proposer's value can be chosen: both goals are reachable with 2 proposers and 3 acceptors (search)",
  points: 1,
  seeds: 1,
  description:
    'Breadth-first search, until the depth where a value is first chosen: on some path a majority of acceptors hold n3\'s value "v3" ' +
    'as accepted in one ballot, and on another n4\'s "v4". Either proposer, running alone first, gets its own value chosen.',
  search: (implementation) => {
    const settings = paxosSearch(implementation.PaxosNode, { proposers: 2, acceptors: 3, proposerRules: true });
    return {
      strategy: 'bfs',
      expect: 'every-goal',
      settings: { ...settings, properties: [...(settings.properties ?? []), valueChosen([0, 1, 2], 'v3'), valueChosen([0, 1, 2], 'v4')], depthAfterGoal: 0, maxStates: searchMaxStates },
    };
  },
});

/** 3.S3's configuration and random walks: a correct solution chooses a value in about 7% of these walks (search.test.ts). */
export const probeConfiguration = { proposers: 3, acceptors: 5, timers: true, crashes: 1, proposerRules: true } as const;
export const probeWalks = { probes: 300, depth: 80 } as const;

const searchProbeTest = search('3.S3', {
  name: 'random deep probes on 3 proposers and 5 acceptors, with retries and an acceptor crash: safety holds, and a value gets chosen (search)',
  points: 2,
  seeds: 3,
  description:
    `${probeWalks.probes} random walks of up to ${probeWalks.depth} events (deliveries in any order, retries, a crash and restart of an acceptor) ` +
    'without a visited set: deep interleavings fast. A message a walk never delivers is a lost one, so the walks lose messages ' +
    'without spending events on it; about 7 walks in 100 reach a decision with a correct solution, so all of them missing ' +
    'it is out of reach by chance. A violation\'s path is shortened to the events it needs.',
  search: (implementation) => ({
    strategy: 'probes',
    expect: 'goal',
    probes: probeWalks,
    settings: paxosSearch(implementation.PaxosNode, probeConfiguration),
  }),
});

/**
 * 3.S5: n3 may try twice, n4 once; n3 talks to n0 and n1, n4 to n1 and n2; links deliver in
 * order. Exhausted at 17,669 states with the reference solution. Without in-order links the
 * same space is ten times as large (183,290 states): every link's messages interleaved with
 * themselves too, which no proposer rule needs, for a shortest path 3 steps shorter.
 */
const duelConfiguration = { proposers: 2, acceptors: 3, rounds: [2, 1], reach: [[0, 1], [1, 2]], learners: false, fifo: true, proposerRules: true } as const;

const searchDuelTest = search('3.S5', {
  name: 'every interleaving of a duel with a retry over two majorities that share one acceptor: the proposer\'s rules, and safety (search)',
  points: 2,
  seeds: 1,
  description:
    'Breadth-first search, to exhaustion, over 2 proposers and 3 acceptors: n3 talks to n0 and n1, n4 to n1 and n2 (a state ' +
    'where a message crossed these lines is checked but not explored further); n3 may retry once (rounds up to 2), n4 ' +
    'tries once; no learners, so an Accepted goes to the ballot\'s proposer; each link delivers in the order it was given its ' +
    'messages, and different links interleave in every order. A proposer that takes the first reported value, counts an old ' +
    'ballot\'s Promise, or retries with the same ballot is caught on the shortest path to it.',
  search: (implementation) => ({
    strategy: 'bfs',
    expect: 'goal',
    settings: { ...paxosSearch(implementation.PaxosNode, duelConfiguration), maxStates: searchMaxStates },
    boundsNote:
      "each proposer's tries are bounded by the rounds it prepares, counted from 1 as the handout asks (n3 rounds 1 and 2, n4 round 1): " +
      'a proposer whose first round is 0 tries once more than the bound allows, and one whose first round is above 1 is cut off at its first Prepare.',
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
    settings: { ...paxosSearch(implementation.PaxosNode, { proposers: 2, acceptors: 3, crashes: 1, midReaction: 3, proposerRules: true }), maxDepth: midReactionSearchDepth },
  }),
});

export const suite: LabSuite<PaxosImplementation> = {
  lab,
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
    midReactionTest,
    overlapTest,
    restartedProposerTest,
    lostProposerTest,
    searchBfsTest,
    searchGoalTest,
    searchProbeTest,
    searchMidReactionTest,
    searchDuelTest,
  ],
};

export default suite;
