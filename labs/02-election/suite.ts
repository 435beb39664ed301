// Lab 2's graded suite: bully (2A) and ring (2B) election. Data only: it names the classes
// it needs and never imports an implementation.
import type { FaultAction, NodeClass, NodeId, Property, Protocol, ScheduledInput } from 'distlab/testing';
import fc from 'fast-check';
import { crashRestarts } from 'distlab/testing';
import { defineTest, type LabSuite, type RunSetup, type SuiteTest } from 'distlab/testing';
import { electionCost, highestLiveLeads, highestLiveLeadsAtTheEnd, oneLeader } from './checks.ts';
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
type ElectionProtocol = Bully | Ring;

/** Seeds 1, 2, 3, ... run clusters of 3, 4, ..., 9 nodes, then start again. */
export function clusterSize(seed: number, smallest = 3): number {
  return smallest + ((seed - 1) % (10 - smallest));
}

interface Scenario {
  readonly nodeCount: number;
  readonly heartbeats: boolean;
  readonly inputs?: readonly ScheduledInput<ElectionProtocol>[];
  /** When the property "the highest live id leads" starts to apply. */
  readonly settledAtMs: number;
  readonly durationMs?: number;
  /** Every message takes exactly this long, instead of 1 to D ms. */
  readonly fixedDelayMs?: number;
  readonly extra?: Property<ElectionProtocol>[];
  /** Replace the standard properties (demonstrations). */
  readonly only?: Property<ElectionProtocol>[];
}

function nodeOf(part: Part, implementation: ElectionImplementation): NodeClass<ElectionProtocol> {
  return (part === 'A' ? implementation.BullyNode : implementation.RingNode) as NodeClass<ElectionProtocol>;
}

function scenario(part: Part, implementation: ElectionImplementation, settings: Scenario): RunSetup<ElectionProtocol> {
  const node = nodeOf(part, implementation);
  const config = part === 'A' ? bullyConfig : ringConfig;
  return {
    nodes: Array.from({ length: settings.nodeCount }, () => ({ role: 'server' as const, node })),
    config: { ...config, heartbeatMs: settings.heartbeats ? config.heartbeatMs : null },
    network: { delay: { kind: 'uniform', minMs: settings.fixedDelayMs ?? 1, maxMs: settings.fixedDelayMs ?? maxDelayMs } },
    durationMs: settings.durationMs ?? settings.settledAtMs + 1_000,
    inputs: settings.inputs ?? [],
    properties: settings.only ?? [highestLiveLeads(settings.settledAtMs), highestLiveLeadsAtTheEnd(), ...(settings.extra ?? [])],
  };
}

const lowerHalf = (nodeCount: number) => Array.from({ length: Math.floor(nodeCount / 2) }, (_unused, id) => id);
const suspect = (node: NodeId, atMs: number): ScheduledInput<ElectionProtocol> => ({ atMs, node, input: { type: 'SuspectLeader' } });
const crash = (node: NodeId, atMs: number): FaultAction => ({ atMs, type: 'crash', node });
const restart = (node: NodeId, atMs: number): FaultAction => ({ atMs, type: 'restart', node });

type ElectionTest = SuiteTest<Protocol, ElectionImplementation>;

function test(
  part: Part,
  index: number,
  fields: Omit<SuiteTest<ElectionProtocol, ElectionImplementation>, 'number' | 'part' | 'kind' | 'visibility'> &
    Partial<Pick<SuiteTest<ElectionProtocol, ElectionImplementation>, 'kind' | 'visibility'>>,
): ElectionTest {
  return defineTest<ElectionProtocol, ElectionImplementation>({ kind: 'run', visibility: 'visible', ...fields, number: `2${part}.${index}`, part });
}

/** A fixed fault schedule for a cluster of the given size (shown, and shrunk, like any other). */
const fixed = (faults: (nodeCount: number) => FaultAction[]) => (cluster: { servers: readonly NodeId[] }) =>
  fc.constant<readonly FaultAction[]>(faults(cluster.servers.length));

