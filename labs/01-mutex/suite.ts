// Lab 1's graded suite: four algorithms, one part each. Data only: it names the classes it
// needs and never imports an implementation.
import { runTest, searchTest, speaksTheProtocol, type DeclaredMessage, type LabSuite, type NetworkSettings, type NodeClass, type NodeId, type Property, type RunSetup, type RunTest, type SearchSpec, type SuiteTest } from 'distlab/testing';
import {
  clockCondition,
  entersAtTheHead,
  everyRequestGranted,
  grantedByCoordinator,
  grantsInArrivalOrder,
  grantsInTimestampOrder,
  hearsFromEveryOther,
  heavyLoad,
  holdsTheToken,
  lightLoad,
  messagesPerEntry,
  mutexWorkload,
  mutualExclusion,
  oneAtATime,
  repliesFromAll,
  someNodeEnters,
  stampsIncrease,
  tokenHopsBounded,
  type Load,
} from './checks.ts';
import type { Centralized, Lamport, MutexProtocol, RicartAgrawala, TokenRing } from './src/protocol.ts';

export interface MutexImplementation {
  readonly CentralizedNode: NodeClass<Centralized>;
  readonly TokenRingNode: NodeClass<TokenRing>;
  readonly LamportNode: NodeClass<Lamport>;
  readonly RicartAgrawalaNode: NodeClass<RicartAgrawala>;
}

type Part = 'A' | 'B' | 'C' | 'D';

export interface Algorithm<P extends MutexProtocol> {
  readonly part: Part;
  readonly title: string;
  readonly node: (implementation: MutexImplementation) => NodeClass<P>;
  readonly config: P['config'];
  /** Nodes that ask for the resource: all but the coordinator in 1A. */
  readonly participants: (nodeCount: number) => NodeId[];
  readonly fifo: boolean;
  /** Messages per entry in a fault-free run, and the formula as the handout writes it. */
  readonly cost?: { readonly perEntry: (nodeCount: number) => number; readonly formula: string };
  /** The algorithm's rules for entering, checked in every run test but the demonstration. */
  readonly rules: readonly Property<P>[];
  /** The rules the smoke test checks, when not all of them. */
  readonly smokeRules?: readonly Property<P>[];
}

/** A message of lab 1's protocols: its declared fields, each a Lamport timestamp (every node sends to every node). */
const declares = (...fields: string[]): DeclaredMessage => ({ fields, route: 'server-to-server', kinds: Object.fromEntries(fields.map((field) => [field, 'integer'])) });

export const everyone = (nodeCount: number) => Array.from({ length: nodeCount }, (_unused, id) => id);

/** 1A's coordinator. */
const coordinator: NodeId = 0;

export const centralized: Algorithm<Centralized> = {
  part: 'A',
  title: 'centralized',
  node: (implementation) => implementation.CentralizedNode,
  config: { coordinator },
  participants: (nodeCount) => everyone(nodeCount).slice(1),
  fifo: false,
  cost: { perEntry: () => 3, formula: '3' },
  rules: [speaksTheProtocol<Centralized>({ Request: declares(), Grant: declares(), Release: declares() }), grantedByCoordinator(coordinator)],
};

export const tokenRing: Algorithm<TokenRing> = {
  part: 'B',
  title: 'token ring',
  node: (implementation) => implementation.TokenRingNode,
  config: {},
  participants: everyone,
  fifo: false,
  rules: [speaksTheProtocol<TokenRing>({ Token: declares() }), holdsTheToken],
};

/** Lamport's messages; the 1C.8 search holds them to it too. */
const lamportSpeaks = speaksTheProtocol<Lamport>({ Request: declares('timestamp'), Reply: declares('timestamp'), Release: declares('timestamp') });

export const lamport: Algorithm<Lamport> = {
  part: 'C',
  title: 'Lamport',
  node: (implementation) => implementation.LamportNode,
  config: {},
  participants: everyone,
  fifo: true,
  cost: { perEntry: (nodeCount) => 3 * (nodeCount - 1), formula: '3(N-1)' },
  rules: [lamportSpeaks, hearsFromEveryOther, entersAtTheHead],
  // A node that enters before hearing from everyone is a classic bug the smoke test lets through on purpose.
  smokeRules: [lamportSpeaks, entersAtTheHead],
};

