// Lab 3's hidden tests: graded with the visible ones wherever this file is present (the
// staff repository, the Gradescope bundle), and never part of a student's handout.
import { combineSchedules, crashRestarts, isolations, partitions, RandomSource, runSeed, type FaultAction, type NodeId, type SuiteTest } from 'distlab/testing';
import { messageCost } from './checks.ts';
import {
  afterStable,
  boundMs,
  chaosEndMs,
  chaoticNetwork,
  maxDelayMs,
  pick,
  proposersApart,
  range,
  scenario,
  separate,
  shared,
  stabilize,
  stableNetwork,
  test,
  type Layout,
  type PaxosImplementation,
  type Proposal,
} from './suite.ts';

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
  scenario: (cluster) => stabilize(chaosEndMs, cluster.servers),
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

/** 3.14's layouts: one proposer, N acceptors and L learners, each on nodes of its own. */
const apartCostLayouts: readonly Layout[] = [separate(3, 1, 1), separate(3, 1, 2), separate(4, 1, 2), separate(5, 1, 3)];
const apartCost = (layout: Layout) => 3 * layout.acceptors.length + layout.acceptors.length * layout.learners.length + layout.acceptors.length;

const apartCostTest = test(14, {
  name: 'one proposer that is not a learner, no faults: exactly 3N + N·L + N messages for a decision',
  visibility: 'hidden',
  kind: 'budget',
  points: 1,
  seeds: 4,
  description:
    'One proposer, N = 3 to 5 acceptors and L = 1 to 3 learners, each on nodes of its own; the proposer alone proposes. ' +
    'Prepare, Promise and Accept go to and from the N acceptors, each acceptor sends Accepted to the L learners and to the ' +
    "ballot's proposer, which is not a learner: with them it knows the outcome before its first Retry, and never tries again.",
  setup: (implementation, seed) => {
    const layout = pick(apartCostLayouts, seed);
    return scenario(implementation, {
      layout,
      proposals: [{ node: 0, atMs: [0, 0] }],
      durationMs: boundMs,
      deadline: afterStable(0),
      extra: [messageCost(apartCost(layout), '3N + N·L + N')],
    });
  },
});

/** 3.15's layouts: 3 proposers and 5 acceptors on nodes of their own, with learners apart or the proposers learning. */
const lastProposerLayouts: readonly Layout[] = [separate(5, 3, 2), proposersApart(5, 3)];

/** When 3.15's network heals and n1, n2 and two acceptors crash for good; n0 proposes 1 ms later. */
const lastProposerHealMs = (seed: number): number => RandomSource.fork(runSeed('03-paxos', '3.15', seed), 'scenario').integer(300, 500);

const lastProposerTest = test(15, {
  name: 'the last proposer standing: it meets promises of rounds it never heard of, from proposers that crashed for good',
  visibility: 'hidden',
  points: 2,
  seeds: 12,
  description:
    'Three proposers and five acceptors on nodes of their own. Until 300 to 500 ms n1 and n2 reach only the first two ' +
    'acceptors, a minority: they try again and again, and those two promise ever higher rounds. Then the network heals and ' +
    'becomes stable, n1, n2 and the last two acceptors crash for good, and n0 is asked to propose. Its first ballot meets ' +
    'those promises: it must try again above every round it heard of, and a learner must learn from the three acceptors left, ' +
    'a bare majority.',
  setup: (implementation, seed) => {
    const healMs = lastProposerHealMs(seed);
    return scenario(implementation, {
      layout: pick(lastProposerLayouts, seed),
      proposals: [
        { node: 1, atMs: [0, 10] },
        { node: 2, atMs: [0, 10] },
        { node: 0, atMs: [healMs + 1, healMs + 1] },
      ],
      network: { dropRate: 0.2, delay: { kind: 'uniform', minMs: 1, maxMs: maxDelayMs } },
      durationMs: healMs + boundMs,
      deadline: `(the network is stable from ${healMs} ms, n1, n2 and two acceptors down for good; the bound is T = ${boundMs} ms after that)`,
    });
  },
  scenario: (context) => {
    const layout = pick(lastProposerLayouts, context.seed);
    const healMs = lastProposerHealMs(context.seed);
    const [first, second, , fourth, fifth] = layout.acceptors as [NodeId, NodeId, NodeId, NodeId, NodeId];
    const minority = [1, 2, first, second];
    return [
      { atMs: 0, type: 'partition', groups: [minority, range(0, layout.nodeCount).filter((node) => !minority.includes(node))] },
      { atMs: healMs, type: 'heal' },
      { atMs: healMs, type: 'network', ...stableNetwork },
      ...[1, 2, fourth, fifth].map((node): FaultAction => ({ atMs: healMs, type: 'crash', node })),
    ];
  },
});

