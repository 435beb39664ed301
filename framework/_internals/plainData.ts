// Plain data: numbers, strings, booleans, null, undefined, bigint, arrays, plain objects,
// Maps and Sets with primitive keys. Node state, messages, timers, inputs, outputs and
// durable values are all plain data, so every driver can copy, compare and hash them.
import { maxExpandedSize } from './plainText.ts';

/** Nesting deeper than this is treated as a cycle: real protocol state is never this deep. */
const maxDepth = 200;

/** Thrown when a value that must be plain data is not; `path` names the offending field. */
export class PlainDataError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(
      `${path} ${problem}. Node state, messages, timers and stored values must be plain data: ` +
        'numbers, strings, booleans, null, arrays, plain objects, and Maps and Sets keyed by primitives.',
    );
    this.name = 'PlainDataError';
  }
}

function isPrimitiveKey(key: unknown): boolean {
  const kind = typeof key;
  return key === null || (kind !== 'object' && kind !== 'function' && kind !== 'symbol');
}

/** Approximate encoded size of the value being copied by {@link copyPlain}, in bytes, so far. */
let copiedBytes = 0;
/** The size of the last value {@link copyPlain} finished copying. */
let lastCopied = 0;

/** Approximate encoded size of the last value copied by {@link copyPlain}, in bytes. */
export function lastCopiedBytes(): number {
  return lastCopied;
}

/**
 * Deep copy of plain data. Fast path: no path bookkeeping; on failure the value is walked
 * again by {@link findNonPlain} to name the field.
 */
export function copyPlain<T>(value: T, name = 'value'): T {
  // A getter of the value may copy another (a node that sends while its message is copied):
  // that copy's size is its own, not added to this one's.
  const outer = copiedBytes;
  copiedBytes = 0;
  let copy: T;
  try {
    // Most values copied here (messages, timers, outputs) are records: copied without the
    // general walk's dispatch on the kind of value.
    const prototype: unknown = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.getPrototypeOf(value) : undefined;
    copy = (prototype === Object.prototype || prototype === null ? copyRecord(value as Record<string, unknown>, 0) : copyValue(value, 0)) as T;
  } catch (error) {
    copiedBytes = outer;
    throw copyError(error, value, name);
  }
  lastCopied = copiedBytes;
  copiedBytes = outer;
  return copy;
}

/** What a failed {@link copyPlain} throws: the field that is not plain data, named. */
function copyError(error: unknown, value: unknown, name: string): unknown {
  return error instanceof NotPlain ? (findNonPlain(value, name) ?? new PlainDataError(name, error.problem)) : error;
}

/** Thrown inside a copy, and turned into a PlainDataError with the path before it leaves. */
export class NotPlain extends Error {
  constructor(readonly problem: string) {
    super(problem);
  }
}

function copyValue(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) {
    switch (typeof value) {
      case 'number':
        copiedBytes += 8;
        return value;
      case 'string':
        copiedBytes += value.length + 2;
        return value;
      case 'function':
        throw new NotPlain('is a function');
      case 'symbol':
        throw new NotPlain('is a symbol');
      default:
        copiedBytes += 1;
        return value;
    }
  }
  if (depth > maxDepth) throw new NotPlain('is nested too deeply (a cycle?)');
  if (Array.isArray(value)) {
    const length = value.length;
    const copy = new Array<unknown>(length);
    for (let index = 0; index < length; index++) copy[index] = copyValue(value[index], depth + 1);
    copiedBytes += 2;
    return copy;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return copyRecord(value as Record<string, unknown>, depth);
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    for (const [key, entry] of value) {
      if (!isPrimitiveKey(key)) throw new NotPlain('has a Map key that is not a primitive');
      copy.set(copyValue(key, depth + 1), copyValue(entry, depth + 1));
    }
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set<unknown>();
    for (const element of value) {
      if (!isPrimitiveKey(element)) throw new NotPlain('has a Set element that is not a primitive');
      copy.add(copyValue(element, depth + 1));
    }
    return copy;
  }
  throw new NotPlain(`is an instance of ${describeClass(value)}, which the framework cannot copy`);
}

