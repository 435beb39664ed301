// Lab 1's hidden tests: graded with the visible ones wherever this file is present (the staff
// repository, the Gradescope bundle), and never part of a student's handout.
//
// Every visible test puts 1A's coordinator at n0 and runs 2 to 9 nodes. Most of these change that
// layout: more than nine nodes (ids of two digits, which order differently as text: "10" <
// "2") and the coordinator elsewhere. A node that hard-codes n0 or sorts ids as text passes only
// where those happen to hold. One plays Lamport's algorithm in short bursts, where a node asks
// again while answers to its previous turn are still on their way.
import type { NodeId } from 'distlab/testing';
import { grantedByCoordinator, grantsInArrivalOrder, grantsInTimestampOrder, heavyLoad, messagesPerEntry, type Load } from './checks.ts';
import type { Centralized, MutexProtocol } from './src/protocol.ts';
import { centralized, everyone, lamport, ricartAgrawala, scenario, test, tokenRing, type Algorithm, type MutexTest } from './suite.ts';

/** Seeds 1, 2, 3, ... run clusters of 10, 11 and 12 nodes, again and again. */
const bigCluster = (seed: number): number => 10 + ((seed - 1) % 3);

/**
 * Short bursts: each node holds the resource 1 to 3 ms and asks again 5 to 25 ms after it left,
 * about one network delay, so that the Replies and Releases of its previous turn may reach it
 * after its next Request.
 */
const burstLoad: Load = { rounds: 8, startSpreadMs: 20, holdMs: [1, 3], thinkMs: [5, 25] };

/**
 * Requests a little apart on 8 or 9 nodes: a node often answers another's Request shortly before
 * it asks itself, so its own stamp must come after the stamp it answered. A clock that does not
 * move past the stamps it receives gives the later request the lower stamp, and both enter.
 */
const staggeredLoad: Load = { rounds: 6, startSpreadMs: 150, holdMs: [1, 5], thinkMs: [20, 120] };

/** 1A with its coordinator at `coordinator`, the others asking. */
function centralizedAt(coordinator: NodeId): Algorithm<Centralized> {
  return {
    ...centralized,
    config: { coordinator },
    participants: (nodeCount) => everyone(nodeCount).filter((id) => id !== coordinator),
    rules: [grantedByCoordinator(coordinator)],
  };
}

/**
 * The visible cost tests run 5 rounds; these run 9, on 3, 5, 7 or 9 nodes: a node that behaves
 * only for as many entries as the visible tests make costs more here.
 */
function longerCostTest<P extends MutexProtocol>(algorithm: Algorithm<P>, index: number): MutexTest {
  const cost = algorithm.cost;
  if (cost === undefined) throw new Error(`no cost formula for ${algorithm.title}`);
  return test(algorithm, index, {
    name: `${algorithm.title}: exactly ${cost.formula} messages per entry over a longer run`,
    visibility: 'hidden',
    kind: 'budget',
    points: 1,
    seeds: 4,
    description: `Fault-free runs with N = 3, 5, 7 or 9, each node asking 9 times under heavy contention: all messages sent divided by entries must equal ${cost.formula}.`,
    setup: (implementation, seed) =>
      scenario(algorithm, implementation, {
        nodeCount: 3 + 2 * ((seed - 1) % 4),
        load: { ...heavyLoad, rounds: 9 },
        extra: (size) => [messagesPerEntry(cost.perEntry(size), cost.formula)],
      }),
  });
}

export const hiddenTests: readonly MutexTest[] = [
  test(centralized, 6, {
    name: 'centralized: another layout, the coordinator elsewhere than n0 among 10 to 12 nodes',
    visibility: 'hidden',
    points: 2,
    seeds: 12,
    description:
      'Heavy contention on 10 to 12 nodes whose coordinator (config.coordinator) is one of the last three: every Grant comes from it, in the order the requests reached it.',
    setup: (implementation, seed) => {
      const nodeCount = bigCluster(seed);
      const coordinator = nodeCount - 1 - (seed % 3);
      return scenario(centralizedAt(coordinator), implementation, { nodeCount, load: heavyLoad, extra: () => [grantsInArrivalOrder(coordinator)] });
    },
  }),
  test(tokenRing, 5, {
    name: 'token ring: another layout, 10 to 12 nodes',
    visibility: 'hidden',
    points: 2,
    seeds: 12,
    description: 'Heavy contention on rings of 10 to 12 nodes: the token goes around in the order of the ids as numbers (n9, then n10).',
    setup: (implementation, seed) => scenario(tokenRing, implementation, { nodeCount: bigCluster(seed), load: heavyLoad }),
  }),
  test(lamport, 10, {
    name: 'Lamport: another layout, 10 to 12 nodes',
    visibility: 'hidden',
    points: 2,
    seeds: 12,
    description:
      'Heavy contention on 10 to 12 nodes, where equal stamps are broken by the ids as numbers (n2 before n10): entries follow the (timestamp, id) order of the requests.',
    setup: (implementation, seed) => scenario(lamport, implementation, { nodeCount: bigCluster(seed), load: heavyLoad, extra: () => [grantsInTimestampOrder] }),
  }),
  test(lamport, 11, {
    name: 'Lamport: short bursts, each node asking again about one network delay after it left',
    visibility: 'hidden',
    points: 2,
    seeds: 12,
    description:
      '2 to 4 nodes ask 8 times each, hold the resource 1 to 3 ms and ask again 5 to 25 ms after leaving: a Reply or Release of a ' +
      "node's previous turn may reach it after its next Request. Only a message stamped later than a node's request tells it that the sender has seen that request.",
    setup: (implementation, seed) => scenario(lamport, implementation, { nodeCount: 2 + ((seed - 1) % 3), load: burstLoad }),
  }),
  test(ricartAgrawala, 7, {
    name: 'Ricart–Agrawala: another layout, 10 to 12 nodes',
    visibility: 'hidden',
    points: 2,
    seeds: 12,
    description:
      'Heavy contention on 10 to 12 nodes, where equal stamps are broken by the ids as numbers (n2 before n10): entries follow the (timestamp, id) order of the requests.',
    setup: (implementation, seed) => scenario(ricartAgrawala, implementation, { nodeCount: bigCluster(seed), load: heavyLoad, extra: () => [grantsInTimestampOrder] }),
  }),
  test(ricartAgrawala, 8, {
    name: 'Ricart–Agrawala: requests a little apart on 8 or 9 nodes, each stamped after the stamps its node has answered',
    visibility: 'hidden',
    points: 2,
    seeds: 12,
    description:
      '8 or 9 nodes ask 6 times each, 20 to 120 ms after they leave: a node often answers a Request just before it asks itself. Its own ' +
      'Request must carry a stamp above every stamp it received, or a request made later wins against an earlier one and both nodes enter.',
    setup: (implementation, seed) => scenario(ricartAgrawala, implementation, { nodeCount: 8 + (seed % 2), load: staggeredLoad }),
  }),
  longerCostTest(centralized, 7),
  longerCostTest(lamport, 12),
  longerCostTest(ricartAgrawala, 9),
];
