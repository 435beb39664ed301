import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkLinearizability,
  formatLinearizabilityResult,
  keyValueModel,
  parseHistory,
  registerModel,
  RandomSource,
  type HistoryOperation,
  type KeyValueInput,
  type KeyValueOutput,
  type RegisterInput,
  type RegisterOutput,
  type SequentialModel,
} from 'distlab/testing';
import { corruptHistory, generateHistory } from '../../framework/linearizability/generateHistory.ts';
import { setLongWorkListener } from '../../framework/_internals/longWork.ts';

type KvOperation = HistoryOperation<KeyValueInput, KeyValueOutput>;
type RegisterOperation = HistoryOperation<RegisterInput, RegisterOutput>;

const get = (client: number, callTime: number, returnTime: number | null, key: string, value: string | null): KvOperation => ({
  client,
  callTime,
  returnTime,
  input: { kind: 'get', key },
  output: value === null ? null : { value },
});
const put = (client: number, callTime: number, returnTime: number | null, key: string, value: string, known = true): KvOperation => ({
  client,
  callTime,
  returnTime,
  input: { kind: 'put', key, value },
  output: known ? {} : null,
});
const append = (client: number, callTime: number, returnTime: number | null, key: string, value: string, known = true): KvOperation => ({
  client,
  callTime,
  returnTime,
  input: { kind: 'append', key, value },
  output: known ? {} : null,
});
const read = (client: number, callTime: number, returnTime: number | null, value: unknown): RegisterOperation => ({
  client,
  callTime,
  returnTime,
  input: { kind: 'read' },
  output: value === undefined ? null : { value },
});
const write = (client: number, callTime: number, returnTime: number | null, value: unknown): RegisterOperation => ({
  client,
  callTime,
  returnTime,
  input: { kind: 'write', value },
  output: {},
});
const cas = (client: number, callTime: number, returnTime: number | null, from: unknown, to: unknown, ok: boolean | null): RegisterOperation => ({
  client,
  callTime,
  returnTime,
  input: { kind: 'cas', from, to },
  output: ok === null ? null : { ok },
});

/**
 * The reference: tries every order of every subset that holds all returned operations with a
 * known output, with no memo and no partition. Exponential, so for small histories only.
 */
function naiveLinearizable<State, Input, Output>(model: SequentialModel<State, Input, Output>, history: readonly HistoryOperation<Input, Output>[]): boolean {
  const placed = new Array<boolean>(history.length).fill(false);
  const search = (state: State): boolean => {
    if (history.every((operation, index) => placed[index] || operation.returnTime === null || operation.output === null)) return true;
    for (let index = 0; index < history.length; index++) {
      if (placed[index]) continue;
      const operation = history[index] as HistoryOperation<Input, Output>;
      // An operation whose result is unknown may never take effect: leave it out for good.
      if (operation.output === null) {
        placed[index] = true;
        const found = search(state);
        placed[index] = false;
        if (found) return true;
      }
      const mustComeFirst = history.some((other, at) => !placed[at] && other.returnTime !== null && other.returnTime < operation.callTime);
      if (mustComeFirst) continue;
      const step = model.step(state, operation.input, operation.output);
      if (!step.ok) continue;
      placed[index] = true;
      const found = search(step.next);
      placed[index] = false;
      if (found) return true;
    }
    return false;
  };
  return search(model.initial());
}

/** Whether `order` is a linearization of `history`: real-time order, every returned operation with a known output, the model's outputs. */
function isLinearization<State, Input, Output>(model: SequentialModel<State, Input, Output>, history: readonly HistoryOperation<Input, Output>[], order: readonly number[]): boolean {
  if (new Set(order).size !== order.length) return false;
  const included = new Set(order);
  if (history.some((operation, index) => operation.returnTime !== null && operation.output !== null && !included.has(index))) return false;
  for (let later = 0; later < order.length; later++) {
    for (let earlier = later + 1; earlier < order.length; earlier++) {
      const first = history[order[earlier] as number] as HistoryOperation<Input, Output>;
      const second = history[order[later] as number] as HistoryOperation<Input, Output>;
      // `first` comes after `second` in the order, so it must not have returned before `second` was called.
      if (first.returnTime !== null && first.returnTime < second.callTime) return false;
    }
  }
  let state = model.initial();
  for (const index of order) {
    const operation = history[index] as HistoryOperation<Input, Output>;
    const step = model.step(state, operation.input, operation.output);
    if (!step.ok) return false;
    state = step.next;
  }
  return true;
}

