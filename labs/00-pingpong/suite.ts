// Lab 0's graded suite. It is data: it names the classes it needs and never imports an
// implementation; the grader (or `npm test`) gives it the one chosen with --impl.
import {
  crashRestarts,
  runTest,
  type LabSuite,
  type NetworkSettings,
  type NodeClass,
  type Property,
  type RunSetup,
} from 'distlab/testing';
import {
  answeredAtMostOnce,
  answersFollowTheirPong,
  everyPingAnswered,
  firstPingOnSendPing,
  noPingOnceAnswered,
  noPingSentAgainEarly,
  onlyAskedPingsAnswered,
  pongsAnswerPings,
  reportedOnItsPong,
  twoMessagesPerPing,
} from './checks.ts';
import type { PingPong } from './src/protocol.ts';

export interface PingPongImplementation {
  readonly PingServer: NodeClass<PingPong>;
  readonly PingClient: NodeClass<PingPong>;
}

/** Where the two nodes are: the server first (n0) in every visible test. */
const serverFirst = { server: 0, client: 1 } as const;

export interface Scenario {
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
  /** The client as n0 and the server as n1, the other way round from the visible tests. */
  readonly serverSecond?: boolean;
  /** Also the client's timing rules: the first Ping at once, each answer on its Pong, no Ping again before retryMs (the hidden tests). */
  readonly clientTiming?: boolean;
}

export function scenario(implementation: PingPongImplementation, settings: Scenario, extra: readonly Property<PingPong>[] = []): RunSetup<PingPong> {
  const { server, client } = settings.serverSecond === true ? { server: 1, client: 0 } : serverFirst;
  const serverNode = { role: 'server', node: implementation.PingServer } as const;
  const clientNode = { role: 'client', node: implementation.PingClient } as const;
  return {
    nodes: settings.serverSecond === true ? [clientNode, serverNode] : [serverNode, clientNode],
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
      // In this order, so that a report of a ping never asked for is named as such, not as an
      // answer without its Pong.
      answeredAtMostOnce(client),
      onlyAskedPingsAnswered(client),
      answersFollowTheirPong(client, server),
      pongsAnswerPings(client, server),
      ...(settings.clientTiming === true
        ? [firstPingOnSendPing(client, server), reportedOnItsPong(client, server), noPingSentAgainEarly(client, server, settings.retryMs), noPingOnceAnswered(client)]
        : []),
      everyPingAnswered(settings.pings, settings.answeredWithinMs),
      ...extra,
    ],
  };
}

/**
 * No loss and delays of at most 10 ms: every ping is asked for by 200 ms and its first Ping
 * and Pong take at most 20 ms, so all are answered by 220 ms; 500 ms leaves room to spare.
 */
export const reliable: Scenario = {
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
  ],
};

export default suite;