/** Tests both algorithms share. */
function sharedTests(part: Part, first: number, title: string): ElectionTest[] {
  const bound = boundMs[part];
  return [
    test(part, first, {
      name: `${title}: the leader crashes; the next highest id leads within T`,
      points: 2,
      seeds: 21,
      description: `Heartbeats on; the leader n(N-1) crashes at 1000 ms. Within T = ${bound} ms every live node follows n(N-2), and none believes a dead node leads.`,
      setup: (implementation, seed) =>
        scenario(part, implementation, { nodeCount: clusterSize(seed), heartbeats: true, settledAtMs: 1_000 + bound }),
      faults: fixed((nodeCount) => [crash(nodeCount - 1, 1_000)]),
    }),
    test(part, first + 1, {
      name: `${title}: several nodes start elections at once and still agree`,
      points: 2,
      seeds: 21,
      description: 'After the first election, half of the nodes (chosen by the seed) suspect the leader at the same instant.',
      setup: (implementation, seed) => {
        const nodeCount = clusterSize(seed);
        const suspects = Array.from({ length: nodeCount }, (_unused, id) => id).filter((id) => (id * 7 + seed) % 2 === 0);
        return scenario(part, implementation, {
          nodeCount,
          heartbeats: true,
          inputs: suspects.map((id) => suspect(id, 1_500)),
          settledAtMs: 1_500 + bound,
        });
      },
    }),
    test(part, first + 2, {
      name: `${title}: the highest live id leads after random crashes and restarts`,
      points: 2,
      seeds: 30,
      description: `Heartbeats on; nodes crash and restart at random until 3000 ms; from T = ${bound} ms after that, the highest live id leads.`,
      setup: (implementation, seed) =>
        scenario(part, implementation, { nodeCount: clusterSize(seed), heartbeats: true, settledAtMs: 4_500 + bound }),
      faults: (cluster) => crashRestarts(cluster.servers, { count: [1, 4], withinMs: [0, 3_000], lengthMs: [50, 1_500] }),
    }),
    test(part, first + 3, {
      name: `${title}: a partition yields two leaders (split brain; demonstration)`,
      points: 0,
      seeds: 5,
      demonstrates: 'one leader',
      description:
        'The network splits into a lower and an upper half for good: each half elects its own leader. ' +
        'Timeouts cannot tell a dead node from an unreachable one; the handout explains why quorums prevent this.',
      setup: (implementation, seed) => ({
        ...scenario(part, implementation, { nodeCount: clusterSize(seed, 4), heartbeats: true, settledAtMs: 0, only: [oneLeader(1_000 + bound)] }),
        durationMs: 1_000 + 2 * bound,
      }),
      faults: fixed((nodeCount) => [{ atMs: 1_000, type: 'partition', groups: [lowerHalf(nodeCount)] }]),
    }),
    test(part, first + 4, {
      name: `${title}: after a partition heals, one leader within T`,
      points: 2,
      seeds: 14,
      description: `The network splits in two halves from 1000 to 3000 ms; T = ${bound} ms after the heal, everyone follows the highest id.`,
      setup: (implementation, seed) => scenario(part, implementation, { nodeCount: clusterSize(seed, 4), heartbeats: true, settledAtMs: 3_000 + bound }),
      faults: fixed((nodeCount) => [
        { atMs: 1_000, type: 'partition', groups: [lowerHalf(nodeCount)] },
        { atMs: 3_000, type: 'heal' },
      ]),
    }),
  ];
}

