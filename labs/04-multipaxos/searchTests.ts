// Lab 4's search tests, 4.S1-4.S7: the model checker on small clusters (search.ts), checking
// the same safety properties as the runs in every state it reaches, with goals that a stub
// never reaches. Every bound is a count (rounds, messages in flight, depth, walks), never time.
import type { SuiteTest } from 'distlab/testing';
import { search, type MultiPaxosImplementation } from './harness.ts';
import { scenarioSettings, searchScenarios, type SearchScenario } from './search.ts';

const { simpleOperations, minority, sequentialAppends, staleQuorum, holes, probesThree, probesFive } = searchScenarios;

/** Breadth-first search of a scenario, which must reach its goal. */
const breadthFirst = (scenario: SearchScenario) => (implementation: MultiPaxosImplementation) => ({
  strategy: 'bfs' as const,
  expect: 'goal' as const,
  settings: scenarioSettings(implementation.MultiPaxosServer, scenario),
});

/** Random walks of a scenario, one of which must reach its goal. */
const randomWalks = (scenario: SearchScenario) => (implementation: MultiPaxosImplementation) => ({
  strategy: 'probes' as const,
  expect: 'goal' as const,
  probes: { probes: scenario.probes ?? 0, depth: scenario.maxDepth },
  settings: scenarioSettings(implementation.MultiPaxosServer, scenario),
});

const everyProperty =
  'chosen by a majority in one ballot, a command accepted by a majority is kept, consistent logs, execution in slot order, acceptors keep their promises, safe garbage collection, ' +
  'a leader is elected by a majority, an acceptor accepts only what a leader proposed, an operation returns only once executed, ' +
  "and the clients' results linearizable";

export const searchTests: SuiteTest<MultiPaxosImplementation>[] = [
  search(1, {
    name: 'single client, simple operations: every interleaving up to the operations\' completion (search)',
    points: 2,
    seeds: 1,
    description:
      `Breadth-first search over every order of deliveries and timeouts, ${simpleOperations.description}, until every operation ` +
      `returned (at most ${simpleOperations.maxDepth} steps): a server leads, a slot is chosen, the put and the get return. In every ` +
      `state: ${everyProperty}. A failure shows the shortest path to it.`,
    search: breadthFirst(simpleOperations),
  }),
  search(2, {
    name: 'no decision in a minority: every interleaving, to exhaustion (search)',
    points: 2,
    seeds: 1,
    description:
      `Breadth-first search over every order of deliveries and timeouts, ${minority.description}, until nothing new can happen. ` +
      'Nothing is chosen and the client\'s put never returns, however n0 tries to lead; n1 and n2 elect a leader on some path. ' +
      `In every state: ${everyProperty}.`,
    search: breadthFirst(minority),
  }),
  search(3, {
    name: 'two clients\' sequential appends, each chosen by a different majority, found by every later leader (search)',
    points: 2,
    seeds: 1,
    description:
      `Breadth-first search to depth ${sequentialAppends.maxDepth}: ${sequentialAppends.description}. No server knows either append ` +
      'is chosen: whichever majority answers a later leader\'s phase 1, it must propose both again, in their slots, and some server ' +
      `executes both, once a majority promised a server's ballot. In every state: ${everyProperty}.`,
    search: breadthFirst(sequentialAppends),
  }),
  search(4, {
    name: 'five servers, scripted leader changes: a stale quorum\'s value is never chosen over the chosen one (search)',
    points: 3,
    seeds: 1,
    description:
      `Breadth-first search until a new leader chooses slot 1, accepted by a majority in its own ballot (at most ${staleQuorum.maxDepth} steps): ` +
      `${staleQuorum.description}. ` +
      'Its phase 1 hears "a" (ballot 1) from its own acceptor and "b" (ballot 2) from n2, n3 or n4: it must propose "b", the value ' +
      'of the highest ballot. A leader that adopts the first value reported accepts "a" where a majority accepted "b" (a command ' +
      `accepted by a majority is kept); one that leads without phase 1 is not elected by a majority. In every state: ${everyProperty}.`,
    search: breadthFirst(staleQuorum),
  }),
  search(5, {
    name: 'logs with holes: a new leader fills a slot nobody reported with a no-op, and execution goes on (search)',
    points: 2,
    seeds: 1,
    description:
      `Breadth-first search to depth ${holes.maxDepth}: ${holes.description}. A leader whose phase 1 hears only from n1 and n2 ` +
      'must fill slot 1 (with a no-op, or with a client command waiting at the leader), or nothing after it is ever executed; n0 must not take its "a" as chosen. On some path a hole ' +
      `is filled and a server executes slot 2 after it. In every state: ${everyProperty}.`,
    search: breadthFirst(holes),
  }),
  search(6, {
    name: 'random deep probes on 3 servers, with a crash and restart (search)',
    points: 2,
    seeds: 1,
    description:
      `${probesThree.probes} random walks of up to ${probesThree.maxDepth} events: ${probesThree.description}; deliveries and timeouts ` +
      'in any order, without a visited set, so walks go deep fast. A leader is elected in some walk (nearly every walk with the ' +
      `reference solution). In every state: ${everyProperty}. A violation's path is shortened to the events it needs.`,
    search: randomWalks(probesThree),
  }),
  search(7, {
    name: 'random deep probes on 5 servers, with lost messages and a crash and restart (search)',
    points: 2,
    seeds: 1,
    description:
      `${probesFive.probes} random walks of up to ${probesFive.maxDepth} events: ${probesFive.description}; deliveries, losses and ` +
      'timeouts in any order. A leader is elected in some walk (about 15 in 100 with the reference solution). In every state: ' +
      `${everyProperty}. A violation's path is shortened to the events it needs.`,
    search: randomWalks(probesFive),
  }),
];
