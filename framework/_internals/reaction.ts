// One reaction, for every driver. A node's reaction to a stimulus (start, message, timer,
// input) runs here and nowhere else: the simulator, the model checker, replay and the
// viewer all call `react`, get the reaction's effects as data in the order the handler
// made them, and apply them their own way. Validation and error texts live here once.
import type { DurableStorage } from '../DurableStorage.ts';
import type { Node, NodeClass } from '../Node.ts';
import { nodeName, type Delay, type NodeId, type Protocol, type Role, type Tagged } from '../types.ts';
import { rejectPromise } from './guards.ts';
import { cloneFields, copyPlain, deepFreeze, findNonPlain, isPlainFields, lastCopiedBytes, PlainDataError, toJsonValue } from './plainData.ts';
import type { RandomState } from './random.ts';
import { realmScriptNames } from '../_realm/names.ts';

/** One thing a reaction did, recorded in order. */
export type Effect =
  | {
      readonly kind: 'send';
      readonly to: NodeId;
      readonly message: Tagged;
      readonly bytes: number;
      /** Where the message is kept as the realm that sent it wrote it (see keptEncodings in ./realm.ts); absent or -1 when it is not. */
      readonly encoded?: number;
    }
  | { readonly kind: 'set-timer'; readonly timer: Tagged; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'cancel-timer'; readonly timer: Tagged }
  | { readonly kind: 'storage-set'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'storage-delete'; readonly key: string }
  | { readonly kind: 'output'; readonly output: Tagged }
  | { readonly kind: 'log'; readonly text: string };

export type EffectKind = Effect['kind'];

/** What a node reacts to. `start` builds a fresh node object (a start or a restart). */
export type Stimulus =
  | { readonly kind: 'start' }
  | { readonly kind: 'message'; readonly from: NodeId; readonly message: Tagged }
  | { readonly kind: 'timer'; readonly timer: Tagged }
  | { readonly kind: 'input'; readonly input: Tagged };

/**
 * Effects that can outlive a crash in the middle of a reaction: a message that left, a
 * write that reached the disk, an output that was seen. Timer changes and log lines die
 * with the node, so they do not count towards a crash's `afterEffects`.
 */
export function survivesCrash(effect: Effect): boolean {
  return effect.kind === 'send' || effect.kind === 'storage-set' || effect.kind === 'storage-delete' || effect.kind === 'output';
}

/**
 * How many of `effects` are applied when the node crashes after `afterEffects` effects that
 * survive a crash: the effects up to and including the last of those.
 */
export function effectsBeforeCrash(effects: readonly Effect[], afterEffects: number): number {
  if (afterEffects <= 0) {
    let index = 0;
    while (index < effects.length && !survivesCrash(effects[index] as Effect)) index++;
    return index;
  }
  let counted = 0;
  for (let index = 0; index < effects.length; index++) {
    if (survivesCrash(effects[index] as Effect) && ++counted === afterEffects) return index + 1;
  }
  return effects.length;
}

/** The number of effects of a reaction that survive a crash. */
export function countSurvivingEffects(effects: readonly Effect[]): number {
  let count = 0;
  for (const effect of effects) if (survivesCrash(effect)) count++;
  return count;
}

/**
 * One node's place in a cluster, built once per run: its id, its class, and its own frozen
 * copies of the cluster lists and the config, so that nothing a node is handed is shared
 * with another node or with the checks.
 */
export class NodeEnvironment<P extends Protocol = Protocol> {
  readonly name: string;
  readonly servers: readonly NodeId[];
  readonly peers: readonly NodeId[];
  readonly config: object;

  constructor(
    readonly nodeId: NodeId,
    readonly role: Role,
    readonly nodeClass: NodeClass<P>,
    servers: readonly NodeId[],
    config: object,
    readonly nodeCount: number,
  ) {
    this.name = nodeName(nodeId);
    // A frozen list is shared as it is: one copy per cluster, not one per node.
    this.servers = Object.isFrozen(servers) ? servers : Object.freeze([...servers]);
    // Two copies of runs of the list rather than a callback per server: a thousand-node
    // cluster builds a million entries here.
    const own = servers.indexOf(nodeId);
    this.peers = Object.freeze(own < 0 ? servers.slice() : servers.slice(0, own).concat(servers.slice(own + 1)));
    this.config = deepFreeze(copyPlain(config, 'config'));
  }
}

/** Why a reaction failed: the handler, what it threw, and where. */
export interface ReactionFailure {
  readonly handler: string;
  /** `n1 threw in onMessage(Ping): TypeError: ...` */
  readonly message: string;
  /** A plain-data problem rather than an exception of the node's own. */
  readonly plainData: boolean;
  /** The first lines of the stack, when there is one. */
  readonly where: string;
}