/** 3.16's layouts: every proposer is an acceptor too, whose stored promise is all it keeps of its round. */
const cutOffRestartLayouts: readonly Layout[] = [shared(3, 1), shared(4, 2), shared(5, 2)];

/** When 3.16's n0, cut off from the start, crashes (before its first retry), and when it restarts as the network heals. */
const cutOffRestartTimes = (seed: number) => {
  const random = RandomSource.fork(runSeed('03-paxos', '3.16', seed), 'scenario');
  const crashMs = random.integer(10, 40);
  return { crashMs, restartMs: crashMs + random.integer(10, 40) };
};

const cutOffRestartTest = test(16, {
  name: 'a proposer cut off from the start restarts: its next ballot is above the one only its own acceptor promised',
  visibility: 'hidden',
  points: 2,
  seeds: 9,
  description:
    'N = 3 to 5 nodes, each an acceptor and a learner; n0 proposes, cut off from every other node. Its Prepare reaches only its ' +
    'own acceptor, which promises that ballot and accepts nothing. n0 crashes before it retries, restarts 10 to 40 ms later as ' +
    'the network heals, and is asked to propose again: its round comes from its stored promise, so its new ballot is above the ' +
    'one it used before the crash (it has no accepted proposal to take a round from).',
  setup: (implementation, seed) => {
    const { restartMs } = cutOffRestartTimes(seed);
    return scenario(implementation, {
      layout: pick(cutOffRestartLayouts, seed),
      proposals: [
        { node: 0, atMs: [0, 0] },
        { node: 0, atMs: [restartMs + 1, restartMs + 1] },
      ],
      durationMs: restartMs + boundMs,
      deadline: afterStable(restartMs),
    });
  },
  scenario: (context): FaultAction[] => {
    const { crashMs, restartMs } = cutOffRestartTimes(context.seed);
    return [
      { atMs: 0, type: 'isolate', node: 0 },
      { atMs: crashMs, type: 'crash', node: 0 },
      { atMs: restartMs, type: 'heal' },
      { atMs: restartMs, type: 'restart', node: 0 },
    ];
  },
});

/** 3.17's times: when n1 crashes and n0 is asked (reaching only n2, every message 150 ms), and when everything heals. */
const lateNackTimes = (seed: number) => {
  const switchMs = RandomSource.fork(runSeed('03-paxos', '3.17', seed), 'scenario').integer(700, 800);
  return { switchMs, healMs: switchMs + 1_000 };
};
const lateNackDelayMs = 150;

const lateNackTest = test(17, {
  name: "a Nack that comes after the retry: the proposer's next ballot still outranks the promise it reports",
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    'Five nodes, each an acceptor and a learner; n0 and n1 propose. Until 700 to 800 ms n1 reaches only n2, a minority: it tries ' +
    'again and again, and n2 promises ever higher rounds. Then n1 crashes for good, n0 is asked to propose and reaches only n2, and ' +
    `every message takes ${lateNackDelayMs} ms: n2's Nack for n0's first ballot comes back after n0 has retried. That Nack still ` +
    "tells of n2's promise: n0's next ballot must be above it, whichever of its own ballots the Nack answers. Everything heals a " +
    'second later, and n0 decides.',
  setup: (implementation, seed) => {
    const { switchMs, healMs } = lateNackTimes(seed);
    return scenario(implementation, {
      layout: shared(5, 2),
      proposals: [
        { node: 1, atMs: [0, 10] },
        { node: 0, atMs: [switchMs + 1, switchMs + 1] },
      ],
      durationMs: healMs + boundMs,
      deadline: afterStable(healMs),
    });
  },
  scenario: (context): FaultAction[] => {
    const { switchMs, healMs } = lateNackTimes(context.seed);
    const slow = { minMs: lateNackDelayMs, maxMs: lateNackDelayMs };
    return [
      { atMs: 0, type: 'partition', groups: [[1, 2], [0, 3, 4]] },
      { atMs: switchMs, type: 'crash', node: 1 },
      { atMs: switchMs, type: 'partition', groups: [[0, 2], [3, 4]] },
      { atMs: switchMs, type: 'network', delay: { kind: 'uniform', ...slow } },
      { atMs: healMs, type: 'heal' },
      { atMs: healMs, type: 'network', ...stableNetwork },
    ];
  },
});