/** The copy of a plain object (its prototype checked by the caller), number and string fields inline. */
function copyRecord(source: Record<string, unknown>, depth: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  // Counted here and added once: the nested values' own counts go straight to `copiedBytes`.
  let bytes = 2;
  for (const key in source) {
    const field = source[key];
    bytes += key.length + 1;
    if (key === '__proto__') {
      defineField(copy, key, copyValue(field, depth + 1));
    } else if (typeof field === 'number') {
      bytes += 8;
      copy[key] = field;
    } else if (typeof field === 'string') {
      bytes += field.length + 2;
      copy[key] = field;
    } else {
      copy[key] = copyValue(field, depth + 1);
    }
  }
  copiedBytes += bytes;
  return copy;
}

/**
 * The size {@link copyPlain} counts for a value that is already plain data, counted the same
 * way: what a message decoded from another realm costs, without trusting that realm's count.
 */
export function plainBytes(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return 8;
    case 'string':
      return value.length + 2;
    case 'object': {
      if (value === null) return 1;
      if (Array.isArray(value)) {
        let bytes = 2;
        for (let index = 0; index < value.length; index++) bytes += plainBytes(value[index]);
        return bytes;
      }
      let bytes = 0;
      if (value instanceof Map) {
        for (const [key, entry] of value) bytes += plainBytes(key) + plainBytes(entry);
        return bytes;
      }
      if (value instanceof Set) {
        for (const element of value) bytes += plainBytes(element);
        return bytes;
      }
      const record = value as Record<string, unknown>;
      for (const key in record) bytes += key.length + 1 + plainBytes(record[key]);
      return bytes + 2;
    }
    default:
      return 1;
  }
}

/**
 * Deep copy of a value that is already plain data (one that went through {@link copyPlain}):
 * no checks and no size count, for the copies a driver hands out of values it keeps, such
 * as each delivery of a message that was copied when it was sent.
 */
export function clonePlain<T>(value: T): T {
  return (typeof value === 'object' && value !== null ? cloneValue(value) : value) as T;
}

/**
 * A deep copy of `value`. With `copies` (a node's fields), a container met again is copied
 * once: the copy holds one object wherever the original did.
 */
function cloneValue(value: object, copies?: Map<object, unknown>): unknown {
  if (copies !== undefined) {
    const known = copies.get(value);
    if (known !== undefined) return known;
  }
  if (Array.isArray(value)) {
    const length = value.length;
    const copy = new Array<unknown>(length);
    copies?.set(value, copy);
    for (let index = 0; index < length; index++) {
      const item: unknown = value[index];
      copy[index] = typeof item === 'object' && item !== null ? cloneValue(item, copies) : item;
    }
    return copy;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    // A spread copies an object of a known shape in one step (and defines an own
    // `__proto__` key as a field); only the nested containers are then copied one by one.
    // Values copied in by copyPlain have no symbol keys, which a spread would copy too.
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    copies?.set(value, copy);
    for (const key in copy) {
      const field = copy[key];
      if (typeof field !== 'object' || field === null) continue;
      if (key === '__proto__') defineField(copy, key, cloneValue(field, copies));
      else copy[key] = cloneValue(field, copies);
    }
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    copies?.set(value, copy);
    for (const [key, entry] of value) copy.set(key, typeof entry === 'object' && entry !== null ? cloneValue(entry as object, copies) : entry);
    return copy;
  }
  // A Set holds primitives only.
  const copy = new Set(value as Set<unknown>);
  copies?.set(value, copy);
  return copy;
}

/** Creates an own field even for the name `__proto__`, which plain assignment would not. */
function defineField(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function describeClass(value: object): string {
  const constructorName = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof constructorName === 'string' && constructorName !== '' ? constructorName : 'a class';
}

/** True when `value` is plain data: the fast check, without paths (see {@link findNonPlain}). */
export function isPlain(value: unknown, depth = 0): boolean {
  if (--plainVisitsLeft < 0) return false;
  if (typeof value !== 'object' || value === null) return typeof value !== 'function' && typeof value !== 'symbol';
  if (depth > maxDepth) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) if (!isPlain(value[index], depth + 1)) return false;
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    const record = value as Record<string, unknown>;
    for (const key in record) if (!isPlain(record[key], depth + 1)) return false;
    return true;
  }
  if (value instanceof Map) {
    for (const [key, entry] of value) if (!isPrimitiveKey(key) || !isPlain(entry, depth + 1)) return false;
    return true;
  }
  if (value instanceof Set) {
    for (const element of value) if (!isPrimitiveKey(element)) return false;
    return true;
  }
  return false;
}

