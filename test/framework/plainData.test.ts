import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyPlain, equalPlain, formatPlain, hashPlain, PlainDataError, toJsonValue } from '../../framework/testing.ts';
import { clonePlain, fingerprintPair, hashPair, lastSecondLane } from '../../framework/_internals/plainData.ts';
import { plain } from './plainArbitraries.ts';

/** The same data with every object, Map and Set rebuilt in another insertion order. */
function reordered(value: unknown, rotation: number): unknown {
  const rotate = <T>(items: T[]): T[] => {
    if (items.length === 0) return items;
    const shift = rotation % items.length;
    return [...items.slice(shift), ...items.slice(0, shift)].reverse();
  };
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => reordered(item, rotation));
  if (value instanceof Map) return new Map(rotate([...value].map(([key, entry]) => [key, reordered(entry, rotation)] as const)));
  if (value instanceof Set) return new Set(rotate([...value]));
  const result: Record<string, unknown> = {};
  for (const key of rotate(Object.keys(value))) result[key] = reordered((value as Record<string, unknown>)[key], rotation);
  return result;
}

/** A reference canonical form: equal strings iff the values are equal plain data. */
function canonical(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'u';
    case 'boolean':
      return `b:${value}`;
    case 'number':
      return Number.isNaN(value) ? 'd:NaN' : `d:${Object.is(value, -0) ? 0 : value}`;
    case 'string':
      return `s:${JSON.stringify(value)}`;
    case 'bigint':
      return `g:${value}`;
    default:
      break;
  }
  if (value === null) return 'n';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Map) return `M{${[...value].map(([key, entry]) => `${canonical(key)}=>${canonical(entry)}`).sort().join(',')}}`;
  if (value instanceof Set) return `S{${[...value].map(canonical).sort().join(',')}}`;
  return `O{${Object.keys(value as object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
    .join(',')}}`;
}

/** Every object (array, record, Map, Set) inside `value`, itself included. */
function containers(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value !== 'object' || value === null) return into;
  into.add(value);
  const children = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : value instanceof Set ? [] : Object.values(value);
  for (const child of children) containers(child, into);
  return into;
}

/** Changes every container inside `value` in place. */
function vandalize(value: unknown): void {
  for (const container of containers(value)) {
    if (Array.isArray(container)) container.push('vandal');
    else if (container instanceof Map) container.set('vandal', 1);
    else if (container instanceof Set) container.add('vandal');
    else (container as Record<string, unknown>)['vandal'] = 1;
  }
}

const options = { seed: 42, numRuns: 300 };

