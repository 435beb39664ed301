// The model checker: state counts pinned on small protocols, canonical states, shortest
// violations, goals, timer order, drops, duplicates, crashes, and the missing clock.
import { describe, expect, it } from 'vitest';
import {
  always,
  budget,
  explore,
  Node,
  probe,
  SettingsError,
  simulate,
  sometimes,
  traceSearchPath,
  type NodeId,
  type PropertyDefinition,
  type Protocol,
  type SearchSettings,
} from '../../framework/testing.ts';

interface Pings extends Protocol {
  message: { type: 'Ping'; seq: number };
  timer: { type: 'Tick'; name: string };
  input: { type: 'Go' };
  output: { type: 'Got'; seq: number } | { type: 'State'; inMemory: number; seen: number };
  config: { count: number };
  storage: { seen: number };
}

/** n0 sends Ping 1..count to n1 when it starts. */
class Sender extends Node<Pings> {
  override onStart(): void {
    for (let seq = 1; seq <= this.config.count; seq++) this.send(1, { type: 'Ping', seq });
  }
}

/** Remembers the order of arrival, and reports each arrival. */
class ListReceiver extends Node<Pings> {
  received: number[] = [];
  override onMessage(_from: NodeId, message: Pings['message']): void {
    this.received.push(message.seq);
    this.output({ type: 'Got', seq: message.seq });
  }
}

/** Remembers only what arrived, and reports each arrival. */
class SetReceiver extends Node<Pings> {
  received = new Set<number>();
  override onMessage(_from: NodeId, message: Pings['message']): void {
    this.received.add(message.seq);
    this.output({ type: 'Got', seq: message.seq });
  }
}

/** The same, keeping its Set in a fixed order (ascending), so that the order of arrival is forgotten. */
class SortedSetReceiver extends Node<Pings> {
  received = new Set<number>();
  override onMessage(_from: NodeId, message: Pings['message']): void {
    this.received = new Set([...this.received, message.seq].sort((left, right) => left - right));
    this.output({ type: 'Got', seq: message.seq });
  }
}

/** A memory of the pings reported, in order of arrival: what the properties below read. */
const arrivals: PropertyDefinition<Pings, number[]> = {
  memory: () => [],
  records: ['output'],
  record(received, event) {
    if (event.kind === 'output' && event.output.type === 'Got') received.push(event.output.seq);
    return undefined;
  },
};

const pings = (receiver: typeof ListReceiver | typeof SetReceiver, count = 2): SearchSettings<Pings> => ({
  nodes: [
    { role: 'server', node: Sender },
    { role: 'server', node: receiver },
  ],
  config: { count },
  timers: false,
});

