import { equalPlain, formatPlain, hashPlain } from '../_internals/plainData.ts';
import type { HistoryOperation, ModelStep, SequentialModel } from './types.ts';

// ---------------------------------------------------------------------------------------------
// A key-value map: get / put / append per key; a key never written reads as "".

export type KeyValueInput =
  | { readonly kind: 'get'; readonly key: string }
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'append'; readonly key: string; readonly value: string };

/** A get's output carries the value; put and append give `{}`. */
export type KeyValueOutput = { readonly value: string } | Record<string, never>;

/** Keys whose value is "" are absent, so a map has one representation. */
export type KeyValueState = ReadonlyMap<string, string>;

function hashString(text: string, seed: number): number {
  let hash = seed | 0;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash;
}

function withValue(state: KeyValueState, key: string, value: string): KeyValueState {
  const next = new Map(state);
  if (value === '') next.delete(key);
  else next.set(key, value);
  return next;
}

const emptyKeyValue: KeyValueState = new Map();

/** A get's value as a reason quotes it; whatever a history holds there, never a throw. */
function describeValue(output: KeyValueOutput): string {
  const value = typeof output === 'object' ? (output as { value?: unknown }).value : undefined;
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'bigint' ? `${value}n` : String(JSON.stringify(value) ?? value);
}
/**
 * The most characters of values read that `neverObserved` scans for each write: far above what
 * a lab's clients read (a few thousand per key), far below what makes the scan take seconds.
 */
const neverObservedScanLimit = 1_000_000;
/** How many positions of a get's value `mayLaterReturn` tries to reach with appends before it gives the benefit of the doubt. */
const extendPositionLimit = 256;

/** The key-value model of the history file's `"kv"`; partitioned by key. */
export const keyValueModel: SequentialModel<KeyValueState, KeyValueInput, KeyValueOutput> = {
  name: 'kv',
  initial: () => emptyKeyValue,
  step(state, input, output): ModelStep<KeyValueState, KeyValueOutput> {
    switch (input.kind) {
      case 'get': {
        const value = state.get(input.key) ?? '';
        const ok = output === null || (typeof output === 'object' && (output as { value?: unknown }).value === value);
        return { ok, next: state, expected: { value } };
      }
      case 'put':
        return { ok: true, next: withValue(state, input.key, input.value), expected: {} };
      case 'append':
        return { ok: true, next: withValue(state, input.key, (state.get(input.key) ?? '') + input.value), expected: {} };
    }
  },
  equal(left, right) {
    if (left === right) return true;
    if (left.size !== right.size) return false;
    for (const [key, value] of left) if (right.get(key) !== value) return false;
    return true;
  },
  hash(state) {
    // Order-independent: a sum over the entries.
    let hash = 0;
    for (const [key, value] of state) hash = (hash + hashString(value, hashString(key, 0x811c9dc5))) | 0;
    return hash;
  },
  describeState(state) {
    if (state.size === 0) return '{}';
    return `{${[...state].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ')}}`;
  },
  describeOperation(input, output) {
    switch (input.kind) {
      case 'get':
        return output === null ? `get(${input.key}) (result unknown)` : `get(${input.key}) returned ${describeValue(output)}`;
      case 'put':
        return `put(${input.key}, ${JSON.stringify(input.value)})${output === null ? ' (result unknown)' : ''}`;
      case 'append':
        return `append(${input.key}, ${JSON.stringify(input.value)})${output === null ? ' (result unknown)' : ''}`;
    }
  },
  describeOutput(input, output) {
    return input.kind === 'get' ? describeValue(output) : '{}';
  },
  isReadOnly: (input) => input.kind === 'get',
  mayLaterReturn(state, input, output, available) {
    if (input.kind !== 'get') return true;
    const value = (output as { value?: unknown }).value;
    if (typeof value !== 'string') return false;
    const appended: string[] = [];
    for (const other of available) if (other.kind === 'append' && other.key === input.key && other.value !== '') appended.push(other.value);
    /**
     * Whether available appends could make `value` of `from`: the rest of it is a sequence of
     * their values. Each may be counted more than once, which can only say yes more often; past
     * a number of positions tried, it says yes.
     */
    const canExtend = (from: string) => {
      if (!value.startsWith(from)) return false;
      const reached = new Set<number>([from.length]);
      const pending = [from.length];
      for (let position = pending.pop(); position !== undefined; position = pending.pop()) {
        if (position === value.length) return true;
        if (reached.size > extendPositionLimit) return true;
        for (const piece of appended) {
          const next = position + piece.length;
          if (!reached.has(next) && value.startsWith(piece, position)) {
            reached.add(next);
            pending.push(next);
          }
        }
      }
      return false;
    };
    // Appends only extend a value; a put may start it over.
    return canExtend(state.get(input.key) ?? '') || available.some((other) => other.kind === 'put' && other.key === input.key && canExtend(other.value));
  },
  forget(state, boundary, between) {
    if (boundary.kind !== 'put') return state;
    const value = state.get(boundary.key) ?? '';
    let longest = -1;
    for (const { input, output } of between) {
      if (input.kind !== 'get' || input.key !== boundary.key || output === null) continue;
      const seen = (output as { value?: unknown }).value;
      if (typeof seen !== 'string') continue;
      // A get that may still see this value, or a value appends can make of it.
      if (seen.startsWith(value)) return state;
      longest = Math.max(longest, seen.length);
    }
    // No get before the put can see this value or what appends make of it, and the put erases
    // it: any value no get can see will do, one longer than every value a get returned.
    return withValue(state, boundary.key, '\u0000'.repeat(longest + 1));
  },
  neverObserved(operations) {
    // Every value a get returned, per key, in one string: an append or a put is seen only when
    // its value is part of one of them. A separator no value contains keeps values apart.
    const returnedByKey = new Map<string, Set<string>>();
    for (const { input, output } of operations) {
      if (input.kind !== 'get' || output === null) continue;
      const value = (output as { value?: unknown }).value;
      if (typeof value !== 'string') continue;
      let values = returnedByKey.get(input.key);
      if (values === undefined) {
        values = new Set();
        returnedByKey.set(input.key, values);
      }
      values.add(value);
    }
    const separator = '\u0001';
    // Only values no other value starts with: a part of a prefix is a part of the longer value.
    // Sorted, a value that starts another is followed by one it starts.
    const longest = (values: Set<string>) =>
      [...values].sort().filter((value, at, sorted) => {
        const next = sorted[at + 1];
        return next === undefined || !next.startsWith(value);
      });
    const joined = new Map([...returnedByKey].map(([key, values]) => [key, longest(values).join(separator)]));
    // A search over writes that gets read in megabytes is not worth the scan: nothing is left out.
    let joinedCharacters = 0;
    for (const text of joined.values()) joinedCharacters += text.length;
    if (joinedCharacters > neverObservedScanLimit) return operations.map(() => false);
    return operations.map(({ input }) => {
      // A put's value too: every value after it starts with it until the next put.
      if (input.kind === 'get' || input.value === '' || input.value.includes(separator)) return false;
      return !(joined.get(input.key) ?? '').includes(input.value);
    });
  },
  partition(operations: readonly HistoryOperation<KeyValueInput, KeyValueOutput>[]) {
    const byKey = new Map<string, number[]>();
    operations.forEach((operation, index) => {
      const part = byKey.get(operation.input.key);
      if (part === undefined) byKey.set(operation.input.key, [index]);
      else part.push(index);
    });
    return [...byKey.values()];
  },
};

