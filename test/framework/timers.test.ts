import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore, Node, simulate, unreachable, type Delay, type Protocol, type TraceEvent } from '../../framework/testing.ts';
import { detailOf, ofKind } from './helpers.ts';

interface Timers extends Protocol {
  message: never;
  timer: { type: 'Fixed'; id: number } | { type: 'Range'; id: number } | { type: 'Again'; round: number; note: { tag: string; list: number[] } };
  input: never;
  output: { type: 'Fired'; id: number };
  config: {
    /** Timers to set in onStart, with their delay. */
    plan: readonly { id: number; delay: Delay }[];
    /** Ids of the Fixed timers to cancel in onStart, right after setting them. */
    cancel: readonly number[];
  };
  storage: Record<never, never>;
}

class Planner extends Node<Timers> {
  override onStart(): void {
    for (const { id, delay } of this.config.plan) {
      this.setTimer(typeof delay === 'number' ? { type: 'Fixed', id } : { type: 'Range', id }, delay);
    }
    // A fresh object, equal as data to the one that was set: cancelTimer compares by value.
    for (const id of this.config.cancel) this.cancelTimer({ id, type: 'Fixed' } as Timers['timer']);
  }
  override onTimer(timer: Timers['timer']): void {
    switch (timer.type) {
      case 'Fixed':
      case 'Range':
        this.output({ type: 'Fired', id: timer.id });
        return;
      case 'Again':
        return;
      default:
        unreachable(timer);
    }
  }
}

function runPlan(plan: Timers['config']['plan'], cancel: readonly number[] = [], seed: string | number = 1) {
  return simulate<Timers>({
    seed,
    nodes: [{ role: 'server', node: Planner }],
    config: { plan, cancel },
    durationMs: 10_000,
    trace: 'full',
  });
}

const idOf = (event: TraceEvent) => detailOf<{ id: number }>(event).id;

