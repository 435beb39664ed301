// The property language in runs: always (after every event), eventually (by a deadline after
// the last fault, or at the end), sometimes (some moment of the run), budget (at the end),
// memories folded from the history, and how a run ends.
import { describe, expect, it } from 'vitest';
import {
  always,
  budget,
  eventually,
  Node,
  simulate,
  sometimes,
  type FaultAction,
  type HistoryEvent,
  type NodeId,
  type Property,
  type PropertyDefinition,
  type Protocol,
} from '../../framework/testing.ts';
import { ofKind, serversOf } from './helpers.ts';

interface Tick extends Protocol {
  message: { type: 'Tock'; count: number };
  timer: { type: 'Tick' };
  input: never;
  output: { type: 'Count'; count: number };
  config: { periodMs: number; decrementAt?: number; throwAt?: number; talk?: boolean };
  storage: Record<never, never>;
}

/**
 * Counts Ticks every `periodMs` and reports each count; optionally goes back one at
 * `decrementAt`, throws at `throwAt`, or tells the other servers its count (`talk`).
 */
class Ticker extends Node<Tick> {
  count = 0;
  label = 'ticker';
  override onStart(): void {
    this.setTimer({ type: 'Tick' }, this.config.periodMs);
  }
  override onTimer(): void {
    if (this.now() === this.config.throwAt && this.id === 1) throw new Error('boom');
    this.count += this.now() === this.config.decrementAt ? -1 : 1;
    this.output({ type: 'Count', count: this.count });
    if (this.config.talk === true) this.broadcast({ type: 'Tock', count: this.count });
    this.setTimer({ type: 'Tick' }, this.config.periodMs);
  }
}

/** A memory of the last count each node reported, folded from the outputs. */
const lastCounts: PropertyDefinition<Tick, number[]> = {
  memory: (cluster) => cluster.nodeIds.map(() => 0),
  records: ['output'],
  record(counts, event) {
    if (event.kind === 'output') counts[event.node] = event.output.count;
    return undefined;
  },
};

const countOf = (counts: readonly number[], node: NodeId) => counts[node] ?? 0;

function runTicker(
  properties: Property<Tick>[],
  config: Partial<Tick['config']> = {},
  extra: { durationMs?: number; maxEvents?: number; faults?: FaultAction[]; nodes?: number } = {},
) {
  return simulate<Tick>({
    seed: 1,
    nodes: serversOf(extra.nodes ?? 2, Ticker),
    config: { periodMs: 10, ...config },
    properties,
    faults: extra.faults ?? [],
    durationMs: extra.durationMs ?? 200,
    ...(extra.maxEvents === undefined ? {} : { maxEvents: extra.maxEvents }),
    trace: 'full',
  });
}

