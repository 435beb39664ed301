import type { DurableStorage } from './DurableStorage.ts';
import type { Node, NodeClass } from './Node.ts';
import type { NodeSpec } from './simulation.ts';
import { TraceRecorder, traceKindCode, type TraceEvent } from './trace.ts';
import { nodeName, type Delay, type NodeId, type Protocol, type Tagged } from './types.ts';
import { installGuards, rejectPromise, releaseGuards } from './_internals/guards.ts';
import { cloneFields, copyPlain, equalPlain, findNonPlain, hashPair, hashPlain, isPlain, lastSecondLane } from './_internals/plainData.ts';
import { RandomSource, type RandomState } from './_internals/random.ts';
import { enterReaction, exitReaction, type NodeHost } from './_internals/reaction.ts';

// The model checker. A state is every node's fields, durable storage, random source,
// pending timers, outputs and liveness, plus the messages in flight. States are immutable
// and share what did not change: an event copies only the node it reaches, and each node
// and message caches its own hash, so a successor costs one node's copy and hash.

/** Wall time, read before any run installs the determinism guards. */
const wallClockMs = performance.now.bind(performance);

/** Thrown by `this.now()` under search: there is no clock, timers fire in any order their ranges allow. */
export class NoClockError extends Error {
  constructor() {
    super(
      'this.now() has no meaning under search: the model checker has no clock, and fires timers in any order their ranges allow. ' +
        'Safety logic must not depend on the time; a lab whose nodes read the clock says so and is not model-checked.',
    );
    this.name = 'NoClockError';
  }
}

/** A timer waiting to fire, with the range of delays it was set with. */
interface PendingTimer {
  readonly timer: Tagged;
  readonly minMs: number;
  readonly maxMs: number;
}

/** A message in flight. */
class Envelope {
  constructor(
    readonly from: NodeId,
    readonly to: NodeId,
    readonly message: Tagged,
    readonly hash1: number,
    readonly hash2: number,
  ) {}

  static of(from: NodeId, to: NodeId, message: Tagged): Envelope {
    const hash1 = hashPair(message, mix(0x1b873593, from * 131 + to), mix(0x85ebca6b, to * 131 + from));
    return new Envelope(from, to, message, hash1, lastSecondLane());
  }

  same(other: Envelope): boolean {
    return (
      this.hash1 === other.hash1 && this.hash2 === other.hash2 && this.from === other.from && this.to === other.to && equalPlain(this.message, other.message)
    );
  }
}

function mix(hash: number, word: number): number {
  hash = Math.imul(hash ^ word, 0x5bd1e995);
  return (hash ^ (hash >>> 15)) >>> 0;
}

/**
 * A set of 64-bit fingerprints (two 32-bit lanes) in an open-addressing table of typed
 * arrays: no boxed numbers, no per-entry objects, a fraction of a Set's memory.
 */
class FingerprintSet {
  private lanes1 = new Int32Array(1 << 16);
  private lanes2 = new Int32Array(1 << 16);
  private used = new Uint8Array(1 << 16);
  size = 0;

  /** Adds the fingerprint; false when it was already there. */
  add(lane1: number, lane2: number): boolean {
    if (this.size * 2 >= this.used.length) this.grow();
    const mask = this.used.length - 1;
    let slot = (lane1 ^ Math.imul(lane2, 0x9e3779b1)) & mask;
    while (this.used[slot] === 1) {
      if (this.lanes1[slot] === (lane1 | 0) && this.lanes2[slot] === (lane2 | 0)) return false;
      slot = (slot + 1) & mask;
    }
    this.used[slot] = 1;
    this.lanes1[slot] = lane1;
    this.lanes2[slot] = lane2;
    this.size++;
    return true;
  }

  private grow(): void {
    const { lanes1, lanes2, used } = this;
    this.lanes1 = new Int32Array(used.length * 2);
    this.lanes2 = new Int32Array(used.length * 2);
    this.used = new Uint8Array(used.length * 2);
    this.size = 0;
    for (let slot = 0; slot < used.length; slot++) if (used[slot] === 1) this.add(lanes1[slot] as number, lanes2[slot] as number);
  }
}

/** One node's part of a state. Never changed once built. */
class NodeState {
  readonly hash1: number;
  readonly hash2: number;

  constructor(
    /** The node object (its fields are its volatile state), or null while crashed. */
    readonly instance: object | null,
    readonly storage: ReadonlyMap<string, unknown>,
    readonly random: RandomState,
    readonly incarnation: number,
    readonly timers: readonly PendingTimer[],
    readonly outputs: readonly Tagged[],
  ) {
    let hash1 = hashPair(instance, 0x3c6ef372, 0xa54ff53a);
    let hash2 = lastSecondLane();
    if (storage.size > 0) {
      hash1 = hashPair(storage, hash1, hash2);
      hash2 = lastSecondLane();
    }
    if (timers.length > 0) {
      let sum1 = 0;
      let sum2 = 0;
      for (const pending of timers) {
        sum1 = (sum1 + hashPlain(pending.timer, mix(pending.minMs, pending.maxMs))) >>> 0;
        sum2 = (sum2 + hashPlain(pending.timer, mix(pending.maxMs, pending.minMs + 7))) >>> 0;
      }
      hash1 = mix(hash1, sum1);
      hash2 = mix(hash2, sum2);
    }
    if (outputs.length > 0) {
      hash1 = hashPair(outputs, hash1, hash2);
      hash2 = lastSecondLane();
    }
    this.hash1 = mix(mix(hash1, random.c * 0x2545f491), incarnation);
    this.hash2 = mix(mix(hash2, (random.s0 * 4294967296) | 0), incarnation + 1);
  }