describe('hand-written register histories', () => {
  it('a read that sees a write and a later read that sees the old value is not linearizable', () => {
    const history = [write(0, 0, 10, 1), read(1, 1, 2, 1), read(2, 3, 4, null)];
    const result = checkLinearizability(registerModel, history);
    expect(result.verdict).toBe('not linearizable');
    if (result.verdict !== 'not linearizable') return;
    const failure = result.failures[0];
    expect(failure?.failingOperation).toBe(2);
    expect(failure?.reason).toBe('read() returned null but every order of the operations before it gives 1');
    expect(formatLinearizabilityResult(registerModel, history, result)).toContain('read() returned null but');
  });

  it('the same reads overlapping the write are linearizable, with a valid linearization', () => {
    const history = [write(0, 0, 10, 1), read(1, 1, 2, null), read(2, 3, 4, 1)];
    const result = checkLinearizability(registerModel, history);
    expect(result.verdict).toBe('linearizable');
    if (result.verdict === 'linearizable') {
      expect(result.linearization).toEqual([1, 0, 2]);
      expect(isLinearization(registerModel, history, result.linearization)).toBe(true);
    }
  });

  it('a call and a return at the same time overlap', () => {
    // The write returns at 5 and the read is called at 5: the read may come first.
    expect(checkLinearizability(registerModel, [write(0, 0, 5, 1), read(1, 5, 6, null)]).verdict).toBe('linearizable');
    expect(checkLinearizability(registerModel, [write(0, 0, 5, 1), read(1, 6, 7, null)]).verdict).toBe('not linearizable');
  });

  it('compare-and-set: two successful swaps from the same value are not linearizable', () => {
    const history = [write(0, 0, 1, 0), cas(1, 2, 10, 0, 1, true), cas(2, 2, 10, 0, 2, true)];
    expect(checkLinearizability(registerModel, history).verdict).toBe('not linearizable');
    const oneFails = [write(0, 0, 1, 0), cas(1, 2, 10, 0, 1, true), cas(2, 2, 10, 0, 2, false), read(0, 11, 12, 1)];
    expect(checkLinearizability(registerModel, oneFails).verdict).toBe('linearizable');
  });

  it('compare-and-set of a value for itself changes nothing: placed as soon as it fits, like a read', () => {
    expect(registerModel.isReadOnly?.({ kind: 'cas', from: 2, to: 2 }, { ok: true })).toBe(true);
    expect(registerModel.isReadOnly?.({ kind: 'cas', from: 2, to: 2 }, null)).toBe(true);
    expect(registerModel.isReadOnly?.({ kind: 'cas', from: 2, to: 3 }, { ok: true })).toBe(false);
    expect(registerModel.isReadOnly?.({ kind: 'cas', from: 2, to: 3 }, null)).toBe(false);
    // It succeeds only while the register holds 2, between the writes of 2 and 3.
    const fits = [write(0, 0, 2, 2), cas(1, 1, 10, 2, 2, true), write(2, 3, 4, 3), read(0, 5, 6, 3)];
    expect(checkLinearizability(registerModel, fits).verdict).toBe('linearizable');
    const tooLate = [write(0, 0, 2, 2), write(2, 3, 4, 3), cas(1, 5, 10, 2, 2, true)];
    expect(checkLinearizability(registerModel, tooLate).verdict).toBe('not linearizable');
  });

  it('the issue\'s example file: a cas that never returned may have taken effect', () => {
    const text = JSON.stringify({
      model: 'register',
      operations: [
        { client: 3, call: 10, return: 13, input: { kind: 'write', value: 3 }, output: {} },
        { client: 0, call: 11, return: null, input: { kind: 'cas', from: 3, to: 1 }, output: null },
        { client: 2, call: 12, return: 20, input: { kind: 'read' }, output: { value: 1 } },
      ],
    });
    const parsed = parseHistory(text, 'example.json');
    expect(parsed.model).toBe('register');
    const result = checkLinearizability(registerModel, parsed.operations as RegisterOperation[]);
    expect(result.verdict).toBe('linearizable');
    if (result.verdict === 'linearizable') expect(result.linearization).toEqual([0, 1, 2]);
  });
});