describe('timers', () => {
  it('a timer with a fixed delay fires at exactly set time + delay', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 }), (delays) => {
        const plan = delays.map((delay, id) => ({ id, delay }));
        const result = runPlan(plan);
        const fires = ofKind(result.trace, 'timer-fire');
        expect(fires).toHaveLength(delays.length);
        for (const fire of fires) expect(fire.timeMs).toBe(delays[idOf(fire)]);
        // The timer-set event announces the same time.
        for (const set of ofKind(result.trace, 'timer-set')) expect(set.reason).toBe(`fires at ${delays[idOf(set)]} ms`);
        // The node sees the same clock: outputs are stamped when it handles the timer.
        for (const record of result.outputs) expect(record.timeMs).toBe(delays[record.output.id]);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('a timer set later in the run fires at (time it was set) + delay, measured on the simulated clock', () => {
    class Chain extends Node<Timers> {
      override onStart(): void {
        this.setTimer({ type: 'Again', round: 0, note: { tag: 'x', list: [] } }, 7);
      }
      override onTimer(timer: Timers['timer']): void {
        if (timer.type !== 'Again' || timer.round >= 5) return;
        this.setTimer({ type: 'Again', round: timer.round + 1, note: timer.note }, 7 + timer.round * 100);
      }
    }
    const result = simulate<Timers>({ seed: 3, nodes: [{ role: 'server', node: Chain }], config: { plan: [], cancel: [] }, durationMs: 10_000, trace: 'full' });
    const fires = ofKind(result.trace, 'timer-fire').map((event) => event.timeMs);
    expect(fires).toEqual([7, 14, 121, 328, 635, 1042]);
  });

  it('a timer with a range delay [min, max] fires within the range, and the range is covered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 50 }), fc.integer(), (min, width, seed) => {
        const max = min + width;
        const plan = Array.from({ length: 40 }, (_unused, id) => ({ id, delay: [min, max] as const }));
        const result = runPlan(plan, [], seed);
        const fires = ofKind(result.trace, 'timer-fire');
        expect(fires).toHaveLength(40);
        for (const fire of fires) {
          expect(fire.timeMs).toBeGreaterThanOrEqual(min);
          expect(fire.timeMs).toBeLessThanOrEqual(max);
          expect(Number.isInteger(fire.timeMs)).toBe(true);
        }
        if (width > 0) expect(new Set(fires.map((fire) => fire.timeMs)).size).toBeGreaterThan(1);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('a range with no whole number of ms in it, or an endless delay, fails the run naming setTimer', () => {
    for (const delay of [[1.2, 1.8] as const, Number.POSITIVE_INFINITY, [5, Number.POSITIVE_INFINITY] as const]) {
      const result = runPlan([{ id: 0, delay }]);
      expect(result.failure?.kind, String(delay)).toBe('exception');
      expect(result.failure?.message).toMatch(/^n0 threw in onStart\(\): Error: setTimer\((Fixed|Range)\)/);
    }
  });

  it('a range with fractional bounds fires at a whole ms inside it', () => {
    const result = runPlan([{ id: 0, delay: [1.5, 3.5] }], [], 4);
    const fires = ofKind(result.trace, 'timer-fire').map((event) => event.timeMs);
    expect(fires).toHaveLength(1);
    expect([2, 3]).toContain(fires[0]);
  });

  it('cancelled timers never fire; the others all fire', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ delay: fc.integer({ min: 1, max: 500 }), cancelled: fc.boolean() }), { minLength: 1, maxLength: 30 }),
        (timers) => {
          const plan = timers.map(({ delay }, id) => ({ id, delay }));
          const cancel = timers.flatMap(({ cancelled }, id) => (cancelled ? [id] : []));
          const result = runPlan(plan, cancel);
          const fired = ofKind(result.trace, 'timer-fire').map(idOf).sort((a, b) => a - b);
          const expected = timers.flatMap(({ cancelled }, id) => (cancelled ? [] : [id]));
          expect(fired).toEqual(expected);
          expect(result.outputs.map((record) => record.output.id).sort((a, b) => a - b)).toEqual(expected);
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });

  it('cancelTimer cancels every pending timer equal as data (nested fields, any key order) and only those', () => {
    class Canceller extends Node<Timers> {
      override onStart(): void {
        this.setTimer({ type: 'Again', round: 1, note: { tag: 'a', list: [1, 2] } }, 10);
        this.setTimer({ type: 'Again', round: 1, note: { tag: 'a', list: [1, 2] } }, 20);
        this.setTimer({ type: 'Again', round: 1, note: { tag: 'a', list: [2, 1] } }, 30);
        this.setTimer({ type: 'Again', round: 2, note: { tag: 'a', list: [1, 2] } }, 40);
        this.setTimer({ type: 'Fixed', id: 1 }, 50);
        this.setTimer({ type: 'Fixed', id: 1 }, 1);
      }
      override onTimer(timer: Timers['timer']): void {
        if (timer.type === 'Fixed' && this.now() === 1) {
          this.cancelTimer({ note: { list: [1, 2], tag: 'a' }, round: 1, type: 'Again' } as Timers['timer']);
        }
      }
    }
    const result = simulate<Timers>({ seed: 3, nodes: [{ role: 'server', node: Canceller }], config: { plan: [], cancel: [] }, durationMs: 1000, trace: 'full' });
    const fired = ofKind(result.trace, 'timer-fire').map((event) => event.timeMs);
    // The timer that fires at 1 ms is not cancelled by itself firing; both equal 'Again' timers are gone.
    expect(fired).toEqual([1, 30, 40, 50]);
    const cancels = ofKind(result.trace, 'timer-cancel');
    expect(cancels).toHaveLength(1);
    expect(cancels[0]?.reason).toBeUndefined();
  });

  it('with timers off, a node that sets one fails the run, naming the timer, before it can fire', () => {
    class Sneaky extends Node<Timers> {
      override onStart(): void {
        this.setTimer({ type: 'Fixed', id: 1 }, 5);
      }
    }
    const result = simulate<Timers>({ seed: 3, nodes: [{ role: 'server', node: Sneaky }], config: { plan: [], cancel: [] }, durationMs: 100, timers: false, trace: 'full' });
    expect(result.failure?.kind).toBe('exception');
    expect(result.failure?.property).toBe('no timers');
    expect(result.failure?.message).toMatch(/^n0 set a timer \(Fixed\), but this lab's protocol has no timers/);
    expect(ofKind(result.trace, 'timer-fire')).toHaveLength(0);
  });

  it('cancelling a timer that is not pending is harmless and traced as "none pending"', () => {
    class Nothing extends Node<Timers> {
      override onStart(): void {
        this.setTimer({ type: 'Fixed', id: 1 }, 5);
        this.cancelTimer({ type: 'Fixed', id: 2 });
      }
    }
    const result = simulate<Timers>({ seed: 3, nodes: [{ role: 'server', node: Nothing }], config: { plan: [], cancel: [] }, durationMs: 100, trace: 'full' });
    expect(result.passed).toBe(true);
    expect(ofKind(result.trace, 'timer-cancel')[0]?.reason).toBe('none pending');
    expect(ofKind(result.trace, 'timer-fire')).toHaveLength(1);
  });

  it('a timer due after durationMs does not fire, one due exactly at durationMs does', () => {
    const result = simulate<Timers>({
      seed: 1,
      nodes: [{ role: 'server', node: Planner }],
      config: { plan: [{ id: 0, delay: 100 }, { id: 1, delay: 101 }], cancel: [] },
      durationMs: 100,
      trace: 'full',
    });
    expect(ofKind(result.trace, 'timer-fire').map(idOf)).toEqual([0]);
    expect(result.endReason).toBe('horizon');
    expect(result.endTimeMs).toBe(100);
  });

  it('a delay below 1 ms, or not a number or range, fails the run naming setTimer', () => {
    for (const delay of [0, -5, Number.NaN, [0, 3] as const, [5, 2] as const]) {
      const result = runPlan([{ id: 0, delay }]);
      expect(result.passed).toBe(false);
      expect(result.failure?.kind).toBe('exception');
      expect(result.failure?.message).toMatch(/setTimer/);
    }
  });

  it('the node receives the timer it set, as data', () => {
    let received: unknown;
    class Keeper extends Node<Timers> {
      override onStart(): void {
        const note = { tag: 'n', list: [1, 2, 3] };
        this.setTimer({ type: 'Again', round: 9, note }, 3);
        note.list.push(4); // changing the object after setTimer changes nothing
      }
      override onTimer(timer: Timers['timer']): void {
        received = timer;
      }
    }
    simulate<Timers>({ seed: 1, nodes: [{ role: 'server', node: Keeper }], config: { plan: [], cancel: [] }, durationMs: 100 });
    expect(received).toEqual({ type: 'Again', round: 9, note: { tag: 'n', list: [1, 2, 3] } });
  });
});

describe('setTimer is checked the same way under every driver', () => {
  /** The first line of the failure: the error text, without the stack. */
  const firstLine = (message: string | undefined) => message?.split('\n')[0];

  for (const delay of [[1.2, 1.8] as const, Number.POSITIVE_INFINITY, 0, [7, 3] as const]) {
    const shown = Array.isArray(delay) ? `[${delay.join(', ')}]` : String(delay);
    it(`setTimer(timer, ${shown}) fails under simulate and under explore with the same message`, () => {
      const settings = { nodes: [{ role: 'server' as const, node: Planner }], config: { plan: [{ id: 0, delay }], cancel: [] } };
      const run = simulate<Timers>({ ...settings, seed: 1, durationMs: 100 });
      const search = explore<Timers>(settings);
      expect(run.failure?.kind).toBe('exception');
      expect(search.outcome.kind).toBe('exception');
      if (search.outcome.kind !== 'exception') return;
      expect(firstLine(search.outcome.message)).toBe(firstLine(run.failure?.message));
      expect(firstLine(run.failure?.message)).toMatch(/^n0 threw in onStart\(\): Error: setTimer/);
    });
  }
});
