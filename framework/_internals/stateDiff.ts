// The changes between two snapshots of a node's state, as patches: a full trace records
// only what each reaction changed, so a long run's states stay small, and a reader (the
// report's viewer) rebuilds the state at any event by applying them in order.

/** A key in a JSON value: an object's field or an array's position. */
export type StatePathKey = string | number;

/**
 * One change: `[path, value]` sets the value at `path` (the empty path replaces the whole
 * state; setting an array's `length` truncates it); `[path]` deletes the key at `path`.
 */
export type StatePatch = readonly [path: readonly StatePathKey[], value: unknown] | readonly [path: readonly StatePathKey[]];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The patches that turn `before` into `after`, both JSON values (as `toJsonValue` makes
 * them). Objects and arrays are compared field by field, so a long log that grew by one
 * entry costs one patch; anything else that differs is set whole.
 */
export function diffStates(before: unknown, after: unknown, path: StatePathKey[] = [], patches: StatePatch[] = []): StatePatch[] {
  if (before === after) return patches;
  if (Array.isArray(before) && Array.isArray(after)) {
    const shared = Math.min(before.length, after.length);
    for (let index = 0; index < shared; index++) diffStates(before[index], after[index], [...path, index], patches);
    if (after.length < before.length) patches.push([[...path, 'length'], after.length]);
    for (let index = shared; index < after.length; index++) patches.push([[...path, index], after[index]]);
    return patches;
  }
  if (isRecord(before) && isRecord(after)) {
    for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) patches.push([[...path, key]]);
    for (const key of Object.keys(after)) {
      if (Object.hasOwn(before, key)) diffStates(before[key], after[key], [...path, key], patches);
      else patches.push([[...path, key], after[key]]);
    }
    return patches;
  }
  patches.push([path, after]);
  return patches;
}

function setField(target: Record<string, unknown> | unknown[], key: StatePathKey, value: unknown): void {
  // defineProperty: a key named __proto__ is a field like any other, never the prototype.
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function copyOf(value: unknown): Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return value.slice();
  const copy: Record<string, unknown> = {};
  if (isRecord(value)) for (const key of Object.keys(value)) setField(copy, key, value[key]);
  return copy;
}

/**
 * The state after `patches`, applied in order to `state`, which is left as it was (every
 * container on a patched path is copied).
 */
export function applyStatePatches(state: unknown, patches: readonly StatePatch[]): unknown {
  let root = state;
  for (const patch of patches) {
    const [path] = patch;
    if (path.length === 0) {
      root = patch.length === 2 ? patch[1] : undefined;
      continue;
    }
    const top = copyOf(root);
    root = top;
    let container: Record<string, unknown> | unknown[] = top;
    for (let depth = 0; depth < path.length - 1; depth++) {
      const key = path[depth] as StatePathKey;
      const inner = copyOf((container as Record<string, unknown>)[key]);
      setField(container, key, inner);
      container = inner;
    }
    const last = path[path.length - 1] as StatePathKey;
    if (patch.length === 2) {
      if (Array.isArray(container) && last === 'length') container.length = Number(patch[1]);
      else setField(container, last, patch[1]);
    } else if (Array.isArray(container) && typeof last === 'number') container.splice(last, 1);
    else Reflect.deleteProperty(container, last);
  }
  return root;
}
