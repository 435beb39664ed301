// Plain data as text: the only form in which values cross between the realm that runs a
// submission's nodes and the realm that judges them. A string is a primitive, so neither
// side ever holds an object of the other, and decoding runs no code but JSON.parse.
//
// Format: one flag character, then JSON. '0': the JSON is the value itself (it holds nothing
// JSON cannot say). '1': the JSON is a tree in which objects with the key TAG stand for what
// JSON cannot say: undefined, bigints, NaN, infinities, -0, Maps, Sets, objects that have a
// TAG key of their own, and a container met again: a reference to the n-th container of the
// value (arrays, objects, Maps and Sets, numbered in the order they begin), so that a node's
// fields that hold one object twice are rebuilt holding one object twice. Only a node's
// fields may be read with references (see `sharing` below); a reference to a container that
// has not ended yet would be a cycle, and is refused.

const TAG = '\u0000';

// Taken when this module loads: in a submission's realm that is before any of its code runs,
// so replacing `JSON` there does not change how the runtime reads and writes text.
const parseJson = JSON.parse;
const stringifyJson = JSON.stringify;

type Tree = null | boolean | number | string | Tree[] | { [key: string]: Tree };

/** Whether `value` (plain data) holds anything plain JSON cannot say, a container met twice included. */
function needsTags(value: unknown, depth: number, seen: Set<object> | undefined): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return false;
    case 'number':
      return !Number.isFinite(value) || Object.is(value, -0);
    case 'object': {
      if (value === null) return false;
      if (depth > 400) return true;
      if (seen !== undefined) {
        if (seen.has(value)) return true;
        seen.add(value);
      }
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) if (needsTags(value[index], depth + 1, seen)) return true;
        return false;
      }
      if (value instanceof Map || value instanceof Set) return true;
      const prototype: unknown = Object.getPrototypeOf(value);
      // Anything but a plain object takes the tagged path, which refuses what is not plain data.
      if (prototype !== Object.prototype && prototype !== null) return true;
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (key === TAG || needsTags(record[key], depth + 1, seen)) return true;
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

/** The containers of a value being encoded, numbered in the order they begin. */
type Numbering = Map<object, number>;

