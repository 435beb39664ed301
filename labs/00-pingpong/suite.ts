// Lab 0's graded suite. It is data: it names the classes it needs and never imports an
// implementation; the grader (or `npm test`) gives it the one chosen with --impl.
import {
  always,
  budget,
  combineSchedules,
  crashRestarts,
  eventually,
  isolations,
  runTest,
  type LabSuite,
  type NetworkSettings,
  type NodeClass,
  type Property,
  type RunSetup,
} from 'distlab/testing';
import type { PingPong } from './src/protocol.ts';

export interface PingPongImplementation {
  readonly PingServer: NodeClass<PingPong>;
  readonly PingClient: NodeClass<PingPong>;
}

const server = 0;
const client = 1;

interface Scenario {
  readonly pings: number;
  /** Pings are asked for at random times in [0, spreadMs]. */
  readonly spreadMs: number;
  readonly retryMs: number;
  readonly durationMs: number;
  readonly network: Partial<NetworkSettings>;
  /**
   * Every ping must be answered within this many ms of the last fault (of the start, without
   * faults), where the test has such a bound; without it, by the end of the run.
   */
  readonly answeredWithinMs?: number;
}

/** Safety: an answer is reported only by the client, and only once per ping. */
function answeredAtMostOnce(): Property<PingPong, Set<number>> {
  return always<PingPong, Set<number>>('each ping answered at most once', {
    memory: () => new Set(),
    records: ['output'],
    record(answered, event) {
      if (event.kind !== 'output') return undefined;
      const { seq } = event.output;
      if (event.node !== client) return `n${event.node} reported PongReceived ${seq}, but only the client n${client} may`;
      if (answered.has(seq)) return `ping ${seq} was reported answered twice (at ${event.timeMs} ms the second time)`;
      answered.add(seq);
      return undefined;
    },
  });
}

/** Safety: every answer reported is for a ping that was asked for. */
function onlyAskedPingsAnswered(pings: number): Property<PingPong, undefined> {
  return always<PingPong, undefined>('only pings asked for are answered', {
    memory: () => undefined,
    records: ['output'],
    record(_memory, event) {
      if (event.kind !== 'output') return undefined;
      const { seq } = event.output;
      if (seq < 1 || seq > pings) return `PongReceived ${seq} reported, but only pings 1..${pings} were asked for`;
      return undefined;
    },
  });
}

/** Liveness and progress: every ping asked for is answered (by a deadline, where the test has one). */
function everyPingAnswered(pings: number, withinMs: number | undefined): Property<PingPong, Set<number>> {
  return eventually<PingPong, Set<number>>(
    'every ping answered',
    {
      memory: () => new Set(),
      records: ['output'],
      record(answered, event) {
        if (event.kind === 'output') answered.add(event.output.seq);
        return undefined;
      },
      check(cluster, answered) {
        if (answered.size === 0) return `no progress: none of the ${pings} pings was answered by ${cluster.nowMs} ms`;
        const missing: number[] = [];
        for (let seq = 1; seq <= pings; seq++) if (!answered.has(seq)) missing.push(seq);
        if (missing.length > 0) {
          return `${missing.length} of ${pings} pings never answered by ${cluster.nowMs} ms: ${missing.slice(0, 10).join(', ')}`;
        }
        return undefined;
      },
    },
    withinMs === undefined ? {} : { withinMs },
  );
}

/** Budget: on a reliable network whose delays are far below the retry time, one Ping and one Pong per ping. */
function twoMessagesPerPing(pings: number): Property<PingPong> {
  return budget<PingPong>('two messages per ping', (cluster) => {
    const counters = cluster.counters;
    const sent = counters.messagesSent;
    if (sent === 2 * pings) return undefined;
    const pingsSent = counters.sentByType.get('Ping') ?? 0;
    const pongsSent = counters.sentByType.get('Pong') ?? 0;
    return `${sent} messages (${pingsSent} Ping, ${pongsSent} Pong) for ${pings} pings; with no loss and delays under retryMs it takes exactly ${2 * pings}`;
  });
}

function scenario(implementation: PingPongImplementation, settings: Scenario, extra: readonly Property<PingPong>[] = []): RunSetup<PingPong> {
  return {
    nodes: [
      { role: 'server', node: implementation.PingServer },
      { role: 'client', node: implementation.PingClient },
    ],
    config: { server, retryMs: settings.retryMs },
    network: settings.network,
    durationMs: settings.durationMs,
    workload: {
      start(context) {
        for (let seq = 1; seq <= settings.pings; seq++) {
          context.input(client, { type: 'SendPing', seq }, context.random.integer(0, settings.spreadMs));
        }
      },
    },
    properties: [
      answeredAtMostOnce(),
      onlyAskedPingsAnswered(settings.pings),
      everyPingAnswered(settings.pings, settings.answeredWithinMs),
      ...extra,
    ],
  };
}

/**
 * No loss and delays of at most 10 ms: every ping is asked for by 200 ms and its first Ping
 * and Pong take at most 20 ms, so all are answered by 220 ms; 500 ms leaves room to spare.
 */
const reliable: Scenario = {
  pings: 10,
  spreadMs: 200,
  retryMs: 100,
  durationMs: 2_000,
  network: { delay: { kind: 'uniform', minMs: 1, maxMs: 10 } },
  answeredWithinMs: 500,
};