describe('never-returned operations and unknown outputs', () => {
  it('a never-returned write may take effect long after its call, or never', () => {
    const history = [write(0, 0, null, 1), read(1, 5, 6, null), read(1, 100, 101, 1)];
    expect(checkLinearizability(registerModel, history).verdict).toBe('linearizable');
    expect(checkLinearizability(registerModel, [write(0, 0, null, 1), read(1, 5, 6, null)]).verdict).toBe('linearizable');
    // But once seen, it cannot be unseen.
    expect(checkLinearizability(registerModel, [write(0, 0, null, 1), read(1, 5, 6, 1), read(1, 7, 8, null)]).verdict).toBe('not linearizable');
  });

  it('a never-returned write cannot take effect before its call', () => {
    expect(checkLinearizability(registerModel, [read(1, 0, 1, 1), write(0, 2, null, 1)]).verdict).toBe('not linearizable');
  });

  it('a returned operation with an unknown result may not have taken effect, but if it did, only before its return', () => {
    // cas(null, 5) from the initial null would swap; the later read of null says it did not take effect.
    expect(checkLinearizability(registerModel, [cas(0, 0, 1, null, 5, null), read(1, 2, 3, null)]).verdict).toBe('linearizable');
    expect(checkLinearizability(registerModel, [cas(0, 0, 1, null, 5, null), read(1, 2, 3, 5)]).verdict).toBe('linearizable');
    // Seen after its return by one read, it cannot be unseen by a later one, nor take effect after its return.
    expect(checkLinearizability(registerModel, [cas(0, 0, 1, null, 5, null), read(1, 2, 3, 5), read(1, 4, 5, null)]).verdict).toBe('not linearizable');
    expect(checkLinearizability(keyValueModel, [append(0, 0, 1, 'x', 'a', false), get(1, 2, 3, 'x', ''), get(1, 4, 5, 'x', 'a')]).verdict).toBe('not linearizable');
  });

  it('a get whose output is unknown accepts any value', () => {
    expect(checkLinearizability(keyValueModel, [put(0, 0, 1, 'x', 'a'), get(1, 2, 3, 'x', null)]).verdict).toBe('linearizable');
  });

  it('an append whose result is unknown and that never returned may or may not show', () => {
    const history = [append(0, 0, null, 'x', 'a', false), get(1, 1, 2, 'x', ''), get(1, 3, 4, 'x', 'a'), get(2, 5, 6, 'x', 'a')];
    expect(checkLinearizability(keyValueModel, history).verdict).toBe('linearizable');
    const twice = [append(0, 0, null, 'x', 'a', false), get(1, 1, 2, 'x', 'aa')];
    expect(checkLinearizability(keyValueModel, twice).verdict).toBe('not linearizable');
  });
});

describe('hand-written key-value histories', () => {
  it('a missing key reads as ""', () => {
    expect(checkLinearizability(keyValueModel, [get(0, 0, 1, 'x', '')]).verdict).toBe('linearizable');
    expect(checkLinearizability(keyValueModel, [put(0, 0, 1, 'x', ''), get(0, 2, 3, 'x', '')]).verdict).toBe('linearizable');
  });

  it('concurrent appends may land in either order, but every reader must agree', () => {
    const appends = [append(0, 0, 10, 'x', 'a'), append(1, 0, 10, 'x', 'b')];
    expect(checkLinearizability(keyValueModel, [...appends, get(2, 11, 12, 'x', 'ba')]).verdict).toBe('linearizable');
    expect(checkLinearizability(keyValueModel, [...appends, get(2, 11, 12, 'x', 'ab')]).verdict).toBe('linearizable');
    const disagree = [...appends, get(2, 11, 12, 'x', 'ab'), get(3, 13, 14, 'x', 'ba')];
    const result = checkLinearizability(keyValueModel, disagree);
    expect(result.verdict).toBe('not linearizable');
    if (result.verdict !== 'not linearizable') return;
    const failure = result.failures[0];
    expect(failure?.failingOperation).toBe(3);
    expect(failure?.reason).toBe('get(x) returned "ba" but every order of the operations before it gives "ab"');
    expect(failure?.longestPrefix).toEqual([0, 1, 2]);
    expect(failure?.statesAfterPrefix).toEqual(['{x: "a"}', '{x: "ab"}', '{x: "ab"}']);
  });

  it('the reason lists every value the orders before a get give', () => {
    const history = [append(0, 0, 1, 'x', 'a'), append(1, 2, 10, 'x', 'b'), append(2, 2, 10, 'x', 'c'), get(3, 11, 12, 'x', 'ab')];
    const result = checkLinearizability(keyValueModel, history);
    expect(result.verdict).toBe('not linearizable');
    if (result.verdict === 'not linearizable') {
      expect(result.failures[0]?.reason).toBe('get(x) returned "ab" but every order of the operations before it gives "abc" or "acb"');
    }
  });

  it('keys are checked apart; only the failing key is reported, with a smaller failing history', () => {
    const history = [
      put(0, 0, 1, 'y', 'q'),
      put(0, 2, 3, 'x', 'a'),
      get(1, 2, 3, 'y', 'q'),
      get(2, 4, 5, 'x', 'b'),
      put(3, 4, 5, 'y', 'r'),
      get(1, 6, 7, 'y', 'r'),
      append(3, 6, 7, 'x', 'c'),
      get(3, 0, 1, 'x', ''),
    ];
    const result = checkLinearizability(keyValueModel, history);
    expect(result.verdict).toBe('not linearizable');
    if (result.verdict !== 'not linearizable') return;
    expect(result.parts).toBe(2);
    expect(result.failures).toHaveLength(1);
    const failure = result.failures[0];
    expect(failure?.operations).toEqual([1, 3, 6, 7]);
    // The writes stay, the get that fits goes.
    expect(failure?.minimalHistory).toEqual([1, 3, 6]);
    expect(failure?.minimalHistoryIsMinimal).toBe(true);
  });

  it('a linearizable history over several keys gives one linearization of the whole history', () => {
    const history = [put(0, 0, 2, 'x', 'a'), put(1, 1, 3, 'y', 'b'), get(2, 4, 5, 'x', 'a'), get(0, 4, 6, 'y', 'b'), append(1, 5, 9, 'x', 'c'), get(2, 10, 11, 'x', 'ac')];
    const result = checkLinearizability(keyValueModel, history);
    expect(result.verdict).toBe('linearizable');
    if (result.verdict === 'linearizable') expect(isLinearization(keyValueModel, history, result.linearization)).toBe(true);
  });
});