describe('always properties', () => {
  it('a violation stops the run at the step where it happened', () => {
    const belowFive = always<Tick, number[]>('below five', {
      ...lastCounts,
      check: (_cluster, counts) => (countOf(counts, 0) >= 5 ? `n0 counted ${countOf(counts, 0)}` : undefined),
    });
    const result = runTicker([belowFive]);
    expect(result.passed).toBe(false);
    expect(result.endReason).toBe('failure');
    expect(result.failure).toMatchObject({ kind: 'violation', property: 'below five', message: 'n0 counted 5', timeMs: 50 });
    // The event that made n0 count to 5 is its 5th Tick.
    const fifthTick = ofKind(result.trace, 'timer-fire').filter((event) => event.node === 0)[4];
    expect(result.failure?.step).toBe(fifthTick?.step);
    expect(result.steps).toBe(result.failure?.step);
    expect(result.endTimeMs).toBe(50);
    // Nothing is processed after the violating event; the violation is the trace's last line.
    const last = result.trace.at(-1);
    expect(last?.kind).toBe('violation');
    expect(last?.label).toBe('below five');
    expect(result.failure?.traceIndex).toBe(result.traceLength - 1);
    expect(Math.max(...result.trace.map((event) => event.step))).toBe(result.failure?.step);
    expect(ofKind(result.trace, 'timer-fire').filter((event) => event.node === 1 && event.timeMs === 50)).toHaveLength(0);
  });

  it('is checked after every event, from the start', () => {
    let checks = 0;
    const atStart = runTicker([always('never', () => 'fails at once')]);
    expect(atStart.failure).toMatchObject({ kind: 'violation', step: 0, timeMs: 0 });
    const counting = runTicker([
      always('count checks', () => {
        checks++;
        return undefined;
      }),
    ]);
    expect(counting.passed).toBe(true);
    // Once after each node's start, once after the start of the run, and once per event.
    expect(checks).toBe(2 + 1 + counting.steps);
  });

  it('a property whose own check throws fails the run as that property', () => {
    const result = runTicker([
      always('fragile', (cluster) => {
        if (cluster.nowMs === 30) throw new Error('oops');
        return undefined;
      }),
    ]);
    expect(result.failure).toMatchObject({ kind: 'violation', property: 'fragile', timeMs: 30 });
    expect(result.failure?.message).toMatch(/own check threw.*oops/);
  });

  it('a violation returned by record fails the run at the event that broke it, naming the node', () => {
    const neverDecreases = always<Tick, number[]>('a count never decreases', {
      ...lastCounts,
      record(counts, event) {
        if (event.kind !== 'output') return undefined;
        const before = countOf(counts, event.node);
        counts[event.node] = event.output.count;
        return event.output.count < before ? `n${event.node} went from ${before} to ${event.output.count}` : undefined;
      },
    });
    const result = runTicker([neverDecreases], { decrementAt: 70 });
    expect(result.failure).toMatchObject({ kind: 'violation', property: 'a count never decreases', node: 0, timeMs: 70, message: 'n0 went from 6 to 5' });
    expect(runTicker([neverDecreases]).passed).toBe(true);
  });

  it('one claim may be stated by several properties of one name: each is checked, and a failure names the claim', () => {
    const claim = 'counts stay small';
    const n0 = always<Tick, number[]>(claim, { ...lastCounts, check: (_cluster, counts) => (countOf(counts, 0) > 3 ? 'n0 counted 4' : undefined) });
    const n1 = always<Tick, number[]>(claim, { ...lastCounts, check: (_cluster, counts) => (countOf(counts, 1) > 2 ? 'n1 counted 3' : undefined) });
    expect(runTicker([n0, n1]).failure).toMatchObject({ kind: 'violation', property: claim, message: 'n1 counted 3', timeMs: 30 });
  });
});

describe('always properties judged at the end (atEnd)', () => {
  it('are checked once, when the run ends, and fail as a violation, before any late liveness', () => {
    let checks = 0;
    const atMostTen = always<Tick, number[]>(
      'n0 ends at ten or less',
      {
        ...lastCounts,
        check: (_cluster, counts) => {
          checks++;
          return countOf(counts, 0) > 10 ? `n0 ended at ${countOf(counts, 0)}` : undefined;
        },
      },
      { atEnd: true },
    );
    const late = eventually<Tick>('never', () => 'not yet');
    const result = runTicker([late, atMostTen]);
    expect(checks).toBe(1);
    expect(result.failure).toMatchObject({ kind: 'violation', property: 'n0 ends at ten or less', message: 'n0 ended at 20', timeMs: 200 });
    const passing = runTicker([atMostTen], {}, { durationMs: 100 });
    expect(passing.passed).toBe(true);
  });

  it('need a check', () => {
    expect(() => always<Tick, number[]>('no check', { memory: () => [] }, { atEnd: true })).toThrow(/judged at the end needs a check/);
  });
});

