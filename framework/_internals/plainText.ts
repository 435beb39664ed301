// Plain data as text: the only form in which values cross between the realm that runs a
// submission's nodes and the realm that judges them. A string is a primitive, so neither
// side ever holds an object of the other, and decoding runs no code but JSON.parse.
//
// Format: one flag character, then JSON. '0': the JSON is the value itself (it holds nothing
// JSON cannot say). '1': the JSON is a tree in which objects with the key TAG stand for what
// JSON cannot say: undefined, bigints, NaN, infinities, -0, Maps, Sets, and objects that
// have a TAG key of their own.

const TAG = '\u0000';

// Taken when this module loads: in a submission's realm that is before any of its code runs,
// so replacing `JSON` there does not change how the runtime reads and writes text.
const parseJson = JSON.parse;
const stringifyJson = JSON.stringify;

type Tree = null | boolean | number | string | Tree[] | { [key: string]: Tree };

/** Whether `value` (plain data) holds anything plain JSON cannot say. */
function needsTags(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return false;
    case 'number':
      return !Number.isFinite(value) || Object.is(value, -0);
    case 'object': {
      if (value === null) return false;
      if (depth > 400) return true;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) if (needsTags(value[index], depth + 1)) return true;
        return false;
      }
      if (value instanceof Map || value instanceof Set) return true;
      const prototype: unknown = Object.getPrototypeOf(value);
      // Anything but a plain object takes the tagged path, which refuses what is not plain data.
      if (prototype !== Object.prototype && prototype !== null) return true;
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (key === TAG || needsTags(record[key], depth + 1)) return true;
      }
      return false;
    }
    default:
      return true;
  }
}

function defineField(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function toTree(value: unknown): Tree {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { [TAG]: 'number', value: Object.is(value, -0) ? '-0' : String(value) };
    case 'undefined':
      return { [TAG]: 'undefined' };
    case 'bigint':
      return { [TAG]: 'bigint', value: value.toString() };
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const items: Tree[] = new Array<Tree>(value.length);
        for (let index = 0; index < value.length; index++) items[index] = toTree(value[index]);
        return items;
      }
      if (value instanceof Map) {
        const entries: Tree[] = [];
        for (const [key, entry] of value) entries.push([toTree(key), toTree(entry)]);
        return { [TAG]: 'map', value: entries };
      }
      if (value instanceof Set) {
        const elements: Tree[] = [];
        for (const element of value) elements.push(toTree(element));
        return { [TAG]: 'set', value: elements };
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) throw new TypeError('an object of a class is not plain data');
      const record = value as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(record, TAG)) {
        const entries: Tree[] = [];
        for (const key in record) entries.push([key, toTree(record[key])]);
        return { [TAG]: 'object', value: entries };
      }
      const tree: Record<string, Tree> = {};
      for (const key in record) {
        if (key === '__proto__') defineField(tree, key, toTree(record[key]));
        else tree[key] = toTree(record[key]);
      }
      return tree;
    }
    default:
      throw new TypeError(`a ${typeof value} is not plain data`);
  }
}

/**
 * Like {@link encodeTree} for a value not yet known to be plain data: undefined when it is
 * not (the caller then looks for the offending field), without a separate checking walk.
 */
export function encodeTreeIfPlain(value: unknown): [0 | 1, unknown] | undefined {
  if (!needsTags(value, 0)) return [0, value];
  try {
    return [1, toTree(value)];
  } catch {
    return undefined;
  }
}

/** The text of plain data; `value` must already be plain data (copied or checked). */
export function encodePlain(value: unknown): string {
  if (!needsTags(value, 0)) return '0' + stringifyJson(value);
  return '1' + stringifyJson(toTree(value));
}

/**
 * Plain data as a JSON-ready tree and its flag, for embedding in a larger JSON text: flag 0,
 * the value itself; flag 1, its tagged tree. {@link decodeTree} undoes it after JSON.parse.
 */
export function encodeTree(value: unknown): [0 | 1, unknown] {
  return needsTags(value, 0) ? [1, toTree(value)] : [0, value];
}

/** Thrown for text that is not the encoding of plain data. */
export class PlainTextError extends Error {
  constructor(problem: string) {
    super(`malformed plain-data text: ${problem}`);
    this.name = 'PlainTextError';
  }
}