export interface Reaction<P extends Protocol = Protocol> {
  /** The node object after the reaction: `instance` itself, or a new one after `start`. */
  readonly instance: Node<P> | undefined;
  readonly effects: Effect[];
  readonly failure?: ReactionFailure;
}

/** Thrown by `this.now()` under a driver without a clock: the model checker, and the runs of a lab it judges. */
export class NoClockError extends Error {
  constructor() {
    super(
      'this.now() has no meaning here: the model checker has no clock, and fires timers in any order their ranges allow; ' +
        "a lab with search tests gives no clock in its runs either, so that its nodes behave the same in both. " +
        'Time things with timers, and keep safety logic free of the time; a lab whose nodes may read the clock says so in its handout.',
    );
    this.name = 'NoClockError';
  }
}

/** Where a node's `this.random()` draws come from: its random source, or one made on demand. */
export interface RandomDraws {
  next(): number;
  /** The generator's state now: a reaction in another realm draws on from it. */
  current(): RandomState;
  /** Goes on from `state`: where a reaction in another realm left the draws. */
  continueFrom(state: RandomState): void;
}

/** Marks a deleted key in a reaction's view of storage. */
const deleted: unique symbol = Symbol('deleted');

/** What a reaction's recorder needs to know of its node. */
type NodeFacts = Pick<NodeEnvironment, 'name' | 'nodeId' | 'servers' | 'peers' | 'config' | 'nodeCount'>;

/**
 * A reaction's view of durable storage: reads see the stored values and this reaction's own
 * writes; writes are recorded as effects. A class rather than an object of closures, because
 * one is built per reaction, and the hot paths must not pay for four closures each time.
 */
export class ReactionStorage implements DurableStorage<object> {
  // Private in the JavaScript sense: a node holds this object as `this.storage`, and must
  // not reach the driver's own map of stored values or the reaction's list of effects.
  #written: Map<string, unknown> | undefined = undefined;
  readonly #name: string;
  readonly #base: ReadonlyMap<string, unknown>;
  readonly #recorder: ReactionRecorder;

  constructor(name: string, base: ReadonlyMap<string, unknown>, recorder: ReactionRecorder) {
    this.#name = name;
    this.#base = base;
    this.#recorder = recorder;
  }

  get(key: string): never {
    const value = this.#written?.has(key) ? this.#written.get(key) : this.#base.get(key);
    return (value === undefined || value === deleted ? undefined : copyPlain(value)) as never;
  }

