// While a run is under way, the nondeterministic parts of the JavaScript runtime throw,
// so that a node cannot make a run depend on anything but the seed.

export class DeterminismError extends Error {
  constructor(what: string, instead: string) {
    super(`${what} is not allowed in node code: runs must be reproducible from the seed. ${instead}`);
    this.name = 'DeterminismError';
  }
}

/** A function that throws the {@link DeterminismError} for `what`. */
export function forbidden(what: string, instead: string): () => never {
  return () => {
    throw new DeterminismError(what, instead);
  };
}

const useTimer = 'Use this.setTimer(timer, delayMs) and handle it in onTimer.';

interface Saved {
  random: () => number;
  date: DateConstructor;
  performanceNow: () => number;
  performanceNowIsOwn: boolean;
  setTimeout: typeof globalThis.setTimeout;
  setInterval: typeof globalThis.setInterval;
  setImmediate: typeof globalThis.setImmediate;
  queueMicrotask: typeof globalThis.queueMicrotask;
}

let depth = 0;
let saved: Saved | undefined;

/** Further sources of nondeterminism: replaced by own properties, removed again after. */
const shadowed: readonly { readonly target: () => object; readonly name: string; readonly what: string; readonly instead: string }[] = [
  { target: () => globalThis.crypto, name: 'getRandomValues', what: 'crypto.getRandomValues()', instead: "Use this.random(): the node's own seeded source." },
  { target: () => globalThis.crypto, name: 'randomUUID', what: 'crypto.randomUUID()', instead: 'Build ids from this.id and a counter, or this.random().' },
  { target: () => process, name: 'hrtime', what: 'process.hrtime()', instead: 'Use this.now() for simulated time in milliseconds.' },
  { target: () => process, name: 'uptime', what: 'process.uptime()', instead: 'Use this.now() for simulated time in milliseconds.' },
];
const shadowSaved: { target: object; name: string; descriptor: PropertyDescriptor | undefined }[] = [];

function shadow(): void {
  for (const entry of shadowed) {
    const target = entry.target() as Record<string, unknown> | undefined;
    if (target === undefined) continue;
    shadowSaved.push({ target, name: entry.name, descriptor: Object.getOwnPropertyDescriptor(target, entry.name) });
    const fail = forbidden(entry.what, entry.instead);
    if (entry.name === 'hrtime') Object.defineProperty(fail, 'bigint', { value: forbidden('process.hrtime.bigint()', entry.instead) });
    Object.defineProperty(target, entry.name, { value: fail, writable: true, configurable: true });
  }
}

function unshadow(): void {
  for (const { target, name, descriptor } of shadowSaved.splice(0).reverse()) {
    if (descriptor !== undefined) Object.defineProperty(target, name, descriptor);
    else Reflect.deleteProperty(target, name);
  }
}

function guardedDate(): DateConstructor {
  const fail = forbidden('Date', 'Use this.now() for simulated time in milliseconds.');
  const GuardedDate = function () {
    fail();
  } as unknown as DateConstructor;
  Object.defineProperty(GuardedDate, 'now', { value: fail });
  Object.defineProperty(GuardedDate, 'parse', { value: fail });
  Object.defineProperty(GuardedDate, 'UTC', { value: fail });
  return GuardedDate;
}

const replacements = {
  random: forbidden('Math.random()', "Use this.random() or this.randomInt(min, max): the node's own seeded source."),
  date: guardedDate(),
  performanceNow: forbidden('performance.now()', 'Use this.now() for simulated time in milliseconds.'),
  setTimeout: forbidden('setTimeout()', useTimer) as unknown as typeof globalThis.setTimeout,
  setInterval: forbidden('setInterval()', useTimer) as unknown as typeof globalThis.setInterval,
  setImmediate: forbidden('setImmediate()', useTimer) as unknown as typeof globalThis.setImmediate,
  queueMicrotask: forbidden(
    'queueMicrotask()',
    'Reactions are synchronous: do the work now, or set a timer.',
  ) as unknown as typeof globalThis.queueMicrotask,
};

/** Replaces the nondeterministic globals until the matching {@link releaseGuards}. Nests. */
export function installGuards(): void {
  if (depth++ > 0) return;
  saved = {
    random: Math.random,
    date: globalThis.Date,
    performanceNow: globalThis.performance.now,
    performanceNowIsOwn: Object.prototype.hasOwnProperty.call(globalThis.performance, 'now'),
    setTimeout: globalThis.setTimeout,
    setInterval: globalThis.setInterval,
    setImmediate: globalThis.setImmediate,
    queueMicrotask: globalThis.queueMicrotask,
  };
  Math.random = replacements.random;
  globalThis.Date = replacements.date;
  globalThis.performance.now = replacements.performanceNow;
  globalThis.setTimeout = replacements.setTimeout;
  globalThis.setInterval = replacements.setInterval;
  globalThis.setImmediate = replacements.setImmediate;
  globalThis.queueMicrotask = replacements.queueMicrotask;
  shadow();
}

export function releaseGuards(): void {
  if (--depth > 0 || saved === undefined) return;
  Math.random = saved.random;
  globalThis.Date = saved.date;
  if (saved.performanceNowIsOwn) globalThis.performance.now = saved.performanceNow;
  else delete (globalThis.performance as { now?: () => number }).now;
  globalThis.setTimeout = saved.setTimeout;
  globalThis.setInterval = saved.setInterval;
  globalThis.setImmediate = saved.setImmediate;
  globalThis.queueMicrotask = saved.queueMicrotask;
  unshadow();
  saved = undefined;
}

/** Throws when a handler returned a promise (an `async` handler): reactions are synchronous. */
export function rejectPromise(result: unknown, handler: string): void {
  if (result !== undefined && result !== null && typeof (result as { then?: unknown }).then === 'function') {
    throw new DeterminismError(
      `${handler} returned a promise (an async handler)`,
      'Reactions are synchronous: remove async/await and react to the next message or timer instead.',
    );
  }
}