describe('memories and the history', () => {
  it('record is given the history events it asks for, in order, stamped with the node, its incarnation and the time', () => {
    const seen: HistoryEvent<Tick>[] = [];
    const result = runTicker(
      [
        always<Tick, null>('watch', {
          memory: () => null,
          records: ['output', 'send'],
          record(_memory, event) {
            seen.push(event);
            return undefined;
          },
        }),
      ],
      { talk: true },
      { durationMs: 20 },
    );
    expect(result.passed).toBe(true);
    expect(seen.map((event) => event.kind)).toEqual(['output', 'send', 'output', 'send', 'output', 'send', 'output', 'send']);
    expect(seen[0]).toEqual({ kind: 'output', node: 0, incarnation: 0, timeMs: 10, output: { type: 'Count', count: 1 } });
    expect(seen[1]).toEqual({ kind: 'send', from: 0, to: 1, incarnation: 0, timeMs: 10, message: { type: 'Tock', count: 1 }, local: false });
    expect(seen.filter((event) => event.kind === 'output').map((event) => [event.timeMs, event.kind === 'output' ? event.node : -1])).toEqual([
      [10, 0],
      [10, 1],
      [20, 0],
      [20, 1],
    ]);
  });

  it('a memory is fresh in every run, though the property object is the same', () => {
    const atMostForty = always<Tick, { outputs: number }>('at most forty outputs', {
      memory: () => ({ outputs: 0 }),
      records: ['output'],
      record(memory) {
        memory.outputs++;
        return undefined;
      },
      check: (_cluster, memory) => (memory.outputs > 40 ? `${memory.outputs} outputs` : undefined),
    });
    // 20 Ticks per node in 200 ms: 40 outputs in each run, never 80.
    expect(runTicker([atMostForty]).passed).toBe(true);
    expect(runTicker([atMostForty]).passed).toBe(true);
  });

  it('a memory must be plain data, and the error names the property', () => {
    const bad = always<Tick, { callback: () => number }>('holds a function', { memory: () => ({ callback: () => 1 }) });
    expect(() => runTicker([bad])).toThrow(/the memory of property "holds a function"\.callback is a function/);
  });

  it('a property needs a name, and withinMs must be a positive number of ms', () => {
    expect(() => always('', () => undefined)).toThrow(/needs a name/);
    expect(() => eventually('soon', () => undefined, { withinMs: 0 })).toThrow(/withinMs must be a positive number/);
    expect(() => eventually('soon', () => undefined, { withinMs: Number.POSITIVE_INFINITY })).toThrow(/withinMs/);
  });
});

describe('eventually properties', () => {
  it('without a deadline, are checked once, when the run ends', () => {
    const calls: number[] = [];
    const result = runTicker([
      eventually<Tick, number[]>('counted', {
        ...lastCounts,
        check(cluster, counts) {
          calls.push(cluster.nowMs);
          return countOf(counts, 0) >= 20 ? undefined : 'not yet';
        },
      }),
    ]);
    expect(result.passed).toBe(true);
    expect(calls).toEqual([200]);
  });

  it('a violation at the end of the run has kind liveness', () => {
    const result = runTicker([
      eventually<Tick, number[]>('reach 100', { ...lastCounts, check: (_cluster, counts) => (countOf(counts, 0) >= 100 ? undefined : `only ${countOf(counts, 0)}`) }),
    ]);
    expect(result.failure).toMatchObject({ kind: 'liveness', property: 'reach 100', message: 'only 20', timeMs: 200, step: result.steps });
    expect(result.endReason).toBe('failure');
  });

  it('are not checked when an always property already failed', () => {
    let checked = false;
    const result = runTicker([
      always('stop', (cluster) => (cluster.nowMs >= 30 ? 'stop' : undefined)),
      eventually('late', () => {
        checked = true;
        return 'never';
      }),
    ]);
    expect(result.failure?.property).toBe('stop');
    expect(checked).toBe(false);
  });
});

