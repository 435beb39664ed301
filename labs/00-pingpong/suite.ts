// Lab 0's graded suite. It is data: it names the classes it needs and never imports an
// implementation; the grader (or `npm test`) gives it the one chosen with --impl.
import type { NetworkSettings, NodeClass, Property } from 'distlab/testing';
import { combineSchedules, crashRestarts, isolations } from 'distlab/testing';
import { defineTest, type LabSuite, type RunSetup } from 'distlab/testing';
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
}

/** Safety: an answer is reported only for a ping that was asked for, and only once. */
function answeredAtMostOnce(): Property<PingPong> {
  const answered = new Set<number>();
  let seen = 0;
  return {
    name: 'each ping answered at most once',
    kind: 'always',
    check(world) {
      for (; seen < world.outputs.length; seen++) {
        const record = world.outputs[seen];
        if (record === undefined) continue;
        const { seq } = record.output;
        if (record.node !== client) return `n${record.node} reported PongReceived ${seq}, but only the client n${client} may`;
        if (answered.has(seq)) return `ping ${seq} was reported answered twice (at ${record.timeMs} ms the second time)`;
        answered.add(seq);
      }
      return undefined;
    },
  };
}

/** Liveness and progress: by the end, every ping asked for was answered. */
function everyPingAnswered(pings: number): Property<PingPong> {
  return {
    name: 'every ping answered',
    kind: 'eventually',
    check(world) {
      const answered = new Set(world.outputs.map((record) => record.output.seq));
      if (answered.size === 0) return `no progress: none of the ${pings} pings was answered by ${world.nowMs} ms`;
      const missing: number[] = [];
      for (let seq = 1; seq <= pings; seq++) if (!answered.has(seq)) missing.push(seq);
      if (missing.length > 0) {
        return `${missing.length} of ${pings} pings never answered by ${world.nowMs} ms: ${missing.slice(0, 10).join(', ')}`;
      }
      return undefined;
    },
  };
}

/** Only answers to pings that were asked for. */
function onlyAskedPingsAnswered(pings: number): Property<PingPong> {
  return {
    name: 'only pings asked for are answered',
    kind: 'always',
    check(world) {
      const last = world.outputs[world.outputs.length - 1];
      if (last !== undefined && (last.output.seq < 1 || last.output.seq > pings)) {
        return `PongReceived ${last.output.seq} reported, but only pings 1..${pings} were asked for`;
      }
      return undefined;
    },
  };
}

function scenario(implementation: PingPongImplementation, settings: Scenario, extra: Property<PingPong>[] = []): RunSetup<PingPong> {
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
      everyPingAnswered(settings.pings),
      ...extra,
    ],
  };
}

const reliable: Scenario = {
  pings: 10,
  spreadMs: 200,
  retryMs: 100,
  durationMs: 2_000,
  network: { delay: { kind: 'uniform', minMs: 1, maxMs: 10 } },
};

/** Budget: on a reliable network whose delays are far below the retry time, one Ping and one Pong per ping. */
function twoMessagesPerPing(pings: number): Property<PingPong> {
  return {
    name: 'two messages per ping',
    kind: 'eventually',
    check(world) {
      const sent = world.counters.messagesSent;
      if (sent !== 2 * pings) {
        const pingsSent = world.counters.sentByType.get('Ping') ?? 0;
        const pongsSent = world.counters.sentByType.get('Pong') ?? 0;
        return `${sent} messages (${pingsSent} Ping, ${pongsSent} Pong) for ${pings} pings; with no loss and delays under retryMs it takes exactly ${2 * pings}`;
      }
      return undefined;
    },
  };
}

export const suite: LabSuite<PingPongImplementation> = {
  lab: '00-pingpong',
  title: 'Lab 0: ping-pong with retries',
  exports: ['PingServer', 'PingClient'],
  tests: [
    defineTest<PingPong, PingPongImplementation>({
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
    defineTest<PingPong, PingPongImplementation>({
      number: '0.2',
      name: 'every ping answered when 30% of messages are lost',
      part: '',
      points: 2,
      kind: 'run',
      visibility: 'visible',
      seeds: 30,
      description: 'Pings and Pongs are dropped; the client must re-send a Ping until its Pong arrives.',
      setup: (implementation) =>
        scenario(implementation, { ...reliable, pings: 20, durationMs: 10_000, network: { ...reliable.network, dropRate: 0.3 } }),
    }),
    defineTest<PingPong, PingPongImplementation>({
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
    defineTest<PingPong, PingPongImplementation>({
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
        }),
    }),
    defineTest<PingPong, PingPongImplementation>({
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
        }),
      faults: () => crashRestarts([server], { count: [1, 3], withinMs: [0, 3_000], lengthMs: [100, 1_500] }),
    }),
    defineTest<PingPong, PingPongImplementation>({
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
    defineTest<PingPong, PingPongImplementation>({
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
        }),
      faults: () =>
        combineSchedules(
          isolations([server, client], { count: [1, 3], withinMs: [0, 3_000], lengthMs: [200, 2_000] }),
          crashRestarts([server], { count: [0, 2], withinMs: [0, 3_000], lengthMs: [100, 1_000] }),
        ),
    }),
  ],
};

export default suite;
