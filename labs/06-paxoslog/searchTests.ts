// Lab 6's search tests, 6.S1-6.S6: the model checker on three servers (search.ts), checking the
// same safety properties as the runs in every state it reaches, with goals that a stub never
// reaches. Every bound is a count (epochs, messages in flight, depth, walks), never time.
import type { SuiteTest } from 'distlab/testing';
import { search, type PaxosLogImplementation } from './harness.ts';
import { scenarioSettings, searchScenarios, type SearchScenario } from './search.ts';

const { twoOperations, concurrentAppends, higherEpochFinalized, minority, probes, staleReadAnswer } = searchScenarios;

/** Breadth-first search of a scenario, which must reach its goal. */
const breadthFirst = (scenario: SearchScenario) => (implementation: PaxosLogImplementation) => ({
  strategy: 'bfs' as const,
  expect: 'goal' as const,
  settings: scenarioSettings(implementation.PaxosLogServer, scenario),
});

/** Random walks of a scenario, one of which must reach its goal. */
const randomWalks = (scenario: SearchScenario) => (implementation: PaxosLogImplementation) => ({
  strategy: 'probes' as const,
  expect: 'goal' as const,
  probes: { probes: scenario.probes ?? 0, depth: scenario.maxDepth },
  settings: scenarioSettings(implementation.PaxosLogServer, scenario),
});

const everyProperty =
  'a finalized slot never changes, finalized only after a majority stored it, an operation stored by a majority is kept, epochs never decrease and are owned, replies follow storage, ' +
  'a slot is written only from a Store, an overthrow stops the old leader, a rejected leader steps down, execution follows the finalized log, ' +
  "an operation returns only once finalized, and the clients' results linearizable";

export const searchTests: SuiteTest<PaxosLogImplementation>[] = [
  search(1, {
    name: 'three servers, two operations: every interleaving up to their completion (search)',
    points: 2,
    seeds: 1,
    description:
      `Breadth-first search over every order of deliveries and timeouts, ${twoOperations.description}, until both operations returned ` +
      `(at most ${twoOperations.maxDepth} steps): a server overthrows the others, the put is stored and finalized, the get reads it. In every ` +
      `state: ${everyProperty}. A failure shows the shortest path to it.`,
    search: breadthFirst(twoOperations),
  }),
  search(2, {
    name: 'two clients\' concurrent appends: every interleaving until both are executed (search)',
    points: 2,
    seeds: 1,
    description:
      `Breadth-first search over every order of deliveries and timeouts, ${concurrentAppends.description}, until both appends returned and were ` +
      `executed (at most ${concurrentAppends.maxDepth} steps). The requests reach the servers in any order, before and after the leader ` +
      `is elected; each append takes one slot and every server executes them in the same order. In every state: ${everyProperty}.`,
    search: breadthFirst(concurrentAppends),
  }),
  search(3, {
    name: 'a new leader reads a slot stored in two epochs: it keeps the highest epoch\'s operation (search)',
    points: 3,
    seeds: 1,
    description:
      `Breadth-first search until the client's put returns (at most ${higherEpochFinalized.maxDepth} steps): ${higherEpochFinalized.description}. ` +
      'If n1 grants n0\'s overthrow, n0 reads "a" (epoch 1, its own) and "b" (epoch 2, n1\'s) for slot 1: it must store "b". A leader that ' +
      'keeps the first answer, or its own operation without reading, stores "a" where n1 and n2 stored "b" (an operation stored by a ' +
      `majority is kept), and would finalize it where n2 finalized "b". In every state: ${everyProperty}.`,
    search: breadthFirst(higherEpochFinalized),
  }),
  search(4, {
    name: 'nothing is finalized in a minority: every interleaving to the bound (search)',
    points: 2,
    seeds: 1,
    description:
      `Breadth-first search over every order of deliveries and timeouts, ${minority.description}, to depth ${minority.maxDepth}. Nothing is ` +
      'finalized and the client\'s put never returns, however often n0 tries to lead; n1 and n2 elect a leader on some path. ' +
      `In every state: ${everyProperty}.`,
    search: breadthFirst(minority),
  }),
  search(5, {
    name: 'random deep probes on 3 servers, with a crash and restart (search)',
    points: 2,
    seeds: 1,
    description:
      `${probes.probes} random walks of up to ${probes.maxDepth} events: ${probes.description}; deliveries, crashes and timeouts in any ` +
      `order, without a visited set, so walks go deep fast. The client's append returns in some walk (about 11 in 100 with the reference ` +
      `solution). In every state: ${everyProperty}. A ` +
      "violation's path is shortened to the events it needs.",
    search: randomWalks(probes),
  }),
  search(6, {
    name: "a leader's second walk counts only the answers to its own epoch's Reads (search)",
    points: 2,
    seeds: 1,
    description:
      `Breadth-first search over every order of deliveries and timeouts, to depth ${staleReadAnswer.maxDepth}: ${staleReadAnswer.description}. ` +
      'If n0 leads epoch 3 with n2\'s grant, n2 may answer its Read of slot 1 with "nothing" before it grants epoch 4, and that answer may arrive ' +
      'only in n0\'s walk of epoch 6: a leader that counts it (forEpoch ignored) picks its own "a" over "b", which n1 and n2 stored (an operation stored ' +
      `by a majority is kept). Some leader finalizes a slot it walked on some path. In every state: ${everyProperty}.`,
    search: breadthFirst(staleReadAnswer),
  }),
];