describe('copyPlain', () => {
  it('a copy is equal as data, hashes the same and serializes the same', () => {
    fc.assert(
      fc.property(plain, (value) => {
        const copy = copyPlain(value);
        expect(equalPlain(copy, value)).toBe(true);
        expect(hashPlain(copy)).toBe(hashPlain(value));
        expect(canonical(copy)).toBe(canonical(value));
        expect(JSON.stringify(toJsonValue(copy))).toBe(JSON.stringify(toJsonValue(value)));
      }),
      options,
    );
  });

  it('a copy is deep: it shares no array, object, Map or Set with the original', () => {
    fc.assert(
      fc.property(plain, (value) => {
        const copy = copyPlain(value);
        const originals = containers(value);
        for (const container of containers(copy)) expect(originals.has(container)).toBe(false);
      }),
      options,
    );
  });

  it('changing a copy anywhere leaves the original unchanged, and vice versa', () => {
    fc.assert(
      fc.property(plain, (value) => {
        const before = canonical(value);
        const copy = copyPlain(value);
        vandalize(copy);
        expect(canonical(value)).toBe(before);
        const second = copyPlain(value);
        vandalize(value);
        expect(canonical(second)).toBe(before);
      }),
      options,
    );
  });

  it('rejects what is not plain data with a PlainDataError naming the path', () => {
    class Point {
      x = 1;
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = { back: cyclic };
    const cases: { value: unknown; path: string; problem: RegExp }[] = [
      { value: { a: { b: [1, () => 1] } }, path: 'msg.a.b[1]', problem: /is a function/ },
      { value: { p: new Point() }, path: 'msg.p', problem: /instance of Point/ },
      { value: { m: new Map([['k', { f: Symbol('s') }]]) }, path: 'msg.m.get("k").f', problem: /is a symbol/ },
      { value: { m: new Map([[{}, 1]]) }, path: 'msg.m', problem: /Map key that is not a primitive/ },
      { value: { s: new Set([[1]]) }, path: 'msg.s', problem: /Set element that is not a primitive/ },
      { value: cyclic, path: 'msg.self.back', problem: /cycle/ },
      { value: { when: new Date(0) }, path: 'msg.when', problem: /instance of Date/ },
    ];
    for (const { value, path, problem } of cases) {
      let caught: unknown;
      try {
        copyPlain(value, 'msg');
      } catch (error) {
        caught = error;
      }
      expect(caught, path).toBeInstanceOf(PlainDataError);
      expect((caught as PlainDataError).path).toBe(path);
      expect((caught as PlainDataError).message).toMatch(problem);
    }
  });

  // Ordinary assignment of a '__proto__' key would set the copy's prototype instead of a field.
  it("copies and serializes an own '__proto__' key (e.g. a key-value store key) like any other key", () => {
    const value = JSON.parse('{"__proto__": {"x": 1}, "a": 2}') as Record<string, unknown>;
    const copy = copyPlain(value);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(hashPlain(copy)).toBe(hashPlain(value));
    expect(JSON.stringify(toJsonValue(value))).toBe('{"__proto__":{"x":1},"a":2}');
  });
});

// The drivers hand each receiver a clone of a message that was copied when it was sent.
describe('clonePlain (copies of values already copied in)', () => {
  it('a clone is equal as data, shares no container with the original, and keeps a __proto__ key', () => {
    fc.assert(
      fc.property(plain, (value) => {
        const kept = copyPlain(value);
        const clone = clonePlain(kept);
        expect(canonical(clone)).toBe(canonical(value));
        expect(hashPlain(clone)).toBe(hashPlain(value));
        const originals = containers(kept);
        for (const container of containers(clone)) expect(originals.has(container)).toBe(false);
        vandalize(clone);
        expect(canonical(kept)).toBe(canonical(value));
      }),
      options,
    );
    const withProto = clonePlain(copyPlain(JSON.parse('{"__proto__": {"x": 1}, "a": 2}') as Record<string, unknown>));
    expect(Object.keys(withProto)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(withProto)).toBe(Object.prototype);
  });
});

describe('equalPlain and hashPlain', () => {
  it('data built in different insertion orders (objects, Maps, Sets) is equal and hashes equal', () => {
    fc.assert(
      fc.property(plain, fc.nat(), (value, rotation) => {
        const other = reordered(value, rotation);
        expect(equalPlain(value, other)).toBe(true);
        expect(equalPlain(other, value)).toBe(true);
        expect(hashPlain(other)).toBe(hashPlain(value));
      }),
      options,
    );
  });

  it('Maps and Sets serialize in a canonical order whatever their insertion order', () => {
    fc.assert(
      fc.property(plain, fc.nat(), (value, rotation) => {
        const wrapped = new Map([['v', value]]);
        const other = new Map([['v', reordered(value, rotation)]]);
        // Objects keep their key order in JSON, so compare the Map/Set parts through a canonical key order.
        const sortKeys = (json: unknown): unknown =>
          Array.isArray(json)
            ? json.map(sortKeys)
            : json !== null && typeof json === 'object'
              ? Object.fromEntries(Object.keys(json).sort().map((key) => [key, sortKeys((json as Record<string, unknown>)[key])]))
              : json;
        expect(JSON.stringify(sortKeys(toJsonValue(other)))).toBe(JSON.stringify(sortKeys(toJsonValue(wrapped))));
      }),
      options,
    );
  });

  // Infinity and 'Infinity' (or 5n and '5n') look alike once converted to JSON: sorting must
  // not tie on the converted form, or equal Maps would serialize in insertion order.
  it('equal Maps serialize identically even when two keys look alike once converted to JSON', () => {
    const forward = new Map<unknown, number>([
      [Number.POSITIVE_INFINITY, 1],
      ['Infinity', 2],
    ]);
    const backward = new Map<unknown, number>([
      ['Infinity', 2],
      [Number.POSITIVE_INFINITY, 1],
    ]);
    expect(equalPlain(forward, backward)).toBe(true);
    expect(JSON.stringify(toJsonValue(backward))).toBe(JSON.stringify(toJsonValue(forward)));
  });

  it('equalPlain agrees with a reference canonical form, and equal values hash equal', () => {
    const pair = fc.oneof(
      fc.tuple(plain, plain),
      plain.map((value) => [value, copyPlain(value)] as const),
      plain.map((value) => [value, [value]] as const),
      plain.map((value) => [{ k: value }, { k: value, extra: undefined }] as const),
      fc.tuple(plain, fc.nat()).map(([value, rotation]) => [value, reordered(value, rotation)] as const),
    );
    fc.assert(
      fc.property(pair, ([left, right]) => {
        const equal = canonical(left) === canonical(right);
        expect(equalPlain(left, right)).toBe(equal);
        expect(equalPlain(right, left)).toBe(equal);
        if (equal) expect(hashPlain(left)).toBe(hashPlain(right));
      }),
      options,
    );
  });

  it('tells apart values that differ only in order, kind or type', () => {
    const different: [unknown, unknown][] = [
      [[1, 2], [2, 1]],
      [{ a: 1, b: 2 }, { a: 2, b: 1 }],
      [new Map([['a', 1]]), { a: 1 }],
      [new Set([1, 2]), [1, 2]],
      [new Map([[1, 'x']]), new Map([['1', 'x']])],
      [1, 1n],
      [1, '1'],
      [null, undefined],
      [{ a: undefined }, {}],
      [[undefined], []],
    ];
    for (const [left, right] of different) {
      expect(equalPlain(left, right), `${formatPlain(left)} vs ${formatPlain(right)}`).toBe(false);
      expect(hashPlain(left), `${formatPlain(left)} vs ${formatPlain(right)}`).not.toBe(hashPlain(right));
    }
  });

  it('treats -0 as 0 and NaN as equal to NaN, consistently in equality and hash', () => {
    expect(equalPlain({ n: -0 }, { n: 0 })).toBe(true);
    expect(hashPlain({ n: -0 })).toBe(hashPlain({ n: 0 }));
    expect(equalPlain([Number.NaN], [Number.NaN])).toBe(true);
    expect(hashPlain([Number.NaN])).toBe(hashPlain([0 / 0]));
  });
});

/** Both lanes of a pair hash, as one string. */
function lanes(hash: (value: unknown, seed1: number, seed2: number) => number, value: unknown): string {
  const first = hash(value, 0x3c6ef372, 0xa54ff53a);
  return `${first}:${lastSecondLane()}`;
}

describe("the model checker's fingerprints (fingerprintPair)", () => {
  it('tell apart what a node can tell apart: key and entry order, -0, and one object held twice', () => {
    const shared = [1];
    const pairs: [string, unknown, unknown][] = [
      ['object keys in another order', { a: 1, b: 2 }, { b: 2, a: 1 }],
      ['Map entries in another order', new Map([['a', 1], ['b', 2]]), new Map([['b', 2], ['a', 1]])],
      ['Set elements in another order', new Set([1, 2]), new Set([2, 1])],
      ['-0 and 0', { n: -0 }, { n: 0 }],
      ['one array held twice, and two equal arrays', { a: shared, b: shared }, { a: [1], b: [1] }],
      ['a Set nested in another order', { log: [new Set(['x', 'y'])] }, { log: [new Set(['y', 'x'])] }],
    ];
    for (const [what, left, right] of pairs) {
      // Equal as data (what properties and the rest of the framework compare) ...
      expect(equalPlain(left, right), what).toBe(true);
      expect(lanes(hashPair, left), what).toBe(lanes(hashPair, right));
      // ... but not as a node's code sees them.
      expect(lanes(fingerprintPair, left), what).not.toBe(lanes(fingerprintPair, right));
    }
  });

  it('are the same for the same data built again, and differ with the seeds', () => {
    const build = () => ({ log: [{ slot: 1, value: 'x' }], votes: new Map([[2, true], [0, false]]), seen: new Set(['a']), n: -0 });
    expect(lanes(fingerprintPair, build())).toBe(lanes(fingerprintPair, build()));
    expect(fingerprintPair(build(), 1, 2)).not.toBe(fingerprintPair(build(), 3, 4));
  });

  it('equal data in the same order hash equal, whatever data it is', () => {
    fc.assert(
      fc.property(plain, (value) => {
        expect(lanes(fingerprintPair, clonePlain(value))).toBe(lanes(fingerprintPair, value));
      }),
      { numRuns: 300 },
    );
  });
});