/** 3.19's layouts: roles on nodes of their own, and a single learner, the last node. */
const loneLearnerLayouts: readonly Layout[] = [separate(3, 1, 1), separate(5, 2, 1), separate(3, 2, 1)];
/** 3.19: when the only learner comes back. */
const loneLearnerBackMs = 1_000;

const loneLearnerTest = test(19, {
  name: 'the only learner is down while the value is chosen: back, it asks the proposers, which know the outcome',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    '3 or 5 acceptors, 1 or 2 proposers and a single learner, each role on nodes of its own. The learner is down from 1 ms to ' +
    `${loneLearnerBackMs} ms while the proposers get a value chosen, so every Accepted sent to it is lost, and no other learner knows ` +
    'the value. Back, it asks the other learners and the proposers: a proposer learns the outcome of its own ballots, and answers.',
  setup: (implementation, seed) => {
    const layout = pick(loneLearnerLayouts, seed);
    return scenario(implementation, {
      layout,
      proposals: layout.proposers.map((node): Proposal => ({ node, atMs: [0, 20] })),
      durationMs: loneLearnerBackMs + boundMs,
      deadline: afterStable(loneLearnerBackMs),
    });
  },
  scenario: (context): FaultAction[] => {
    const learner = pick(loneLearnerLayouts, context.seed).nodeCount - 1;
    return [
      { atMs: 1, type: 'crash', node: learner },
      { atMs: loneLearnerBackMs, type: 'restart', node: learner },
    ];
  },
});

/** 3.20's layouts: every node an acceptor and a learner, 2 or 3 of them proposing. */
const lockstepLayouts: readonly Layout[] = [shared(3, 2), shared(5, 3), shared(5, 2)];

/** 3.20 and 3.22: the layout's proposers all propose at 0 ms, and every message takes exactly `delayMs`. */
function lockstep(implementation: PaxosImplementation, seed: number, delayMs: number) {
  const layout = pick(lockstepLayouts, seed);
  return scenario(implementation, {
    layout,
    proposals: layout.proposers.map((node): Proposal => ({ node, atMs: [0, 0] })),
    durationMs: boundMs,
    deadline: afterStable(0),
    network: { delay: { kind: 'uniform', minMs: delayMs, maxMs: delayMs } },
  });
}

const lockstepTest = test(20, {
  name: 'proposers in lockstep: every message takes exactly D, so a proposer that retries at once after a Nack duels for ever',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    `3 or 5 nodes, each an acceptor and a learner, 2 or 3 of them proposing at 0 ms; every message takes exactly ${maxDelayMs} ms ` +
    "and none is lost. The proposers' first attempts collide. A proposer that is refused waits a random time in retryMs before " +
    'it tries again: one that starts a new attempt the moment a Nack comes interrupts the other in step, again and again.',
  setup: (implementation, seed) => lockstep(implementation, seed, maxDelayMs),
});

/** 3.21's layouts: roles on nodes of their own, one proposer, two or three learners (the last nodes). */
const otherLearnerLayouts: readonly Layout[] = [separate(3, 1, 2), separate(5, 1, 2), separate(3, 1, 3)];
/** 3.21: the proposer goes down for good once the value is chosen; the last learner comes back after it. */
const otherLearnerTimes = { proposerDownMs: 300, learnerBackMs: 600 } as const;

