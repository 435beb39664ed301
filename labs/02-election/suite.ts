// Lab 2's graded suite: bully (2A) and ring (2B) election. Data only: it names the classes
// it needs and never imports an implementation.
import fc from 'fast-check';
import {
  crashRestarts,
  runTest,
  type ClusterLayout,
  type FaultAction,
  type FaultSchedule,
  type SuiteTest,
  type LabSuite,
  type NodeClass,
  type NodeId,
  type Property,
  type RunSetup,
  type RunTest,
  type ScheduledInput,
} from 'distlab/testing';
import { electionCost, highestLiveLeads, oneLeader, oneLeaderName } from './checks.ts';
import type { Bully, ElectionConfig, Ring } from './src/protocol.ts';

export interface ElectionImplementation {
  readonly BullyNode: NodeClass<Bully>;
  readonly RingNode: NodeClass<Ring>;
}

/** D: every message arrives within this many ms. */
export const maxDelayMs = 10;

export const bullyConfig: ElectionConfig = {
  maxDelayMs,
  heartbeatMs: 50,
  suspectAfterMs: 150,
  answerTimeoutMs: 30,
  coordinatorTimeoutMs: 200,
  ackTimeoutMs: 30,
};

export const ringConfig: ElectionConfig = { ...bullyConfig, coordinatorTimeoutMs: 1_000 };

/** T: after the last fault, every live node knows the highest live id within this bound. */
export const boundMs = { A: 2_000, B: 4_000 } as const;

type Part = 'A' | 'B';
type Election = Bully | Ring;

/** One algorithm: its part, its class in the implementation, its settings. */
interface Algorithm<P extends Election> {
  readonly part: Part;
  readonly title: string;
  readonly node: (implementation: ElectionImplementation) => NodeClass<P>;
  readonly config: (heartbeats: boolean) => P['config'];
  /** The input that tells a node to suspect its leader. */
  readonly suspectLeader: P['input'];
  readonly boundMs: number;
}

const bully: Algorithm<Bully> = {
  part: 'A',
  title: 'bully',
  node: (implementation) => implementation.BullyNode,
  config: (heartbeats) => ({ ...bullyConfig, heartbeatMs: heartbeats ? bullyConfig.heartbeatMs : null }),
  suspectLeader: { type: 'SuspectLeader' },
  boundMs: boundMs.A,
};

const ring: Algorithm<Ring> = {
  part: 'B',
  title: 'ring',
  node: (implementation) => implementation.RingNode,
  config: (heartbeats) => ({ ...ringConfig, heartbeatMs: heartbeats ? ringConfig.heartbeatMs : null }),
  suspectLeader: { type: 'SuspectLeader' },
  boundMs: boundMs.B,
};

/** Seeds 1, 2, 3, ... run clusters of 3, 4, ..., 9 nodes, then start again. */
export function clusterSize(seed: number, smallest = 3): number {
  return smallest + ((seed - 1) % (10 - smallest));
}

interface Scenario<P extends Election> {
  readonly nodeCount: number;
  readonly heartbeats: boolean;
  /** Nodes told to suspect their leader, and when. */
  readonly suspects?: readonly { readonly node: NodeId; readonly atMs: number }[];
  /** The last fault or input the test plans: the run lasts T and one more second beyond it. */
  readonly lastPlannedMs: number;
  /** Every message takes exactly this long, instead of 1 to D ms. */
  readonly fixedDelayMs?: number;
  readonly extra?: readonly Property<P>[];
}

function scenario<P extends Election>(algorithm: Algorithm<P>, implementation: ElectionImplementation, settings: Scenario<P>): RunSetup<P> {
  const node = algorithm.node(implementation);
  const inputs: ScheduledInput<P>[] = (settings.suspects ?? []).map(({ node: id, atMs }) => ({ atMs, node: id, input: algorithm.suspectLeader }));
  return {
    nodes: Array.from({ length: settings.nodeCount }, () => ({ role: 'server' as const, node })),
    config: algorithm.config(settings.heartbeats),
    network: { delay: { kind: 'uniform', minMs: settings.fixedDelayMs ?? 1, maxMs: settings.fixedDelayMs ?? maxDelayMs } },
    durationMs: settings.lastPlannedMs + algorithm.boundMs + 1_000,
    inputs,
    properties: [...highestLiveLeads<P>(algorithm.boundMs), ...(settings.extra ?? [])],
  };
}

