// Lab 2's graded suite: bully (2A) and ring (2B) election. Data only: it names the classes
// it needs and never imports an implementation.
import {
  keepsTheDeclaredState,
  speaksTheProtocol,
  type DeclaredState,
  type DeclaredMessage,
  type FieldKind,
  crashRestarts,
  RandomSource,
  runSeed,
  runTest,
  type FaultAction,
  type SuiteTest,
  type LabSuite,
  type NodeClass,
  type NodeId,
  type Property,
  type RunSetup,
  type RunTest,
  type ScheduledInput,
} from 'distlab/testing';
import {
  acknowledgesRingMessages,
  ackAnswersARingMessage,
  announcesWhenItsElectionCameBack,
  answersElections,
  okAnswersAnElection,
  suspicionStartsAnElection,
  declaresWhenNoHigherAnswers,
  electionCost,
  heartbeatsComeFromTheLeader,
  leaderSendsHeartbeats,
  highestLiveLeads,
  leaderLearnedFromTheElection,
  oneLeader,
  oneLeaderName,
  ringMessagesGoToTheSuccessor,
  ringRules,
  sideLeadsItself,
  steadyLeaderNotSuspected,
} from './checks.ts';
import type { Bully, ElectionConfig, Ring } from './src/protocol.ts';

export interface ElectionImplementation {
  readonly BullyNode: NodeClass<Bully>;
  readonly RingNode: NodeClass<Ring>;
}

const lab = '02-election';

/** D: every message arrives within this many ms. */
export const maxDelayMs = 10;

/** A message of lab 2's protocols: its declared fields (every node sends to every node). */
const declares = (kinds: Readonly<Record<string, FieldKind>> = {}): DeclaredMessage => ({ fields: Object.keys(kinds), route: 'server-to-server', kinds });
/** A node's storage and output, as src/protocol.ts declares them (both algorithms alike): "storage and outputs are as protocol.ts declares". */
export const electionState: DeclaredState = { storage: { startedBefore: 'boolean' }, outputs: { Leader: { fields: ['leader'], kinds: { leader: 'node' } } } };
const bullyMessages = { Election: declares(), Ok: declares(), Coordinator: declares(), Heartbeat: declares() };
const ringMessages = {
  Election: declares({ candidate: 'node', hops: 'integer', id: 'integer' }),
  Coordinator: declares({ leader: 'node', hops: 'integer', id: 'integer' }),
  Ack: declares({ id: 'integer' }),
  Heartbeat: declares(),
};

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
export type Election = Bully | Ring;

/** One algorithm: its part, its class in the implementation, its settings. */
export interface Algorithm<P extends Election> {
  readonly part: Part;
  readonly title: string;
  readonly node: (implementation: ElectionImplementation) => NodeClass<P>;
  readonly config: (heartbeats: boolean) => P['config'];
  /** The input that tells a node to suspect its leader. */
  readonly suspectLeader: P['input'];
  readonly boundMs: number;
  /** Its messages, as src/protocol.ts declares them. */
  readonly messages: Readonly<Record<string, DeclaredMessage>>;
  /** The algorithm's own rules, checked in every test but the demonstrations; `heartbeats`: whether the test turns them on. */
  readonly rules: (heartbeats: boolean) => readonly Property<P>[];
}

export const bully: Algorithm<Bully> = {
  part: 'A',
  title: 'bully',
  node: (implementation) => implementation.BullyNode,
  config: (heartbeats) => ({ ...bullyConfig, heartbeatMs: heartbeats ? bullyConfig.heartbeatMs : null }),
  suspectLeader: { type: 'SuspectLeader' },
  boundMs: boundMs.A,
  messages: bullyMessages,
  rules: (heartbeats) => [
    heartbeatsComeFromTheLeader<Bully>(heartbeats),
    ...(heartbeats ? [leaderSendsHeartbeats<Bully>(bullyConfig.suspectAfterMs)] : []),
    leaderLearnedFromTheElection<Bully>('A', maxDelayMs),
    declaresWhenNoHigherAnswers(maxDelayMs),
    answersElections,
    okAnswersAnElection,
    suspicionStartsAnElection,
  ],
};