  get crashed(): boolean {
    return this.instance === null;
  }
}

/** A choice the checker can make in a state. */
export type SearchEvent =
  | { readonly kind: 'deliver'; readonly from: NodeId; readonly to: NodeId; readonly message: Tagged }
  | { readonly kind: 'drop'; readonly from: NodeId; readonly to: NodeId; readonly message: Tagged }
  | { readonly kind: 'timer'; readonly node: NodeId; readonly timer: Tagged }
  | { readonly kind: 'crash'; readonly node: NodeId }
  | { readonly kind: 'restart'; readonly node: NodeId };

/**
 * How a state was reached: the event, and the trail of the state before it. States keep
 * only this small chain, not their parent states, so explored states can be freed.
 */
interface Trail {
  readonly event: SearchEvent;
  readonly previous: Trail | undefined;
}

/** A global state of the search. */
export class SearchState {
  /** Cached fingerprint lanes (lane1 undefined until computed). */
  private lane1: number | undefined;
  private lane2 = 0;

  constructor(
    readonly nodes: readonly NodeState[],
    /** Messages in flight: a multiset, or a set when duplication is on. */
    readonly network: readonly Envelope[],
    readonly depth: number,
    readonly crashes: number,
    private readonly trail: Trail | undefined,
  ) {}

  /** The event that led here (undefined for the initial state). */
  get event(): SearchEvent | undefined {
    return this.trail?.event;
  }

  /** The trail of a successor reached by `event`. */
  extendedBy(event: SearchEvent): Trail {
    return { event, previous: this.trail };
  }

  /** A 53-bit fingerprint: equal states (as data) have equal fingerprints. */
  fingerprint(): number {
    this.computeLanes();
    return ((this.lane1 as number) & 0x1fffff) * 4294967296 + (this.lane2 >>> 0);
  }

  /** Adds this state to `visited`; false when an equal state was there already. */
  addTo(visited: FingerprintSet): boolean {
    this.computeLanes();
    return visited.add(this.lane1 as number, this.lane2);
  }

  private computeLanes(): void {
    if (this.lane1 !== undefined) return;
    let lane1 = 0x811c9dc5;
    let lane2 = 0x01000193;
    for (const node of this.nodes) {
      lane1 = mix(lane1, node.hash1);
      lane2 = mix(lane2, node.hash2);
    }
    let sum1 = 0;
    let sum2 = 0;
    for (const envelope of this.network) {
      sum1 = (sum1 + envelope.hash1) >>> 0;
      sum2 = (sum2 + envelope.hash2) >>> 0;
    }
    this.lane1 = mix(mix(lane1, sum1), this.network.length);
    this.lane2 = mix(mix(lane2, sum2), this.crashes);
  }

  /** The events from the initial state (or the chained start) to this one. */
  path(): SearchEvent[] {
    const events: SearchEvent[] = [];
    for (let trail = this.trail; trail !== undefined; trail = trail.previous) events.push(trail.event);
    return events.reverse();
  }
}

/** What invariants and goals see of a state. */
export interface SearchView<P extends Protocol> {
  readonly depth: number;
  readonly nodeIds: readonly NodeId[];
  isCrashed(node: NodeId): boolean;
  /** The node object, for the lab's read-only accessors; undefined while crashed. */
  node(node: NodeId): Node<P> | undefined;
  storage(node: NodeId): ReadonlyMap<string, unknown>;
  /** Everything the node reported with `this.output(...)`, in order. */
  outputs(node: NodeId): readonly P['output'][];
  /** Messages in flight. */
  readonly inFlight: readonly { readonly from: NodeId; readonly to: NodeId; readonly message: P['message'] }[];
}

export interface StateInvariant<P extends Protocol> {
  readonly name: string;
  /** A message saying what is wrong, or undefined. */
  check(state: SearchView<P>): string | undefined;
}

export interface TransitionInvariant<P extends Protocol> {
  readonly name: string;
  check(before: SearchView<P>, event: SearchEvent, after: SearchView<P>): string | undefined;
}

export interface SearchGoal<P extends Protocol> {
  readonly name: string;
  reached(state: SearchView<P>): boolean;
}