/**
 * How many more values {@link isPlain} may visit in the walk under way: a node's fields are
 * checked with a bound (see {@link isPlainFields}), every other value without one.
 */
let plainVisitsLeft = Infinity;

/**
 * Whether a node's fields are plain data that reach at most {@link maxExpandedSize} values,
 * counting a shared container at every place it appears: the most the model checker reads
 * back, since a state's copies, hashes and reports walk containers wherever they appear.
 */
export function isPlainFields(fields: Record<string, unknown>): boolean {
  plainVisitsLeft = maxExpandedSize;
  try {
    for (const key of Object.keys(fields)) if (!isPlain(fields[key])) return false;
    return true;
  } finally {
    plainVisitsLeft = Infinity;
  }
}

/**
 * Walks `value` and returns an error naming the first field that is not plain data, if any,
 * or, past {@link maxExpandedSize} values (shared containers counted at every place), one
 * saying so.
 */
export function findNonPlain(value: unknown, name: string): PlainDataError | undefined {
  const ancestors = new Set<object>();
  let reached = 0;
  const visit = (current: unknown, path: string): PlainDataError | undefined => {
    if (++reached > maxExpandedSize) return new PlainDataError(name, `reaches more than ${maxExpandedSize} values, counting a shared container at every place it appears`);
    if (typeof current === 'function') return new PlainDataError(path, 'is a function');
    if (typeof current === 'symbol') return new PlainDataError(path, 'is a symbol');
    if (typeof current !== 'object' || current === null) return undefined;
    if (ancestors.has(current)) return new PlainDataError(path, 'refers back to one of its own containers (a cycle)');
    if (ancestors.size > maxDepth) return new PlainDataError(path, 'is nested too deeply');
    ancestors.add(current);
    try {
      if (Array.isArray(current)) {
        for (let index = 0; index < current.length; index++) {
          const found = visit(current[index], `${path}[${index}]`);
          if (found) return found;
        }
        return undefined;
      }
      const prototype: unknown = Object.getPrototypeOf(current);
      if (prototype === Object.prototype || prototype === null) {
        for (const key of Object.keys(current)) {
          const found = visit((current as Record<string, unknown>)[key], `${path}.${key}`);
          if (found) return found;
        }
        return undefined;
      }
      if (current instanceof Map) {
        for (const [key, entry] of current) {
          if (!isPrimitiveKey(key)) return new PlainDataError(path, 'has a Map key that is not a primitive');
          const found = visit(entry, `${path}.get(${JSON.stringify(key) ?? String(key)})`);
          if (found) return found;
        }
        return undefined;
      }
      if (current instanceof Set) {
        for (const element of current) {
          if (!isPrimitiveKey(element)) return new PlainDataError(path, 'has a Set element that is not a primitive');
        }
        return undefined;
      }
      return new PlainDataError(path, `is an instance of ${describeClass(current)}, which the framework cannot copy`);
    } finally {
      ancestors.delete(current);
    }
  };
  return visit(value, name);
}

/** Structural equality of plain data; Map and Set insertion order does not matter. */
export function equalPlain(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) {
    return typeof left === 'number' && typeof right === 'number' && Number.isNaN(left) && Number.isNaN(right);
  }
  if (Array.isArray(left)) {
    if (!Array.isArray(right) || left.length !== right.length) return false;
    for (let index = 0; index < left.length; index++) if (!equalPlain(left[index], right[index])) return false;
    return true;
  }
  if (left instanceof Map) {
    if (!(right instanceof Map) || left.size !== right.size) return false;
    for (const [key, entry] of left) {
      if (!right.has(key) || !equalPlain(entry, right.get(key))) return false;
    }
    return true;
  }
  if (left instanceof Set) {
    if (!(right instanceof Set) || left.size !== right.size) return false;
    for (const element of left) if (!right.has(element)) return false;
    return true;
  }
  if (Array.isArray(right) || right instanceof Map || right instanceof Set) return false;
  const leftRecord = left as Record<string, unknown>;
  const rightRecord = right as Record<string, unknown>;
  let leftCount = 0;
  for (const key in leftRecord) {
    leftCount++;
    if (!(key in rightRecord) || !equalPlain(leftRecord[key], rightRecord[key])) return false;
  }
  let rightCount = 0;
  for (const _key in rightRecord) rightCount++;
  return leftCount === rightCount;
}

