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
  // One path stack for the whole walk, copied only into a patch: most values compared are
  // equal, and a large state is compared after every reaction of a full trace.
  diffInto(before, after, [...path], patches);
  return patches;
}

function diffInto(before: unknown, after: unknown, path: StatePathKey[], patches: StatePatch[]): void {
  if (before === after) return;
  if (typeof after !== 'object' || after === null || typeof before !== 'object' || before === null) {
    patches.push([path.slice(), after]);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const shared = Math.min(before.length, after.length);
    for (let index = 0; index < shared; index++) {
      const left: unknown = before[index];
      const right: unknown = after[index];
      if (left === right) continue;
      path.push(index);
      diffInto(left, right, path, patches);
      path.pop();
    }
    if (after.length < before.length) patches.push([[...path, 'length'], after.length]);
    for (let index = shared; index < after.length; index++) patches.push([[...path, index], after[index]]);
    return;
  }
  if (isRecord(before) && isRecord(after)) {
    for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) patches.push([[...path, key]]);
    for (const key of Object.keys(after)) {
      if (!Object.hasOwn(before, key)) {
        patches.push([[...path, key], after[key]]);
        continue;
      }
      const left = before[key];
      const right = after[key];
      if (left === right) continue;
      path.push(key);
      diffInto(left, right, path, patches);
      path.pop();
    }
    return;
  }
  patches.push([path.slice(), after]);
}

function setField(target: Record<string, unknown> | unknown[], key: StatePathKey, value: unknown): void {
  // A key named __proto__ is a field like any other, never the prototype; every other key
  // is set by assignment, which is faster.
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else (target as Record<string, unknown>)[key] = value;
}

function copyOf(value: unknown): Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return value.slice();
  const copy: Record<string, unknown> = {};
  if (isRecord(value)) for (const key of Object.keys(value)) setField(copy, key, value[key]);
  return copy;
}

/**
 * The state after `patches`, applied in order to `state`, which is left as it was (every
 * container on a patched path is copied). `owned` holds the containers made by earlier
 * calls that nobody else sees: those are changed in place, so a caller that applies many
 * patches in turn (a long run's states, up to a trace window) copies each container once.
 */
export function applyStatePatches(state: unknown, patches: readonly StatePatch[], owned = new WeakSet<object>()): unknown {
  const ownCopy = (value: unknown): Record<string, unknown> | unknown[] => {
    if (typeof value === 'object' && value !== null && owned.has(value)) return value as Record<string, unknown> | unknown[];
    const copy = copyOf(value);
    owned.add(copy);
    return copy;
  };
  let root = state;
  for (const patch of patches) {
    const [path] = patch;
    if (path.length === 0) {
      root = patch.length === 2 ? patch[1] : undefined;
      continue;
    }
    const top = ownCopy(root);
    root = top;
    let container: Record<string, unknown> | unknown[] = top;
    for (let depth = 0; depth < path.length - 1; depth++) {
      const key = path[depth] as StatePathKey;
      const inner = ownCopy((container as Record<string, unknown>)[key]);
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