export const ring: Algorithm<Ring> = {
  part: 'B',
  title: 'ring',
  node: (implementation) => implementation.RingNode,
  config: (heartbeats) => ({ ...ringConfig, heartbeatMs: heartbeats ? ringConfig.heartbeatMs : null }),
  suspectLeader: { type: 'SuspectLeader' },
  boundMs: boundMs.B,
  messages: ringMessages,
  rules: (heartbeats) => [
    ...ringRules,
    ringMessagesGoToTheSuccessor(maxDelayMs),
    acknowledgesRingMessages,
    ackAnswersARingMessage,
    announcesWhenItsElectionCameBack,
    heartbeatsComeFromTheLeader<Ring>(heartbeats),
    ...(heartbeats ? [leaderSendsHeartbeats<Ring>(ringConfig.suspectAfterMs)] : []),
    leaderLearnedFromTheElection<Ring>('B', maxDelayMs),
    suspicionStartsAnElection,
  ],
};

/** Seeds 1, 2, 3, ... run clusters of 3, 4, ..., 9 nodes, then start again. */
export function clusterSize(seed: number, smallest = 3): number {
  return smallest + ((seed - 1) % (10 - smallest));
}

/** One seed's run of a test: the cluster, who suspects the leader and when, the test's own faults. */
interface Plan<P extends Election> {
  readonly nodeCount: number;
  readonly heartbeats: boolean;
  /** Nodes told to suspect their leader, and when. */
  readonly suspects?: readonly { readonly node: NodeId; readonly atMs: number }[];
  /** The test's fixed scenario: in every run, first, and never shrunk away. */
  readonly faults?: readonly FaultAction[];
  /** The last fault or input the test plans: the run lasts T and one more second beyond it. */
  readonly lastPlannedMs: number;
  /** Every message takes exactly this long, instead of 1 to D ms. */
  readonly fixedDelayMs?: number;
  readonly extra?: readonly Property<P>[];
  /** A demonstration: only these properties, and a run of this length. */
  readonly demonstration?: { readonly properties: readonly Property<P>[]; readonly durationMs: number };
}

/**
 * Draws a time in [fromMs, toMs] from the test's seed. Faults and suspicions fall anywhere in
 * a window, never on the heartbeat's beat, so which of two messages comes first (the higher
 * leader's heartbeat or the lower one's, an Election or a restart) changes from seed to seed.
 */
type DrawMs = (fromMs: number, toMs: number) => number;

function drawsFor(number: string, seed: number): DrawMs {
  const random = RandomSource.fork(runSeed(lab, number, seed), 'scenario');
  return (fromMs, toMs) => random.integer(fromMs, toMs);
}

function setupOf<P extends Election>(algorithm: Algorithm<P>, implementation: ElectionImplementation, plan: Plan<P>): RunSetup<P> {
  const node = algorithm.node(implementation);
  const inputs: ScheduledInput<P>[] = (plan.suspects ?? []).map(({ node: id, atMs }) => ({ atMs, node: id, input: algorithm.suspectLeader }));
  const setup: RunSetup<P> = {
    nodes: Array.from({ length: plan.nodeCount }, () => ({ role: 'server' as const, node })),
    config: algorithm.config(plan.heartbeats),
    network: { delay: { kind: 'uniform', minMs: plan.fixedDelayMs ?? 1, maxMs: plan.fixedDelayMs ?? maxDelayMs } },
    durationMs: plan.lastPlannedMs + algorithm.boundMs + 1_000,
    inputs,
    // The protocol's types first: the properties after them then read only values of the declared kinds.
    properties: [speaksTheProtocol<P>(algorithm.messages), keepsTheDeclaredState<P>(electionState), ...highestLiveLeads<P>(algorithm.boundMs), ...algorithm.rules(plan.heartbeats), ...(plan.extra ?? [])],
  };
  if (plan.demonstration === undefined) return setup;
  return { ...setup, durationMs: plan.demonstration.durationMs, properties: [...plan.demonstration.properties] };
}