describe('the step budget', () => {
  it('a budget too small for the search gives unknown, never linearizable', () => {
    const history = generateHistory({ model: 'kv', operations: 200, clients: 10, keys: 1, seed: 'budget' }) as KvOperation[];
    expect(checkLinearizability(keyValueModel, history).verdict).toBe('linearizable');
    const result = checkLinearizability(keyValueModel, history, { maxSteps: 50 });
    expect(result.verdict).toBe('unknown');
    if (result.verdict === 'unknown') {
      expect(result.maxSteps).toBe(50);
      expect(result.steps).toBe(50);
      expect(formatLinearizabilityResult(keyValueModel, history, result)).toContain('this is not a pass');
    }
  });

  it('a long run of concurrent appends that no get reads until much later is decided in few steps', () => {
    // 40 appends of distinct values, up to 8 at a time, and only then gets: without looking
    // ahead to the first get, the search tries the appends in every order real time allows.
    const history: KvOperation[] = [];
    let word = 7;
    const next = (below: number) => {
      word = (Math.imul(word, 1_103_515_245) + 12_345) >>> 0;
      return (word >>> 8) % below;
    };
    const order: string[] = [];
    for (let index = 0; index < 40; index++) {
      const takesEffectAt = 10 * index + 100;
      history.push(append(index % 8, takesEffectAt - next(36), takesEffectAt + next(36), 'x', `v${index};`));
      order.push(`v${index};`);
    }
    history.push(get(8, 600, 610, 'x', order.join('')), get(9, 605, 620, 'x', order.join('')));
    const result = checkLinearizability(keyValueModel, history);
    expect(result.verdict).toBe('linearizable');
    expect(result.steps).toBeLessThan(2_000);
    // v39 is called long after v0 returned: a get that saw v39 first is no linearization.
    const wrong = [...history.slice(0, 40), get(8, 600, 610, 'x', [order[39], ...order.slice(1, 39), order[0]].join(''))];
    const failed = checkLinearizability(keyValueModel, wrong);
    expect(failed.verdict).toBe('not linearizable');
    expect(failed.steps).toBeLessThan(2_000);
  });

  it('gets that read megabytes are judged as any other, and an output JSON cannot write is judged, not thrown on', () => {
    const long = 'v'.repeat(600_000);
    const history = [append(0, 0, 10, 'x', long), get(1, 20, 30, 'x', long), get(2, 20, 30, 'x', long), append(3, 40, 50, 'x', 'w'), get(1, 60, 70, 'x', `${long}w`)];
    expect(checkLinearizability(keyValueModel, history).verdict).toBe('linearizable');
    expect(checkLinearizability(keyValueModel, [...history.slice(0, 4), get(1, 60, 70, 'x', long)]).verdict).toBe('not linearizable');
    const odd = { client: 1, callTime: 0, returnTime: 1, input: { kind: 'get' as const, key: 'x' }, output: { value: 5n } as unknown as KeyValueOutput };
    const result = checkLinearizability(keyValueModel, [odd, { ...odd, callTime: 2, returnTime: 3 }]);
    expect(result.verdict).toBe('not linearizable');
    if (result.verdict === 'not linearizable') expect(result.failures[0]?.reason).toContain('get(x) returned 5n');
  });

  it('a long history of concurrent appends to one key from 50 clients is decided in few steps', () => {
    const history = generateHistory({ model: 'kv', operations: 2000, clients: 50, keys: 1, seed: 'appends', appendChance: 1 }) as KvOperation[];
    const result = checkLinearizability(keyValueModel, history);
    expect(result.verdict).toBe('linearizable');
    // A count, not a time: gets placed as soon as they fit, and states no get can lead from abandoned early.
    expect(result.steps).toBeLessThan(100_000);
  });

  it('a long history from 5 clients with puts, appends, unknown outputs and operations that never return', () => {
    const history = generateHistory({ model: 'kv', operations: 2000, clients: 5, keys: 1, seed: 'mixed', neverReturnChance: 0.01, unknownOutputChance: 0.05 }) as KvOperation[];
    const result = checkLinearizability(keyValueModel, history);
    expect(result.verdict).toBe('linearizable');
    expect(result.steps).toBeLessThan(100_000);
  });
});