const lowerHalf = (nodeCount: number) => Array.from({ length: Math.floor(nodeCount / 2) }, (_unused, id) => id);
const everyone = (nodeCount: number) => Array.from({ length: nodeCount }, (_unused, id) => id);
const crash = (node: NodeId, atMs: number): FaultAction => ({ atMs, type: 'crash', node });
const restart = (node: NodeId, atMs: number): FaultAction => ({ atMs, type: 'restart', node });

type ElectionTest = SuiteTest<ElectionImplementation>;
type TestFields<P extends Election> = Omit<RunTest<P, ElectionImplementation>, 'number' | 'part' | 'kind' | 'visibility'> &
  Partial<Pick<RunTest<P, ElectionImplementation>, 'kind' | 'visibility'>>;

function test<P extends Election>(algorithm: Algorithm<P>, index: number, fields: TestFields<P>): ElectionTest {
  return runTest<P, ElectionImplementation>({ kind: 'run', visibility: 'visible', ...fields, number: `2${algorithm.part}.${index}`, part: algorithm.part });
}

/** A fixed fault schedule for the cluster's size (shown, and shrunk, like any other). */
const fixed = (faults: (nodeCount: number) => FaultAction[]) => (cluster: ClusterLayout) => fc.constant<FaultSchedule>(faults(cluster.servers.length));

/** Tests both algorithms share. */
function sharedTests<P extends Election>(algorithm: Algorithm<P>, first: number): ElectionTest[] {
  const { title, boundMs: bound } = algorithm;
  return [
    test(algorithm, first, {
      name: `${title}: the leader crashes; the next highest id leads within T`,
      points: 2,
      seeds: 21,
      description: `Heartbeats on; the leader n(N-1) crashes at 1000 ms. Within T = ${bound} ms every live node follows n(N-2), and none believes a dead node leads.`,
      setup: (implementation, seed) => scenario(algorithm, implementation, { nodeCount: clusterSize(seed), heartbeats: true, lastPlannedMs: 1_000 }),
      faults: fixed((nodeCount) => [crash(nodeCount - 1, 1_000)]),
    }),
    test(algorithm, first + 1, {
      name: `${title}: several nodes start elections at once and still agree`,
      points: 2,
      seeds: 21,
      description: 'After the first election, half of the nodes (chosen by the seed) suspect the leader at the same instant.',
      setup: (implementation, seed) => {
        const nodeCount = clusterSize(seed);
        const suspects = everyone(nodeCount)
          .filter((id) => (id * 7 + seed) % 2 === 0)
          .map((node) => ({ node, atMs: 1_500 }));
        return scenario(algorithm, implementation, { nodeCount, heartbeats: true, suspects, lastPlannedMs: 1_500 });
      },
    }),
    test(algorithm, first + 2, {
      name: `${title}: the highest live id leads after random crashes and restarts`,
      points: 2,
      seeds: 30,
      description:
        `Heartbeats on; nodes crash at random until 3000 ms and restart up to 1500 ms later. Within T = ${bound} ms of each fault ` +
        '(unless another comes first) the highest live id leads, and it goes on leading.',
      setup: (implementation, seed) => scenario(algorithm, implementation, { nodeCount: clusterSize(seed), heartbeats: true, lastPlannedMs: 4_500 }),
      faults: (cluster) => crashRestarts(cluster.servers, { count: [1, 4], withinMs: [0, 3_000], lengthMs: [50, 1_500] }),
    }),
    test(algorithm, first + 3, {
      name: `${title}: a partition yields two leaders (split brain; demonstration)`,
      points: 0,
      seeds: 5,
      demonstrates: oneLeaderName,
      description:
        'The network splits into a lower and an upper half for good: each half elects its own leader. ' +
        'Timeouts cannot tell a dead node from an unreachable one; the handout explains why quorums prevent this.',
      setup: (implementation, seed) => ({
        ...scenario(algorithm, implementation, { nodeCount: clusterSize(seed, 4), heartbeats: true, lastPlannedMs: 1_000 }),
        durationMs: 1_000 + 2 * bound,
        properties: [oneLeader<P>(bound)],
      }),
      faults: fixed((nodeCount) => [{ atMs: 1_000, type: 'partition', groups: [lowerHalf(nodeCount)] }]),
    }),
    test(algorithm, first + 4, {
      name: `${title}: after a partition heals, one leader within T`,
      points: 2,
      seeds: 14,
      description: `The network splits in two halves from 1000 to 3000 ms; T = ${bound} ms after the heal, everyone follows the highest id.`,
      setup: (implementation, seed) => scenario(algorithm, implementation, { nodeCount: clusterSize(seed, 4), heartbeats: true, lastPlannedMs: 3_000 }),
      faults: fixed((nodeCount) => [
        { atMs: 1_000, type: 'partition', groups: [lowerHalf(nodeCount)] },
        { atMs: 3_000, type: 'heal' },
      ]),
    }),
  ];
}

