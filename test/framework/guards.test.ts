import { describe, expect, it } from 'vitest';
import { DeterminismError, Node, SettingsError, simulate, type NodeId, type Protocol } from '../../framework/testing.ts';

interface Guarded extends Protocol {
  message: { type: 'Go' };
  timer: { type: 'Go' };
  input: { type: 'Go' };
  output: { type: 'Caught'; name: string; isDeterminismError: boolean };
  config: { when: 'start' | 'message' | 'timer' | 'input' };
  storage: Record<never, never>;
}

const forbidden: { name: string; act: () => unknown; alternative: RegExp }[] = [
  { name: 'Math.random()', act: () => Math.random(), alternative: /this\.random\(\)/ },
  { name: 'Date.now()', act: () => Date.now(), alternative: /this\.now\(\)/ },
  { name: 'new Date()', act: () => new Date(), alternative: /this\.now\(\)/ },
  { name: 'performance.now()', act: () => performance.now(), alternative: /this\.now\(\)/ },
  { name: 'setTimeout()', act: () => setTimeout(() => undefined, 1), alternative: /this\.setTimer/ },
  { name: 'setInterval()', act: () => setInterval(() => undefined, 1), alternative: /this\.setTimer/ },
  { name: 'setImmediate()', act: () => setImmediate(() => undefined), alternative: /this\.setTimer/ },
  { name: 'queueMicrotask()', act: () => queueMicrotask(() => undefined), alternative: /synchronous/ },
  { name: 'crypto.getRandomValues()', act: () => crypto.getRandomValues(new Uint8Array(4)), alternative: /this\.random\(\)/ },
  { name: 'crypto.randomUUID()', act: () => crypto.randomUUID(), alternative: /this\.id/ },
  { name: 'process.hrtime()', act: () => process.hrtime(), alternative: /this\.now\(\)/ },
  { name: 'process.hrtime.bigint()', act: () => process.hrtime.bigint(), alternative: /this\.now\(\)/ },
  { name: 'process.uptime()', act: () => process.uptime(), alternative: /this\.now\(\)/ },
];

/** A two-node cluster where n1 does `act` in the handler named by config.when. */
function runDoing(act: () => unknown, when: Guarded['config']['when']) {
  class Doer extends Node<Guarded> {
    override onStart(): void {
      if (this.id !== 1) {
        if (when === 'message') this.send(1, { type: 'Go' });
        return;
      }
      if (when === 'start') act();
      if (when === 'timer') this.setTimer({ type: 'Go' }, 3);
    }
    override onMessage(): void {
      act();
    }
    override onTimer(): void {
      act();
    }
    override onInput(): void {
      act();
    }
  }
  return simulate<Guarded>({
    seed: 1,
    nodes: [
      { role: 'server', node: Doer },
      { role: 'server', node: Doer },
    ],
    config: { when },
    inputs: when === 'input' ? [{ atMs: 5, node: 1, input: { type: 'Go' } }] : [],
    durationMs: 100,
  });
}

const original = {
  random: Math.random,
  Date: globalThis.Date,
  performanceNowIsOwn: Object.prototype.hasOwnProperty.call(performance, 'now'),
  performanceNow: performance.now,
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  queueMicrotask: globalThis.queueMicrotask,
  hrtime: process.hrtime,
  uptime: process.uptime,
  getRandomValues: crypto.getRandomValues,
};

function expectGlobalsRestored(): void {
  expect(Math.random).toBe(original.random);
  const draw = Math.random();
  expect(draw).toBeGreaterThanOrEqual(0);
  expect(draw).toBeLessThan(1);
  expect(globalThis.Date).toBe(original.Date);
  expect(new Date(0).toISOString()).toBe('1970-01-01T00:00:00.000Z');
  expect(typeof Date.now()).toBe('number');
  expect(Object.prototype.hasOwnProperty.call(performance, 'now')).toBe(original.performanceNowIsOwn);
  expect(performance.now).toBe(original.performanceNow);
  expect(typeof performance.now()).toBe('number');
  expect(process.hrtime).toBe(original.hrtime);
  expect(typeof process.hrtime.bigint()).toBe('bigint');
  expect(process.uptime).toBe(original.uptime);
  expect(crypto.getRandomValues).toBe(original.getRandomValues);
  expect(globalThis.setTimeout).toBe(original.setTimeout);
  expect(globalThis.setInterval).toBe(original.setInterval);
  expect(globalThis.setImmediate).toBe(original.setImmediate);
  expect(globalThis.queueMicrotask).toBe(original.queueMicrotask);
}

