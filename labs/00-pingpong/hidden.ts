// Lab 0's hidden test: graded with the visible ones wherever this file is present (the staff
// repository, the Gradescope bundle), and never part of a student's handout.
import { combineSchedules, crashRestarts, isolations, runTest, type SuiteTest } from 'distlab/testing';
import type { PingPong } from './src/protocol.ts';
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
    }),
  faults: ({ nodeIds, servers }) =>
    combineSchedules(
      isolations(nodeIds, { count: [1, 3], withinMs: [0, 3_000], lengthMs: [200, 2_000] }),
      crashRestarts(servers, { count: [0, 2], withinMs: [0, 3_000], lengthMs: [100, 1_000] }),
    ),
});

export const hiddenTests: readonly SuiteTest<PingPongImplementation>[] = [everyPingThroughChaos];