export interface SearchSettings<P extends Protocol> {
  readonly nodes: readonly NodeSpec<P>[];
  readonly config: P['config'];
  /** Inputs given right after every node started, in this order: part of the initial state. */
  readonly inputs?: readonly { readonly node: NodeId; readonly input: P['input'] }[];
  readonly seed?: string | number;
  /** May the network lose a message? */
  readonly drops?: boolean;
  /** May the network deliver a message again? The network is then a set. */
  readonly duplicates?: boolean;
  /** FIFO channels: only the oldest message from a sender to a receiver may be delivered. */
  readonly fifo?: boolean;
  /** Fire timers (in the order their ranges allow within a node); false pins the space to messages. */
  readonly timers?: boolean;
  /** Nodes that may crash, at most `max` crashes in all; `restart` lets them come back. */
  readonly crashes?: { readonly nodes: readonly NodeId[]; readonly max: number; readonly restart: boolean };
  /** Groups that cannot reach each other for the whole search. */
  readonly partition?: readonly (readonly NodeId[])[];
  readonly invariants?: readonly StateInvariant<P>[];
  readonly transitionInvariants?: readonly TransitionInvariant<P>[];
  readonly goals?: readonly SearchGoal<P>[];
  /** States not worth exploring further. */
  readonly prune?: (state: SearchView<P>) => boolean;
  readonly maxDepth?: number;
  /** After the first goal is found at depth d, explore only to d + this. */
  readonly depthAfterGoal?: number;
  readonly maxStates?: number;
  /** Stop when a goal is found (goal tests) rather than explore on (invariant tests). */
  readonly stopAtGoal?: boolean;
  /** A last resort: stop after this much wall time. */
  readonly maxWallMs?: number;
  /** Start from a state found by an earlier search (chained phases). */
  readonly start?: SearchState;
}

export interface SearchStatistics {
  /** Unique states found. */
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly wallMs: number;
  readonly statesPerSec: number;
}

export type SearchOutcome =
  | { readonly kind: 'violation'; readonly invariant: string; readonly message: string; readonly path: readonly SearchEvent[] }
  | { readonly kind: 'exception'; readonly node: NodeId; readonly message: string; readonly path: readonly SearchEvent[] }
  | { readonly kind: 'goal-found'; readonly goal: string; readonly path: readonly SearchEvent[]; readonly state: SearchState }
  | { readonly kind: 'exhausted' }
  | { readonly kind: 'limit'; readonly limit: 'states' | 'depth' | 'wall time' };

export interface SearchResult {
  readonly outcome: SearchOutcome;
  readonly statistics: SearchStatistics;
  /** Goals reached (in any outcome), with the depth at which each was first found. */
  readonly goalsReached: ReadonlyMap<string, number>;
}

class HandlerFailure extends Error {
  constructor(
    readonly node: NodeId,
    message: string,
  ) {
    super(message);
  }
}

/** The host a node acts through under search: its effects go into the next state. */
class SearchHost implements NodeHost {
  readonly peers: readonly NodeId[];
  readonly storage: DurableStorage<object>;
  // Per reaction:
  sends: Envelope[] = [];
  timers: PendingTimer[] = [];
  timersChanged = false;
  outputs: Tagged[] | undefined;
  storageCopy: Map<string, unknown> | undefined;
  baseStorage: ReadonlyMap<string, unknown> = new Map();
  randomSource: RandomSource | undefined;
  randomState: RandomState | undefined;
  trace: ((kind: number, label: string, detail: unknown, peer: NodeId) => void) | undefined;

  constructor(
    private readonly checker: Checker<Protocol>,
    readonly nodeId: NodeId,
    readonly servers: readonly NodeId[],
    readonly config: object,
  ) {
    this.peers = servers.filter((id) => id !== nodeId);
    this.storage = {
      get: (key) => {
        const value = (this.storageCopy ?? this.baseStorage).get(key);
        return (value === undefined ? undefined : copyPlain(value)) as never;
      },
      set: (key, value) => {
        this.writableStorage().set(key, copyPlain(value, `${nodeName(nodeId)} storage ${key}`));
      },
      delete: (key) => {
        this.writableStorage().delete(key);
      },
      keys: () => [...(this.storageCopy ?? this.baseStorage).keys()].sort() as never[],
    };
  }

  private writableStorage(): Map<string, unknown> {
    this.storageCopy ??= new Map(this.baseStorage);
    return this.storageCopy;
  }

  begin(node: NodeState | undefined, random: RandomState): void {
    this.sends = [];
    this.timers = node === undefined ? [] : (node.timers as PendingTimer[]);
    this.timersChanged = false;
    this.outputs = undefined;
    this.storageCopy = undefined;
    this.baseStorage = node?.storage ?? new Map();
    this.randomSource = undefined;
    this.randomState = random;
  }

  send(to: NodeId, message: Tagged): void {
    if (!(Number.isInteger(to) && to >= 0 && to < this.checker.nodeCount)) {
      throw new Error(`send to ${String(to)}: there is no such node (ids are 0..${this.checker.nodeCount - 1})`);
    }
    const copy = copyPlain(message, 'message');
    if (typeof copy?.type !== 'string') throw new Error('a message must be an object with a string `type` field');
    this.trace?.(traceKindCode.send, copy.type, copy, to);
    if (this.checker.blocked(this.nodeId, to)) return;
    this.sends.push(Envelope.of(this.nodeId, to, copy));
  }