describe('determinism guards', () => {
  for (const { name, act, alternative } of forbidden) {
    it(`${name} throws a DeterminismError inside a reaction, naming the alternative, and fails the run`, () => {
      const result = runDoing(act, 'start');
      expect(result.passed).toBe(false);
      expect(result.failure?.kind).toBe('exception');
      expect(result.failure?.node).toBe(1);
      const message = result.failure?.message ?? '';
      expect(message).toContain('DeterminismError');
      expect(message).toContain('not allowed in node code');
      expect(message).toContain(name.replace('new ', '').replace('()', '').replace('Date.now', 'Date'));
      expect(message).toMatch(alternative);
      expectGlobalsRestored();
    });
  }

  it('the guards are on in every kind of handler: message, timer and input', () => {
    for (const when of ['message', 'timer', 'input'] as const) {
      const result = runDoing(() => Math.random(), when);
      expect(result.failure?.kind, when).toBe('exception');
      expect(result.failure?.message, when).toMatch(/n1 threw in on(Message|Timer|Input)\(Go\): DeterminismError: Math\.random\(\)/);
    }
  });

  it('the error a node sees is a DeterminismError', () => {
    class Catcher extends Node<Guarded> {
      override onStart(): void {
        try {
          Date.now();
        } catch (error) {
          this.output({ type: 'Caught', name: (error as Error).name, isDeterminismError: error instanceof DeterminismError });
        }
      }
    }
    const result = simulate<Guarded>({ seed: 1, nodes: [{ role: 'server', node: Catcher }], config: { when: 'start' }, durationMs: 10 });
    expect(result.outputs.map((record) => record.output)).toEqual([{ type: 'Caught', name: 'DeterminismError', isDeterminismError: true }]);
  });

  it('an async handler (one that returns a promise) fails the run', () => {
    class AsyncStart extends Node<Guarded> {
      override async onStart(): Promise<void> {
        // Nothing to do: being async is the mistake.
      }
    }
    class AsyncMessage extends Node<Guarded> {
      override onStart(): void {
        if (this.id === 0) this.send(1, { type: 'Go' });
      }
      override async onMessage(): Promise<void> {
        // Nothing to do: being async is the mistake.
      }
    }
    const start = simulate<Guarded>({ seed: 1, nodes: [{ role: 'server', node: AsyncStart }], config: { when: 'start' }, durationMs: 10 });
    expect(start.failure?.kind).toBe('exception');
    expect(start.failure?.message).toMatch(/onStart\(\) returned a promise/);
    const message = simulate<Guarded>({
      seed: 1,
      nodes: [
        { role: 'server', node: AsyncMessage },
        { role: 'server', node: AsyncMessage },
      ],
      config: { when: 'start' },
      durationMs: 10,
    });
    expect(message.failure?.kind).toBe('exception');
    expect(message.failure?.node).toBe(1);
    expect(message.failure?.message).toMatch(/onMessage\(Go\) returned a promise.*synchronous/s);
    expectGlobalsRestored();
  });

  it('the globals are restored after a passing run, a failing run and a run that throws', () => {
    const passing = runDoing(() => undefined, 'start');
    expect(passing.passed).toBe(true);
    expectGlobalsRestored();
    expect(runDoing(() => Math.random(), 'timer').passed).toBe(false);
    expectGlobalsRestored();
    class Quiet extends Node<Guarded> {}
    expect(() =>
      simulate<Guarded>({
        seed: 1,
        nodes: [{ role: 'server', node: Quiet }],
        config: { when: 'start' },
        workload: { start: (context) => context.input(7 as NodeId, { type: 'Go' }) },
        durationMs: 10,
      }),
    ).toThrow(SettingsError);
    expectGlobalsRestored();
  });

  it('a node cannot act outside a reaction', () => {
    class Loose extends Node<Guarded> {}
    const loose = new Loose();
    expect(() => loose.now()).toThrow(/this\.now\(\) was called outside a reaction/);
    expect(() => loose.send(0, { type: 'Go' })).toThrow(/outside a reaction/);
    const kept: Node<Guarded>[] = [];
    class Keeper extends Node<Guarded> {
      override onStart(): void {
        kept.push(this);
      }
    }
    simulate<Guarded>({ seed: 1, nodes: [{ role: 'server', node: Keeper }], config: { when: 'start' }, durationMs: 10 });
    expect(kept).toHaveLength(1);
    expect(() => kept[0]?.setTimer({ type: 'Go' }, 5)).toThrow(/outside a reaction/);
  });

  it("a node cannot act through another node's object", () => {
    const objects: Node<Guarded>[] = [];
    class Meddler extends Node<Guarded> {
      override onStart(): void {
        objects[this.id] = this;
        if (this.id === 1) (objects[0] as Node<Guarded>).send(1, { type: 'Go' });
      }
    }
    const result = simulate<Guarded>({
      seed: 1,
      nodes: [
        { role: 'server', node: Meddler },
        { role: 'server', node: Meddler },
      ],
      config: { when: 'start' },
      durationMs: 10,
    });
    expect(result.failure?.kind).toBe('exception');
    expect(result.failure?.node).toBe(1);
    expect(result.failure?.message).toMatch(/another node's object/);
  });
});
