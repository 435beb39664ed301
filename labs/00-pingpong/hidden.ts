// Lab 0's hidden tests: graded with the visible ones wherever this file is present (the staff
// repository, the Gradescope bundle), and never part of a student's handout.
import { combineSchedules, crashRestarts, isolations, runTest, type SuiteTest } from 'distlab/testing';
import type { PingPong } from './src/protocol.ts';
import { outstandingPingsSentAgain, serverAnswersEveryPing } from './checks.ts';
import { reliable, scenario, type PingPongImplementation } from './suite.ts';

const everyPingThroughChaos = runTest<PingPong, PingPongImplementation>({
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
      clientTiming: true,
    }),
  faults: ({ nodeIds, servers }) =>
    combineSchedules(
      isolations(nodeIds, { count: [1, 3], withinMs: [0, 3_000], lengthMs: [200, 2_000] }),
      crashRestarts(servers, { count: [0, 2], withinMs: [0, 3_000], lengthMs: [100, 1_000] }),
    ),
});

/**
 * The layout and timing every visible test shares, changed: a node that hard-codes the server's
 * id, the retry period or a time after which answers are forgotten behaves as it should only
 * where they happen to hold.
 */
const anotherLayoutLongTail = runTest<PingPong, PingPongImplementation>({
  number: '0.8',
  name: 'another layout and a long tail: the server is n1, retries every 150 ms, and delays reach 3 s',
  part: '',
  points: 2,
  kind: 'run',
  visibility: 'hidden',
  seeds: 30,
  description:
    'The client is n0 and the server n1 (config.server says so), retryMs is 150, and delays are exponential (mean 300 ms, up to 3 s), ' +
    'with loss and duplication: a copy of a Pong may arrive seconds after its answer. The server answers every Ping it receives; ' +
    'the client reports each ping once.',
  setup: (implementation) =>
    scenario(
      implementation,
      {
        pings: 10,
        spreadMs: 1_000,
        retryMs: 150,
        durationMs: 20_000,
        network: { delay: { kind: 'exponential', meanMs: 300, minMs: 1, maxMs: 3_000 }, dropRate: 0.1, duplicateRate: 0.3 },
        serverSecond: true,
        clientTiming: true,
      },
      [serverAnswersEveryPing(1)],
    ),
});

/**
 * Forty pings asked for at once: with a fifth of the messages lost, a dozen or so are
 * outstanding together. A client that re-sends only one of them at a time (the oldest) answers
 * them all in the end, one retry period after another; the rule finds the pings it leaves waiting.
 */
const burstUnderLoss = runTest<PingPong, PingPongImplementation>({
  number: '0.9',
  name: 'a burst of forty pings under loss: every outstanding ping is sent again',
  part: '',
  points: 1,
  kind: 'run',
  visibility: 'hidden',
  seeds: 20,
  description:
    'Forty pings asked for within 10 ms, with 20% of messages lost: each one still outstanding is sent again on its own RetryPing, ' +
    'never left unsent for more than ten retry periods while others are retried.',
  setup: (implementation) =>
    scenario(
      implementation,
      { ...reliable, pings: 40, spreadMs: 10, durationMs: 10_000, network: { ...reliable.network, dropRate: 0.2 }, answeredWithinMs: 5_000, clientTiming: true },
      [outstandingPingsSentAgain(1, 0, reliable.retryMs, 10)],
    ),
});

/**
 * A steady stream: a new ping asked for every 10 ms or so for five seconds, under loss. A client
 * with one RetryPing timer for all its pings, set again at every SendPing, never lets it fire
 * while pings keep coming, and sends nothing again until the stream stops.
 */
const streamUnderLoss = runTest<PingPong, PingPongImplementation>({
  number: '0.10',
  name: 'a steady stream of pings under loss: each ping is retried on its own timer',
  part: '',
  points: 1,
  kind: 'run',
  visibility: 'hidden',
  seeds: 10,
  description:
    '500 pings asked for over 5 s, with 20% of messages lost: while new pings keep coming, each one still outstanding is sent again on its own ' +
    'RetryPing, never left unsent for more than ten retry periods.',
  setup: (implementation) =>
    scenario(
      implementation,
      { ...reliable, pings: 500, spreadMs: 5_000, durationMs: 15_000, network: { ...reliable.network, dropRate: 0.2 }, answeredWithinMs: 10_000, clientTiming: true },
      [outstandingPingsSentAgain(1, 0, reliable.retryMs, 10)],
    ),
});

export const hiddenTests: readonly SuiteTest<PingPongImplementation>[] = [everyPingThroughChaos, anotherLayoutLongTail, burstUnderLoss, streamUnderLoss];