  broadcast(message: Tagged): void {
    for (const peer of this.peers) this.send(peer, message);
  }

  setTimer(timer: Tagged, delay: Delay): void {
    const copy = copyPlain(timer, 'timer');
    if (typeof copy?.type !== 'string') throw new Error('a timer must be an object with a string `type` field');
    const [minMs, maxMs] = typeof delay === 'number' ? [delay, delay] : delay;
    if (!(minMs >= 1 && maxMs >= minMs)) throw new Error(`setTimer(${copy.type}): the delay must be at least 1 ms`);
    this.timers = [...this.timers, { timer: copy, minMs, maxMs }];
    this.timersChanged = true;
    this.trace?.(traceKindCode['timer-set'], copy.type, copy, -1);
  }

  cancelTimer(timer: Tagged): void {
    const kept = this.timers.filter((pending) => !equalPlain(pending.timer, timer));
    if (kept.length !== this.timers.length) {
      this.timers = kept;
      this.timersChanged = true;
    }
    this.trace?.(traceKindCode['timer-cancel'], timer.type, timer, -1);
  }

  now(): number {
    throw new NoClockError();
  }

  random(): number {
    this.randomSource ??= new RandomSource(this.randomState as RandomState);
    return this.randomSource.next();
  }

  log(text: string): void {
    this.trace?.(traceKindCode.log, text, undefined, -1);
  }

  output(value: Tagged): void {
    const copy = copyPlain(value, 'output');
    if (typeof copy?.type !== 'string') throw new Error('an output must be an object with a string `type` field');
    (this.outputs ??= []).push(copy);
    this.trace?.(traceKindCode.output, copy.type, copy, -1);
  }
}

/** Builds states and their successors for one search. */
class Checker<P extends Protocol> {
  readonly nodeCount: number;
  private readonly servers: NodeId[];
  private readonly hosts: SearchHost[];
  private readonly groupOf: number[] | undefined;

  constructor(readonly settings: SearchSettings<P>) {
    this.nodeCount = settings.nodes.length;
    this.servers = settings.nodes.flatMap((spec, id) => (spec.role === 'server' ? [id] : []));
    this.hosts = settings.nodes.map((_spec, id) => new SearchHost(this as unknown as Checker<Protocol>, id, this.servers, settings.config as object));
    if (settings.partition) {
      const groups = settings.partition;
      this.groupOf = settings.nodes.map((_spec, id) => {
        const index = groups.findIndex((group) => group.includes(id));
        return index < 0 ? groups.length : index;
      });
    }
  }

  blocked(from: NodeId, to: NodeId): boolean {
    return this.groupOf !== undefined && this.groupOf[from] !== this.groupOf[to];
  }

  private seed(): string {
    return String(this.settings.seed ?? 0);
  }