describe('eventually with a deadline (withinMs after the last fault)', () => {
  const everyNodeUp = eventually<Tick>(
    'every node is up',
    (cluster) => {
      const down = cluster.nodeIds.filter((node) => cluster.isCrashed(node));
      return down.length === 0 ? undefined : `${down.map((node) => `n${node}`).join(', ')} down`;
    },
    { withinMs: 100 },
  );
  const crashOneAt50: FaultAction = { atMs: 50, type: 'crash', node: 1 };

  it('passes when it holds again in time after the last fault', () => {
    const result = runTicker([everyNodeUp], {}, { durationMs: 400, faults: [crashOneAt50, { atMs: 140, type: 'restart', node: 1 }] });
    expect(result.passed).toBe(true);
  });

  it('fails with kind liveness at the deadline, to the ms, when it does not', () => {
    const result = runTicker([everyNodeUp], {}, { durationMs: 400, faults: [crashOneAt50] });
    expect(result.failure).toMatchObject({ kind: 'liveness', property: 'every node is up', timeMs: 150, deadlineMs: 150 });
    expect(result.failure?.message).toBe('n1 down — not within 100 ms of the last fault (at 50 ms)');
    expect(result.endTimeMs).toBe(150);
  });

  it('a later fault moves the deadline: it is counted from the last fault', () => {
    const healAt120: FaultAction = { atMs: 120, type: 'heal' };
    const result = runTicker([everyNodeUp], {}, { durationMs: 400, faults: [crashOneAt50, healAt120] });
    expect(result.failure).toMatchObject({ kind: 'liveness', timeMs: 220, deadlineMs: 220 });
    expect(result.failure?.message).toMatch(/of the last fault \(at 120 ms\)$/);
    // And a restart before the moved deadline is in time.
    expect(runTicker([everyNodeUp], {}, { durationMs: 400, faults: [crashOneAt50, healAt120, { atMs: 200, type: 'restart', node: 1 }] }).passed).toBe(true);
  });

  it('without faults, the deadline counts from the start', () => {
    const fiveCounts = eventually<Tick, number[]>(
      'n0 counts to 5',
      { ...lastCounts, check: (_cluster, counts) => (countOf(counts, 0) >= 5 ? undefined : `n0 is at ${countOf(counts, 0)}`) },
      { withinMs: 45 },
    );
    const result = runTicker([fiveCounts], {}, { durationMs: 400 });
    expect(result.failure).toMatchObject({ kind: 'liveness', timeMs: 45, message: 'n0 is at 4 — not within 45 ms of the start' });
    expect(runTicker([fiveCounts], { periodMs: 8 }, { durationMs: 400 }).passed).toBe(true);
  });
});

describe('sometimes properties', () => {
  const n1GoesDown = sometimes<Tick>('n1 goes down', (cluster) => (cluster.isCrashed(1) ? undefined : 'n1 is up'));

  it('pass when the state is reached at some moment, even if it does not last', () => {
    const result = runTicker([n1GoesDown], {}, { faults: [{ atMs: 50, type: 'crash', node: 1 }, { atMs: 100, type: 'restart', node: 1 }] });
    expect(result.passed).toBe(true);
  });

  it('fail with kind goal-not-reached at the end of a run that never reaches it', () => {
    const result = runTicker([n1GoesDown]);
    expect(result.failure).toMatchObject({ kind: 'goal-not-reached', property: 'n1 goes down', timeMs: 200 });
    expect(result.failure?.message).toBe('never reached during the run: n1 is up');
  });
});

describe('budget properties', () => {
  const atMostTenMessages = budget<Tick>('at most 10 messages', (cluster) =>
    cluster.counters.messagesSent > 10 ? `${cluster.counters.messagesSent} messages were sent` : undefined,
  );

  it('are judged when the run ends, with kind budget-exceeded', () => {
    const result = runTicker([atMostTenMessages], { talk: true }, { durationMs: 100 });
    // Two nodes, ten Ticks each, one Tock per Tick.
    expect(result.failure).toMatchObject({ kind: 'budget-exceeded', property: 'at most 10 messages', message: '20 messages were sent', timeMs: 100 });
    expect(runTicker([atMostTenMessages], { talk: true }, { durationMs: 50 }).passed).toBe(true);
  });

  it('are not judged while the run is under way', () => {
    let checks = 0;
    const counting = budget<Tick>('counted', () => {
      checks++;
      return undefined;
    });
    expect(runTicker([counting]).passed).toBe(true);
    expect(checks).toBe(1);
  });
});