const lowerHalf = (nodeCount: number) => Array.from({ length: Math.floor(nodeCount / 2) }, (_unused, id) => id);
const everyone = (nodeCount: number) => Array.from({ length: nodeCount }, (_unused, id) => id);
export const crash = (node: NodeId, atMs: number): FaultAction => ({ atMs, type: 'crash', node });
export const restart = (node: NodeId, atMs: number): FaultAction => ({ atMs, type: 'restart', node });

type ElectionTest = SuiteTest<ElectionImplementation>;
type TestFields<P extends Election> = Omit<RunTest<P, ElectionImplementation>, 'number' | 'part' | 'kind' | 'visibility' | 'setup' | 'scenario'> &
  Partial<Pick<RunTest<P, ElectionImplementation>, 'kind' | 'visibility'>> & {
    /** The run of one seed; `at` draws its times from that seed. */
    readonly plan: (seed: number, at: DrawMs) => Plan<P>;
  };

export function test<P extends Election>(algorithm: Algorithm<P>, index: number, fields: TestFields<P>): ElectionTest {
  const number = `2${algorithm.part}.${index}`;
  const { plan, ...rest } = fields;
  // A seed's plan decides the cluster, the suspicions and the fixed faults (never shrunk)
  // together, with times drawn from that seed: each seed declares its own run test from it.
  const declare = (seed: number) => {
    const planned = plan(seed, drawsFor(number, seed));
    return runTest<P, ElectionImplementation>({
      kind: 'run',
      visibility: 'visible',
      ...rest,
      number,
      part: algorithm.part,
      setup: (implementation) => setupOf(algorithm, implementation, planned),
      scenario: () => planned.faults ?? [],
    });
  };
  return Object.freeze({ ...declare(1), prepare: (implementation: ElectionImplementation, seed: number) => declare(seed).prepare(implementation, seed) });
}