describe('exhaustive search', () => {
  it('explores every interleaving: 2 pings give 5 states when order is remembered', () => {
    const result = explore(pings(ListReceiver));
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    expect(result.statistics.states).toBe(5);
    expect(result.statistics.maxDepth).toBe(2);
  });

  it('judges an always property with atEnd only where nothing more can happen, as a violation', () => {
    // "arrived in order" at the end: every state on the way may be out of order for a moment.
    const inOrderAtEnd = always<Pings, number[]>('arrived in order', { ...arrivals, check: (_view, received) => (received[0] === 2 ? `arrived ${received.join(', ')}` : undefined) }, { atEnd: true });
    const result = explore({ ...pings(ListReceiver), properties: [inOrderAtEnd] });
    expect(result.outcome).toMatchObject({ kind: 'violation', property: 'arrived in order', message: 'arrived 2, 1 (and nothing more can happen)' });
    expect(result.outcome.kind === 'violation' && result.outcome.path).toHaveLength(2);
  });

  it('takes two states as one only when no node can tell them apart: a Set filled in another order is another state, one kept in a fixed order is not', () => {
    // A node can iterate its Set: [1, 2] and [2, 1] are two states, as two lists are.
    expect(explore(pings(SetReceiver)).statistics.states).toBe(5);
    expect(explore(pings(SortedSetReceiver)).statistics.states).toBe(4);
  });

  it('drops what a one-way cut blocks for the whole search, and refuses a cut or partition naming no node', () => {
    // n0 -> n1 cut: no ping arrives, only the initial state is left.
    expect(explore({ ...pings(ListReceiver), cuts: [{ from: [0], to: [1] }] }).statistics.states).toBe(1);
    // The other way is cut: the pings arrive as before.
    expect(explore({ ...pings(ListReceiver), cuts: [{ from: [1], to: [0] }] }).statistics.states).toBe(5);
    expect(() => explore({ ...pings(ListReceiver), cuts: [{ from: [2], to: [0] }] })).toThrow('partition and cuts name nodes 0 to 1 (one per entry of nodes), not 2');
    expect(() => explore({ ...pings(ListReceiver), partition: [[0], [1.5]] })).toThrow(SettingsError);
  });

  it('pins the count for 3 pings: 16 in order of arrival, as a list or a Set; 8 as a Set in a fixed order', () => {
    expect(explore(pings(ListReceiver, 3)).statistics.states).toBe(16);
    expect(explore(pings(SetReceiver, 3)).statistics.states).toBe(16);
    expect(explore(pings(SortedSetReceiver, 3)).statistics.states).toBe(8);
  });

  it('keeps an object held in two fields one object in its copies, as in a run', () => {
    /** Counts arrivals through one field and reads the count through the other. */
    class AliasReceiver extends Node<Pings> {
      counts = { seen: 0 };
      alias = this.counts;
      override onMessage(_from: NodeId, message: Pings['message']): void {
        this.alias.seen++;
        this.output({ type: 'Got', seq: this.counts.seen * 10 + message.seq });
      }
    }
    const counted = always<Pings, number[]>('counted through the other field', {
      ...arrivals,
      check: (_view, received) => (received.some((seq) => seq < 10) ? `reported ${received.join(', ')}` : undefined),
    });
    const nodes = [
      { role: 'server' as const, node: Sender },
      { role: 'server' as const, node: AliasReceiver },
    ];
    const run = simulate<Pings>({ nodes, config: { count: 2 }, seed: 1, durationMs: 100, properties: [counted] });
    expect(run.failure).toBeUndefined();
    expect(run.outputs.map((output) => (output.output as { seq: number }).seq).sort()).toEqual([11, 22]);
    const result = explore({ ...pings(ListReceiver), nodes, properties: [counted] });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    expect(result.statistics.states).toBe(5);
  });

  it('says why a node with #private members throws under search although it works in a run', () => {
    class PrivateReceiver extends Node<Pings> {
      #count = 0;
      override onMessage(_from: NodeId, message: Pings['message']): void {
        this.#count++;
        this.output({ type: 'Got', seq: message.seq + this.#count });
      }
    }
    const settings = { ...pings(ListReceiver), nodes: [{ role: 'server' as const, node: Sender }, { role: 'server' as const, node: PrivateReceiver }] };
    expect(simulate<Pings>({ nodes: settings.nodes, config: settings.config, seed: 1, durationMs: 100 }).failure).toBeUndefined();
    const result = explore(settings);
    expect(result.outcome.kind).toBe('exception');
    const message = result.outcome.kind === 'exception' ? result.outcome.message : '';
    expect(message).toMatch(/Cannot read private member #count/);
    expect(message).toMatch(/rebuilt from its own enumerable fields, without its constructor: `#private` fields and methods are not there/);
  });

  it('with drops, a message may also be lost', () => {
    // In flight: both, one or none; received: the delivered ones, in arrival order:
    // {1,2}/[]; {2}/[1], {2}/[], {1}/[2], {1}/[]; {}/[1,2], {}/[2,1], {}/[1], {}/[2], {}/[].
    const result = explore({ ...pings(ListReceiver), drops: true });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    expect(result.statistics.states).toBe(10);
  });

  it('with duplicates, the network is a set and a message may arrive again', () => {
    const result = explore({ ...pings(SortedSetReceiver), duplicates: true });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    expect(result.statistics.states).toBe(4);
    const ordered = explore({ ...pings(ListReceiver), duplicates: true, maxDepth: 4 });
    expect(ordered.outcome).toEqual({ kind: 'limit', limit: 'depth' });
  });

  it('finds the shortest path to a violation', () => {
    const result = explore({
      ...pings(ListReceiver, 3),
      properties: [
        always<Pings, number[]>('in order', {
          ...arrivals,
          check: (_cluster, received) => (received.every((seq, index) => seq === index + 1) ? undefined : `out of order: ${received.join(',')}`),
        }),
      ],
    });
    expect(result.outcome.kind).toBe('violation');
    if (result.outcome.kind !== 'violation') return;
    expect(result.outcome.property).toBe('in order');
    expect(result.outcome.path).toHaveLength(1);
    expect(result.outcome.message).toMatch(/out of order: [23]/);
  });

  it('a violation returned by record is found in the state the event led to', () => {
    const result = explore({
      ...pings(ListReceiver, 3),
      properties: [
        always<Pings, number[]>('ping 3 never first', {
          ...arrivals,
          record(received, event) {
            if (event.kind !== 'output' || event.output.type !== 'Got') return undefined;
            received.push(event.output.seq);
            return received.length === 1 && event.output.seq === 3 ? 'ping 3 arrived first' : undefined;
          },
        }),
      ],
    });
    expect(result.outcome).toMatchObject({ kind: 'violation', property: 'ping 3 never first', message: 'ping 3 arrived first' });
    if (result.outcome.kind !== 'violation') return;
    expect(result.outcome.path).toEqual([{ kind: 'deliver', from: 0, to: 1, message: { type: 'Ping', seq: 3 } }]);
  });

  it('a sometimes property is a goal: the search reaches it, and reports it at its depth', () => {
    const allReceived = sometimes<Pings, number[]>('all received', {
      ...arrivals,
      check: (_cluster, received) => (received.length === 3 ? undefined : `${received.length} of 3 received`),
    });
    const result = explore({ ...pings(SetReceiver, 3), properties: [allReceived], stopAtGoal: true });
    expect(result.outcome.kind).toBe('goal-found');
    if (result.outcome.kind !== 'goal-found') return;
    expect(result.outcome.goal).toBe('all received');
    expect(result.outcome.path).toHaveLength(3);
    expect(result.goalsReached.get('all received')).toBe(3);
    // A later search can start from the goal state.
    const after = explore({ ...pings(SetReceiver, 3), properties: [allReceived], start: result.outcome.state });
    expect(after.outcome).toEqual({ kind: 'exhausted' });
    expect(after.statistics.states).toBe(1);
  });

  it('a search that never reaches a goal says which goals it reached', () => {
    const never = sometimes<Pings>('ping 4 in flight', (cluster) => (cluster.inFlight().some((envelope) => envelope.message.seq === 4) ? undefined : 'no ping 4'));
    const result = explore({ ...pings(SetReceiver, 3), properties: [never] });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    expect(result.goalsReached.size).toBe(0);
  });

  it('a budget cannot be searched: the model checker keeps no counts', () => {
    const cheap = budget<Pings>('at most 2 messages', (cluster) => (cluster.counters.messagesSent > 2 ? 'too many' : undefined));
    expect(() => explore({ ...pings(ListReceiver), properties: [cheap] })).toThrow(SettingsError);
    expect(() => explore({ ...pings(ListReceiver), properties: [cheap] })).toThrow(/budget "at most 2 messages" cannot be searched/);
  });

  it('a property that reads the counters under search fails, saying why', () => {
    const result = explore({ ...pings(ListReceiver), properties: [always<Pings>('counts', (cluster) => (cluster.counters.messagesSent > 9 ? 'many' : undefined))] });
    expect(result.outcome).toMatchObject({ kind: 'violation', property: 'counts' });
    if (result.outcome.kind !== 'violation') return;
    expect(result.outcome.message).toMatch(/counters are kept by runs, not by the model checker/);
  });

  it('is deterministic: the same settings give the same counts', () => {
    const first = explore({ ...pings(ListReceiver, 3), drops: true });
    const second = explore({ ...pings(ListReceiver, 3), drops: true });
    expect(second.statistics.states).toBe(first.statistics.states);
    expect(second.statistics.transitions).toBe(first.statistics.transitions);
  });
});

interface Timers extends Protocol {
  message: never;
  timer: { type: 'Tick'; name: string };
  input: never;
  output: { type: 'Fired'; name: string };
  config: Record<never, never>;
  storage: Record<never, never>;
}

class TwoTimers extends Node<Timers> {
  override onStart(): void {
    this.setTimer({ type: 'Tick', name: 'late' }, [10, 20]);
    this.setTimer({ type: 'Tick', name: 'early' }, [1, 5]);
    this.setTimer({ type: 'Tick', name: 'overlapping' }, [4, 12]);
  }
  override onTimer(timer: Timers['timer']): void {
    this.output({ type: 'Fired', name: timer.name });
  }
}

describe('timers under search', () => {
  it('fire in any order their ranges allow within a node', () => {
    const orders = new Set<string>();
    const result = explore<Timers>({
      nodes: [{ role: 'server', node: TwoTimers }],
      config: {},
      properties: [
        always<Timers, string[]>('record orders', {
          memory: () => [],
          records: ['output'],
          record(fired, event) {
            if (event.kind === 'output') fired.push(event.output.name);
            return undefined;
          },
          check(_cluster, fired) {
            orders.add(fired.join(' '));
            return undefined;
          },
        }),
      ],
    });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    // "late" (10..20) can never fire before "early" (..5); "overlapping" (4..12) can come first or second.
    expect([...orders].filter((order) => order.split(' ').length === 3).sort()).toEqual([
      'early late overlapping',
      'early overlapping late',
      'overlapping early late',
    ]);
  });

  it('never fire when timers are off', () => {
    const result = explore<Timers>({ nodes: [{ role: 'server', node: TwoTimers }], config: {}, timers: false });
    expect(result.statistics.states).toBe(1);
  });
});

class ReadsClock extends Node<Pings> {
  override onMessage(): void {
    this.now();
  }
}

describe('no clock under search', () => {
  it('this.now() fails the search with an exception that says why, and its path', () => {
    const result = explore<Pings>({
      nodes: [
        { role: 'server', node: Sender },
        { role: 'server', node: ReadsClock },
      ],
      config: { count: 1 },
    });
    expect(result.outcome.kind).toBe('exception');
    if (result.outcome.kind !== 'exception') return;
    expect(result.outcome.message).toMatch(/n1 threw in onMessage\(Ping\): NoClockError: this\.now\(\) has no meaning here: the model checker has no clock/);
    expect(result.outcome.path).toHaveLength(1);
  });
});

/** Counts its starts in durable storage, and its messages in memory; reports both each time. */
class Durable extends Node<Pings> {
  inMemory = 0;
  override onStart(): void {
    this.storage.set('seen', (this.storage.get('seen') ?? 0) + 1);
    this.report();
  }
  override onMessage(): void {
    this.inMemory++;
    this.report();
  }
  private report(): void {
    this.output({ type: 'State', inMemory: this.inMemory, seen: this.storage.get('seen') ?? 0 });
  }
}

describe('crashes under search', () => {
  it('a crash loses the fields, a restart keeps the storage', () => {
    const seenValues = new Set<string>();
    const result = explore<Pings>({
      nodes: [
        { role: 'server', node: Sender },
        { role: 'server', node: Durable },
      ],
      config: { count: 1 },
      crashes: { nodes: [1], max: 1, restart: true },
      properties: [
        always<Pings, { inMemory: number }>('record', {
          memory: () => ({ inMemory: 0 }),
          records: ['output'],
          record(last, event) {
            if (event.kind === 'output' && event.output.type === 'State') last.inMemory = event.output.inMemory;
            return undefined;
          },
          check(cluster, last) {
            seenValues.add(`${cluster.isCrashed(1) ? 'down' : `up:${last.inMemory}`} starts:${String(cluster.storage(1).get('seen'))}`);
            return undefined;
          },
        }),
      ],
    });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    expect([...seenValues].sort()).toEqual(['down starts:1', 'up:0 starts:1', 'up:0 starts:2', 'up:1 starts:1', 'up:1 starts:2'].sort());
  });

  it('incarnations count the restarts, and history events carry them', () => {
    const restarts: { node: NodeId; incarnation: number; timeMs: number }[] = [];
    const incarnations = new Set<string>();
    explore<Pings>({
      nodes: [
        { role: 'server', node: Sender },
        { role: 'server', node: Durable },
      ],
      config: { count: 1 },
      crashes: { nodes: [1], max: 2, restart: true },
      properties: [
        always<Pings, null>('restarts', {
          memory: () => null,
          records: ['restart', 'output'],
          record(_memory, event, cluster) {
            if (event.kind === 'restart') restarts.push({ node: event.node, incarnation: event.incarnation, timeMs: event.timeMs });
            if (event.kind === 'output' && event.output.type === 'State') {
              incarnations.add(`incarnation ${event.incarnation} started ${event.output.seen} times`);
              expect(cluster.incarnation(1)).toBe(event.incarnation);
            }
            return undefined;
          },
        }),
      ],
    });
    // Two crashes allowed: a first and a second restart. Under search, time is the step number.
    expect(new Set(restarts.map((restart) => `${restart.node}:${restart.incarnation}`))).toEqual(new Set(['1:1', '1:2']));
    for (const restart of restarts) expect(restart.timeMs).toBeGreaterThanOrEqual(2 * restart.incarnation);
    expect([...incarnations].sort()).toEqual(['incarnation 0 started 1 times', 'incarnation 1 started 2 times', 'incarnation 2 started 3 times']);
  });
});

describe('memories under search', () => {
  it('each path has its own memory: a property counting outputs sees the count of its own path', () => {
    const pairs = new Set<string>();
    const result = explore({
      ...pings(ListReceiver, 3),
      drops: true,
      properties: [
        always<Pings, { outputs: number }>('outputs', {
          memory: () => ({ outputs: 0 }),
          records: ['output'],
          record(memory) {
            memory.outputs++;
            return undefined;
          },
          check(cluster, memory) {
            const inFlight = cluster.inFlight().length;
            pairs.add(`${memory.outputs} delivered, ${inFlight} in flight, depth ${cluster.step}`);
            // Each delivery makes one output and each drop none: on a path of `step` events,
            // outputs + drops = step and outputs + drops + in flight = 3.
            return memory.outputs <= cluster.step && memory.outputs + inFlight <= 3 ? undefined : `${memory.outputs} outputs on a path of ${cluster.step} events`;
          },
        }),
      ],
    });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    expect(pairs).toContain('3 delivered, 0 in flight, depth 3');
    expect(pairs).toContain('0 delivered, 0 in flight, depth 3');
    expect(pairs).toContain('1 delivered, 0 in flight, depth 3');
  });

  it('a memory is part of the state: paths that differ only in what a property remembers are not merged', () => {
    // The SortedSetReceiver forgets the order (4 states for 2 pings), the property remembers it.
    const ordered = explore({ ...pings(SortedSetReceiver), properties: [always<Pings, number[]>('order', arrivals)] });
    expect(explore(pings(SortedSetReceiver)).statistics.states).toBe(4);
    expect(ordered.statistics.states).toBe(5);
  });
});

describe('random probes', () => {
  it('find a deep violation and shorten its path to the events it needs', () => {
    const result = probe(
      {
        ...pings(ListReceiver, 6),
        properties: [
          always<Pings, number[]>('six before one', { ...arrivals, check: (_cluster, received) => (received[0] === 6 ? 'ping 6 arrived first' : undefined) }),
        ],
      },
      { probes: 50, depth: 10, seed: 1 },
    );
    expect(result.outcome.kind).toBe('violation');
    if (result.outcome.kind !== 'violation') return;
    expect(result.outcome.path).toHaveLength(1);
  });

  it('check the initial state, as explore does', () => {
    const result = probe({ ...pings(ListReceiver), properties: [always<Pings>('never', () => 'fails at once')] }, { probes: 5, depth: 5, seed: 1 });
    expect(result.outcome).toMatchObject({ kind: 'violation', property: 'never', message: 'fails at once', path: [] });
  });

  it('check a pruned state but walk no further from it, as explore does', () => {
    const goal = sometimes<Pings, number[]>('both arrived', { ...arrivals, check: (_view, received) => (received.length === 2 ? undefined : 'not yet') });
    const pruneAfterOne = (view: { inFlight(): readonly unknown[] }) => view.inFlight().length < 2;
    const free = probe({ ...pings(ListReceiver), properties: [goal] }, { probes: 5, depth: 5, seed: 1 });
    const pruned = probe({ ...pings(ListReceiver), properties: [goal], prune: pruneAfterOne }, { probes: 5, depth: 5, seed: 1 });
    expect(free.goalsReached.has('both arrived')).toBe(true);
    expect(pruned.goalsReached.has('both arrived')).toBe(false);
    expect(pruned.statistics.maxDepth).toBe(1);
  });

  it('judge safety checked at the end where nothing more can happen', () => {
    const inOrderAtEnd = always<Pings, number[]>('arrived in order', { ...arrivals, check: (_view, received) => (received[0] === 2 ? 'out of order' : undefined) }, { atEnd: true });
    const result = probe({ ...pings(ListReceiver), properties: [inOrderAtEnd] }, { probes: 20, depth: 5, seed: 1 });
    expect(result.outcome).toMatchObject({ kind: 'violation', property: 'arrived in order' });
  });

  it('a found path replays as a readable trace', () => {
    const ping: Pings['message'] = { type: 'Ping', seq: 2 };
    const trace = traceSearchPath(pings(ListReceiver), [{ kind: 'deliver', from: 0, to: 1, message: ping }]);
    expect(trace.map((event) => `${event.kind} ${event.label}`)).toEqual(['send Ping', 'send Ping', 'deliver Ping', 'output Got']);
  });
});