  /** Runs one reaction of node `id` on a copy of its object; returns its new state and sends. */
  react(
    id: NodeId,
    node: NodeState | undefined,
    what: 'start' | 'message' | 'timer' | 'input',
    argument: { from?: NodeId; payload?: Tagged },
    incarnation: number,
    random: RandomState,
    trace?: SearchHost['trace'],
  ): { node: NodeState; sends: Envelope[] } {
    const spec = this.settings.nodes[id] as NodeSpec<P>;
    const host = this.hosts[id] as SearchHost;
    host.begin(node, random);
    host.trace = trace;
    let instance: Node<P>;
    enterReaction(host, undefined);
    try {
      if (what === 'start') {
        instance = new (spec.node as NodeClass<P>)();
      } else {
        instance = cloneFields(node?.instance as Node<P>);
      }
      enterReaction(host, instance);
      let result: unknown;
      if (what === 'start') result = instance.onStart();
      else if (what === 'message') result = instance.onMessage(argument.from as NodeId, argument.payload as P['message']);
      else if (what === 'timer') result = instance.onTimer(argument.payload as P['timer']);
      else result = instance.onInput(argument.payload as P['input']);
      if (result !== undefined) rejectPromise(result, what);
    } catch (error) {
      throw new HandlerFailure(id, `${nodeName(id)} threw in ${describeReaction(what, argument.payload)}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    } finally {
      exitReaction();
      host.trace = undefined;
    }
    if (!fieldsArePlain(instance)) {
      const problem = findNonPlain({ ...(instance as object) }, `${nodeName(id)} (${spec.node.name})`);
      if (problem !== undefined) throw new HandlerFailure(id, problem.message);
    }
    const outputs = host.outputs === undefined ? (node?.outputs ?? []) : [...(node?.outputs ?? []), ...host.outputs];
    const next = new NodeState(
      instance,
      host.storageCopy ?? node?.storage ?? new Map(),
      host.randomSource === undefined ? random : host.randomSource.state(),
      incarnation,
      host.timers,
      outputs,
    );
    return { node: next, sends: host.sends };
  }

  initial(trace?: (node: NodeId) => SearchHost['trace']): SearchState {
    const nodes: NodeState[] = [];
    let network: Envelope[] = [];
    for (let id = 0; id < this.nodeCount; id++) {
      const random = RandomSource.fork(this.seed(), `node/${nodeName(id)}/0`).state();
      const { node, sends } = this.react(id, undefined, 'start', {}, 0, random, trace?.(id));
      nodes.push(node);
      network = network.concat(sends);
    }
    for (const { node: id, input } of this.settings.inputs ?? []) {
      const current = nodes[id] as NodeState;
      const { node, sends } = this.react(id, current, 'input', { payload: copyPlain(input) }, current.incarnation, current.random, trace?.(id));
      nodes[id] = node;
      network = network.concat(sends);
    }
    return new SearchState(nodes, network, 0, 0, undefined);
  }

  /** Every event possible in `state`, without repeating equal choices. */
  events(state: SearchState): SearchEvent[] {
    const events: SearchEvent[] = [];
    const network = state.network;
    const drops = this.settings.drops === true;
    const fifo = this.settings.fifo === true;
    for (let index = 0; index < network.length; index++) {
      const envelope = network[index] as Envelope;
      let repeated = false;
      for (let earlier = 0; earlier < index; earlier++) {
        const other = network[earlier] as Envelope;
        // Under FIFO only the oldest message of each channel is at the head of its queue.
        if (other.same(envelope) || (fifo && other.from === envelope.from && other.to === envelope.to)) {
          repeated = true;
          break;
        }
      }
      if (repeated) continue;
      const target = state.nodes[envelope.to] as NodeState;
      if (!target.crashed) events.push({ kind: 'deliver', from: envelope.from, to: envelope.to, message: envelope.message });
      if (drops && envelope.from !== envelope.to) events.push({ kind: 'drop', from: envelope.from, to: envelope.to, message: envelope.message });
    }
    if (this.settings.timers !== false) {
      for (let id = 0; id < state.nodes.length; id++) {
        const node = state.nodes[id] as NodeState;
        if (node.crashed) continue;
        // Within one node, a timer may fire unless another must fire before it.
        let earliestMax = Infinity;
        for (const pending of node.timers) earliestMax = Math.min(earliestMax, pending.maxMs);
        const seen: Tagged[] = [];
        for (const pending of node.timers) {
          if (pending.minMs > earliestMax) continue;
          if (seen.some((timer) => equalPlain(timer, pending.timer))) continue;
          seen.push(pending.timer);
          events.push({ kind: 'timer', node: id, timer: pending.timer });
        }
      }
    }
    const crashes = this.settings.crashes;
    if (crashes !== undefined) {
      for (const id of crashes.nodes) {
        const node = state.nodes[id] as NodeState;
        if (!node.crashed && state.crashes < crashes.max) events.push({ kind: 'crash', node: id });
        if (node.crashed && crashes.restart) events.push({ kind: 'restart', node: id });
      }
    }
    return events;
  }

  /** The state after `event`; undefined when the event is not possible in `state`. */
  apply(state: SearchState, event: SearchEvent, trace?: (node: NodeId) => SearchHost['trace']): SearchState | undefined {
    const nodes = state.nodes.slice();
    let network = state.network as Envelope[];
    let crashes = state.crashes;
    const duplicates = this.settings.duplicates === true;
    switch (event.kind) {
      case 'deliver':
      case 'drop': {
        const index = network.findIndex(
          (envelope) => envelope.from === event.from && envelope.to === event.to && equalPlain(envelope.message, event.message),
        );
        if (index < 0) return undefined;
        const envelope = network[index] as Envelope;
        const keep = event.kind === 'deliver' && duplicates && envelope.from !== envelope.to;
        if (!keep) network = without(network, index);
        if (event.kind === 'drop') break;
        const target = nodes[event.to] as NodeState;
        if (target.crashed) return undefined;
        const { node, sends } = this.react(
          event.to,
          target,
          'message',
          { from: event.from, payload: copyPlain(envelope.message) },
          target.incarnation,
          target.random,
          trace?.(event.to),
        );
        nodes[event.to] = node;
        if (sends.length > 0) network = addAll(network, sends, duplicates);
        break;
      }
      case 'timer': {
        const target = nodes[event.node] as NodeState;
        if (target.crashed) return undefined;
        const index = target.timers.findIndex((pending) => equalPlain(pending.timer, event.timer));
        if (index < 0) return undefined;
        const remaining = [...target.timers.slice(0, index), ...target.timers.slice(index + 1)];
        const without = new NodeState(target.instance, target.storage, target.random, target.incarnation, remaining, target.outputs);
        const { node, sends } = this.react(event.node, without, 'timer', { payload: copyPlain(event.timer) }, target.incarnation, target.random, trace?.(event.node));
        nodes[event.node] = node;
        if (sends.length > 0) network = addAll(network, sends, duplicates);
        break;
      }
      case 'crash': {
        const target = nodes[event.node] as NodeState;
        if (target.crashed) return undefined;
        nodes[event.node] = new NodeState(null, target.storage, target.random, target.incarnation, [], target.outputs);
        crashes++;
        break;
      }
      case 'restart': {
        const target = nodes[event.node] as NodeState;
        if (!target.crashed) return undefined;
        const incarnation = target.incarnation + 1;
        const random = RandomSource.fork(this.seed(), `node/${nodeName(event.node)}/${incarnation}`).state();
        const blank = new NodeState(null, target.storage, random, incarnation, [], target.outputs);
        const { node, sends } = this.react(event.node, blank, 'start', {}, incarnation, random, trace?.(event.node));
        nodes[event.node] = node;
        if (sends.length > 0) network = addAll(network, sends, duplicates);
        break;
      }
    }
    return new SearchState(nodes, network, state.depth + 1, crashes, state.extendedBy(event));
  }

  view(state: SearchState): SearchView<P> {
    return new StateView<P>(state);
  }
}

/** The read-only view of a state that invariants and goals get: a class, so no closures per state. */
class StateView<P extends Protocol> implements SearchView<P> {
  constructor(private readonly state: SearchState) {}

  get depth(): number {
    return this.state.depth;
  }

  get nodeIds(): readonly NodeId[] {
    return this.state.nodes.map((_node, id) => id);
  }

  isCrashed(id: NodeId): boolean {
    return this.state.nodes[id]?.crashed ?? true;
  }

  node(id: NodeId): Node<P> | undefined {
    return (this.state.nodes[id]?.instance ?? undefined) as Node<P> | undefined;
  }

  storage(id: NodeId): ReadonlyMap<string, unknown> {
    return this.state.nodes[id]?.storage ?? emptyStorage;
  }

  outputs(id: NodeId): readonly P['output'][] {
    return (this.state.nodes[id]?.outputs ?? []) as readonly P['output'][];
  }

  get inFlight(): readonly { readonly from: NodeId; readonly to: NodeId; readonly message: P['message'] }[] {
    return this.state.network.map((envelope) => ({ from: envelope.from, to: envelope.to, message: envelope.message as P['message'] }));
  }
}

const emptyStorage: ReadonlyMap<string, unknown> = new Map();

function without<T>(items: readonly T[], index: number): T[] {
  const result = new Array<T>(items.length - 1);
  for (let from = 0, to = 0; from < items.length; from++) if (from !== index) result[to++] = items[from] as T;
  return result;
}

function addAll(network: readonly Envelope[], sends: readonly Envelope[], asSet: boolean): Envelope[] {
  if (!asSet) return network.concat(sends);
  const result = network.slice();
  for (const envelope of sends) if (!result.some((existing) => existing.same(envelope))) result.push(envelope);
  return result;
}

function fieldsArePlain(instance: object): boolean {
  const fields = instance as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!isPlain(fields[key])) return false;
  return true;
}

function describeReaction(what: string, payload: Tagged | undefined): string {
  const name = what === 'start' ? 'onStart' : what === 'message' ? 'onMessage' : what === 'timer' ? 'onTimer' : 'onInput';
  return payload === undefined ? `${name}()` : `${name}(${payload.type})`;
}

/** Describes an event as the reports print it. */
export function describeSearchEvent(event: SearchEvent): string {
  switch (event.kind) {
    case 'deliver':
      return `deliver ${event.message.type} ${nodeName(event.from)} -> ${nodeName(event.to)}`;
    case 'drop':
      return `drop ${event.message.type} ${nodeName(event.from)} -> ${nodeName(event.to)}`;
    case 'timer':
      return `fire ${event.timer.type} at ${nodeName(event.node)}`;
    case 'crash':
      return `crash ${nodeName(event.node)}`;
    case 'restart':
      return `restart ${nodeName(event.node)}`;
  }
}

function checkState<P extends Protocol>(
  checker: Checker<P>,
  before: SearchState | undefined,
  event: SearchEvent | undefined,
  after: SearchState,
  views?: { before?: SearchView<P>; after?: SearchView<P> },
): { invariant: string; message: string } | undefined {
  const settings = checker.settings;
  const view = views?.after ?? checker.view(after);
  for (const invariant of settings.invariants ?? []) {
    const message = invariant.check(view);
    if (message !== undefined) return { invariant: invariant.name, message };
  }
  const transitionInvariants = settings.transitionInvariants ?? [];
  if (before !== undefined && event !== undefined && transitionInvariants.length > 0) {
    const beforeView = views?.before ?? checker.view(before);
    for (const invariant of transitionInvariants) {
      const message = invariant.check(beforeView, event, view);
      if (message !== undefined) return { invariant: invariant.name, message };
    }
  }
  return undefined;
}

/**
 * Breadth-first search over every interleaving, with a visited set of fingerprints: a
 * violation comes with the shortest path to it. Stops at a violation, an exception, a goal
 * (with `stopAtGoal`), when the space is exhausted, or at a limit.
 */
export function explore<P extends Protocol>(settings: SearchSettings<P>): SearchResult {
  const checker = new Checker(settings);
  const startedMs = wallClockMs();
  const visited = new FingerprintSet();
  const goalsReached = new Map<string, number>();
  let transitions = 0;
  let maxDepthReached = 0;
  let depthLimit = settings.maxDepth ?? Infinity;
  const maxStates = settings.maxStates ?? Infinity;
  const maxWallMs = settings.maxWallMs ?? Infinity;
  const statistics = (): SearchStatistics => {
    const wallMs = wallClockMs() - startedMs;
    return { states: visited.size, transitions, maxDepth: maxDepthReached, wallMs, statesPerSec: wallMs > 0 ? Math.round((visited.size * 1000) / wallMs) : 0 };
  };
  const finish = (outcome: SearchOutcome): SearchResult => ({ outcome, statistics: statistics(), goalsReached });
  installGuards();
  try {
    let initial: SearchState;
    try {
      initial = settings.start ?? checker.initial();
    } catch (error) {
      if (error instanceof HandlerFailure) return finish({ kind: 'exception', node: error.node, message: error.message, path: [] });
      throw error;
    }
    initial.addTo(visited);
    const initialProblem = checkState(checker, undefined, undefined, initial);
    if (initialProblem) return finish({ kind: 'violation', ...initialProblem, path: initial.path() });
    let frontier: SearchState[] = [initial];
    let depthCut = false;
    while (frontier.length > 0) {
      const next: SearchState[] = [];
      for (const state of frontier) {
        if (state.depth >= depthLimit) {
          depthCut = true;
          continue;
        }
        const beforeView = checker.view(state);
        for (const event of checker.events(state)) {
          let successor: SearchState | undefined;
          try {
            successor = checker.apply(state, event);
          } catch (error) {
            if (error instanceof HandlerFailure) {
              return finish({ kind: 'exception', node: error.node, message: error.message, path: [...state.path(), event] });
            }
            throw error;
          }
          if (successor === undefined) continue;
          transitions++;
          if (!successor.addTo(visited)) continue;
          if (successor.depth > maxDepthReached) maxDepthReached = successor.depth;
          const view = checker.view(successor);
          const problem = checkState(checker, state, event, successor, { before: beforeView, after: view });
          if (problem) return finish({ kind: 'violation', ...problem, path: successor.path() });
          for (const goal of settings.goals ?? []) {
            if (goalsReached.has(goal.name) || !goal.reached(view)) continue;
            goalsReached.set(goal.name, successor.depth);
            if (settings.stopAtGoal) return finish({ kind: 'goal-found', goal: goal.name, path: successor.path(), state: successor });
            if (settings.depthAfterGoal !== undefined) depthLimit = Math.min(depthLimit, successor.depth + settings.depthAfterGoal);
          }
          if (settings.prune?.(view)) continue;
          next.push(successor);
          if (visited.size >= maxStates) return finish({ kind: 'limit', limit: 'states' });
        }
        if ((transitions & 1023) === 0 && wallClockMs() - startedMs > maxWallMs) return finish({ kind: 'limit', limit: 'wall time' });
      }
      frontier = next;
    }
    return finish(depthCut ? { kind: 'limit', limit: 'depth' } : { kind: 'exhausted' });
  } finally {
    releaseGuards();
  }
}

export interface ProbeSettings {
  /** Random walks to take. */
  readonly probes: number;
  /** Steps per walk at most. */
  readonly depth: number;
  readonly seed: string | number;
}

/**
 * Random depth-first probes: walks of random events from the initial state, without a
 * visited set, to find deep bugs fast. A violation's path is then shortened by removing
 * events it does not need.
 */
export function probe<P extends Protocol>(settings: SearchSettings<P>, probes: ProbeSettings): SearchResult {
  const checker = new Checker(settings);
  const startedMs = wallClockMs();
  const random = RandomSource.fork(probes.seed, 'probes');
  let transitions = 0;
  let maxDepthReached = 0;
  const seen = new Set<number>();
  const goalsReached = new Map<string, number>();
  const statistics = (): SearchStatistics => {
    const wallMs = wallClockMs() - startedMs;
    return { states: seen.size, transitions, maxDepth: maxDepthReached, wallMs, statesPerSec: wallMs > 0 ? Math.round((seen.size * 1000) / wallMs) : 0 };
  };
  installGuards();
  try {
    const initial = settings.start ?? checker.initial();
    for (let walk = 0; walk < probes.probes; walk++) {
      let state = initial;
      for (let step = 0; step < probes.depth; step++) {
        const events = checker.events(state);
        if (events.length === 0) break;
        const event = random.pick(events);
        let successor: SearchState | undefined;
        try {
          successor = checker.apply(state, event);
        } catch (error) {
          if (error instanceof HandlerFailure) {
            const path = shorten(checker, [...state.path(), event], (candidate) => failsWith(checker, candidate) === 'exception');
            return { outcome: { kind: 'exception', node: error.node, message: error.message, path }, statistics: statistics(), goalsReached };
          }
          throw error;
        }
        if (successor === undefined) break;
        transitions++;
        seen.add(successor.fingerprint());
        maxDepthReached = Math.max(maxDepthReached, successor.depth);
        const problem = checkState(checker, state, event, successor);
        if (problem) {
          const path = shorten(checker, successor.path(), (candidate) => failsWith(checker, candidate) === problem.invariant);
          const final = replayPath(checker, path);
          const message = (final && checkLast(checker, final)?.message) ?? problem.message;
          return { outcome: { kind: 'violation', invariant: problem.invariant, message, path }, statistics: statistics(), goalsReached };
        }
        const view = checker.view(successor);
        for (const goal of settings.goals ?? []) if (!goalsReached.has(goal.name) && goal.reached(view)) goalsReached.set(goal.name, successor.depth);
        state = successor;
      }
    }
    return { outcome: { kind: 'limit', limit: 'depth' }, statistics: statistics(), goalsReached };
  } finally {
    releaseGuards();
  }
}

/** The states along `path` from the initial state; undefined when an event is not possible. */
function replayPath<P extends Protocol>(checker: Checker<P>, path: readonly SearchEvent[]): SearchState[] | undefined {
  const states = [checker.settings.start ?? checker.initial()];
  for (const event of path) {
    const next = checker.apply(states[states.length - 1] as SearchState, event);
    if (next === undefined) return undefined;
    states.push(next);
  }
  return states;
}

function checkLast<P extends Protocol>(checker: Checker<P>, states: SearchState[]) {
  const initial = states[0];
  const atStart = initial === undefined ? undefined : checkState(checker, undefined, undefined, initial);
  if (atStart) return atStart;
  for (let index = 1; index < states.length; index++) {
    const problem = checkState(checker, states[index - 1], states[index]?.event, states[index] as SearchState);
    if (problem) return problem;
  }
  return undefined;
}

/** Which invariant the path breaks (or 'exception'), if any. */
function failsWith<P extends Protocol>(checker: Checker<P>, path: readonly SearchEvent[]): string | undefined {
  try {
    const states = replayPath(checker, path);
    if (states === undefined) return undefined;
    return checkLast(checker, states)?.invariant;
  } catch (error) {
    if (error instanceof HandlerFailure) return 'exception';
    throw error;
  }
}

/** Removes events one at a time while the path still fails the same way. */
function shorten<P extends Protocol>(checker: Checker<P>, path: readonly SearchEvent[], stillFails: (path: readonly SearchEvent[]) => boolean): SearchEvent[] {
  let current = [...path];
  let removed = true;
  while (removed) {
    removed = false;
    for (let index = current.length - 1; index >= 0; index--) {
      const candidate = [...current.slice(0, index), ...current.slice(index + 1)];
      if (stillFails(candidate)) {
        current = candidate;
        removed = true;
      }
    }
  }
  void checker;
  return current;
}

/**
 * Replays a path with full tracing, as the reports show it: each step's delivery or timer,
 * and what the node did in reaction.
 */
export function traceSearchPath<P extends Protocol>(settings: SearchSettings<P>, path: readonly SearchEvent[]): TraceEvent[] {
  const checker = new Checker(settings);
  const recorder = new TraceRecorder('full');
  let step = 0;
  const hostTrace = (node: NodeId) => (kind: number, label: string, detail: unknown, peer: NodeId) => {
    recorder.record(step, step, kind, node, peer, label, detail === undefined ? undefined : copyPlain(detail), undefined);
  };
  installGuards();
  try {
    let state: SearchState | undefined = settings.start ?? checker.initial(hostTrace);
    for (const event of path) {
      step++;
      if (event.kind === 'deliver') recorder.record(step, step, traceKindCode.deliver, event.to, event.from, event.message.type, copyPlain(event.message), undefined);
      else if (event.kind === 'drop') recorder.record(step, step, traceKindCode.drop, event.to, event.from, event.message.type, copyPlain(event.message), 'lost');
      else if (event.kind === 'timer') recorder.record(step, step, traceKindCode['timer-fire'], event.node, -1, event.timer.type, copyPlain(event.timer), undefined);
      else recorder.record(step, step, event.kind === 'crash' ? traceKindCode.crash : traceKindCode.restart, event.node, -1, nodeName(event.node), undefined, undefined);
      try {
        state = checker.apply(state as SearchState, event, hostTrace);
      } catch (error) {
        if (error instanceof HandlerFailure) {
          recorder.record(step, step, traceKindCode.violation, error.node, -1, 'no exceptions', undefined, error.message);
          break;
        }
        throw error;
      }
      if (state === undefined) break;
    }
  } finally {
    releaseGuards();
  }
  return recorder.events();
}

/** Re-runs a path and re-checks it: the replay of a search failure. */
export function replaySearchPath<P extends Protocol>(
  settings: SearchSettings<P>,
  path: readonly SearchEvent[],
): { readonly violation?: { readonly invariant: string; readonly message: string }; readonly trace: TraceEvent[] } {
  const checker = new Checker(settings);
  const trace = traceSearchPath(settings, path);
  installGuards();
  try {
    const states = replayPath(checker, path);
    if (states === undefined) return { violation: { invariant: 'replay', message: 'this path is not possible with this implementation' }, trace };
    const problem = checkLast(checker, states);
    return problem ? { violation: problem, trace } : { trace };
  } catch (error) {
    if (error instanceof HandlerFailure) return { violation: { invariant: 'no exceptions', message: error.message }, trace };
    throw error;
  } finally {
    releaseGuards();
  }
}