export const ricartAgrawala: Algorithm<RicartAgrawala> = {
  part: 'D',
  title: 'Ricart–Agrawala',
  node: (implementation) => implementation.RicartAgrawalaNode,
  config: {},
  participants: everyone,
  fifo: false,
  cost: { perEntry: (nodeCount) => 2 * (nodeCount - 1), formula: '2(N-1)' },
  rules: [speaksTheProtocol<RicartAgrawala>({ Request: declares('timestamp'), Reply: declares('timestamp') }), repliesFromAll],
};

/** Seeds 1, 2, 3, ... run clusters of 2, 3, ..., 9 nodes, then start again at 2. */
export function clusterSize(seed: number, smallest = 2): number {
  return smallest + ((seed - 1) % (10 - smallest));
}

interface Scenario<P extends MutexProtocol> {
  readonly nodeCount: number;
  /** A load, or `sequential`: one request at a time, never overlapping. */
  readonly load: Load | 'sequential';
  readonly network?: Partial<NetworkSettings>;
  readonly extra?: (nodeCount: number) => Property<P>[];
  /** Leave the algorithm's rules out (a demonstration shows one property break). */
  readonly withoutRules?: boolean;
  /** The smoke test: only the algorithm's smoke rules. */
  readonly smoke?: boolean;
}

export function scenario<P extends MutexProtocol>(algorithm: Algorithm<P>, implementation: MutexImplementation, settings: Scenario<NoInfer<P>>): RunSetup<P> {
  const participants = algorithm.participants(settings.nodeCount);
  const node = algorithm.node(implementation);
  const load = settings.load;
  const requests = load === 'sequential' ? 2 * participants.length : participants.length * load.rounds;
  const workload = load === 'sequential' ? oneAtATime<P>(participants, requests, 200) : mutexWorkload<P>(participants, load);
  return {
    nodes: Array.from({ length: settings.nodeCount }, () => ({ role: 'server' as const, node })),
    config: algorithm.config,
    network: { delay: { kind: 'uniform', minMs: 1, maxMs: 20 }, fifo: algorithm.fifo, ...settings.network },
    // No clock, as under search (1C.8), and no timers, which no protocol of this lab has: a node
    // acts only on what it is handed, so mutual exclusion cannot come from a schedule of its own.
    clock: false,
    timers: false,
    durationMs: 60_000,
    workload,
    stopWhen: (cluster) => workload.finished(cluster),
    properties: [
      mutualExclusion,
      everyRequestGranted(requests),
      ...(settings.withoutRules === true ? [] : settings.smoke === true ? (algorithm.smokeRules ?? algorithm.rules) : algorithm.rules),
      ...(settings.extra?.(settings.nodeCount) ?? []),
    ],
  };
}

export type MutexTest = SuiteTest<MutexImplementation>;

/** The worst token wait of the last run of each seed of 1B.4, for its measurement. */

/**
 * Two Lamport nodes that both ask at once, explored exhaustively (no releases: each enters
 * at most once), with the run tests' own mutual exclusion property. The reference solution
 * has a handful of states; the limits stop the search of a node that keeps sending, whose
 * clock and state then grow without end.
 */
function lamportSearch(implementation: MutexImplementation, fifo: boolean): SearchSpec<Lamport> {
  return {
    strategy: 'bfs',
    expect: 'goal',
    settings: {
      nodes: [0, 1].map(() => ({ role: 'server' as const, node: implementation.LamportNode })),
      config: {},
      inputs: [
        { node: 0, input: { type: 'Acquire' } },
        { node: 1, input: { type: 'Acquire' } },
      ],
      fifo,
      timers: false,
      // Over FIFO channels a correct node also keeps Lamport's rule for entering: without it,
      // a node that enters on its own say and a silent other would pass a search for safety and
      // one entry.
      properties: fifo ? [lamportSpeaks, mutualExclusion, someNodeEnters, hearsFromEveryOther] : [mutualExclusion, someNodeEnters],
      maxStates: 100_000,
      maxDepth: 40,
    },
  };
}