/** The key-value model without its pruning hooks: every state is its own to the memo, and none is ruled out before an operation fails. */
const { forget: _forget, mayLaterReturn: _mayLaterReturn, ...keyValueModelWithoutPruning } = keyValueModel;

describe('the memo limit', () => {
  /**
   * `appends` concurrent appends of distinct values, then a put that erases them all, then a get
   * that no order explains: the search must try every order of the appends, and each order gives
   * the memo a state of its own.
   */
  const appendsThenPut = (appends: number): KvOperation[] => [
    ...Array.from({ length: appends }, (_unused, client) => append(client, client, 100, 'x', String.fromCharCode(97 + client))),
    put(0, 101, 102, 'x', 'p'),
    get(1, 103, 104, 'x', 'q'),
  ];

  it('a history whose search outgrows the memo ends unknown at the limit, with steps to spare', () => {
    const history = appendsThenPut(10);
    const result = checkLinearizability(keyValueModelWithoutPruning, history, { maxMemoEntries: 5_000 });
    expect(result.verdict).toBe('unknown');
    if (result.verdict !== 'unknown') return;
    expect(result.exhausted).toBe('memo entries');
    expect(result.maxMemoEntries).toBe(5_000);
    expect(result.largestMemoEntries).toBe(5_000);
    expect(result.steps).toBeLessThan(result.maxSteps);
    expect(formatLinearizabilityResult(keyValueModelWithoutPruning, history, result)).toMatch(/memo reached its limit of 5000 entries.*this is not a pass/);
  });

  it('the same history within a memo large enough is decided: not linearizable', () => {
    const history = appendsThenPut(4);
    const result = checkLinearizability(keyValueModelWithoutPruning, history, { maxMemoEntries: 5_000 });
    expect(result.verdict).toBe('not linearizable');
  });

  it('a long search tells the grader it is still working, so that its child is not taken for a stalled handler', () => {
    let beats = 0;
    setLongWorkListener(() => beats++);
    try {
      const result = checkLinearizability(keyValueModelWithoutPruning, appendsThenPut(10), { maxMemoEntries: 50_000 });
      expect(result.verdict).toBe('unknown');
      // One beat every 4,096 steps: counts, not time.
      expect(Math.abs(beats - result.steps / 4_096)).toBeLessThanOrEqual(1);
      expect(beats).toBeGreaterThan(10);
    } finally {
      setLongWorkListener(undefined);
    }
  });

  it('the memo is bounded by default, whatever the history', () => {
    const result = checkLinearizability(keyValueModelWithoutPruning, appendsThenPut(12));
    expect(result.verdict).toBe('unknown');
    if (result.verdict !== 'unknown') return;
    expect(result.exhausted).toBe('memo entries');
    expect(result.largestMemoEntries).toBe(500_000);
  });

  it('orders of appends that a put erases before any get sees them are one state to the memo', () => {
    const result = checkLinearizability(keyValueModel, appendsThenPut(12), { maxMemoEntries: 5_000 });
    expect(result.verdict).toBe('not linearizable');
    // One state per set of appends placed, never one per order of them (12! orders).
    expect(result.steps).toBeLessThan(12 * 2 ** 12);
    // A get concurrent with the put may see the appends: then they are not forgotten.
    const seen = [...appendsThenPut(3).slice(0, 4), get(1, 101, 104, 'x', 'cba'), get(2, 103, 104, 'x', 'p')];
    expect(checkLinearizability(keyValueModel, seen).verdict).toBe('linearizable');
    const unseen = [...appendsThenPut(3).slice(0, 4), get(1, 101, 104, 'x', 'cbx'), get(2, 103, 104, 'x', 'p')];
    expect(checkLinearizability(keyValueModel, unseen).verdict).toBe('not linearizable');
  });

  it('rejects a memo limit that is not a positive integer', () => {
    expect(() => checkLinearizability(keyValueModel, [], { maxMemoEntries: 0 })).toThrow(/maxMemoEntries must be a positive integer/);
  });
});