export const suite: LabSuite<PingPongImplementation> = {
  lab: '00-pingpong',
  title: 'Lab 0: ping-pong with retries',
  exports: ['PingServer', 'PingClient'],
  tests: [
    runTest<PingPong, PingPongImplementation>({
      number: '0.1',
      name: 'every ping answered exactly once on a reliable network',
      part: '',
      points: 1,
      kind: 'run',
      visibility: 'visible',
      seeds: 20,
      description: 'The smoke test: no faults, short delays. The server must answer and the client must report each answer once.',
      setup: (implementation) => scenario(implementation, reliable),
    }),
    runTest<PingPong, PingPongImplementation>({
      number: '0.2',
      name: 'every ping answered when 30% of messages are lost',
      part: '',
      points: 2,
      kind: 'run',
      visibility: 'visible',
      seeds: 30,
      description: 'Pings and Pongs are dropped; the client must re-send a Ping until its Pong arrives.',
      // No faults to count from, and loss puts no hard bound on a ping: judged at the end.
      setup: (implementation) =>
        scenario(implementation, {
          ...reliable,
          pings: 20,
          durationMs: 10_000,
          network: { ...reliable.network, dropRate: 0.3 },
          answeredWithinMs: undefined,
        }),
    }),
    runTest<PingPong, PingPongImplementation>({
      number: '0.3',
      name: 'each ping answered exactly once when messages are duplicated',
      part: '',
      points: 2,
      kind: 'run',
      visibility: 'visible',
      seeds: 30,
      description: 'Half of all messages arrive twice: the client must not report a duplicate Pong as a new answer.',
      setup: (implementation) =>
        scenario(implementation, { ...reliable, pings: 20, durationMs: 5_000, network: { ...reliable.network, duplicateRate: 0.5 } }),
    }),
    runTest<PingPong, PingPongImplementation>({
      number: '0.4',
      name: 'each ping answered exactly once when delays exceed the retry time',
      part: '',
      points: 2,
      kind: 'run',
      visibility: 'visible',
      seeds: 30,
      description:
        'Delays are exponential with a mean near the retry time, so re-sent Pings overtake and answers arrive late and twice.',
      setup: (implementation) =>
        scenario(implementation, {
          ...reliable,
          pings: 20,
          retryMs: 40,
          durationMs: 10_000,
          network: { delay: { kind: 'exponential', meanMs: 40, maxMs: 500 } },
          // No loss and delays of at most 500 ms: the first Ping of the last ping (asked by
          // 200 ms) is answered by 1,200 ms.
          answeredWithinMs: 1_500,
        }),
    }),
    runTest<PingPong, PingPongImplementation>({
      number: '0.5',
      name: 'every ping answered when the server crashes and restarts',
      part: '',
      points: 2,
      kind: 'run',
      visibility: 'visible',
      seeds: 30,
      description: 'The server crashes up to three times while pings are asked for; messages sent to it meanwhile are lost.',
      setup: (implementation) =>
        scenario(implementation, {
          ...reliable,
          pings: 20,
          spreadMs: 3_000,
          durationMs: 10_000,
          network: { ...reliable.network, dropRate: 0.1 },
          // The last fault is a restart (by 4,500 ms): from then on the server is up. Every
          // ping is asked for by 3,000 ms, so 5 s after the last fault even the last one has
          // had twenty retry periods: a client still waiting has stopped trying.
          answeredWithinMs: 5_000,
        }),
      faults: ({ servers }) => crashRestarts(servers, { count: [1, 3], withinMs: [0, 3_000], lengthMs: [100, 1_500] }),
    }),
    runTest<PingPong, PingPongImplementation>({
      number: '0.6',
      name: 'two messages per ping on a reliable network',
      part: '',
      points: 1,
      kind: 'budget',
      visibility: 'visible',
      seeds: 10,
      description: 'With no loss and delays well under the retry time, a correct client sends each Ping once: no re-sends after an answer.',
      setup: (implementation) => scenario(implementation, { ...reliable, retryMs: 100 }, [twoMessagesPerPing(reliable.pings)]),
      measure: (result) => ({ messagesPerPing: result.counters.messagesSent / reliable.pings }),
    }),
    runTest<PingPong, PingPongImplementation>({
      number: '0.7',
      name: 'every ping answered exactly once through partitions, loss and duplication',
      part: '',
      points: 2,
      kind: 'run',
      visibility: 'hidden',
      seeds: 30,
      description: 'The client is cut off from the server several times while the network also drops and duplicates.',
      setup: (implementation) =>
        scenario(implementation, {
          ...reliable,
          pings: 20,
          spreadMs: 3_000,
          durationMs: 15_000,
          network: { ...reliable.network, dropRate: 0.2, duplicateRate: 0.2 },
          // The last fault is a heal or a restart (by 5,000 ms): from then on the network is
          // whole and the server up. As in 0.5, 5 s leaves the last ping twenty retry periods.
          answeredWithinMs: 5_000,
        }),
      faults: ({ nodeIds, servers }) =>
        combineSchedules(
          isolations(nodeIds, { count: [1, 3], withinMs: [0, 3_000], lengthMs: [200, 2_000] }),
          crashRestarts(servers, { count: [0, 2], withinMs: [0, 3_000], lengthMs: [100, 1_000] }),
        ),
    }),
  ],
};

export default suite;