/** The election after `fromMs` must cost exactly `expected(N)` messages; the figures are reported. */
function costTest(
  part: Part,
  index: number,
  title: string,
  formula: string,
  expected: (nodeCount: number) => number,
  shape: (nodeCount: number) => { inputs: ScheduledInput<ElectionProtocol>[]; faults: FaultAction[] },
  description: string,
): ElectionTest {
  return test(part, index, {
    name: `${title}: ${formula} Election, Ok and Coordinator messages`,
    kind: 'budget',
    points: 1,
    seeds: 7,
    description,
    setup: (implementation, seed) => {
      const nodeCount = clusterSize(seed);
      return scenario(part, implementation, {
        nodeCount,
        heartbeats: false,
        inputs: shape(nodeCount).inputs,
        settledAtMs: 1_000 + boundMs[part],
        extra: [electionCost(1_000, expected(nodeCount), formula)],
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

const everyone = (nodeCount: number) => Array.from({ length: nodeCount }, (_unused, id) => id);

const bullyTests: ElectionTest[] = [
  test('A', 1, {
    name: 'bully: every node follows the highest id after the first election',
    points: 1,
    seeds: 14,
    description: `The smoke test: no faults; heartbeats on, so the nodes notice there is no leader and elect one. Within T = ${boundMs.A} ms all follow n(N-1).`,
    setup: (implementation, seed) => scenario('A', implementation, { nodeCount: clusterSize(seed), heartbeats: true, settledAtMs: boundMs.A }),
  }),
  ...sharedTests('A', 2, 'bully'),
  test('A', 7, {
    name: 'bully: the lowest id notices the dead leader and the next highest takes over',
    points: 2,
    seeds: 14,
    description: 'Heartbeats off: the leader n(N-1) crashes at 500 ms and only n0 is told to suspect it, at 1000 ms.',
    setup: (implementation, seed) =>
      scenario('A', implementation, { nodeCount: clusterSize(seed), heartbeats: false, inputs: [suspect(0, 1_000)], settledAtMs: 1_000 + boundMs.A }),
    faults: fixed((nodeCount) => [crash(nodeCount - 1, 500)]),
  }),
  test('A', 8, {
    name: 'bully: a candidate that crashes after answering Ok does not stall the election',
    points: 2,
    seeds: 12,
    description:
      'Heartbeats off. The leader n(N-1) is dead; n0 suspects it at 1000 ms; n(N-2) answers Ok, then crashes at 1025 ms before it ' +
      'announces itself. The nodes waiting for its Coordinator must give up and elect n(N-3).',
    setup: (implementation, seed) =>
      scenario('A', implementation, { nodeCount: clusterSize(seed, 4), heartbeats: false, inputs: [suspect(0, 1_000)], settledAtMs: 1_025 + boundMs.A }),
    faults: fixed((nodeCount) => [crash(nodeCount - 1, 500), crash(nodeCount - 2, 1_025)]),
  }),
  test('A', 9, {
    name: 'bully: a recovered highest id takes over again',
    points: 2,
    seeds: 14,
    description: 'Heartbeats on. n(N-1) crashes at 1000 ms and restarts at 3000 ms; a restarted node holds an election, and all follow it again.',
    setup: (implementation, seed) => scenario('A', implementation, { nodeCount: clusterSize(seed), heartbeats: true, settledAtMs: 3_000 + boundMs.A }),
    faults: fixed((nodeCount) => [crash(nodeCount - 1, 1_000), restart(nodeCount - 1, 3_000)]),
  }),
  costTest(
    'A',
    10,
    'bully, best case',
    'N',
    (nodeCount) => nodeCount,
    (nodeCount) => ({ inputs: [suspect(nodeCount - 2, 1_000)], faults: [crash(nodeCount - 1, 500)] }),
    'Heartbeats off; the leader n(N-1) is dead and the highest live id, n(N-2), notices: one Election (to the dead leader) and N-1 Coordinators.',
  ),
  costTest(
    'A',
    11,
    'bully, worst case',
    'N(N-1)',
    (nodeCount) => nodeCount * (nodeCount - 1),
    (nodeCount) => ({ inputs: [suspect(0, 1_000)], faults: [crash(nodeCount - 1, 500)] }),
    'Heartbeats off; the leader n(N-1) is dead and the lowest id, n0, notices: every live node holds an election.',
  ),
];

const ringTests: ElectionTest[] = [
  test('B', 1, {
    name: 'ring: an election started by the highest id elects it',
    points: 1,
    seeds: 14,
    description: 'The smoke test: no faults, heartbeats off; n(N-1) starts the only election at 100 ms and every node learns it leads.',
    setup: (implementation, seed) => {
      const nodeCount = clusterSize(seed);
      return scenario('B', implementation, { nodeCount, heartbeats: false, inputs: [suspect(nodeCount - 1, 100)], settledAtMs: 100 + boundMs.B });
    },
  }),
  test('B', 2, {
    name: 'ring: every node follows the highest id after the first election',
    points: 2,
    seeds: 14,
    description: 'No faults; heartbeats on, so several nodes notice there is no leader and start elections around the same time.',
    setup: (implementation, seed) => scenario('B', implementation, { nodeCount: clusterSize(seed), heartbeats: true, settledAtMs: boundMs.B }),
  }),
  ...sharedTests('B', 3, 'ring'),
  test('B', 8, {
    name: 'ring: a dead successor is skipped',
    points: 2,
    seeds: 14,
    description: 'Heartbeats off. A node (not the highest) crashes at 500 ms; its predecessor starts an election at 1000 ms and must skip it.',
    setup: (implementation, seed) => {
      const nodeCount = clusterSize(seed);
      return scenario('B', implementation, { nodeCount, heartbeats: false, inputs: [suspect(deadInRing(nodeCount) - 1, 1_000)], settledAtMs: 1_000 + boundMs.B });
    },
    faults: fixed((nodeCount) => [crash(deadInRing(nodeCount), 500)]),
  }),
  test('B', 9, {
    name: 'ring: an election whose candidate crashes is restarted by timeout',
    points: 2,
    seeds: 14,
    description:
      'Heartbeats off, every message takes exactly D ms. n0 starts an election at 1000 ms; n(N-1) crashes 5 ms after it put its own id ' +
      'in the Election, which can then never come back to it. The participants time out and elect n(N-2).',
    setup: (implementation, seed) =>
      scenario('B', implementation, {
        nodeCount: clusterSize(seed),
        heartbeats: false,
        fixedDelayMs: maxDelayMs,
        inputs: [suspect(0, 1_000)],
        settledAtMs: 1_100 + boundMs.B,
      }),
    faults: fixed((nodeCount) => [crash(nodeCount - 1, 1_000 + maxDelayMs * (nodeCount - 1) + 5)]),
  }),
  costTest(
    'B',
    10,
    'ring, initiator is the highest id',
    '2N',
    (nodeCount) => 2 * nodeCount,
    (nodeCount) => ({ inputs: [suspect(nodeCount - 1, 1_000)], faults: [] }),
    'Heartbeats off, no faults; n(N-1) starts the election: N Elections around the ring, then N Coordinators.',
  ),
  costTest(
    'B',
    11,
    "ring, initiator is the highest id's successor",
    '3N-1',
    (nodeCount) => 3 * nodeCount - 1,
    () => ({ inputs: [suspect(0, 1_000)], faults: [] }),
    'Heartbeats off, no faults; n0 starts: N-1 Elections to reach n(N-1), N to come back to it, then N Coordinators.',
  ),
  costTest(
    'B',
    12,
    'ring, every node starts at once',
    '3N-1',
    (nodeCount) => 3 * nodeCount - 1,
    (nodeCount) => ({ inputs: everyone(nodeCount).map((id) => suspect(id, 1_000)), faults: [] }),
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