describe('generated histories with known verdicts', () => {
  const sizes = [
    { model: 'kv' as const, operations: 100, clients: 5, keys: 2 },
    { model: 'kv' as const, operations: 300, clients: 5, keys: 1 },
    { model: 'register' as const, operations: 100, clients: 5 },
    { model: 'register' as const, operations: 300, clients: 10 },
  ];
  for (const size of sizes) {
    it(`${size.model}, ${size.operations} operations, ${size.clients} clients: generated histories pass, corrupted ones fail`, () => {
      const model = (size.model === 'kv' ? keyValueModel : registerModel) as SequentialModel<unknown, KeyValueInput | RegisterInput, KeyValueOutput | RegisterOutput>;
      for (let seed = 0; seed < 10; seed++) {
        const history = generateHistory({ ...size, seed: `${size.model}/${seed}`, neverReturnChance: 0.03, unknownOutputChance: 0.1 });
        const result = checkLinearizability(model, history);
        expect(result.verdict, `seed ${seed}`).toBe('linearizable');
        if (result.verdict === 'linearizable') expect(isLinearization(model, history, result.linearization)).toBe(true);
        const corrupted = [...history];
        const changed = corruptHistory(corrupted, RandomSource.fork(seed, 'corrupt'));
        if (changed === null) continue;
        const verdict = checkLinearizability(model, corrupted);
        expect(verdict.verdict, `seed ${seed}`).toBe('not linearizable');
        if (verdict.verdict === 'not linearizable') {
          const failure = verdict.failures[0];
          // The smaller failing history really fails, and the corrupted read is in it.
          const smaller = failure?.minimalHistory ?? failure?.operations ?? [];
          expect(smaller).toContain(changed);
          expect(naiveOrChecker(model, smaller.map((index) => corrupted[index] as HistoryOperation<KeyValueInput | RegisterInput, KeyValueOutput | RegisterOutput>))).toBe(false);
        }
      }
    });
  }
});

/** The naive checker where it is small enough, the checker without its partition otherwise. */
function naiveOrChecker<State, Input, Output>(model: SequentialModel<State, Input, Output>, history: readonly HistoryOperation<Input, Output>[]): boolean {
  if (history.length <= 7) return naiveLinearizable(model, history);
  const { partition: _partition, ...whole } = model;
  return checkLinearizability(whole, history).verdict === 'linearizable';
}

