import { describe, expect, it } from 'vitest';
import { always, eventually, Node, simulate, type Property, type Protocol, type World } from '../../framework/index.ts';
import { ofKind, serversOf } from './helpers.ts';

interface Tick extends Protocol {
  message: never;
  timer: { type: 'Tick' };
  input: never;
  output: { type: 'Count'; count: number };
  config: { periodMs: number; decrementAt?: number; throwAt?: number };
  storage: Record<never, never>;
}

/** Counts Ticks every `periodMs`; optionally goes back one at `decrementAt`, or throws at `throwAt`. */
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
    this.setTimer({ type: 'Tick' }, this.config.periodMs);
  }
}

const countOf = (world: World<Tick>, node: number) => (world.node(node) as Ticker | undefined)?.count ?? 0;

function runTicker(properties: Property<Tick>[], config: Partial<Tick['config']> = {}, extra: { durationMs?: number; maxEvents?: number } = {}) {
  return simulate<Tick>({
    seed: 1,
    nodes: serversOf(2, Ticker),
    config: { periodMs: 10, ...config },
    properties,
    durationMs: extra.durationMs ?? 200,
    ...(extra.maxEvents === undefined ? {} : { maxEvents: extra.maxEvents }),
    trace: 'full',
  });
}

describe('always properties', () => {
  it('a violation stops the run at the step where it happened', () => {
    const result = runTicker([always('below five', (world) => (countOf(world, 0) >= 5 ? `n0 counted ${countOf(world, 0)}` : undefined))]);
    expect(result.passed).toBe(false);
    expect(result.endReason).toBe('failure');
    expect(result.failure).toMatchObject({ kind: 'always', property: 'below five', message: 'n0 counted 5', timeMs: 50 });
    // The event that made n0 count to 5 is its 5th Tick.
    const fifthTick = ofKind(result.trace, 'timer-fire').filter((event) => event.node === 0)[4];
    expect(result.failure?.step).toBe(fifthTick?.step);
    expect(result.steps).toBe(result.failure?.step);
    expect(result.endTimeMs).toBe(50);
    // Nothing is processed after the violating event; the violation is the trace's last line.
    const last = result.trace.at(-1);
    expect(last?.kind).toBe('violation');
    expect(last?.label).toBe('below five');
    expect(Math.max(...result.trace.map((event) => event.step))).toBe(result.failure?.step);
    expect(ofKind(result.trace, 'timer-fire').filter((event) => event.node === 1 && event.timeMs === 50)).toHaveLength(0);
  });

  it('is checked after every event, from the start', () => {
    let checks = 0;
    const atStart = runTicker([always('never', () => 'fails at once')]);
    expect(atStart.failure).toMatchObject({ kind: 'always', step: 0, timeMs: 0 });
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
      always('fragile', (world) => {
        if (world.nowMs === 30) throw new Error('oops');
        return undefined;
      }),
    ]);
    expect(result.failure).toMatchObject({ kind: 'always', property: 'fragile', timeMs: 30 });
    expect(result.failure?.message).toMatch(/own check threw.*oops/);
  });

  it('checkTransition sees the fields of the node that just reacted, before and after', () => {
    const changes: { node: number; before: unknown; after: unknown }[] = [];
    const result = runTicker([
      {
        name: 'count grows by one',
        kind: 'always',
        check: () => undefined,
        checkTransition: ({ node, before, after }) => {
          changes.push({ node, before, after });
          return after.count === (before.count as number) + 1 ? undefined : `n${node} went from ${String(before.count)} to ${String(after.count)}`;
        },
      },
    ]);
    expect(result.passed).toBe(true);
    expect(changes).toHaveLength(result.steps);
    expect(changes[0]).toEqual({ node: 0, before: { count: 0, label: 'ticker' }, after: { count: 1, label: 'ticker' } });
    expect(changes.filter((change) => change.node === 1).map((change) => (change.after as { count: number }).count)).toEqual(
      Array.from({ length: 20 }, (_unused, index) => index + 1),
    );
  });

  it('a transition violation fails the run with the node and the message', () => {
    const result = runTicker(
      [
        {
          name: 'count never decreases',
          kind: 'always',
          check: () => undefined,
          checkTransition: ({ node, before, after }) =>
            (after.count as number) < (before.count as number) ? `n${node} went from ${String(before.count)} to ${String(after.count)}` : undefined,
        },
      ],
      { decrementAt: 70 },
    );
    expect(result.failure).toMatchObject({ kind: 'always', property: 'count never decreases', node: 0, timeMs: 70, message: 'n0 went from 6 to 5' });
  });

  it('the before and after snapshots are copies that later changes do not alter', () => {
    const befores: unknown[] = [];
    runTicker([
      {
        name: 'snapshots',
        kind: 'always',
        check: () => undefined,
        checkTransition: ({ node, before }) => {
          if (node === 0) befores.push(before);
          return undefined;
        },
      },
    ]);
    expect(befores.slice(0, 3)).toEqual([
      { count: 0, label: 'ticker' },
      { count: 1, label: 'ticker' },
      { count: 2, label: 'ticker' },
    ]);
  });
});

describe('eventually properties', () => {
  it('are checked once, when the run ends', () => {
    const calls: number[] = [];
    const result = runTicker([
      eventually('counted', (world) => {
        calls.push(world.nowMs);
        return countOf(world, 0) >= 20 ? undefined : 'not yet';
      }),
    ]);
    expect(result.passed).toBe(true);
    expect(calls).toEqual([200]);
  });

  it('a violation is reported with kind eventually at the end of the run', () => {
    const result = runTicker([eventually('reach 100', (world) => (countOf(world, 0) >= 100 ? undefined : `only ${countOf(world, 0)}`))]);
    expect(result.failure).toMatchObject({ kind: 'eventually', property: 'reach 100', message: 'only 20', timeMs: 200, step: result.steps });
    expect(result.endReason).toBe('failure');
  });

  it('are not checked when an always property already failed', () => {
    let checked = false;
    const result = runTicker([
      always('stop', (world) => (world.nowMs >= 30 ? 'stop' : undefined)),
      eventually('late', () => {
        checked = true;
        return 'never';
      }),
    ]);
    expect(result.failure?.property).toBe('stop');
    expect(checked).toBe(false);
  });
});

describe('how a run ends', () => {
  it('maxEvents ends a livelock with failure kind event-limit', () => {
    const result = runTicker([], { periodMs: 1 }, { durationMs: 1e9, maxEvents: 500 });
    expect(result.passed).toBe(false);
    expect(result.failure?.kind).toBe('event-limit');
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
      stopWhen: (world) => countOf(world, 1) === 3,
    });
    expect(stopped.endReason).toBe('stopped');
    expect(stopped.passed).toBe(true);
    expect(stopped.endTimeMs).toBe(30);
  });

  it('outputs are stamped with the step, time and node', () => {
    const result = runTicker([], {}, { durationMs: 20 });
    expect(result.outputs.map(({ timeMs, node, output }) => [timeMs, node, output.count])).toEqual([
      [10, 0, 1],
      [10, 1, 1],
      [20, 0, 2],
      [20, 1, 2],
    ]);
    for (const record of result.outputs) {
      const event = ofKind(result.trace, 'output').find((candidate) => candidate.step === record.step && candidate.node === record.node);
      expect(event?.timeMs).toBe(record.timeMs);
    }
  });
});