// Hashing: arrays mix in order; objects, Maps and Sets combine their entries with a
// commutative sum, so insertion order does not change the hash and no key sort is needed.

const float64 = new Float64Array(1);
const float64Words = new Uint32Array(float64.buffer);

function mix(hash: number, word: number): number {
  hash = Math.imul(hash ^ word, 0x5bd1e995);
  return (hash ^ (hash >>> 15)) >>> 0;
}

function hashString(hash: number, text: string): number {
  for (let index = 0; index < text.length; index++) hash = mix(hash, text.charCodeAt(index));
  return mix(hash, text.length);
}

/** Hashes of field names, which repeat in every object of a kind. */
const keyHashes = new Map<string, number>();

function keyHash(key: string): number {
  let hash = keyHashes.get(key);
  if (hash === undefined) {
    if (keyHashes.size > 50_000) keyHashes.clear();
    hash = hashString(0x2545f491, key);
    keyHashes.set(key, hash);
  }
  return hash;
}

/** A 32-bit hash of plain data such that `equalPlain(a, b)` implies equal hashes. */
export function hashPlain(value: unknown, seed = 0x9747b28c): number {
  switch (typeof value) {
    case 'number':
      if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) return mix(mix(seed, 1), value | 0);
      float64[0] = Number.isNaN(value) ? Number.NaN : value;
      return mix(mix(mix(seed, 2), float64Words[0]), float64Words[1]);
    case 'string':
      return hashString(mix(seed, 3), value);
    case 'boolean':
      return mix(seed, value ? 4 : 5);
    case 'undefined':
      return mix(seed, 6);
    case 'bigint':
      return hashString(mix(seed, 7), value.toString());
    case 'object': {
      if (value === null) return mix(seed, 8);
      if (Array.isArray(value)) {
        let hash = mix(seed, 9);
        for (let index = 0; index < value.length; index++) hash = hashPlain(value[index], hash);
        return mix(hash, value.length);
      }
      let sum = 0;
      let size = 0;
      let tag: number;
      // Each entry's hash depends on the seed too, so that hashes with different seeds are
      // independent (the model checker combines two of them into one fingerprint).
      const entrySeed = (seed ^ 0x2545f491) >>> 0;
      if (value instanceof Map) {
        tag = 10;
        for (const [key, entry] of value) {
          sum = (sum + hashPlain(entry, mix(entrySeed, hashPlain(key, 0x2545f491)))) >>> 0;
          size++;
        }
      } else if (value instanceof Set) {
        tag = 11;
        for (const element of value) {
          sum = (sum + hashPlain(element, entrySeed)) >>> 0;
          size++;
        }
      } else {
        tag = 12;
        const record = value as Record<string, unknown>;
        for (const key in record) {
          sum = (sum + hashPlain(record[key], mix(entrySeed, keyHash(key)))) >>> 0;
          size++;
        }
      }
      return mix(mix(mix(seed, tag), sum), size);
    }
    default:
      throw new PlainDataError('value', `is a ${typeof value}`);
  }
}