type TestFields<P extends MutexProtocol> = Omit<RunTest<P, MutexImplementation>, 'number' | 'part' | 'kind' | 'visibility'> &
  Partial<Pick<RunTest<P, MutexImplementation>, 'kind' | 'visibility'>>;

export function test<P extends MutexProtocol>(algorithm: Algorithm<P>, index: number, fields: TestFields<P>): MutexTest {
  return runTest<P, MutexImplementation>({
    kind: 'run',
    visibility: 'visible',
    ...fields,
    number: `1${algorithm.part}.${index}`,
    part: algorithm.part,
  });
}

/** The tests every algorithm shares: smoke, safety under contention, no starvation. */
function commonTests<P extends MutexProtocol>(algorithm: Algorithm<P>, smallest = 2): MutexTest[] {
  return [
    test(algorithm, 1, {
      name: `${algorithm.title}: every request granted when requests never overlap`,
      points: 1,
      seeds: 16,
      description: 'The smoke test: one request at a time from random nodes, each after the previous release; 2 to 9 nodes.',
      setup: (implementation, seed) => scenario(algorithm, implementation, { nodeCount: clusterSize(seed, smallest), load: 'sequential', smoke: true }),
    }),
    test(algorithm, 2, {
      name: `${algorithm.title}: never two nodes in the critical section under heavy contention`,
      points: 3,
      seeds: 40,
      description:
        'Every node asks at once (equal Lamport timestamps, so ties are broken by id), and again right after each release; ' +
        'one seed in four uses a light load instead, with requests at random times.',
      setup: (implementation, seed) =>
        scenario(algorithm, implementation, { nodeCount: clusterSize(seed, smallest), load: seed % 4 === 0 ? lightLoad : heavyLoad }),
    }),
    test(algorithm, 3, {
      name: `${algorithm.title}: every request granted under sustained contention (no starvation)`,
      points: 2,
      seeds: 16,
      description: 'Ten rounds each with almost no pause between them; the slowest node must still get its turns.',
      setup: (implementation, seed) =>
        scenario(algorithm, implementation, {
          nodeCount: clusterSize(seed, smallest),
          load: { ...heavyLoad, rounds: 10, thinkMs: [0, 1] },
          network: { delay: { kind: 'exponential', meanMs: 15, maxMs: 200 } },
        }),
    }),
  ];
}

function costTest<P extends MutexProtocol>(algorithm: Algorithm<P>, index: number, smallest = 2): MutexTest {
  const cost = algorithm.cost;
  if (cost === undefined) throw new Error(`no cost formula for ${algorithm.title}`);
  return test(algorithm, index, {
    name: `${algorithm.title}: exactly ${cost.formula} messages per entry`,
    kind: 'budget',
    points: 1,
    seeds: 10 - smallest,
    description: `Fault-free runs with N = ${smallest} to 9: all messages sent divided by entries must equal ${cost.formula}.`,
    axes: { x: 'nodes (N)', y: 'messages sent per critical-section entry' },
    setup: (implementation, seed) => {
      const nodeCount = clusterSize(seed, smallest);
      return scenario(algorithm, implementation, {
        nodeCount,
        load: heavyLoad,
        extra: (size) => [messagesPerEntry(cost.perEntry(size), cost.formula)],
      });
    },
    measure: (result, seed) => {
      const nodeCount = clusterSize(seed, smallest);
      return {
        [`measured@${nodeCount}`]: result.counters.messagesSent / result.outputs.length,
        [`formula@${nodeCount}`]: cost.perEntry(nodeCount),
      };
    },
  });
}

const timestampTests = <P extends MutexProtocol>(algorithm: Algorithm<P>, first: number): MutexTest[] => [
  test(algorithm, first, {
    name: `${algorithm.title}: grants follow the (timestamp, id) order of the requests`,
    points: 2,
    seeds: 30,
    description: 'Heavy contention; the order of entries must be the order of the Request stamps, ties broken by id.',
    setup: (implementation, seed) =>
      scenario(algorithm, implementation, { nodeCount: clusterSize(seed), load: heavyLoad, extra: () => [grantsInTimestampOrder] }),
  }),
  test(algorithm, first + 1, {
    name: `${algorithm.title}: a message sent after receiving stamp t carries a stamp greater than t`,
    points: 1,
    seeds: 20,
    description:
      "Lamport's clock condition, checked on every message: clocks move past every timestamp they receive, and each node's stamps increase " +
      '(a message it sends in a later reaction carries a higher stamp than any it sent before).',
    setup: (implementation, seed) =>
      scenario(algorithm, implementation, {
        nodeCount: clusterSize(seed),
        load: { ...lightLoad, startSpreadMs: 50, thinkMs: [0, 50] },
        extra: () => [clockCondition, stampsIncrease],
      }),
  }),
];