/** The shape of a cost test's run: who suspects the leader at 1000 ms, and which faults come first. */
interface CostShape {
  readonly suspects: readonly NodeId[];
  readonly faults: FaultAction[];
}

/** The election after 1000 ms must cost exactly `expected(N)` messages; the figures are reported. */
function costTest<P extends Election>(
  algorithm: Algorithm<P>,
  index: number,
  title: string,
  formula: string,
  expected: (nodeCount: number) => number,
  shape: (nodeCount: number) => CostShape,
  description: string,
): ElectionTest {
  return test(algorithm, index, {
    name: `${title}: ${formula} Election, Ok and Coordinator messages`,
    kind: 'budget',
    points: 1,
    seeds: 7,
    description,
    setup: (implementation, seed) => {
      const nodeCount = clusterSize(seed);
      return scenario(algorithm, implementation, {
        nodeCount,
        heartbeats: false,
        suspects: shape(nodeCount).suspects.map((node) => ({ node, atMs: 1_000 })),
        lastPlannedMs: 1_000,
        extra: [electionCost<P>(1_000, expected(nodeCount), formula)],
      });
    },
    faults: fixed((nodeCount) => shape(nodeCount).faults),
    measure: (result, seed) => {
      const nodeCount = clusterSize(seed);
      const sent = result.counters.sentByType;
      const counted = ['Election', 'Ok', 'Coordinator'].reduce((sum, type) => sum + (sent.get(type) ?? 0), 0);
      return { [`measured@${nodeCount}`]: counted, [`formula@${nodeCount}`]: expected(nodeCount), [`acks@${nodeCount}`]: sent.get('Ack') ?? 0 };
    },
  });
}

/** The node that is dead in test 2B.8: never the highest, never n0. */
const deadInRing = (nodeCount: number) => Math.floor((nodeCount - 1) / 2);

const bullyTests: ElectionTest[] = [
  test(bully, 1, {
    name: 'bully: every node follows the highest id after the first election',
    points: 1,
    seeds: 14,
    description: `The smoke test: no faults; heartbeats on, so the nodes notice there is no leader and elect one. Within T = ${boundMs.A} ms all follow n(N-1).`,
    setup: (implementation, seed) => scenario(bully, implementation, { nodeCount: clusterSize(seed), heartbeats: true, lastPlannedMs: 0 }),
  }),
  ...sharedTests(bully, 2),
  test(bully, 7, {
    name: 'bully: the lowest id notices the dead leader and the next highest takes over',
    points: 2,
    seeds: 14,
    description: 'Heartbeats off: the leader n(N-1) crashes at 500 ms and only n0 is told to suspect it, at 1000 ms.',
    setup: (implementation, seed) =>
      scenario(bully, implementation, { nodeCount: clusterSize(seed), heartbeats: false, suspects: [{ node: 0, atMs: 1_000 }], lastPlannedMs: 1_000 }),
    faults: fixed((nodeCount) => [crash(nodeCount - 1, 500)]),
  }),
  test(bully, 8, {
    name: 'bully: a candidate that crashes after answering Ok does not stall the election',
    points: 2,
    seeds: 12,
    description:
      'Heartbeats off. The leader n(N-1) is dead; n0 suspects it at 1000 ms; n(N-2) answers Ok, then crashes at 1025 ms before it ' +
      'announces itself. The nodes waiting for its Coordinator must give up and elect n(N-3).',
    setup: (implementation, seed) =>
      scenario(bully, implementation, { nodeCount: clusterSize(seed, 4), heartbeats: false, suspects: [{ node: 0, atMs: 1_000 }], lastPlannedMs: 1_025 }),
    faults: fixed((nodeCount) => [crash(nodeCount - 1, 500), crash(nodeCount - 2, 1_025)]),
  }),
  test(bully, 9, {
    name: 'bully: a recovered highest id takes over again',
    points: 2,
    seeds: 14,
    description: 'Heartbeats on. n(N-1) crashes at 1000 ms and restarts at 3000 ms; a restarted node holds an election, and all follow it again.',
    setup: (implementation, seed) => scenario(bully, implementation, { nodeCount: clusterSize(seed), heartbeats: true, lastPlannedMs: 3_000 }),
    faults: fixed((nodeCount) => [crash(nodeCount - 1, 1_000), restart(nodeCount - 1, 3_000)]),
  }),
  costTest(
    bully,
    10,
    'bully, best case',
    'N',
    (nodeCount) => nodeCount,
    (nodeCount) => ({ suspects: [nodeCount - 2], faults: [crash(nodeCount - 1, 500)] }),
    'Heartbeats off; the leader n(N-1) is dead and the highest live id, n(N-2), notices: one Election (to the dead leader) and N-1 Coordinators.',
  ),
  costTest(
    bully,
    11,
    'bully, worst case',
    'N(N-1)',
    (nodeCount) => nodeCount * (nodeCount - 1),
    (nodeCount) => ({ suspects: [0], faults: [crash(nodeCount - 1, 500)] }),
    'Heartbeats off; the leader n(N-1) is dead and the lowest id, n0, notices: every live node holds an election.',
  ),
];