/** Tests both algorithms share. */
function sharedTests<P extends Election>(algorithm: Algorithm<P>, first: number): ElectionTest[] {
  const { title, boundMs: bound } = algorithm;
  return [
    test(algorithm, first, {
      name: `${title}: the leader crashes; the next highest id leads within T`,
      points: 2,
      seeds: 21,
      description:
        `Heartbeats on; the leader n(N-1) crashes between 1000 and 1100 ms (the seed draws when). Within T = ${bound} ms every live node ` +
        'follows n(N-2), and none believes a dead node leads.',
      plan: (seed, at) => {
        const nodeCount = clusterSize(seed);
        const crashMs = at(1_000, 1_100);
        return { nodeCount, heartbeats: true, faults: [crash(nodeCount - 1, crashMs)], lastPlannedMs: crashMs };
      },
    }),
    test(algorithm, first + 1, {
      name: `${title}: several nodes start elections at once and still agree`,
      points: 2,
      seeds: 21,
      description: 'After the first election, half of the nodes (chosen by the seed) suspect the leader at the same instant, between 1500 and 1600 ms.',
      plan: (seed, at) => {
        const nodeCount = clusterSize(seed);
        const suspectMs = at(1_500, 1_600);
        const suspects = everyone(nodeCount)
          .filter((id) => (id * 7 + seed) % 2 === 0)
          .map((node) => ({ node, atMs: suspectMs }));
        return { nodeCount, heartbeats: true, suspects, lastPlannedMs: suspectMs };
      },
    }),
    test(algorithm, first + 2, {
      name: `${title}: the highest live id leads after random crashes and restarts`,
      points: 2,
      seeds: 30,
      description:
        `Heartbeats on; nodes crash at random until 3000 ms and restart up to 1500 ms later; then, every node up again, the ` +
        `highest id crashes for good at about 4600 ms. Within T = ${bound} ms of each fault (unless another comes first) the highest ` +
        'live id leads, and it goes on leading: the last crash is noticed only by the missing heartbeats.',
      plan: (seed, at) => {
        const nodeCount = clusterSize(seed);
        const lastCrashMs = at(4_550, 4_650);
        return { nodeCount, heartbeats: true, faults: [crash(nodeCount - 1, lastCrashMs)], lastPlannedMs: lastCrashMs };
      },
      faults: (cluster) => crashRestarts(cluster.servers, { count: [1, 4], withinMs: [0, 3_000], lengthMs: [50, 1_500] }),
    }),
    test(algorithm, first + 3, {
      name: `${title}: a partition yields two leaders (split brain; demonstration)`,
      points: 0,
      seeds: 5,
      demonstrates: oneLeaderName,
      description:
        'At about 1000 ms the network splits into a lower and an upper half for good: each half elects its own leader. ' +
        'Timeouts cannot tell a dead node from an unreachable one; the handout explains why quorums prevent this.',
      plan: (seed, at) => {
        const nodeCount = clusterSize(seed, 4);
        const partitionMs = at(1_000, 1_100);
        return {
          nodeCount,
          heartbeats: true,
          faults: [{ atMs: partitionMs, type: 'partition', groups: [lowerHalf(nodeCount)] }],
          lastPlannedMs: partitionMs,
          demonstration: { properties: [oneLeader<P>(bound)], durationMs: partitionMs + 2 * bound },
        };
      },
    }),
    test(algorithm, first + 4, {
      name: `${title}: after a partition heals, one leader within T`,
      points: 2,
      seeds: 14,
      description:
        'The network splits in a lower and an upper half between 1000 and 1100 ms and heals 1700 to 1800 ms later; by then the lower ' +
        'half has elected its own leader. On two seeds in three ' +
        "the upper half hears the lower one 60 to 120 ms before it is heard back, so that the lower leader's heartbeat reaches the higher " +
        `leader first (the seed draws times and order). T = ${bound} ms after the heal, everyone follows the highest id.`,
      plan: (seed, at) => {
        const nodeCount = clusterSize(seed, 4);
        const lower = lowerHalf(nodeCount);
        const upper = everyone(nodeCount).filter((id) => !lower.includes(id));
        const partitionMs = at(1_000, 1_100);
        // Healed before T (bully's is 2000 ms) has passed: each half's own leader is not judged.
        const healMs = partitionMs + at(1_700, 1_800);
        const faults: FaultAction[] = [{ atMs: partitionMs, type: 'partition', groups: [lower] }];
        // The lower half, which does not hold the first leader, has elected its own by the heal: two leaders meet.
        const extra = [sideLeadsItself<P>(lower, partitionMs, healMs)];
        if (at(0, 2) === 0) {
          faults.push({ atMs: healMs, type: 'heal' });
          return { nodeCount, heartbeats: true, faults, lastPlannedMs: healMs, extra };
        }
        // One way first: the lower leader's heartbeats reach the upper half, whose own do not go back yet.
        const bothWaysMs = healMs + at(60, 120);
        faults.push({ atMs: healMs, type: 'heal' }, { atMs: healMs, type: 'cut', from: upper, to: lower }, { atMs: bothWaysMs, type: 'heal' });
        return { nodeCount, heartbeats: true, faults, lastPlannedMs: bothWaysMs, extra };
      },
    }),
  ];
}