  set(key: string, value: unknown): void {
    if (typeof key !== 'string') throw new Error(`storage.set: the key must be a string, not ${typeof key}`);
    const copy = deepFreeze(copyPlain(value, `${this.#name} storage ${key}`));
    (this.#written ??= new Map()).set(key, copy);
    this.#recorder.add({ kind: 'storage-set', key, value: copy });
  }

  delete(key: string): void {
    (this.#written ??= new Map()).set(key, deleted);
    this.#recorder.add({ kind: 'storage-delete', key });
  }

  keys(): never[] {
    const keys = new Set(this.#base.keys());
    for (const [key, value] of this.#written ?? []) {
      if (value === deleted) keys.delete(key);
      else keys.add(key);
    }
    return [...keys].sort() as never[];
  }
}

/** What a node acts through during one reaction: it records effects, nothing else. */
export class ReactionRecorder {
  /**
   * The effects of the current reaction. One list for every reaction, written over from the
   * start, and cut to `count` when the reaction ends (see `end`): a new list per reaction
   * costs an allocation and its growth, and emptying it first would give up its storage.
   */
  readonly effects: Effect[] = [];
  private count = 0;
  private storageView: ReactionStorage | undefined = undefined;
  private baseStorage: ReadonlyMap<string, unknown> = new Map();
  private randomSource: RandomDraws | undefined = undefined;
  private clockMs: number | undefined = undefined;

  constructor(readonly environment: NodeFacts) {}

  /** Starts a reaction: its effects so far are none, its storage is `baseStorage`. */
  begin(baseStorage: ReadonlyMap<string, unknown>, randomSource: RandomDraws, clockMs: number | undefined): void {
    this.count = 0;
    this.storageView = undefined;
    this.baseStorage = baseStorage;
    this.randomSource = randomSource;
    this.clockMs = clockMs;
  }

  /** Ends a reaction (also one that threw): `effects` is then exactly its effects. */
  end(): void {
    if (this.effects.length !== this.count) this.effects.length = this.count;
  }

  /** Records one effect of the current reaction. */
  add(effect: Effect): void {
    this.effects[this.count++] = effect;
  }

  /** Built on first use: most reactions never touch storage. */
  get storage(): DurableStorage<object> {
    return (this.storageView ??= new ReactionStorage(this.environment.name, this.baseStorage, this));
  }

  get nodeId(): NodeId {
    return this.environment.nodeId;
  }

  get servers(): readonly NodeId[] {
    return this.environment.servers;
  }

  get peers(): readonly NodeId[] {
    return this.environment.peers;
  }

  get config(): object {
    return this.environment.config;
  }

  send(to: NodeId, message: Tagged): void {
    const count = this.environment.nodeCount;
    // The errors are built elsewhere: this runs for every message, inlined into the node's code.
    if (!(Number.isInteger(to) && to >= 0 && to < count)) throw noSuchNode(to, count);
    this.recordSend(to, message);
  }

  /** Records a send to a node that exists: a copy of `message`, as it is now, and its size. */
  protected recordSend(to: NodeId, message: Tagged): void {
    const copy = copyPlain(message, 'message');
    const bytes = lastCopiedBytes();
    if (typeof copy !== 'object' || copy === null || typeof copy.type !== 'string') throw untypedMessage();
    this.add({ kind: 'send', to, message: copy, bytes, encoded: -1 });
  }

  broadcast(message: Tagged): void {
    for (const peer of this.environment.peers) this.send(peer, message);
  }

  setTimer(timer: Tagged, delay: Delay): void {
    const copy = copyPlain(timer, 'timer');
    if (typeof copy !== 'object' || copy === null || typeof copy.type !== 'string') {
      throw new Error('a timer must be an object with a string `type` field');
    }
    let minMs: number;
    let maxMs: number;
    if (typeof delay === 'number') {
      if (!(delay >= 1) || !Number.isFinite(delay)) {
        throw new Error(`setTimer(${copy.type}): the delay must be a finite number of simulated ms, at least 1, not ${String(delay)}`);
      }
      minMs = delay;
      maxMs = delay;
    } else if (Array.isArray(delay) && delay.length === 2) {
      const [low, high] = delay as readonly [number, number];
      minMs = Math.ceil(low);
      maxMs = Math.floor(high);
      if (!(low >= 1) || !Number.isFinite(high) || !(maxMs >= minMs)) {
        throw new Error(
          `setTimer(${copy.type}): the range [${String(low)}, ${String(high)}] needs finite bounds with 1 <= min <= max and a whole number of ms in between`,
        );
      }
    } else {
      throw new Error(`setTimer(${copy.type}): the delay must be a number of ms or a range [minMs, maxMs]`);
    }
    this.add({ kind: 'set-timer', timer: copy, minMs, maxMs });
  }

  cancelTimer(timer: Tagged): void {
    const copy = copyPlain(timer, 'timer');
    if (typeof copy !== 'object' || copy === null || typeof copy.type !== 'string') {
      throw new Error('cancelTimer: a timer is an object with a string `type` field');
    }
    this.add({ kind: 'cancel-timer', timer: copy });
  }

  now(): number {
    if (this.clockMs === undefined) throw new NoClockError();
    return this.clockMs;
  }

  random(): number {
    return (this.randomSource as RandomDraws).next();
  }

  log(text: string): void {
    this.add({ kind: 'log', text });
  }

  output(value: Tagged): void {
    const copy = copyPlain(value, 'output');
    if (typeof copy !== 'object' || copy === null || typeof copy.type !== 'string') {
      throw new Error('an output must be an object with a string `type` field');
    }
    this.add({ kind: 'output', output: copy });
  }
}

function noSuchNode(to: NodeId, count: number): Error {
  return new Error(`send to ${String(to)}: there is no such node (ids are 0..${count - 1})`);
}

export function untypedMessage(): Error {
  return new Error('a message must be an object with a string `type` field');
}

let activeRecorder: ReactionRecorder | undefined;
let activeNode: object | undefined;

/** The recorder serving `node` now; throws the one error text for calls outside a reaction. */
export function hostFor(node: object, action: string): ReactionRecorder {
  // The one test of the common case, in a function small enough that the optimising compiler
  // always inlines it: every call a node makes comes through here.
  // A node is reacting only while its recorder is active, so `activeRecorder` is set here.
  if (activeNode === node && node !== undefined) return activeRecorder as ReactionRecorder;
  return hostOutsideReaction(node, action);
}

/** {@link hostFor} when `node` is not the node reacting now: a constructor's, or an error. */
function hostOutsideReaction(node: object, action: string): ReactionRecorder {
  if (activeRecorder === undefined) {
    throw new Error(
      `${action} was called outside a reaction. A node acts only while it handles start, a message, ` +
        'a timer or an input; do the work inside onStart/onMessage/onTimer/onInput.',
    );
  }
  if (activeNode !== undefined && activeNode !== node) {
    throw new Error(`${action} was called on another node's object. A node can only act for itself.`);
  }
  return activeRecorder;
}

/** Clears the active reaction (a driver's last resort after an unexpected error). */
export function leaveReaction(): void {
  activeRecorder = undefined;
  activeNode = undefined;
}

function handlerName(kind: 'message' | 'timer' | 'input', payload: Tagged): string {
  const handler = kind === 'message' ? 'onMessage' : kind === 'timer' ? 'onTimer' : 'onInput';
  return `${handler}(${labelOf(payload)})`;
}

function labelOf(value: Tagged): string {
  return typeof value?.type === 'string' ? value.type : '?';
}

/** An error as a message names it; anything else thrown as text. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `threw ${String(error)}`;
}

/** A frame of the node runtime's own code, in this realm (its files) or in a submission's (its script). */
const runtimeFrame = new RegExp(`framework[\\\\/](_internals|Node\\.ts)|${realmScriptNames.host.replace(/\./g, '\\.')}`);

/**
 * The first frames of a stack from the node's own code on: an error the runtime throws for
 * the node (a message that is not plain data, from inside its `send`) starts with frames of
 * the runtime, which say nothing of where the node's code called it.
 */
function framesFromNodeCode(stack: string): string {
  const frames = stack.split('\n').slice(1, 31);
  const first = frames.findIndex((frame) => !runtimeFrame.test(frame));
  return (first < 0 ? frames : frames.slice(first)).slice(0, 5).join('\n');
}

function failureOf<P extends Protocol>(environment: NodeEnvironment<P>, handler: string, error: unknown): ReactionFailure {
  const plainData = error instanceof PlainDataError;
  const stack = error instanceof Error ? error.stack : undefined;
  const where = stack ? framesFromNodeCode(stack) : '';
  return {
    handler,
    message: `${environment.name} threw in ${handler}: ${describeError(error)}`,
    plainData,
    where,
  };
}

/**
 * Runs a node's reactions, one at a time, reusing one recorder: what the drivers use on
 * their hot paths. After a reaction, `effects` (valid until the next one), `instance` and
 * `failure` describe it. Never throws for the node's faults: they come back as `failure`,
 * with the effects recorded up to then.
 */
/**
 * What a driver reacts through, for one node: {@link Reactor} for a node class of this realm,
 * or a reactor whose node runs in a submission's realm and answers with its effects as text.
 * `instance` is the node's state after the last reaction, opaque to the driver: it keeps it,
 * hands it back to `handle`, and asks the reactor to copy or check it.
 */
export interface NodeReactor<P extends Protocol = Protocol> {
  readonly environment: NodeEnvironment<P>;
  /** True when the node always gets its own copy of a payload (as text): drivers need not copy it. */
  readonly copiesPayloads: boolean;
  readonly effects: readonly Effect[];
  readonly failure: ReactionFailure | undefined;
  readonly instance: object | undefined;
  start(storage: ReadonlyMap<string, unknown>, random: RandomDraws, clockMs: number | undefined): boolean;
  handle(
    instance: object,
    kind: 'message' | 'timer' | 'input',
    from: NodeId,
    payload: Tagged,
    storage: ReadonlyMap<string, unknown>,
    random: RandomDraws,
    clockMs: number | undefined,
    /** For a message as it was sent: where its sender's realm's encoding of it is kept, or -1. */
    encoded?: number,
  ): boolean;
  /** A copy of `instance` that a reaction may change while `instance` stays as it was. */
  copy(instance: object): object;
  /** The first field of `instance` that is not plain data, if any. */
  checkState(instance: object): PlainDataError | undefined;
  /** The fields of `instance` as JSON (for full traces), or undefined when they cannot be read as plain data. */
  snapshot(instance: object): unknown;
}

export class Reactor<P extends Protocol> implements NodeReactor<P> {
  readonly copiesPayloads = false;
  private readonly recorder: ReactionRecorder;
  /** The node object after the last reaction: the one reacted on, or a new one after a start. */
  instance: Node<P> | undefined = undefined;
  failure: ReactionFailure | undefined = undefined;

  constructor(
    readonly environment: NodeEnvironment<P>,
    /** What the node acts through: by default a recorder of effects as objects. */
    recorder?: ReactionRecorder,
  ) {
    this.recorder = recorder ?? new ReactionRecorder(environment);
  }

  /** The effects of the last reaction, in the order the handler made them. */
  get effects(): readonly Effect[] {
    return this.recorder.effects;
  }

  /** Builds a fresh node object and runs its `onStart` (a start or a restart). */
  start(storage: ReadonlyMap<string, unknown>, random: RandomDraws, clockMs: number | undefined): boolean {
    const recorder = this.recorder;
    recorder.begin(storage, random, clockMs);
    this.failure = undefined;
    this.instance = undefined;
    activeRecorder = recorder;
    activeNode = undefined;
    try {
      const node = new this.environment.nodeClass();
      this.instance = node;
      activeNode = node;
      rejectPromise(node.onStart(), 'onStart()');
    } catch (error) {
      this.failure = failureOf(this.environment, this.instance === undefined ? `the constructor of ${this.environment.nodeClass.name}` : 'onStart()', error);
    } finally {
      recorder.end();
      activeRecorder = undefined;
      activeNode = undefined;
    }
    return this.failure === undefined;
  }

  /** Runs `onMessage`, `onTimer` or `onInput` of `instance`. */
  handle(
    instance: object,
    kind: 'message' | 'timer' | 'input',
    from: NodeId,
    payload: Tagged,
    storage: ReadonlyMap<string, unknown>,
    random: RandomDraws,
    clockMs: number | undefined,
  ): boolean {
    const recorder = this.recorder;
    recorder.begin(storage, random, clockMs);
    this.failure = undefined;
    const node = instance as Node<P>;
    this.instance = node;
    activeRecorder = recorder;
    activeNode = node;
    try {
      let result: unknown;
      if (kind === 'message') result = node.onMessage(from, payload as P['message']);
      else if (kind === 'timer') result = node.onTimer(payload as P['timer']);
      else result = node.onInput(payload as P['input']);
      if (result !== undefined) rejectPromise(result, handlerName(kind, payload));
    } catch (error) {
      // Named here rather than up front: building the name costs a string on every reaction.
      this.failure = failureOf(this.environment, handlerName(kind, payload), error);
    } finally {
      recorder.end();
      activeRecorder = undefined;
      activeNode = undefined;
    }
    return this.failure === undefined;
  }

  copy(instance: object): object {
    return cloneFields(instance);
  }

  checkState(instance: object): PlainDataError | undefined {
    return checkFields(this.environment, instance);
  }

  snapshot(instance: object): unknown {
    return snapshotFields(instance);
  }
}

/** A node object's own fields as JSON, or undefined when one of them is not plain data. */
export function snapshotFields(instance: object): unknown {
  const fields = instance as Record<string, unknown>;
  if (!isPlainFields(fields)) return undefined;
  return toJsonValue(fields);
}

/**
 * Runs one reaction, the way every driver does, and returns it with its own copy of the
 * effects. `instance` is the node object to react on (ignored for `start`, which builds a
 * new one); the caller decides whether that is the live object (the simulator) or a copy
 * (the model checker). Storage reads see `storage` with this reaction's own writes;
 * `clockMs` is undefined under a driver without a clock.
 */
export function react<P extends Protocol>(
  environment: NodeEnvironment<P>,
  instance: Node<P> | undefined,
  stimulus: Stimulus,
  storage: ReadonlyMap<string, unknown>,
  random: RandomDraws,
  clockMs: number | undefined,
): Reaction<P> {
  const reactor = new Reactor(environment);
  if (stimulus.kind === 'start') reactor.start(storage, random, clockMs);
  else {
    const payload = stimulus.kind === 'message' ? stimulus.message : stimulus.kind === 'timer' ? stimulus.timer : stimulus.input;
    reactor.handle(instance as Node<P>, stimulus.kind, stimulus.kind === 'message' ? stimulus.from : -1, payload, storage, random, clockMs);
  }
  const effects = [...reactor.effects];
  return reactor.failure === undefined ? { instance: reactor.instance, effects } : { instance: reactor.instance, effects, failure: reactor.failure };
}

/**
 * Checks that a node's fields are plain data; returns the problem naming the field
 * (`n2.log[3].callback is a function`) or undefined.
 */
export function checkFields<P extends Protocol>(environment: NodeEnvironment<P>, instance: object): PlainDataError | undefined {
  const fields = instance as Record<string, unknown>;
  if (isPlainFields(fields)) return undefined;
  return findNonPlain({ ...fields }, `${environment.name} (${environment.nodeClass.name})`);
}