const otherLearnerTest = test(21, {
  name: 'a learner that missed the decision, its proposer gone for good: another learner tells it',
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    '3 or 5 acceptors, one proposer and 2 or 3 learners, each role on nodes of its own. The last learner is down from 1 ms to ' +
    `${otherLearnerTimes.learnerBackMs} ms while the value is chosen, and the proposer goes down for good at ` +
    `${otherLearnerTimes.proposerDownMs} ms. Back, the learner asks the other learners and the proposers: only the other learners ` +
    'are left to answer, and they know the value.',
  setup: (implementation, seed) => {
    const layout = pick(otherLearnerLayouts, seed);
    return scenario(implementation, {
      layout,
      proposals: layout.proposers.map((node): Proposal => ({ node, atMs: [0, 20] })),
      durationMs: otherLearnerTimes.learnerBackMs + boundMs,
      deadline: afterStable(otherLearnerTimes.learnerBackMs, 'n0'),
    });
  },
  scenario: (context): FaultAction[] => {
    const layout = pick(otherLearnerLayouts, context.seed);
    const learner = layout.nodeCount - 1;
    return [
      { atMs: 1, type: 'crash', node: learner },
      ...layout.proposers.map((node): FaultAction => ({ atMs: otherLearnerTimes.proposerDownMs, type: 'crash', node })),
      { atMs: otherLearnerTimes.learnerBackMs, type: 'restart', node: learner },
    ];
  },
});

/** 3.22: a message delay above half the shortest retry time, so that an attempt outlasts a retry period. */
const slowLockstepDelayMs = 30;

const slowLockstepTest = test(22, {
  name: `proposers in lockstep on a slow network: every message takes exactly ${slowLockstepDelayMs} ms, so an attempt outlasts the shortest retry`,
  visibility: 'hidden',
  points: 2,
  seeds: 6,
  description:
    `As 3.20, but every message takes exactly ${slowLockstepDelayMs} ms: an attempt (Prepare, Promise, Accept, Accepted) takes longer ` +
    'than the shortest retry time, so proposers that retry after the same fixed time interrupt each other for ever. Each waits a ' +
    'time drawn at random in retryMs.',
  setup: (implementation, seed) => lockstep(implementation, seed, slowLockstepDelayMs),
});

/** 3.23's layouts: every node an acceptor and a learner, one or two of them proposing. */
const secondProposeLayouts: readonly Layout[] = [shared(3, 1), shared(5, 1), shared(3, 2), shared(5, 2)];

const secondProposeTest = test(23, {
  name: 'a second Propose while an attempt is under way: a new attempt takes a new ballot, or the current one finishes',
  visibility: 'hidden',
  points: 2,
  seeds: 12,
  description:
    '3 or 5 nodes, each an acceptor and a learner; n0 proposes v0 at 0 ms, and again, with another value, 5 to 40 ms later, while its ' +
    'first attempt is under way (its Accept often sent already); a second proposer, where there is one, proposes at 0 to 20 ms. 20% of ' +
    'messages are lost until 300 ms. Either reaction the handout allows passes; a ballot whose Accept went out is never prepared again.',
  setup: (implementation, seed) => {
    const layout = pick(secondProposeLayouts, seed);
    return scenario(implementation, {
      layout,
      proposals: [
        { node: 0, atMs: [0, 0] },
        { node: 0, atMs: [5, 40], value: 'w0' },
        ...layout.proposers.filter((node) => node !== 0).map((node): Proposal => ({ node, atMs: [0, 20] })),
      ],
      network: { dropRate: 0.2 },
      durationMs: 300 + boundMs,
      deadline: afterStable(300),
    });
  },
  scenario: (): FaultAction[] => [{ atMs: 300, type: 'network', dropRate: 0 }],
});

export const hiddenTests: readonly SuiteTest<PaxosImplementation>[] = [everythingTest, crowdTest, apartCostTest, lastProposerTest, cutOffRestartTest, lateNackTest, loneLearnerTest, lockstepTest, otherLearnerTest, slowLockstepTest, secondProposeTest];