/** The shape of a cost test's run: who suspects the leader at 1000 ms, and which faults come first. */
interface CostShape {
  readonly suspects: readonly NodeId[];
  readonly faults: readonly FaultAction[];
  /** Every message takes exactly this long, instead of 1 to D ms. */
  readonly fixedDelayMs?: number;
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
    name: `${title}: ${formula} ${algorithm.part === 'A' ? 'Election, Ok and Coordinator' : 'Election and Coordinator'} messages`,
    kind: 'budget',
    points: 1,
    seeds: 7,
    description,
    axes: { x: 'nodes (N)', y: 'messages sent in the one election' },
    // Heartbeats are off and one election runs alone: its cost does not depend on when it starts.
    plan: (seed) => {
      const nodeCount = clusterSize(seed);
      const { suspects, faults, fixedDelayMs } = shape(nodeCount);
      return {
        nodeCount,
        heartbeats: false,
        ...(fixedDelayMs === undefined ? {} : { fixedDelayMs }),
        suspects: suspects.map((node) => ({ node, atMs: 1_000 })),
        faults,
        lastPlannedMs: 1_000,
        // Its measurements are what the budget counts: from 1000 ms on, messages a node sends itself left out.
        extra: [electionCost<P>(1_000, expected(nodeCount), formula, nodeCount)],
      };
    },
    measure: (_result, seed) => ({ [`formula@${clusterSize(seed)}`]: expected(clusterSize(seed)) }),
  });
}

/**
 * A restart with heartbeats off: n0 starts the first election, the leader n(N-1) crashes, a
 * lower node (drawn) notices and n(N-2) takes over; n(N-1) restarts later. Nothing but the
 * restart rule can make it lead again.
 */
function restartAfterTakeover<P extends Election>(seed: number, at: DrawMs): Plan<P> {
  const nodeCount = clusterSize(seed);
  const firstMs = at(100, 200);
  const crashMs = at(900, 1_100);
  const noticer = at(0, nodeCount - 2);
  const noticeMs = crashMs + at(50, 150);
  const restartMs = at(1_900, 2_100);
  return {
    nodeCount,
    heartbeats: false,
    suspects: [
      { node: 0, atMs: firstMs },
      { node: noticer, atMs: noticeMs },
    ],
    faults: [crash(nodeCount - 1, crashMs), restart(nodeCount - 1, restartMs)],
    lastPlannedMs: restartMs,
  };
}

/** The node that is dead in test 2B.8: never the highest, never n0. */
const deadInRing = (nodeCount: number) => Math.floor((nodeCount - 1) / 2);