const ringTests: ElectionTest[] = [
  test(ring, 1, {
    name: 'ring: an election started by the highest id elects it',
    points: 1,
    seeds: 14,
    description: 'The smoke test: no faults, heartbeats off; n(N-1) starts the only election at 100 ms and every node learns it leads.',
    setup: (implementation, seed) => {
      const nodeCount = clusterSize(seed);
      return scenario(ring, implementation, { nodeCount, heartbeats: false, suspects: [{ node: nodeCount - 1, atMs: 100 }], lastPlannedMs: 100 });
    },
  }),
  test(ring, 2, {
    name: 'ring: every node follows the highest id after the first election',
    points: 2,
    seeds: 14,
    description: 'No faults; heartbeats on, so several nodes notice there is no leader and start elections around the same time.',
    setup: (implementation, seed) => scenario(ring, implementation, { nodeCount: clusterSize(seed), heartbeats: true, lastPlannedMs: 0 }),
  }),
  ...sharedTests(ring, 3),
  test(ring, 8, {
    name: 'ring: a dead successor is skipped',
    points: 2,
    seeds: 14,
    description: 'Heartbeats off. A node (not the highest) crashes at 500 ms; its predecessor starts an election at 1000 ms and must skip it.',
    setup: (implementation, seed) => {
      const nodeCount = clusterSize(seed);
      return scenario(ring, implementation, {
        nodeCount,
        heartbeats: false,
        suspects: [{ node: deadInRing(nodeCount) - 1, atMs: 1_000 }],
        lastPlannedMs: 1_000,
      });
    },
    faults: fixed((nodeCount) => [crash(deadInRing(nodeCount), 500)]),
  }),
  test(ring, 9, {
    name: 'ring: an election whose candidate crashes is restarted by timeout',
    points: 2,
    seeds: 14,
    description:
      'Heartbeats off, every message takes exactly D ms. n0 starts an election at 1000 ms; n(N-1) crashes 5 ms after it put its own id ' +
      'in the Election, which can then never come back to it. The participants time out and elect n(N-2).',
    setup: (implementation, seed) =>
      scenario(ring, implementation, {
        nodeCount: clusterSize(seed),
        heartbeats: false,
        fixedDelayMs: maxDelayMs,
        suspects: [{ node: 0, atMs: 1_000 }],
        lastPlannedMs: 1_100,
      }),
    faults: fixed((nodeCount) => [crash(nodeCount - 1, 1_000 + maxDelayMs * (nodeCount - 1) + 5)]),
  }),
  costTest(
    ring,
    10,
    'ring, initiator is the highest id',
    '2N',
    (nodeCount) => 2 * nodeCount,
    (nodeCount) => ({ suspects: [nodeCount - 1], faults: [] }),
    'Heartbeats off, no faults; n(N-1) starts the election: N Elections around the ring, then N Coordinators.',
  ),
  costTest(
    ring,
    11,
    "ring, initiator is the highest id's successor",
    '3N-1',
    (nodeCount) => 3 * nodeCount - 1,
    () => ({ suspects: [0], faults: [] }),
    'Heartbeats off, no faults; n0 starts: N-1 Elections to reach n(N-1), N to come back to it, then N Coordinators.',
  ),
  costTest(
    ring,
    12,
    'ring, every node starts at once',
    '3N-1',
    (nodeCount) => 3 * nodeCount - 1,
    (nodeCount) => ({ suspects: everyone(nodeCount), faults: [] }),
    'Heartbeats off, no faults; all nodes start at the same instant. Participants swallow the smaller candidates: N-1 Elections die at once, n(N-1)\'s goes round (N), then N Coordinators.',
  ),
];

export const suite: LabSuite<ElectionImplementation> = {
  lab: '02-election',
  title: 'Lab 2: leader election',
  exports: ['BullyNode', 'RingNode'],
  tests: [...bullyTests, ...ringTests],
};

export default suite;