export const suite: LabSuite<MutexImplementation> = {
  lab: '01-mutex',
  title: 'Lab 1: distributed mutual exclusion',
  exports: ['CentralizedNode', 'TokenRingNode', 'LamportNode', 'RicartAgrawalaNode'],
  tests: [
    ...commonTests(centralized),
    test(centralized, 4, {
      name: 'centralized: the coordinator grants in the order requests arrive',
      points: 2,
      seeds: 30,
      description: 'Heavy contention: each Grant must go to the oldest waiting request, as the coordinator received them.',
      setup: (implementation, seed) =>
        scenario(centralized, implementation, {
          nodeCount: clusterSize(seed, 3),
          load: heavyLoad,
          extra: () => [grantsInArrivalOrder(centralized.config.coordinator)],
        }),
    }),
    costTest(centralized, 5),

    ...commonTests(tokenRing),
    test(tokenRing, 4, {
      name: 'token ring: at most N-1 token hops between a request and its grant',
      kind: 'budget',
      points: 1,
      seeds: 16,
      description: 'The token is counted on every pass; a node waits for it at most one trip around the rest of the ring.',
      axes: { x: 'nodes in the ring (N)', y: 'most token passes one grant waited' },
      // The measured figures come from the property: the most hops any grant waited, per ring size, against N-1.
      setup: (implementation, seed) => scenario(tokenRing, implementation, { nodeCount: clusterSize(seed), load: heavyLoad, extra: (size) => [tokenHopsBounded(size)] }),
    }),

    ...commonTests(lamport),
    ...timestampTests(lamport, 4),
    costTest(lamport, 6),
    test(lamport, 7, {
      name: 'Lamport without FIFO channels: two nodes in the critical section (demonstration)',
      points: 0,
      seeds: 200,
      demonstrates: 'mutual exclusion',
      description:
        'Two nodes ask at once with equal timestamps on a network that reorders: n0\'s Reply overtakes its Request, and both enter. ' +
        'The reference solution breaks, as the handout explains.',
      setup: (implementation) => scenario(lamport, implementation, { nodeCount: 2, load: { ...heavyLoad, rounds: 1 }, network: { fifo: false }, withoutRules: true }),
    }),

    searchTest<Lamport, MutexImplementation>({
      number: '1C.8',
      part: 'C',
      visibility: 'visible',
      name: 'Lamport, 2 nodes, every interleaving over FIFO channels: never both in the critical section (search)',
      kind: 'search',
      points: 2,
      seeds: 1,
      description:
        'The model checker delivers the messages of two nodes asking at once in every order FIFO channels allow, ' +
        'and checks mutual exclusion in every state, and that a node enters only once it has heard, from every other node, ' +
        'a message stamped later than its own Request, and that every message is as protocol.ts declares it; some node must be able to enter.',
      search: (implementation) => lamportSearch(implementation, true),
    }),
    searchTest<Lamport, MutexImplementation>({
      number: '1C.9',
      part: 'C',
      visibility: 'visible',
      name: 'Lamport without FIFO channels: the model checker finds the shortest interleaving that breaks it (demonstration)',
      kind: 'search',
      points: 0,
      seeds: 1,
      demonstrates: 'mutual exclusion',
      description: 'The same search with channels that reorder: breadth-first, so the path shown is the shortest one to two nodes inside.',
      search: (implementation) => lamportSearch(implementation, false),
    }),

    ...commonTests(ricartAgrawala),
    ...timestampTests(ricartAgrawala, 4),
    costTest(ricartAgrawala, 6),
  ],
};

export default suite;