function fromTree(tree: unknown, depth: number): unknown {
  if (typeof tree !== 'object' || tree === null) return tree;
  if (depth > 400) throw new PlainTextError('nested too deeply');
  if (Array.isArray(tree)) {
    for (let index = 0; index < tree.length; index++) tree[index] = fromTree(tree[index], depth + 1);
    return tree;
  }
  const record = tree as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(record, TAG)) {
    for (const key in record) {
      const field = record[key];
      if (typeof field !== 'object' || field === null) continue;
      if (key === '__proto__') defineField(record, key, fromTree(field, depth + 1));
      else record[key] = fromTree(field, depth + 1);
    }
    return record;
  }
  const kind = record[TAG];
  const inner = record.value;
  switch (kind) {
    case 'undefined':
      return undefined;
    case 'number':
      if (inner === 'NaN') return Number.NaN;
      if (inner === 'Infinity') return Number.POSITIVE_INFINITY;
      if (inner === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (inner === '-0') return -0;
      throw new PlainTextError(`unknown number ${String(inner)}`);
    case 'bigint':
      if (typeof inner !== 'string' || !/^-?\d{1,10000}$/.test(inner)) throw new PlainTextError('a bigint must be digits');
      return BigInt(inner);
    case 'map': {
      const map = new Map<unknown, unknown>();
      for (const entry of pairs(inner)) {
        const key = fromTree(entry[0], depth + 1);
        if (typeof key === 'object' && key !== null) throw new PlainTextError('a Map key must be a primitive');
        map.set(key, fromTree(entry[1], depth + 1));
      }
      return map;
    }
    case 'set': {
      if (!Array.isArray(inner)) throw new PlainTextError('a Set must list its elements');
      const set = new Set<unknown>();
      for (const element of inner) {
        const decoded = fromTree(element, depth + 1);
        if (typeof decoded === 'object' && decoded !== null) throw new PlainTextError('a Set element must be a primitive');
        set.add(decoded);
      }
      return set;
    }
    case 'object': {
      const object: Record<string, unknown> = {};
      for (const entry of pairs(inner)) {
        if (typeof entry[0] !== 'string') throw new PlainTextError('an object key must be a string');
        defineField(object, entry[0], fromTree(entry[1], depth + 1));
      }
      return object;
    }
    default:
      throw new PlainTextError(`unknown tag ${String(kind)}`);
  }
}

function pairs(value: unknown): [unknown, unknown][] {
  if (!Array.isArray(value)) throw new PlainTextError('entries must be a list');
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 2) throw new PlainTextError('an entry must be a [key, value] pair');
  }
  return value as [unknown, unknown][];
}

/** The plain data a tree from {@link encodeTree} stands for, once parsed from JSON. */
export function decodeTree(flag: unknown, tree: unknown): unknown {
  if (flag === 0) return withinPlainDepth(tree);
  if (flag === 1) return withinPlainDepth(fromTree(tree, 0));
  throw new PlainTextError('unknown format');
}

/** The plain data a text stands for; a {@link PlainTextError} for anything else. */
export function decodePlain(text: string): unknown {
  const flag = text.charCodeAt(0);
  let parsed: unknown;
  try {
    parsed = parseJson(text.slice(1));
  } catch {
    throw new PlainTextError('not JSON');
  }
  if (flag === 48 /* '0' */) return withinPlainDepth(parsed);
  if (flag === 49 /* '1' */) return withinPlainDepth(fromTree(parsed, 0));
  throw new PlainTextError('unknown format');
}

/**
 * Containers may be nested this deep in a decoded value (the root is at 0): one more than
 * plain data itself may be, so no value a node could send is refused. JSON text can say far
 * deeper values, which the judging realm's recursive walks (copies, hashes, reports) must
 * never meet.
 */
export const maxDecodedDepth = 201;

/** `value` itself, or a {@link PlainTextError} when it is nested deeper than {@link maxDecodedDepth}. */
function withinPlainDepth(value: unknown): unknown {
  if (nestedTooDeeply(value, 0)) throw new PlainTextError('nested deeper than plain data may be');
  return value;
}

function nestedTooDeeply(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > maxDecodedDepth) return true;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) if (nestedTooDeeply(value[index], depth + 1)) return true;
    return false;
  }
  if (value instanceof Map) {
    for (const entry of value.values()) if (nestedTooDeeply(entry, depth + 1)) return true;
    return false;
  }
  // A Set holds primitives only (the decoders refuse anything else).
  if (value instanceof Set) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) if (nestedTooDeeply(record[key], depth + 1)) return true;
  return false;
}
