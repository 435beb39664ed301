// Node fields are volatile state and must be plain data; the framework names the bad field.
import { describe, expect, it } from 'vitest';
import { always, explore, Node, simulate, type Property, type Protocol } from '../../framework/testing.ts';

interface State extends Protocol {
  message: { type: 'Note'; body: unknown };
  timer: { type: 'Spoil' };
  input: never;
  output: never;
  config: Record<never, never>;
  storage: Record<never, never>;
}

class Helper {
  value = 1;
}

function run(node: new () => Node<State>, properties: Property<State>[] = [], nodeCount = 1) {
  return simulate<State>({
    seed: 1,
    nodes: Array.from({ length: nodeCount }, () => ({ role: 'server' as const, node })),
    config: {},
    durationMs: 100,
    properties,
  });
}

function expectPlainDataFailure(result: ReturnType<typeof run>, fragments: string[]): void {
  expect(result.passed).toBe(false);
  expect(result.failure?.property).toBe('plain data');
  expect(result.failure?.kind).toBe('exception');
  for (const fragment of fragments) expect(result.failure?.message).toContain(fragment);
}

describe('node state must be plain data', () => {
  it('a field holding a function is reported by name', () => {
    class WithFunction extends Node<State> {
      count = 0;
      callback = () => this.count;
    }
    expectPlainDataFailure(run(WithFunction), ['n0 (WithFunction).callback', 'is a function']);
  });

  it('a field holding a class instance is reported by name and class', () => {
    class WithInstance extends Node<State> {
      helper = new Helper();
    }
    expectPlainDataFailure(run(WithInstance), ['n0 (WithInstance).helper', 'instance of Helper']);
  });

  it('a field holding a cycle is reported by the path that closes it', () => {
    class WithCycle extends Node<State> {
      tree: { children: unknown[] } = { children: [] };
      override onStart(): void {
        this.tree.children.push({ parent: this.tree });
      }
    }
    expectPlainDataFailure(run(WithCycle), ['n0 (WithCycle).tree.children[0].parent', 'cycle']);
  });

  it('nested bad values are named by their full path (Map entries included)', () => {
    class Nested extends Node<State> {
      index = new Map<string, { at: unknown }>([['k', { at: new Helper() }]]);
    }
    expectPlainDataFailure(run(Nested), ['n0 (Nested).index.get("k").at']);
  });

  it('plain state of every allowed kind passes', () => {
    class Fine extends Node<State> {
      n = 1;
      s = 'x';
      b = true;
      nothing = null;
      missing = undefined;
      big = 10n;
      list = [1, [2, 3]];
      record = { a: { b: 1 } };
      map = new Map([[1, { list: ['a'] }]]);
      set = new Set([1, 'a', null]);
      shared = this.record; // the same object twice is not a cycle
    }
    expect(run(Fine).passed).toBe(true);
  });

  it('a field that becomes non-plain during a handler fails the run (not only at start)', () => {
    class Spoiler extends Node<State> {
      data: unknown = 1;
      override onStart(): void {
        this.setTimer({ type: 'Spoil' }, 10);
      }
      override onTimer(): void {
        this.data = new Helper();
      }
    }
    expectPlainDataFailure(run(Spoiler), ['n0 (Spoiler).data', 'instance of Helper']);
  });

  it('the model checker applies the same rule, with the same message', () => {
    class Spoiler extends Node<State> {
      data: unknown = 1;
      override onStart(): void {
        this.setTimer({ type: 'Spoil' }, 10);
      }
      override onTimer(): void {
        this.data = () => 1;
      }
    }
    const search = explore<State>({ nodes: [{ role: 'server', node: Spoiler }], config: {} });
    expect(search.outcome.kind).toBe('exception');
    if (search.outcome.kind !== 'exception') return;
    expect(search.outcome.message).toContain('n0 (Spoiler).data is a function');
    expect(search.outcome.path.map((event) => event.kind)).toEqual(['timer']);
    const run = simulate<State>({ seed: 1, nodes: [{ role: 'server', node: Spoiler }], config: {}, durationMs: 100 });
    expect(run.failure?.message).toBe(search.outcome.message);
  });

  it('a message that is not plain data fails the sender, naming the field', () => {
    class BadSender extends Node<State> {
      override onStart(): void {
        if (this.id === 0) this.send(1, { type: 'Note', body: { when: new Helper() } });
      }
    }
    const result = run(BadSender, [always('none', () => undefined)], 2);
    expectPlainDataFailure(result, ['message.body.when', 'instance of Helper']);
    expect(result.failure?.node).toBe(0);
    expect(result.failure?.message).toMatch(/^n0 threw in onStart\(\)/);
  });
});