// ---------------------------------------------------------------------------------------------
// A register: read / write / compare-and-set; its initial value is null.

/** Register values are plain data (JSON), compared by value. */
export type RegisterValue = unknown;

export type RegisterInput =
  | { readonly kind: 'read' }
  | { readonly kind: 'write'; readonly value: RegisterValue }
  | { readonly kind: 'cas'; readonly from: RegisterValue; readonly to: RegisterValue };

/** A read's output carries the value, a cas's whether it swapped; a write gives `{}`. */
export type RegisterOutput = { readonly value: RegisterValue } | { readonly ok: boolean } | Record<string, never>;

/** The register model of the history file's `"register"`. */
export const registerModel: SequentialModel<RegisterValue, RegisterInput, RegisterOutput> = {
  name: 'register',
  initial: () => null,
  step(state, input, output): ModelStep<RegisterValue, RegisterOutput> {
    switch (input.kind) {
      case 'read': {
        const ok = output === null || ('value' in output && equalPlain(output.value, state));
        return { ok, next: state, expected: { value: state } };
      }
      case 'write':
        return { ok: true, next: input.value, expected: {} };
      case 'cas': {
        const swapped = equalPlain(state, input.from);
        const ok = output === null || ('ok' in output && output.ok === swapped);
        return { ok, next: swapped ? input.to : state, expected: { ok: swapped } };
      }
    }
  },
  // A compare-and-set that failed, or that swapped a value for itself, leaves the register as it was.
  isReadOnly: (input, output) =>
    input.kind === 'read' || (input.kind === 'cas' && ((output !== null && 'ok' in output && output.ok === false) || equalPlain(input.from, input.to))),
  mayLaterReturn(state, input, output, available) {
    // A read of v, or a compare-and-set from v that swapped, needs the register to hold v: now,
    // or after an available write of v or compare-and-set to v.
    let needed: RegisterValue;
    if (input.kind === 'read' && 'value' in output) needed = output.value;
    else if (input.kind === 'cas' && 'ok' in output && output.ok === true) needed = input.from;
    else return true;
    if (equalPlain(state, needed)) return true;
    return available.some((other) => (other.kind === 'write' && equalPlain(other.value, needed)) || (other.kind === 'cas' && equalPlain(other.to, needed)));
  },
  equal: (left, right) => equalPlain(left, right),
  hash: (state) => hashPlain(state),
  describeState: (state) => formatPlain(state),
  describeOperation(input, output) {
    const unknown = output === null ? ' (result unknown)' : '';
    switch (input.kind) {
      case 'read':
        return output === null ? 'read() (result unknown)' : `read() returned ${formatPlain((output as { value?: unknown }).value)}`;
      case 'write':
        return `write(${formatPlain(input.value)})${unknown}`;
      case 'cas':
        return output === null
          ? `cas(${formatPlain(input.from)}, ${formatPlain(input.to)}) (result unknown)`
          : `cas(${formatPlain(input.from)}, ${formatPlain(input.to)}) returned ${String((output as { ok?: unknown }).ok)}`;
    }
  },
  describeOutput(input, output) {
    switch (input.kind) {
      case 'read':
        return formatPlain((output as { value?: unknown }).value);
      case 'cas':
        return String((output as { ok?: unknown }).ok);
      case 'write':
        return '{}';
    }
  },
};