function toTree(value: unknown, numbering: Numbering | undefined): Tree {
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
      // In hexadecimal: read back in time linear in its length, as decimal digits are not.
      return { [TAG]: 'bigint', value: value < 0n ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}` };
    case 'object': {
      if (value === null) return null;
      if (numbering === undefined) return containerTree(value, numbering);
      const number = numbering.get(value);
      if (number !== undefined) {
        // Met before: a cycle when it has not ended yet, which is not plain data.
        if (number < 0) throw new TypeError('a value that holds itself is not plain data');
        return { [TAG]: 'ref', value: number };
      }
      const index = numbering.size;
      numbering.set(value, -1 - index);
      const tree = containerTree(value, numbering);
      numbering.set(value, index);
      return tree;
    }
    default:
      throw new TypeError(`a ${typeof value} is not plain data`);
  }
}

function containerTree(value: object, numbering: Numbering | undefined): Tree {
  if (Array.isArray(value)) {
    const items: Tree[] = new Array<Tree>(value.length);
    for (let index = 0; index < value.length; index++) items[index] = toTree(value[index], numbering);
    return items;
  }
  if (value instanceof Map) {
    const entries: Tree[] = [];
    for (const [key, entry] of value) entries.push([toTree(key, numbering), toTree(entry, numbering)]);
    return { [TAG]: 'map', value: entries };
  }
  if (value instanceof Set) {
    const elements: Tree[] = [];
    for (const element of value) elements.push(toTree(element, numbering));
    return { [TAG]: 'set', value: elements };
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw new TypeError('an object of a class is not plain data');
  const record = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, TAG)) {
    const entries: Tree[] = [];
    for (const key in record) entries.push([key, toTree(record[key], numbering)]);
    return { [TAG]: 'object', value: entries };
  }
  const tree: Record<string, Tree> = {};
  for (const key in record) {
    if (key === '__proto__') defineField(tree, key, toTree(record[key], numbering));
    else tree[key] = toTree(record[key], numbering);
  }
  return tree;
}

/**
 * Like {@link encodeTree} for a node's fields, not yet known to be plain data: undefined when
 * they are not (the caller then looks for the offending field), without a separate checking
 * walk. A container met again is written as a reference to it.
 */
export function encodeTreeIfPlain(value: unknown): [0 | 1, unknown] | undefined {
  if (!needsTags(value, 0, new Set())) return [0, value];
  try {
    return [1, toTree(value, new Map())];
  } catch {
    return undefined;
  }
}

/**
 * The text of plain data; `value` must already be plain data (copied or checked). With
 * `sharing` (a node's fields), a container met again is written as a reference to it, read
 * back by {@link decodePlain} with `sharing` as one object; without, it is written again.
 */
export function encodePlain(value: unknown, sharing = false): string {
  if (!needsTags(value, 0, sharing ? new Set() : undefined)) return '0' + stringifyJson(value);
  return '1' + stringifyJson(toTree(value, sharing ? new Map() : undefined));
}

/**
 * Plain data as a JSON-ready tree and its flag, for embedding in a larger JSON text: flag 0,
 * the value itself; flag 1, its tagged tree. {@link decodeTree} undoes it after JSON.parse.
 */
export function encodeTree(value: unknown): [0 | 1, unknown] {
  return needsTags(value, 0, undefined) ? [1, toTree(value, undefined)] : [0, value];
}

/** Thrown for text that is not the encoding of plain data. */
export class PlainTextError extends Error {
  constructor(problem: string) {
    super(`malformed plain-data text: ${problem}`);
    this.name = 'PlainTextError';
  }
}

/**
 * How far a decoded value may reach when its shared containers are counted once per place
 * they appear: the judging realm's walks (hashes, copies, reports) visit a shared container
 * at every place, so a few hundred containers each holding the one before twice would
 * otherwise take them longer than the universe has.
 */
export const maxExpandedSize = 1_000_000;

/**
 * The containers of a value read with references (a node's fields, as text here or on the
 * tape): numbered in the order they began, each with what it reaches, for the references to it.
 */
export interface SharedContainers {
  readonly containers: unknown[];
  /** While a container has not ended, -1 minus the count of values reached when it began; then the number of values it reaches, itself included. */
  readonly sizes: number[];
  /** While a container is open, the most levels of containers below it so far; once it ended, its levels of containers, itself included. */
  readonly heights: number[];
  /** The containers not ended yet, innermost last. */
  readonly open: number[];
  /** Values reached so far, shared containers counted at every place; the reader counts each value it meets. */
  reached: number;
}

export function sharedContainers(): SharedContainers {
  return { containers: [], sizes: [], heights: [], open: [], reached: 0 };
}

/** Numbers a container as it begins (the reader counted it already, as it met it). */
export function beginContainer(shared: SharedContainers, container: unknown): number {
  const number = shared.containers.length;
  shared.containers.push(container);
  shared.sizes.push(-1 - (shared.reached - 1));
  shared.heights.push(0);
  shared.open.push(number);
  return number;
}

/** Ends container `number`; false when the value now reaches more than {@link maxExpandedSize} values. */
export function endContainer(shared: SharedContainers, number: number): boolean {
  shared.open.pop();
  const startedAt = -1 - (shared.sizes[number] as number);
  shared.sizes[number] = shared.reached - startedAt;
  const levels = (shared.heights[number] as number) + 1;
  shared.heights[number] = levels;
  reachesLevels(shared, levels);
  return shared.reached <= maxExpandedSize;
}

/**
 * The container a reference at `depth` names (`named`, as read), or what is wrong with it:
 * no such container, one still open (a cycle), one that would nest deeper than `maxDepth`
 * here, or a value that would reach too many values.
 */
export function referencedContainer(shared: SharedContainers, named: unknown, depth: number, maxDepth: number): { readonly container: unknown } | string {
  const number = typeof named === 'number' && Number.isInteger(named) && named >= 0 && named < shared.containers.length ? named : -1;
  if (number < 0) return 'a reference names no container';
  const size = shared.sizes[number] as number;
  if (size < 0) return 'a reference to a container that holds it (a cycle)';
  const levels = shared.heights[number] as number;
  // Its deepest container, here: the reference stands where the container's top is.
  if (depth + levels - 1 > maxDepth) return 'nested deeper than plain data may be';
  // The reference itself was counted as one of the values its container reaches.
  shared.reached += size - 1;
  if (shared.reached > maxExpandedSize) return tooFar;
  reachesLevels(shared, levels);
  return { container: shared.containers[number] };
}

const tooFar = `it reaches more than ${maxExpandedSize} values, counting a shared container at every place it appears`;

/** A container (or a reference to one) of `levels` levels ended inside the innermost open one. */
function reachesLevels(shared: SharedContainers, levels: number): void {
  const parent = shared.open[shared.open.length - 1];
  if (parent !== undefined && (shared.heights[parent] as number) < levels) shared.heights[parent] = levels;
}

function fromTree(tree: unknown, depth: number, shared: SharedContainers | undefined): unknown {
  if (shared !== undefined) shared.reached++;
  if (typeof tree !== 'object' || tree === null) return tree;
  if (depth > 400) throw new PlainTextError('nested too deeply');
  if (Array.isArray(tree)) {
    const number = begin(shared, tree, depth);
    for (let index = 0; index < tree.length; index++) tree[index] = fromTree(tree[index], depth + 1, shared);
    return end(shared, number, tree);
  }
  const record = tree as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(record, TAG)) {
    const number = begin(shared, record, depth);
    for (const key in record) {
      const field = record[key];
      if (typeof field !== 'object' || field === null) {
        if (shared !== undefined) shared.reached++;
        continue;
      }
      if (key === '__proto__') defineField(record, key, fromTree(field, depth + 1, shared));
      else record[key] = fromTree(field, depth + 1, shared);
    }
    return end(shared, number, record);
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
      // Hexadecimal of any length the text allows; decimal digits, slow to read, up to 10,000.
      if (typeof inner !== 'string' || !/^-?(0x[0-9a-f]+|\d{1,10000})$/.test(inner)) throw new PlainTextError('a bigint must be digits');
      return inner.charCodeAt(0) === 45 /* - */ ? -BigInt(inner.slice(1)) : BigInt(inner);
    case 'map': {
      const map = new Map<unknown, unknown>();
      const number = begin(shared, map, depth);
      for (const entry of pairs(inner)) {
        const key = fromTree(entry[0], depth + 1, shared);
        if (typeof key === 'object' && key !== null) throw new PlainTextError('a Map key must be a primitive');
        map.set(key, fromTree(entry[1], depth + 1, shared));
      }
      return end(shared, number, map);
    }
    case 'set': {
      if (!Array.isArray(inner)) throw new PlainTextError('a Set must list its elements');
      const set = new Set<unknown>();
      const number = begin(shared, set, depth);
      for (const element of inner) {
        const decoded = fromTree(element, depth + 1, shared);
        if (typeof decoded === 'object' && decoded !== null) throw new PlainTextError('a Set element must be a primitive');
        set.add(decoded);
      }
      return end(shared, number, set);
    }
    case 'object': {
      const object: Record<string, unknown> = {};
      const number = begin(shared, object, depth);
      for (const entry of pairs(inner)) {
        if (typeof entry[0] !== 'string') throw new PlainTextError('an object key must be a string');
        defineField(object, entry[0], fromTree(entry[1], depth + 1, shared));
      }
      return end(shared, number, object);
    }
    case 'ref': {
      if (shared === undefined) throw new PlainTextError('a reference where no container may be shared');
      const referenced = referencedContainer(shared, inner, depth, maxDecodedDepth);
      if (typeof referenced === 'string') throw new PlainTextError(referenced);
      return referenced.container;
    }
    default:
      throw new PlainTextError(`unknown tag ${String(kind)}`);
  }
}

/** Numbers a container as it begins; undefined when nothing is shared. */
function begin(shared: SharedContainers | undefined, container: unknown, depth: number): number | undefined {
  if (shared === undefined) return undefined;
  // Checked here rather than by a walk afterwards, which would meet a shared container at every place.
  if (depth > maxDecodedDepth) throw new PlainTextError('nested deeper than plain data may be');
  return beginContainer(shared, container);
}

function end<T>(shared: SharedContainers | undefined, number: number | undefined, container: T): T {
  if (shared !== undefined && number !== undefined && !endContainer(shared, number)) throw new PlainTextError(tooFar);
  return container;
}

function pairs(value: unknown): [unknown, unknown][] {
  if (!Array.isArray(value)) throw new PlainTextError('entries must be a list');
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 2) throw new PlainTextError('an entry must be a [key, value] pair');
  }
  return value as [unknown, unknown][];
}

/**
 * The plain data a tree from {@link encodeTree} stands for, once parsed from JSON. `sharing`
 * allows references to containers met before: only a node's fields hold one object twice
 * (messages, timers, outputs and stored values are copied as they are handed over).
 */
export function decodeTree(flag: unknown, tree: unknown, sharing = false): unknown {
  if (flag === 0) return withinPlainDepth(tree);
  if (flag === 1) return sharing ? fromTree(tree, 0, sharedContainers()) : withinPlainDepth(fromTree(tree, 0, undefined));
  throw new PlainTextError('unknown format');
}

/** The plain data a text stands for; a {@link PlainTextError} for anything else. `sharing` as for {@link decodeTree}. */
export function decodePlain(text: string, sharing = false): unknown {
  const flag = text.charCodeAt(0);
  let parsed: unknown;
  try {
    parsed = parseJson(text.slice(1));
  } catch {
    throw new PlainTextError('not JSON');
  }
  if (flag === 48 /* '0' */) return withinPlainDepth(parsed);
  if (flag === 49 /* '1' */) return sharing ? fromTree(parsed, 0, sharedContainers()) : withinPlainDepth(fromTree(parsed, 0, undefined));
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