const bullyTests: ElectionTest[] = [
  test(bully, 1, {
    name: 'bully: every node follows the highest id after the first election',
    points: 1,
    seeds: 14,
    description:
      `The smoke test: no faults; heartbeats on, so the nodes notice there is no leader and elect one. Within T = ${boundMs.A} ms all follow n(N-1), ` +
      "and from then on the leader's heartbeats keep every node from suspecting it: nobody sends an Election.",
    plan: (seed) => ({ nodeCount: clusterSize(seed), heartbeats: true, lastPlannedMs: 0, extra: [steadyLeaderNotSuspected<Bully>(boundMs.A)] }),
  }),
  ...sharedTests(bully, 2),
  test(bully, 7, {
    name: 'bully: the lowest id notices the dead leader and the next highest takes over',
    points: 2,
    seeds: 14,
    description: 'Heartbeats off: the leader n(N-1) crashes at about 500 ms and only n0 is told to suspect it, at about 1000 ms.',
    plan: (seed, at) => {
      const nodeCount = clusterSize(seed);
      const crashMs = at(400, 600);
      const suspectMs = at(900, 1_100);
      return { nodeCount, heartbeats: false, suspects: [{ node: 0, atMs: suspectMs }], faults: [crash(nodeCount - 1, crashMs)], lastPlannedMs: suspectMs };
    },
  }),
  test(bully, 8, {
    name: 'bully: a candidate that crashes after answering Ok does not stall the election',
    points: 2,
    seeds: 12,
    description:
      'Heartbeats off. The leader n(N-1) is dead; n0 suspects it at about 1000 ms; n(N-2) answers Ok to every lower node, then crashes ' +
      '21 to 30 ms later, before it announces itself. The nodes waiting for its Coordinator must give up and elect n(N-3).',
    plan: (seed, at) => {
      const nodeCount = clusterSize(seed, 4);
      const deadMs = at(400, 600);
      const suspectMs = at(900, 1_100);
      // Every lower node's Election reaches n(N-2) within 2D, and n(N-2) cannot declare itself before answerTimeoutMs + 1.
      const crashMs = suspectMs + at(2 * maxDelayMs + 1, bullyConfig.answerTimeoutMs);
      return {
        nodeCount,
        heartbeats: false,
        suspects: [{ node: 0, atMs: suspectMs }],
        faults: [crash(nodeCount - 1, deadMs), crash(nodeCount - 2, crashMs)],
        lastPlannedMs: crashMs,
      };
    },
  }),
  test(bully, 9, {
    name: 'bully: a recovered highest id takes over again',
    points: 2,
    seeds: 14,
    description: 'Heartbeats on. n(N-1) crashes at about 1000 ms and restarts at about 3000 ms; a restarted node holds an election, and all follow it again.',
    plan: (seed, at) => {
      const nodeCount = clusterSize(seed);
      const crashMs = at(900, 1_100);
      const restartMs = at(2_900, 3_100);
      return { nodeCount, heartbeats: true, faults: [crash(nodeCount - 1, crashMs), restart(nodeCount - 1, restartMs)], lastPlannedMs: restartMs };
    },
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
  test(bully, 12, {
    name: 'bully: a restarted highest id holds its own election (heartbeats off)',
    points: 2,
    seeds: 14,
    description:
      'Heartbeats off. n0 starts the first election; n(N-1) crashes at about 1000 ms, a lower node notices and n(N-2) takes over; n(N-1) ' +
      'restarts at about 2000 ms. No heartbeat and no other message tells it anything: its own election must make it lead.',
    plan: (seed, at) => restartAfterTakeover<Bully>(seed, at),
  }),
  test(bully, 13, {
    name: 'bully: a node that gets a Coordinator from a lower id takes over (heartbeats off)',
    points: 2,
    seeds: 14,
    description:
      'Heartbeats off, every message takes exactly D ms. n(N-1) crashes at about 1000 ms; n(N-2) notices, sends its Election to the dead ' +
      'n(N-1) and declares itself 30 ms later; n(N-1) restarts in between, announces itself, and then gets the Coordinator of the lower ' +
      'n(N-2): it must hold an election and take over again.',
    plan: (seed, at) => {
      const nodeCount = clusterSize(seed);
      const firstMs = at(100, 200);
      const crashMs = at(900, 1_100);
      const noticeMs = crashMs + at(50, 150);
      // After n(N-2)'s Election to it was dropped (D), and early enough that n(N-2) declares itself
      // before n(N-1)'s own Coordinator reaches it (answerTimeoutMs - D), and gets n(N-2)'s (answerTimeoutMs + D).
      const restartMs = noticeMs + at(bullyConfig.answerTimeoutMs - maxDelayMs + 1, bullyConfig.answerTimeoutMs + maxDelayMs - 1);
      return {
        nodeCount,
        heartbeats: false,
        fixedDelayMs: maxDelayMs,
        suspects: [
          { node: 0, atMs: firstMs },
          { node: nodeCount - 2, atMs: noticeMs },
        ],
        faults: [crash(nodeCount - 1, crashMs), restart(nodeCount - 1, restartMs)],
        lastPlannedMs: restartMs,
      };
    },
  }),
];

const ringTests: ElectionTest[] = [
  test(ring, 1, {
    name: 'ring: an election started by the highest id elects it',
    points: 1,
    seeds: 14,
    description: 'The smoke test: no faults, heartbeats off; n(N-1) starts the only election at 100 ms and every node learns it leads.',
    plan: (seed) => {
      const nodeCount = clusterSize(seed);
      return { nodeCount, heartbeats: false, suspects: [{ node: nodeCount - 1, atMs: 100 }], lastPlannedMs: 100 };
    },
  }),
  test(ring, 2, {
    name: 'ring: every node follows the highest id after the first election',
    points: 2,
    seeds: 14,
    description:
      'No faults; heartbeats on, so several nodes notice there is no leader and start elections around the same time. Once the first ' +
      "election is over (T), the leader's heartbeats keep every node from suspecting it: nobody sends an Election.",
    plan: (seed) => ({ nodeCount: clusterSize(seed), heartbeats: true, lastPlannedMs: 0, extra: [steadyLeaderNotSuspected<Ring>(boundMs.B)] }),
  }),
  ...sharedTests(ring, 3),
  test(ring, 8, {
    name: 'ring: a dead successor is skipped',
    points: 2,
    seeds: 14,
    description: 'Heartbeats off. A node (not the highest) crashes at about 500 ms; its predecessor starts an election at about 1000 ms and must skip it.',
    plan: (seed, at) => {
      const nodeCount = clusterSize(seed);
      const crashMs = at(400, 600);
      const suspectMs = at(900, 1_100);
      return {
        nodeCount,
        heartbeats: false,
        suspects: [{ node: deadInRing(nodeCount) - 1, atMs: suspectMs }],
        faults: [crash(deadInRing(nodeCount), crashMs)],
        lastPlannedMs: suspectMs,
      };
    },
  }),
  test(ring, 9, {
    name: 'ring: an election whose candidate crashes is restarted by timeout',
    points: 2,
    seeds: 14,
    description:
      'Heartbeats off, every message takes exactly D ms. n0 starts an election at about 1000 ms; n(N-1) crashes after it put its own id ' +
      'in the Election and before that Election can come back to it (the seed draws when). The Election is lost; the participants time ' +
      'out and elect n(N-2).',
    plan: (seed, at) => {
      const nodeCount = clusterSize(seed);
      const suspectMs = at(900, 1_100);
      // n(N-1) puts its id in after N-1 hops of D; the Election would be back N hops later.
      const crashMs = suspectMs + maxDelayMs * (nodeCount - 1) + at(1, maxDelayMs * nodeCount - 1);
      return {
        nodeCount,
        heartbeats: false,
        fixedDelayMs: maxDelayMs,
        suspects: [{ node: 0, atMs: suspectMs }],
        faults: [crash(nodeCount - 1, crashMs)],
        lastPlannedMs: crashMs,
      };
    },
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
    // With delays of 1 to D ms, a smaller Election may reach n(N-1) after its round is over and start another.
    (nodeCount) => ({ suspects: everyone(nodeCount), faults: [], fixedDelayMs: maxDelayMs }),
    'Heartbeats off, no faults, every message takes exactly D ms; all nodes start at the same instant. Participants swallow the smaller ' +
      "candidates: N-1 Elections die at once, n(N-1)'s goes round (N), then N Coordinators.",
  ),
  test(ring, 13, {
    name: 'ring: a restarted highest id holds its own election (heartbeats off)',
    points: 2,
    seeds: 14,
    description:
      'Heartbeats off. n0 starts the first election; n(N-1) crashes at about 1000 ms, a lower node notices and n(N-2) is elected; n(N-1) ' +
      'restarts at about 2000 ms. No heartbeat and no other message tells it anything: its own election must make it lead.',
    plan: (seed, at) => restartAfterTakeover<Ring>(seed, at),
  }),
];

export const suite: LabSuite<ElectionImplementation> = {
  lab,
  title: 'Lab 2: leader election',
  exports: ['BullyNode', 'RingNode'],
  tests: [...bullyTests, ...ringTests],
};

export default suite;