describe('agrees with a naive permutation checker on small histories', () => {
  const timing = fc.record({
    client: fc.integer({ min: 0, max: 3 }),
    callTime: fc.integer({ min: 0, max: 8 }),
    duration: fc.option(fc.integer({ min: 0, max: 6 }), { freq: 5 }),
  });
  const kvOperation: fc.Arbitrary<KvOperation> = fc
    .record({
      timing,
      key: fc.constantFrom('x', 'y'),
      kind: fc.constantFrom('get', 'get', 'put', 'append'),
      value: fc.constantFrom('a', 'b'),
      read: fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'aa'),
      unknown: fc.boolean(),
    })
    .map(({ timing: { client, callTime, duration }, key, kind, value, read, unknown }) => {
      const returnTime = duration === null ? null : callTime + duration;
      const output: KeyValueOutput | null = unknown || returnTime === null ? null : kind === 'get' ? { value: read } : {};
      const input: KeyValueInput = kind === 'get' ? { kind: 'get', key } : { kind: kind as 'put' | 'append', key, value };
      return { client, callTime, returnTime, input, output };
    });
  const registerOperation: fc.Arbitrary<RegisterOperation> = fc
    .record({
      timing,
      kind: fc.constantFrom('read', 'read', 'write', 'cas'),
      value: fc.constantFrom(null, 1, 2),
      other: fc.constantFrom(null, 1, 2),
      ok: fc.boolean(),
      unknown: fc.boolean(),
    })
    .map(({ timing: { client, callTime, duration }, kind, value, other, ok, unknown }) => {
      const returnTime = duration === null ? null : callTime + duration;
      const input: RegisterInput = kind === 'read' ? { kind: 'read' } : kind === 'write' ? { kind: 'write', value } : { kind: 'cas', from: value, to: other };
      const output: RegisterOutput | null = unknown || returnTime === null ? null : kind === 'read' ? { value: other } : kind === 'cas' ? { ok } : {};
      return { client, callTime, returnTime, input, output };
    });

  it('key-value histories of up to 7 operations', () => {
    let linearizable = 0;
    fc.assert(
      fc.property(fc.array(kvOperation, { minLength: 1, maxLength: 7 }), (history) => {
        const expected = naiveLinearizable(keyValueModel, history);
        const result = checkLinearizability(keyValueModel, history);
        expect(result.verdict).toBe(expected ? 'linearizable' : 'not linearizable');
        if (result.verdict === 'linearizable') {
          linearizable++;
          expect(isLinearization(keyValueModel, history, result.linearization)).toBe(true);
        }
        if (result.verdict === 'not linearizable') {
          for (const failure of result.failures) {
            if (failure.minimalHistory !== null) expect(naiveLinearizable(keyValueModel, failure.minimalHistory.map((index) => history[index] as KvOperation))).toBe(false);
          }
        }
      }),
      { seed: 1307, numRuns: 1500 },
    );
    // Both verdicts are exercised.
    expect(linearizable).toBeGreaterThan(150);
    expect(linearizable).toBeLessThan(1350);
  });

  it('one-key histories of up to 9 appends, puts and gets: forgetting erased values changes no verdict', () => {
    const operation: fc.Arbitrary<KvOperation> = fc
      .record({
        timing,
        kind: fc.constantFrom('get', 'put', 'append', 'append'),
        value: fc.constantFrom('a', 'b', 'c'),
        read: fc.constantFrom('', 'a', 'b', 'c', 'ab', 'ba', 'ca', 'cab', 'abc', 'bc'),
        unknown: fc.boolean(),
      })
      .map(({ timing: { client, callTime, duration }, kind, value, read, unknown }) => {
        const returnTime = duration === null ? null : callTime + duration;
        const output: KeyValueOutput | null = (unknown && kind !== 'get') || returnTime === null ? null : kind === 'get' ? { value: read } : {};
        const input: KeyValueInput = kind === 'get' ? { kind: 'get', key: 'x' } : { kind: kind as 'put' | 'append', key: 'x', value };
        return { client, callTime, returnTime, input, output };
      });
    let linearizable = 0;
    // Counts the states the memo forgot something of, so the test shows the reduction is exercised.
    let forgotten = 0;
    const forget = keyValueModel.forget as NonNullable<typeof keyValueModel.forget>;
    const counting: typeof keyValueModel = {
      ...keyValueModel,
      forget(state, boundary, between) {
        const kept = forget(state, boundary, between);
        if (!keyValueModel.equal(kept, state)) forgotten++;
        return kept;
      },
    };
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 9 }), (history) => {
        const expected = naiveLinearizable(keyValueModelWithoutPruning, history);
        const result = checkLinearizability(counting, history);
        expect(result.verdict).toBe(expected ? 'linearizable' : 'not linearizable');
        expect(checkLinearizability(keyValueModelWithoutPruning, history).verdict).toBe(result.verdict);
        if (result.verdict === 'linearizable') {
          linearizable++;
          expect(isLinearization(keyValueModel, history, result.linearization)).toBe(true);
        }
      }),
      { seed: 1308, numRuns: 400 },
    );
    expect(forgotten).toBeGreaterThan(100);
    expect(linearizable).toBeGreaterThan(40);
    expect(linearizable).toBeLessThan(360);
  });

  it('one-key histories of up to 9 operations: operations no get observes, left out or placed early, change no verdict', () => {
    // "d" and "e" are never part of what a get returns: appends and puts of them are never observed.
    const operation: fc.Arbitrary<KvOperation> = fc
      .record({
        timing,
        kind: fc.constantFrom('get', 'put', 'append', 'append'),
        value: fc.constantFrom('a', 'b', 'd', 'e'),
        read: fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'aa', 'bab'),
        unknown: fc.boolean(),
      })
      .map(({ timing: { client, callTime, duration }, kind, value, read, unknown }) => {
        const returnTime = duration === null ? null : callTime + duration;
        const output: KeyValueOutput | null = (unknown && kind !== 'get') || returnTime === null ? null : kind === 'get' ? { value: read } : {};
        const input: KeyValueInput = kind === 'get' ? { kind: 'get', key: 'x' } : { kind: kind as 'put' | 'append', key: 'x', value };
        return { client, callTime, returnTime, input, output };
      });
    const { neverObserved: _neverObserved, ...withoutNeverObserved } = keyValueModel;
    let linearizable = 0;
    // Counts the operations marked never observed, so the test shows the reduction is exercised.
    let marked = 0;
    const counting: typeof keyValueModel = {
      ...keyValueModel,
      neverObserved(operations) {
        const marks = (keyValueModel.neverObserved as NonNullable<typeof keyValueModel.neverObserved>)(operations);
        marked += marks.filter(Boolean).length;
        return marks;
      },
    };
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 9 }), (history) => {
        const expected = naiveLinearizable(withoutNeverObserved, history);
        const result = checkLinearizability(counting, history);
        expect(result.verdict).toBe(expected ? 'linearizable' : 'not linearizable');
        expect(checkLinearizability(withoutNeverObserved, history).verdict).toBe(result.verdict);
        if (result.verdict === 'linearizable') {
          linearizable++;
          expect(isLinearization(keyValueModel, history, result.linearization)).toBe(true);
        }
      }),
      { seed: 1309, numRuns: 400 },
    );
    expect(marked).toBeGreaterThan(400);
    expect(linearizable).toBeGreaterThan(40);
    expect(linearizable).toBeLessThan(360);
  });

  it('a get can still return a value only when available appends can make all of the rest of it', () => {
    const may = keyValueModel.mayLaterReturn as NonNullable<typeof keyValueModel.mayLaterReturn>;
    const state = new Map([['x', 'a ']]);
    const getX = { kind: 'get', key: 'x' } as const;
    const appendX = (value: string) => ({ kind: 'append', key: 'x', value }) as const;
    const available = [appendX('b '), appendX('c '), { kind: 'put', key: 'x', value: 'p ' } as const, appendX('z ')];
    expect(may(state, getX, { value: 'a b c ' }, available)).toBe(true);
    expect(may(state, getX, { value: 'a c b ' }, available)).toBe(true);
    expect(may(state, getX, { value: 'p z ' }, available)).toBe(true);
    // "d " is no available append's value: the first piece is, the rest is not.
    expect(may(state, getX, { value: 'a b d ' }, available)).toBe(false);
    expect(may(state, getX, { value: 'p b d ' }, available)).toBe(false);
    expect(may(state, getX, { value: 'b ' }, available)).toBe(false);
  });

  it('marks as never observed only the writes no get returned a part of', () => {
    const history = [append(0, 0, 1, 'x', 'ab'), append(0, 2, 3, 'x', 'c'), put(1, 0, 1, 'x', 'b'), put(1, 2, 3, 'x', ''), get(2, 0, 5, 'x', 'xaby')];
    expect(keyValueModel.neverObserved?.(history)).toEqual([false, true, false, false, false]);
  });

  it('register histories of up to 7 operations', () => {
    let linearizable = 0;
    fc.assert(
      fc.property(fc.array(registerOperation, { minLength: 1, maxLength: 7 }), (history) => {
        const expected = naiveLinearizable(registerModel, history);
        const result = checkLinearizability(registerModel, history);
        expect(result.verdict).toBe(expected ? 'linearizable' : 'not linearizable');
        if (result.verdict === 'linearizable') {
          linearizable++;
          expect(isLinearization(registerModel, history, result.linearization)).toBe(true);
        }
      }),
      { seed: 2026, numRuns: 1500 },
    );
    expect(linearizable).toBeGreaterThan(150);
    expect(linearizable).toBeLessThan(1350);
  });
});