/** JSON-compatible form of plain data with Map and Set entries in a canonical order. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map) {
    const entries = [...value].sort((a, b) => compareKeys(a[0], b[0]));
    return { $map: entries.map(([key, entry]) => [toJsonValue(key), toJsonValue(entry)]) };
  }
  if (value instanceof Set) {
    return { $set: [...value].sort(compareKeys).map(toJsonValue) };
  }
  const record = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (record[key] === undefined) continue;
    if (key === '__proto__') defineField(result, key, toJsonValue(record[key]));
    else result[key] = toJsonValue(record[key]);
  }
  return result;
}

function compareKeys(left: unknown, right: unknown): number {
  const leftText = typeof left + ':' + String(left);
  const rightText = typeof right + ':' + String(right);
  return leftText < rightText ? -1 : leftText > rightText ? 1 : 0;
}

/** Short, readable rendering of plain data for traces and failure messages. */
export function formatPlain(value: unknown, maxLength = 200): string {
  let text: string;
  try {
    text = JSON.stringify(toJsonValue(value)) ?? 'undefined';
  } catch {
    text = String(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** The second lane of the last {@link hashPair}. */
let secondLane = 0;

export function lastSecondLane(): number {
  return secondLane;
}

/**
 * Two independent 32-bit hashes of plain data in one traversal: the first is returned, the
 * second read with {@link lastSecondLane}. Equal data (Maps, Sets and objects in any
 * insertion order) give equal pairs. For the judging side's own values (what properties
 * remember), whose insertion order no node sees.
 */
export function hashPair(value: unknown, seed1: number, seed2: number): number {
  return pairLanes(value, seed1, seed2, false);
}

/**
 * Like {@link hashPair}, but data a node can tell apart give different pairs: the order of
 * an object's keys and of a Map's or a Set's entries (which its code can iterate), and -0
 * from 0 (which `Object.is` and division tell apart). The model checker's fingerprints of
 * what nodes hold and receive are made of these: two states it takes as one must be states
 * no node's code can tell apart, or a node could hide behaviour in the state never explored.
 */
export function fingerprintPair(value: unknown, seed1: number, seed2: number): number {
  containerNumbers.clear();
  try {
    return pairLanes(value, seed1, seed2, true);
  } finally {
    containerNumbers.clear();
  }
}

/**
 * The containers met so far in one {@link fingerprintPair}, numbered in the order met: a
 * container met again is hashed as its number, since a node can tell one object held twice
 * (`this.a === this.b`) from two equal ones, and the fields that cross keep that sharing.
 */
const containerNumbers = new Map<object, number>();

/** The lanes of a container met before in this fingerprint, or undefined for one met now (numbered). */
function sharedContainerLanes(value: object, seed1: number, seed2: number): number | undefined {
  const number = containerNumbers.get(value);
  if (number === undefined) {
    containerNumbers.set(value, containerNumbers.size);
    return undefined;
  }
  secondLane = mix(mix(seed2, 16), number);
  return mix(mix(seed1, 16), number);
}

function pairLanes(value: unknown, seed1: number, seed2: number, ordered: boolean): number {
  switch (typeof value) {
    case 'number': {
      if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff && (!ordered || value !== 0 || 1 / value > 0)) {
        secondLane = mix(mix(seed2, 1), value | 0);
        return mix(mix(seed1, 1), value | 0);
      }
      // Every NaN alike: a node's fields lose a NaN's payload bits at the end of each reaction.
      float64[0] = Number.isNaN(value) ? Number.NaN : value;
      const low = float64Words[0] as number;
      const high = float64Words[1] as number;
      secondLane = mix(mix(mix(seed2, 2), low), high);
      return mix(mix(mix(seed1, 2), low), high);
    }
    case 'string':
      secondLane = hashString(mix(seed2, 3), value);
      return hashString(mix(seed1, 3), value);
    case 'object': {
      if (value === null) break;
      if (ordered) {
        const shared = sharedContainerLanes(value, seed1, seed2);
        if (shared !== undefined) return shared;
      }
      if (Array.isArray(value)) {
        let first = mix(seed1, 9);
        let second = mix(seed2, 9);
        for (let index = 0; index < value.length; index++) {
          first = pairLanes(value[index], first, second, ordered);
          second = secondLane;
        }
        secondLane = mix(second, value.length);
        return mix(first, value.length);
      }
      if (ordered) return orderedEntryLanes(value, seed1, seed2);
      const entrySeed1 = (seed1 ^ 0x2545f491) >>> 0;
      const entrySeed2 = (seed2 ^ 0x2545f491) >>> 0;
      let sum1 = 0;
      let sum2 = 0;
      let size = 0;
      let tag: number;
      if (value instanceof Map) {
        tag = 10;
        for (const [key, entry] of value) {
          const keyed = hashPlain(key, 0x2545f491);
          sum1 = (sum1 + pairLanes(entry, mix(entrySeed1, keyed), mix(entrySeed2, keyed), false)) >>> 0;
          sum2 = (sum2 + secondLane) >>> 0;
          size++;
        }
      } else if (value instanceof Set) {
        tag = 11;
        for (const element of value) {
          sum1 = (sum1 + pairLanes(element, entrySeed1, entrySeed2, false)) >>> 0;
          sum2 = (sum2 + secondLane) >>> 0;
          size++;
        }
      } else {
        tag = 12;
        const record = value as Record<string, unknown>;
        for (const key in record) {
          const keyed = keyHash(key);
          sum1 = (sum1 + pairLanes(record[key], mix(entrySeed1, keyed), mix(entrySeed2, keyed), false)) >>> 0;
          sum2 = (sum2 + secondLane) >>> 0;
          size++;
        }
      }
      secondLane = mix(mix(mix(seed2, tag), sum2), size);
      return mix(mix(mix(seed1, tag), sum1), size);
    }
    default:
      break;
  }
  // null, booleans, undefined, bigints: the single-lane hash with each seed.
  secondLane = hashPlain(value, seed2);
  return hashPlain(value, seed1);
}

/** An object's, a Map's or a Set's entries mixed in the order its code would iterate them. */
function orderedEntryLanes(value: object, seed1: number, seed2: number): number {
  let first: number;
  let second: number;
  let size = 0;
  if (value instanceof Map) {
    first = mix(seed1, 13);
    second = mix(seed2, 13);
    for (const [key, entry] of value) {
      first = pairLanes(key, first, second, true);
      first = pairLanes(entry, first, secondLane, true);
      second = secondLane;
      size++;
    }
  } else if (value instanceof Set) {
    first = mix(seed1, 14);
    second = mix(seed2, 14);
    for (const element of value) {
      first = pairLanes(element, first, second, true);
      second = secondLane;
      size++;
    }
  } else {
    first = mix(seed1, 15);
    second = mix(seed2, 15);
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const keyed = keyHash(key);
      first = pairLanes(record[key], mix(first, keyed), mix(second, keyed), true);
      second = secondLane;
      size++;
    }
  }
  secondLane = mix(second, size);
  return mix(first, size);
}

/**
 * A copy of an object's own fields onto a new object of the same prototype (a node's state).
 * The fields must already be known to be plain data (the drivers check a node's fields after
 * every reaction), so they are cloned without checks.
 */
export function cloneFields<T extends object>(instance: T): T {
  const prototype = Object.getPrototypeOf(instance) as object | null;
  const clone = Object.create(prototype) as Record<string, unknown>;
  const source = instance as unknown as Record<string, unknown>;
  const defined = namesToDefine(prototype);
  // An object held in two fields (or twice in one) stays one object in the copy, as in a run.
  const copies = new Map<object, unknown>();
  for (const key of Object.keys(source)) {
    const field = source[key];
    const value = typeof field === 'object' && field !== null ? cloneValue(field, copies) : field;
    if (defined.has(key)) defineField(clone, key, value);
    else clone[key] = value;
  }
  return clone as T;
}

/**
 * A new object of `prototype` with `fields` as its own fields, as the node object had them: a
 * field is defined where an assignment would not make it the object's own (see {@link namesToDefine}).
 */
export function objectWithFields(prototype: object | null, fields: Record<string, unknown>): object {
  const instance = Object.create(prototype) as Record<string, unknown>;
  const defined = namesToDefine(prototype);
  for (const key of Object.keys(fields)) {
    if (defined.has(key)) defineField(instance, key, fields[key]);
    else instance[key] = fields[key];
  }
  return instance;
}

const namesToDefineByPrototype = new WeakMap<object, ReadonlySet<string>>();
const onlyProto: ReadonlySet<string> = new Set(['__proto__']);

/**
 * The names an object of `prototype` cannot take as its own fields by assignment: `__proto__`
 * (which would set the prototype), and every accessor or read-only property of its prototypes
 * (an assignment would call the setter, or throw). A class field of such a name is still the
 * object's own, since class fields are defined, so a copy of the object must define it too.
 */
function namesToDefine(prototype: object | null): ReadonlySet<string> {
  if (prototype === null) return onlyProto;
  let names = namesToDefineByPrototype.get(prototype);
  if (names === undefined) {
    const found = new Set<string>(onlyProto);
    for (let link: object | null = prototype; link !== null; link = Object.getPrototypeOf(link) as object | null) {
      for (const name of Object.getOwnPropertyNames(link)) {
        const descriptor = Object.getOwnPropertyDescriptor(link, name);
        if (descriptor !== undefined && (descriptor.get !== undefined || descriptor.set !== undefined || descriptor.writable === false)) found.add(name);
      }
    }
    names = found;
    namesToDefineByPrototype.set(prototype, names);
  }
  return names;
}

/**
 * Freezes plain data in place, all the way down (Maps and Sets are frozen as objects only),
 * so that a value shared between states, nodes and checks cannot be changed through any of them.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    for (const entry of value.values()) deepFreeze(entry);
  } else if (value instanceof Set) {
    for (const entry of value.values()) deepFreeze(entry);
  } else {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return Object.freeze(value);
}
