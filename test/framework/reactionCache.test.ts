// The model checker runs a node's code once for each node state and what it reacts to: the
// same node state meeting the same message or timer again, in another state of the search,
// gets the kept reaction. What a search finds must not change, only how often node code runs.
import { describe, expect, it } from 'vitest';
import { always, explore, Node, sometimes, type NodeId, type PropertyDefinition, type Protocol, type SearchSettings } from '../../framework/testing.ts';
import { paxosBenchSettings } from '../../bench/search.ts';
import type { Paxos } from '../../labs/03-paxos/src/protocol.ts';
import { PaxosNode } from '../../solutions/03-paxos/paxos.ts';

/** Handler calls made by the counting classes below, per test. */
let handlerCalls = 0;

class CountingPaxosNode extends PaxosNode {
  override onMessage(from: NodeId, message: Paxos['message']): void {
    handlerCalls++;
    super.onMessage(from, message);
  }
}

interface Votes extends Protocol {
  message: { type: 'Vote'; value: number };
  timer: { type: 'Retry' };
  input: never;
  output: { type: 'Tally'; total: number };
  config: { weight: number };
  storage: Record<never, never>;
}

/** Sends its vote (its id times the weight) to node 0, and again each time its retry timer fires (twice at most). */
class Voter extends Node<Votes> {
  retries = 0;
  override onStart(): void {
    this.send(0, { type: 'Vote', value: this.id * this.config.weight });
    this.setTimer({ type: 'Retry' }, [5, 10]);
  }
  override onTimer(): void {
    handlerCalls++;
    this.send(0, { type: 'Vote', value: this.id * this.config.weight });
    if (++this.retries < 2) this.setTimer({ type: 'Retry' }, [5, 10]);
  }
}

/** Adds up the votes it hears, each value once. */
class Counter extends Node<Votes> {
  heard: number[] = [];
  override onMessage(_from: NodeId, message: Votes['message']): void {
    handlerCalls++;
    if (this.heard.includes(message.value)) return;
    this.heard = [...this.heard, message.value].sort((left, right) => left - right);
    this.output({ type: 'Tally', total: this.heard.reduce((sum, value) => sum + value, 0) });
  }
}

const votes = (weight = 1): SearchSettings<Votes> => ({
  nodes: [
    { role: 'server', node: Counter },
    { role: 'server', node: Voter },
    { role: 'server', node: Voter },
  ],
  config: { weight },
});

/** The tallies node 0 has output, in order. */
const tallies: PropertyDefinition<Votes, number[]> = {
  memory: () => [],
  records: ['output'],
  record(totals, event) {
    if (event.kind === 'output') totals.push(event.output.total);
    return undefined;
  },
};

/** Every vote sent is a multiple of `weight`. */
const votesWeighted = (weight: number) =>
  always<Votes>('votes are weighted', {
    memory: () => undefined,
    records: ['send'],
    record: (_memory, event) => (event.kind === 'send' && event.message.value % weight !== 0 ? `a vote of ${event.message.value} was sent` : undefined),
  });

describe('the model checker reuses reactions', () => {
  it('explores Paxos 2×3 to depth 9 with the pinned state counts, running node code far less often than it makes transitions', () => {
    const nodes = paxosBenchSettings().nodes.map((spec) => ({ ...spec, node: CountingPaxosNode }));
    handlerCalls = 0;
    const result = explore({ ...paxosBenchSettings(), nodes, maxDepth: 9 });
    expect(result.statistics.statesByDepth).toEqual([1, 6, 24, 68, 150, 282, 538, 1212, 3021, 7086]);
    expect(result.statistics.transitions).toBeGreaterThan(20_000);
    // Most transitions are a node state meeting a message it met before.
    expect(handlerCalls).toBeLessThan(result.statistics.transitions / 20);
    expect(handlerCalls).toBeGreaterThan(0);
  });

  it('reuses reactions to timers and messages, and gives the same states and the same shortest violation as running them', () => {
    handlerCalls = 0;
    const exhausted = explore(votes());
    expect(exhausted.outcome).toEqual({ kind: 'exhausted' });
    const calls = handlerCalls;
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(exhausted.statistics.transitions);
    // Nothing is kept from one search to the next: the same search runs the same code again.
    handlerCalls = 0;
    const again = explore(votes());
    expect(again.statistics).toMatchObject({ states: exhausted.statistics.states, transitions: exhausted.statistics.transitions });
    expect(handlerCalls).toBe(calls);
    // The first state where both votes are in: the two votes the voters sent when they started, delivered.
    const broken = explore({ ...votes(), properties: [always<Votes, number[]>('never both', { ...tallies, check: (_cluster, totals) => (totals.length === 2 ? 'both votes are in' : undefined) })] });
    expect(broken.outcome.kind).toBe('violation');
    if (broken.outcome.kind !== 'violation') return;
    expect(broken.outcome.path.map((event) => event.kind)).toEqual(['deliver', 'deliver']);
  });

  it('does not take reactions kept by another search, whose settings may differ, when it starts from a state that search reached', () => {
    const bothVotes = sometimes<Votes, number[]>('both votes are in', { ...tallies, check: (_cluster, totals) => (totals.length === 2 ? undefined : 'not yet') });
    // On its way to the goal (two deliveries), the search with weight 1 fires each voter's
    // retry from the node states the goal state holds, and keeps those reactions.
    const reached = explore({ ...votes(1), properties: [bothVotes], stopAtGoal: true });
    expect(reached.outcome.kind).toBe('goal-found');
    if (reached.outcome.kind !== 'goal-found') return;
    expect(reached.outcome.path.map((event) => event.kind)).toEqual(['deliver', 'deliver']);
    // With weight 2, a retry sends an even vote: a reaction kept by the first search would send an odd one.
    const weighted = explore({ ...votes(2), properties: [votesWeighted(2)], start: reached.outcome.state });
    expect(weighted.outcome).toEqual({ kind: 'exhausted' });
    expect(weighted.statistics.states).toBeGreaterThan(5);
    // The first search's own settings, from the same state, find the odd votes its messages in flight already carry.
    const unweighted = explore({ ...votes(1), properties: [votesWeighted(2)], start: reached.outcome.state });
    expect(unweighted.outcome.kind).toBe('violation');
  });
});
