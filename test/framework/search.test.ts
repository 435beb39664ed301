// The model checker: state counts pinned on small protocols, canonical states, shortest
// violations, goals, timer order, drops, duplicates, crashes, and the missing clock.
import { describe, expect, it } from 'vitest';
import {
  explore,
  Node,
  probe,
  traceSearchPath,
  type NodeId,
  type Protocol,
  type SearchSettings,
} from '../../framework/index.ts';

interface Pings extends Protocol {
  message: { type: 'Ping'; seq: number };
  timer: { type: 'Tick'; name: string };
  input: { type: 'Go' };
  output: { type: 'Got'; seq: number };
  config: { count: number };
  storage: { seen: number };
}

/** n0 sends Ping 1..count to n1 when it starts. */
class Sender extends Node<Pings> {
  override onStart(): void {
    for (let seq = 1; seq <= this.config.count; seq++) this.send(1, { type: 'Ping', seq });
  }
}

/** Remembers the order of arrival. */
class ListReceiver extends Node<Pings> {
  received: number[] = [];
  override onMessage(_from: NodeId, message: Pings['message']): void {
    this.received.push(message.seq);
  }
}

/** Remembers only what arrived. */
class SetReceiver extends Node<Pings> {
  received = new Set<number>();
  override onMessage(_from: NodeId, message: Pings['message']): void {
    this.received.add(message.seq);
  }
}

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

  it('compares states as data: a Set filled in either order is one state (4 states)', () => {
    expect(explore(pings(SetReceiver)).statistics.states).toBe(4);
  });

  it('pins the count for 3 pings: 16 ordered, 8 as sets', () => {
    expect(explore(pings(ListReceiver, 3)).statistics.states).toBe(16);
    expect(explore(pings(SetReceiver, 3)).statistics.states).toBe(8);
  });

  it('with drops, a message may also be lost', () => {
    // In flight: both, one or none; received: the delivered ones, in arrival order:
    // {1,2}/[]; {2}/[1], {2}/[], {1}/[2], {1}/[]; {}/[1,2], {}/[2,1], {}/[1], {}/[2], {}/[].
    const result = explore({ ...pings(ListReceiver), drops: true });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    expect(result.statistics.states).toBe(10);
  });

  it('with duplicates, the network is a set and a message may arrive again', () => {
    const result = explore({ ...pings(SetReceiver), duplicates: true });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    expect(result.statistics.states).toBe(4);
    const ordered = explore({ ...pings(ListReceiver), duplicates: true, maxDepth: 4 });
    expect(ordered.outcome).toEqual({ kind: 'limit', limit: 'depth' });
  });

  it('finds the shortest path to a violation', () => {
    const result = explore({
      ...pings(ListReceiver, 3),
      invariants: [
        {
          name: 'in order',
          check: (state) => {
            const received = (state.node(1) as ListReceiver | undefined)?.received ?? [];
            return received.every((seq, index) => seq === index + 1) ? undefined : `out of order: ${received.join(',')}`;
          },
        },
      ],
    });
    expect(result.outcome.kind).toBe('violation');
    if (result.outcome.kind !== 'violation') return;
    expect(result.outcome.path).toHaveLength(1);
    expect(result.outcome.message).toMatch(/out of order: [23]/);
  });

  it('reaches a goal, and reports it at its depth', () => {
    const result = explore({
      ...pings(SetReceiver, 3),
      goals: [{ name: 'all received', reached: (state) => (state.node(1) as SetReceiver).received.size === 3 }],
      stopAtGoal: true,
    });
    expect(result.outcome.kind).toBe('goal-found');
    if (result.outcome.kind !== 'goal-found') return;
    expect(result.outcome.path).toHaveLength(3);
    // A later search can start from the goal state.
    const after = explore({ ...pings(SetReceiver, 3), start: result.outcome.state });
    expect(after.outcome).toEqual({ kind: 'exhausted' });
    expect(after.statistics.states).toBe(1);
  });

  it('transition invariants compare the state before and after an event', () => {
    const result = explore({
      ...pings(ListReceiver),
      transitionInvariants: [
        {
          name: 'grows by one',
          check: (before, _event, after) => {
            const size = (state: typeof before) => (state.node(1) as ListReceiver).received.length;
            return size(after) === size(before) + 1 ? undefined : 'did not grow';
          },
        },
      ],
    });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
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
      invariants: [
        {
          name: 'record orders',
          check: (state) => {
            orders.add(state.outputs(0).map((output) => output.name).join(' '));
            return undefined;
          },
        },
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
    expect(result.outcome.message).toMatch(/n1 threw in onMessage\(Ping\): NoClockError: this\.now\(\) has no meaning under search/);
    expect(result.outcome.path).toHaveLength(1);
  });
});

/** Counts its starts in durable storage, and its messages in memory. */
class Durable extends Node<Pings> {
  inMemory = 0;
  override onStart(): void {
    this.storage.set('seen', (this.storage.get('seen') ?? 0) + 1);
  }
  override onMessage(): void {
    this.inMemory++;
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
      invariants: [
        {
          name: 'record',
          check: (state) => {
            const node = state.node(1) as Durable | undefined;
            seenValues.add(`${state.isCrashed(1) ? 'down' : `up:${node?.inMemory}`} starts:${String(state.storage(1).get('seen'))}`);
            return undefined;
          },
        },
      ],
    });
    expect(result.outcome).toEqual({ kind: 'exhausted' });
    expect([...seenValues].sort()).toEqual(['down starts:1', 'up:0 starts:1', 'up:0 starts:2', 'up:1 starts:1', 'up:1 starts:2'].sort());
  });
});

describe('random probes', () => {
  it('find a deep violation and shorten its path to the events it needs', () => {
    const result = probe(
      {
        ...pings(ListReceiver, 6),
        invariants: [
          {
            name: 'six before one',
            check: (state) => ((state.node(1) as ListReceiver).received.indexOf(6) === 0 ? 'ping 6 arrived first' : undefined),
          },
        ],
      },
      { probes: 50, depth: 10, seed: 1 },
    );
    expect(result.outcome.kind).toBe('violation');
    if (result.outcome.kind !== 'violation') return;
    expect(result.outcome.path).toHaveLength(1);
  });

  it('a found path replays as a readable trace', () => {
    const ping: Pings['message'] = { type: 'Ping', seq: 2 };
    const trace = traceSearchPath(pings(ListReceiver), [{ kind: 'deliver', from: 0, to: 1, message: ping }]);
    expect(trace.map((event) => `${event.kind} ${event.label}`)).toEqual(['send Ping', 'send Ping', 'deliver Ping']);
  });
});