describe('how a run ends', () => {
  it('maxEvents ends a livelock with failure kind limit', () => {
    const result = runTicker([], { periodMs: 1 }, { durationMs: 1e9, maxEvents: 500 });
    expect(result.passed).toBe(false);
    expect(result.failure).toMatchObject({ kind: 'limit', limit: 'events', property: 'event limit' });
    expect(result.failure?.message).toMatch(/500 events/);
    expect(result.steps).toBe(500);
    expect(result.endTimeMs).toBeLessThan(1e9);
  });

  it('a handler exception fails the run with kind exception, naming the node and the handler', () => {
    const result = runTicker([], { throwAt: 40 });
    expect(result.failure).toMatchObject({ kind: 'exception', property: 'no exceptions', node: 1, timeMs: 40 });
    expect(result.failure?.message).toMatch(/^n1 threw in onTimer\(Tick\): Error: boom/);
    expect(result.trace.at(-1)?.kind).toBe('violation');
  });

  it('a constructor that throws fails the run naming the class', () => {
    class Broken extends Node<Tick> {
      constructor() {
        super();
        throw new Error('no');
      }
    }
    const result = simulate<Tick>({ seed: 1, nodes: [{ role: 'server', node: Broken }], config: { periodMs: 1 }, durationMs: 10 });
    expect(result.failure).toMatchObject({ kind: 'exception', node: 0 });
    expect(result.failure?.message).toMatch(/n0 threw in the constructor of Broken: Error: no/);
  });

  it('reaching durationMs ends with "horizon", running out of events with "quiescent", stopWhen with "stopped"', () => {
    expect(runTicker([]).endReason).toBe('horizon');
    class Idle extends Node<Tick> {}
    const quiet = simulate<Tick>({ seed: 1, nodes: serversOf(2, Idle), config: { periodMs: 1 }, durationMs: 100 });
    expect(quiet.endReason).toBe('quiescent');
    expect(quiet.passed).toBe(true);
    const stopped = simulate<Tick>({
      seed: 1,
      nodes: serversOf(2, Ticker),
      config: { periodMs: 10 },
      durationMs: 1000,
      // Two Ticks per 10 ms: the 6th event is n1's third Tick.
      stopWhen: (cluster) => cluster.step === 6,
    });
    expect(stopped.endReason).toBe('stopped');
    expect(stopped.passed).toBe(true);
    expect(stopped.endTimeMs).toBe(30);
    expect(stopped.outputs.at(-1)).toMatchObject({ node: 1, output: { count: 3 } });
  });

  it('outputs are stamped with the step, time, node and incarnation', () => {
    const result = runTicker([], {}, { durationMs: 20 });
    expect(result.outputs.map(({ timeMs, node, incarnation, output }) => [timeMs, node, incarnation, output.count])).toEqual([
      [10, 0, 0, 1],
      [10, 1, 0, 1],
      [20, 0, 0, 2],
      [20, 1, 0, 2],
    ]);
    for (const record of result.outputs) {
      const event = ofKind(result.trace, 'output').find((candidate) => candidate.step === record.step && candidate.node === record.node);
      expect(event?.timeMs).toBe(record.timeMs);
    }
  });
});

describe('declaring properties', () => {
  it('an eventually, sometimes or budget property without a check is refused when declared', () => {
    const definition = { memory: () => 0, record: () => undefined };
    expect(() => eventually<Protocol, number>('late', definition)).toThrow('eventually property "late" needs a check');
    expect(() => sometimes<Protocol, number>('goal', definition)).toThrow('sometimes property "goal" needs a check');
    expect(() => budget<Protocol, number>('cost', definition)).toThrow('budget property "cost" needs a check');
    expect(() => always<Protocol, number>('safe', definition)).not.toThrow();
  });
});

describe('measurements from memories', () => {
  it("a property's measure reports figures from its memory when the run ends", () => {
    const highest = always<Tick, { highest: number }>('counts go up', {
      memory: () => ({ highest: 0 }),
      records: ['output:Count'],
      record(memory, event) {
        if (event.kind === 'output') memory.highest = Math.max(memory.highest, event.output.count);
        return undefined;
      },
      measure: (memory) => ({ highestCount: memory.highest }),
    });
    const result = simulate<Tick>({ seed: 1, nodes: serversOf(1, Ticker), config: { periodMs: 10 }, durationMs: 55, properties: [highest] });
    expect(result.passed).toBe(true);
    expect(result.outputs).toHaveLength(5);
    expect(result.measurements).toEqual({ highestCount: 5 });
  });
});