describe('the history file format', () => {
  const file = (operations: unknown[], model: unknown = 'kv') => JSON.stringify({ model, operations });
  const operation = { client: 0, call: 1, return: 2, input: { kind: 'get', key: 'x' }, output: { value: '' } };

  it('reads a key-value history', () => {
    const parsed = parseHistory(file([operation, { ...operation, call: 3, return: null, input: { kind: 'append', key: 'x', value: 'a' }, output: null }]), 'h.json');
    expect(parsed).toEqual({
      model: 'kv',
      operations: [
        { client: 0, callTime: 1, returnTime: 2, input: { kind: 'get', key: 'x' }, output: { value: '' } },
        { client: 0, callTime: 3, returnTime: null, input: { kind: 'append', key: 'x', value: 'a' }, output: null },
      ],
    });
  });

  it('infers the model from the operations, or takes it from the caller', () => {
    expect(parseHistory(JSON.stringify({ operations: [operation] }), 'h.json').model).toBe('kv');
    expect(() => parseHistory(file([operation], 'register'), 'h.json')).toThrow('h.json: operations[0].input.kind must be "read", "write", "cas" for the register model, not "get"');
    expect(parseHistory(file([operation], 'register'), 'h.json', 'kv').model).toBe('kv');
  });

  it.each([
    ['{', 'h.json: not valid JSON'],
    ['[]', 'h.json: the file must hold a JSON object'],
    [file([operation], 'queue'), 'h.json: "model" must be "kv" or "register", not "queue"'],
    [file([{ ...operation, return: 0 }]), 'h.json: operations[0].return (0) is before its call (1)'],
    [file([{ ...operation, client: -1 }]), 'h.json: operations[0].client must be a non-negative integer, not -1'],
    [file([operation, { ...operation, call: '1' }]), 'h.json: operations[1].call must be a number, not "1"'],
    [file([{ ...operation, output: { value: 3 } }]), 'h.json: operations[0].output.value must be a string'],
    [file([{ ...operation, input: { kind: 'put', key: 'x' } }]), 'h.json: operations[0].input has no "value"'],
    [file([{ ...operation, when: 3 }]), 'h.json: operations[0] has an unknown field "when"'],
    [file([{ ...operation, input: { kind: 'append', key: 'x', value: 'a' }, output: { value: 'a' } }]), 'h.json: operations[0].output of a append must be {} or null'],
  ])('reports %s precisely', (text, message) => {
    expect(() => parseHistory(text, 'h.json')).toThrow(message);
  });
});
