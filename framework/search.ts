import type { ClusterLayout, ClusterView, Counters, HistoryEvent, HistoryKind, InFlightMessage, Property } from './properties.ts';
import { SettingsError, type NodeSpec } from './simulation.ts';
import { StateRecorder, TraceRecorder, traceKindCode, traceKindName, type StateChange, type TraceEvent } from './trace.ts';
import { nodeName, type NodeId, type Protocol, type Role, type Tagged } from './types.ts';
import { installGuards, releaseGuards } from './_internals/guards.ts';
import { LinkMatrix } from './_internals/links.ts';
import { PropertySet } from './_internals/monitors.ts';
import { clonePlain, copyPlain, equalPlain, fingerprintPair, hashPair, lastSecondLane, objectWithFields, toJsonValue } from './_internals/plainData.ts';
import { nodeRandom, RandomSource, type RandomState } from './_internals/random.ts';
import { giveBackRealms, isStandIn, reactorsFor } from './_internals/realm.ts';
import { getHeapStatistics } from 'node:v8';
import { threadCpuMs } from './_internals/threadCpu.ts';
import { Worker, type MessagePort, type Transferable } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import {
  countSurvivingEffects,
  effectsBeforeCrash,
  leaveReaction,
  NodeEnvironment,
  snapshotFields,
  type NodeReactor,
  type RandomDraws,
  type Effect,
  type Stimulus,
} from './_internals/reaction.ts';

export { NoClockError } from './_internals/reaction.ts';

// The model checker. A state is every node's fields, durable storage, random source and
// pending timers, the messages in flight, and the memories of the properties. States are
// immutable and share what did not change: an event copies only the node it reaches, and
// each node and message caches its own hash, so a successor costs one node's copy and hash.
// Nodes react through the same `react` as in the simulator; only the effects' application
// differs (timers keep their ranges, messages go into the multiset of messages in flight).

/** Wall time, read before any run installs the determinism guards. */
const wallClockMs = performance.now.bind(performance);

/** A timer waiting to fire, with the range of delays it was set with. */
interface PendingTimer {
  readonly timer: Tagged;
  readonly minMs: number;
  readonly maxMs: number;
}

/** A message in flight. */
class Envelope {
  /** Its number in the component table of the search numbered `tableEpoch` (see ComponentTable). */
  tableEpoch = 0;
  componentId = -1;

  constructor(
    readonly from: NodeId,
    readonly to: NodeId,
    readonly message: Tagged,
    readonly hash1: number,
    readonly hash2: number,
  ) {}

  static of(from: NodeId, to: NodeId, message: Tagged): Envelope {
    const hash1 = fingerprintPair(message, mix(0x1b873593, from * 131 + to), mix(0x85ebca6b, to * 131 + from));
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
 * arrays: no boxed numbers, no per-entry objects, a fraction of a Set's memory. A slot's two
 * lanes sit side by side, so a look-up that misses the cache misses it once; a slot holding
 * two zero lanes is empty, and the fingerprint that is two zeros is kept apart.
 *
 * A shared set (the coordinator's, in a parallel search) keeps its slots in a
 * SharedArrayBuffer that worker threads read as it is written (see {@link sharedHas}): a
 * slot's second lane is written before its first, and the first with Atomics.store.
 */
class FingerprintSet {
  private slots: Int32Array;
  private hasZero = false;
  size = 0;
  /** One more each time the slots move to a larger table. */
  generation = 0;

  constructor(private readonly shared = false) {
    this.slots = this.table(2 << 16);
  }

  private table(length: number): Int32Array {
    return this.shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
  }

  /** The slots, for threads that read them (shared sets only). */
  get sharedSlots(): Int32Array {
    return this.slots;
  }

  /** Adds the fingerprint; false when it was already there. */
  add(lane1: number, lane2: number): boolean {
    lane1 |= 0;
    lane2 |= 0;
    if ((lane1 | lane2) === 0) {
      if (this.hasZero) return false;
      this.hasZero = true;
      this.size++;
      return true;
    }
    if (this.size * 4 >= this.slots.length) this.grow();
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = (lane1 ^ Math.imul(lane2, 0x9e3779b1)) & mask;
    for (;;) {
      const at = slot << 1;
      const stored1 = slots[at] as number;
      const stored2 = slots[at + 1] as number;
      if ((stored1 | stored2) === 0) {
        if (this.shared) {
          slots[at + 1] = lane2;
          Atomics.store(slots, at, lane1);
        } else {
          slots[at] = lane1;
          slots[at + 1] = lane2;
        }
        this.size++;
        return true;
      }
      if (stored1 === lane1 && stored2 === lane2) return false;
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Reads the first slot each of `count` fingerprints (two lanes each) would be looked up in,
   * one after another: the memory reads of a table larger than the caches then overlap,
   * where the look-ups that follow, each waiting for its slot, would make them one at a time.
   */
  touch(fingerprints: Int32Array, count: number): void {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let seen = 0;
    for (let index = 0; index < count; index++) {
      seen ^= slots[(((fingerprints[2 * index] as number) ^ Math.imul(fingerprints[2 * index + 1] as number, 0x9e3779b1)) & mask) << 1] as number;
    }
    this.touched = seen;
  }

  /** What {@link touch} read, kept so that its reads are not optimised away. */
  touched = 0;

  /** Empties the set, keeping its table. */
  clear(): void {
    this.slots.fill(0);
    this.hasZero = false;
    this.size = 0;
  }

  /** Whether the fingerprint is there. */
  has(lane1: number, lane2: number): boolean {
    lane1 |= 0;
    lane2 |= 0;
    if ((lane1 | lane2) === 0) return this.hasZero;
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = (lane1 ^ Math.imul(lane2, 0x9e3779b1)) & mask;
    for (;;) {
      const at = slot << 1;
      const stored1 = slots[at] as number;
      const stored2 = slots[at + 1] as number;
      if ((stored1 | stored2) === 0) return false;
      if (stored1 === lane1 && stored2 === lane2) return true;
      slot = (slot + 1) & mask;
    }
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  private grow(): void {
    const old = this.slots;
    // Nobody reads the new table before it is handed over, so it is filled without Atomics.
    const slots = (this.slots = this.table(old.length * 2));
    const mask = (slots.length >> 1) - 1;
    for (let at = 0; at < old.length; at += 2) {
      const lane1 = old[at] as number;
      const lane2 = old[at + 1] as number;
      if ((lane1 | lane2) === 0) continue;
      let slot = (lane1 ^ Math.imul(lane2, 0x9e3779b1)) & mask;
      while (((slots[slot << 1] as number) | (slots[(slot << 1) + 1] as number)) !== 0) slot = (slot + 1) & mask;
      slots[slot << 1] = lane1;
      slots[(slot << 1) + 1] = lane2;
    }
    this.generation++;
  }
}

/**
 * Whether the shared set whose slots are `slots` (see FingerprintSet) holds the fingerprint,
 * read while another thread adds to it: never true for a fingerprint it does not hold, and
 * false for one it holds only when the addition is still under way or the first lane is
 * zero. A slot is read from its first lane (Atomics.load, after which its second lane is
 * there), and one whose first lane is zero ends the look-up.
 */
function sharedHas(slots: Int32Array, lane1: number, lane2: number): boolean {
  lane1 |= 0;
  lane2 |= 0;
  if (lane1 === 0) return false;
  const mask = (slots.length >> 1) - 1;
  let slot = (lane1 ^ Math.imul(lane2, 0x9e3779b1)) & mask;
  for (;;) {
    const at = slot << 1;
    const stored1 = Atomics.load(slots, at);
    if (stored1 === 0) return false;
    if (stored1 === lane1 && (slots[at + 1] as number) === lane2) return true;
    slot = (slot + 1) & mask;
  }
}

/** One node's part of a state. Never changed once built. */
class NodeState {
  readonly hash1: number;
  readonly hash2: number;
  /** Its number in the component table of the search numbered `tableEpoch` (see ComponentTable). */
  tableEpoch = 0;
  componentId = -1;
  /** Reactions of this node state already run, by what they reacted to (see Checker.reactAndApply); kept for one checker. */
  reactions: ReactionCache | undefined = undefined;

  constructor(
    /** The node object (its fields are its volatile state), or null while crashed. */
    readonly instance: object | null,
    readonly storage: ReadonlyMap<string, unknown>,
    readonly random: RandomState,
    readonly incarnation: number,
    readonly timers: readonly PendingTimer[],
    /** The hashes, when known already (a node state rebuilt from its content). */
    hashes?: readonly [number, number],
  ) {
    if (hashes !== undefined) {
      this.hash1 = hashes[0];
      this.hash2 = hashes[1];
      return;
    }
    let hash1 = fingerprintPair(instance, 0x3c6ef372, 0xa54ff53a);
    let hash2 = lastSecondLane();
    if (storage.size > 0) {
      // Its keys in any order (a node reads them sorted); each value as the node reads it.
      let sum1 = 0;
      let sum2 = 0;
      for (const [key, value] of storage) {
        const key1 = fingerprintPair(key, 0x3a7c91e5, 0x6d2b4f17);
        sum1 = (sum1 + fingerprintPair(value, key1, lastSecondLane())) >>> 0;
        sum2 = (sum2 + lastSecondLane()) >>> 0;
      }
      hash1 = mix(mix(hash1, sum1), storage.size);
      hash2 = mix(mix(hash2, sum2), storage.size + 1);
    }
    if (timers.length > 0) {
      let sum1 = 0;
      let sum2 = 0;
      for (const pending of timers) {
        sum1 = (sum1 + fingerprintPair(pending.timer, mix(pending.minMs, pending.maxMs), mix(pending.maxMs, pending.minMs + 7))) >>> 0;
        sum2 = (sum2 + lastSecondLane()) >>> 0;
      }
      hash1 = mix(hash1, sum1);
      hash2 = mix(hash2, sum2);
    }
    // The whole generator state: the next draws depend on all of it.
    this.hash1 = mix(mix(mix(hash1, random.c * 0x2545f491), (random.s1 * 4294967296) | 0), incarnation);
    this.hash2 = mix(mix(mix(hash2, (random.s0 * 4294967296) | 0), (random.s2 * 4294967296) | 0), incarnation + 1);
  }

  get crashed(): boolean {
    return this.instance === null;
  }
}

/**
 * A reaction that ran to its end without failing: what a node state does with a stimulus, kept
 * so that the same node state meeting the same stimulus again (in another state of the search)
 * does not run the node's code, copy its fields and hash its new state again. A reaction is a
 * function of the node state and the stimulus (the model checker gives it no clock, and its
 * random draws are part of the node state), so the result is the same.
 */
interface CachedReaction {
  readonly effects: readonly Effect[];
  /** The envelope of each send, made the first time the reaction was applied (undefined for other effects). */
  readonly envelopes: readonly (Envelope | undefined)[];
  /** The node's state after the reaction. */
  readonly after: NodeState;
}

/** The reactions of one node state, for the checker that ran them. */
interface ReactionCache {
  readonly checker: object;
  readonly byStimulus: Map<object, CachedReaction>;
}

/**
 * At most this many reactions are kept per search, about 25 MB at most (each holds its
 * effects and the node state it led to, which the component table often holds anyway): a
 * search in the grader's child process has a bounded heap. Most spaces need far fewer: Paxos
 * with 2 proposers and 3 acceptors has 110 node states and 54 distinct messages.
 */
const maxCachedReactions = 1 << 17;

/**
 * A choice the checker can make in a state. A delivery or a timer with `crashAfter` crashes
 * the node in the middle of its reaction, after that many of its sends, storage writes and
 * outputs.
 */
export type SearchEvent =
  | { readonly kind: 'deliver'; readonly from: NodeId; readonly to: NodeId; readonly message: Tagged; readonly crashAfter?: number }
  | { readonly kind: 'drop'; readonly from: NodeId; readonly to: NodeId; readonly message: Tagged }
  | { readonly kind: 'timer'; readonly node: NodeId; readonly timer: Tagged; readonly crashAfter?: number }
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

/** The memories of a state's properties, each with its hash, and the hash of them all. */
interface Memories {
  readonly values: readonly unknown[];
  readonly hashes1: readonly number[];
  readonly hashes2: readonly number[];
  readonly hash1: number;
  readonly hash2: number;
  /** Its number in the component table of the search numbered `tableEpoch` (see ComponentTable). */
  tableEpoch: number;
  componentId: number;
}

const noMemories: Memories = { values: [], hashes1: [], hashes2: [], hash1: 0, hash2: 0, tableEpoch: 0, componentId: -1 };

/** The first lane of property `index`'s memory hash; the second is read with lastSecondLane(). */
function memoryLane(value: unknown, index: number): number {
  if (value === undefined) {
    memorySecondLane = 0;
    return 0;
  }
  const lane = hashPair(value, 0x1b873593 + index, 0x85ebca6b + index);
  memorySecondLane = lastSecondLane();
  return lane;
}

let memorySecondLane = 0;

/**
 * Hashes the memories. With `previous`, a memory no event reached (`states` 0) keeps its
 * hash, a kept one (1) has its hashes in `known1` and `known2`, and only a memory of the
 * successor's own (2) is hashed.
 */
function hashMemories(
  values: readonly unknown[],
  previous: Memories | undefined,
  states: readonly number[] | undefined,
  known1: readonly number[] | undefined,
  known2: readonly number[] | undefined,
): Memories {
  const hashes1 = new Array<number>(values.length);
  const hashes2 = new Array<number>(values.length);
  let hash1 = 0x2f1a8c3d;
  let hash2 = 0x6b43a9b5;
  for (let index = 0; index < values.length; index++) {
    const state = previous === undefined || states === undefined ? 2 : (states[index] as number);
    if (state === 0) {
      hashes1[index] = (previous as Memories).hashes1[index] as number;
      hashes2[index] = (previous as Memories).hashes2[index] as number;
    } else if (state === 1) {
      hashes1[index] = (known1 as number[])[index] as number;
      hashes2[index] = (known2 as number[])[index] as number;
    } else {
      hashes1[index] = memoryLane(values[index], index);
      hashes2[index] = memorySecondLane;
    }
    hash1 = mix(hash1, hashes1[index] as number);
    hash2 = mix(hash2, hashes2[index] as number);
  }
  return { values, hashes1, hashes2, hash1, hash2, tableEpoch: 0, componentId: -1 };
}

/**
 * Set when a property's `record` reads the cluster view, which a kept recording cannot
 * vouch for. Cleared before each `record` the search runs.
 */
let stateObserved = false;

/**
 * What a property's `record` made of a memory and a history event, kept so that the same
 * memory meeting the same event again (in another state of the search) is neither copied,
 * recorded into nor hashed again: a memory after `record` is a function of the memory and the
 * event when `record` did not read the cluster. Memories are found by their hashes, events by
 * the hashes of what they carry and their time (the step number, the same for every event of
 * a level of a breadth-first search); the memory kept is shared by every state that reaches
 * it, and copied before any later event changes it.
 */
class RecordingTable {
  /** Per slot: the property, the memory's two lanes, the event's two lanes; then the entry. */
  private keys = new Int32Array(5 << 12);
  private ids = new Int32Array(1 << 12).fill(-1);
  readonly values: unknown[] = [];
  readonly hashes1: number[] = [];
  readonly hashes2: number[] = [];
  readonly problems: (string | undefined)[] = [];

  get size(): number {
    return this.values.length;
  }

  /** Forgets every recording. */
  clear(): void {
    this.keys.fill(0);
    this.ids.fill(-1);
    this.values.length = 0;
    this.hashes1.length = 0;
    this.hashes2.length = 0;
    this.problems.length = 0;
  }

  find(property: number, memory1: number, memory2: number, event1: number, event2: number): number {
    memory1 |= 0;
    memory2 |= 0;
    event1 |= 0;
    event2 |= 0;
    const keys = this.keys;
    const mask = this.ids.length - 1;
    let slot = (mix(mix(memory1, event1), property) ^ Math.imul(memory2 ^ event2, 0x9e3779b1)) & mask;
    for (;;) {
      const id = this.ids[slot] as number;
      if (id < 0) return -1;
      const at = slot * 5;
      if (keys[at] === property && keys[at + 1] === memory1 && keys[at + 2] === memory2 && keys[at + 3] === event1 && keys[at + 4] === event2) return id;
      slot = (slot + 1) & mask;
    }
  }

  add(property: number, memory1: number, memory2: number, event1: number, event2: number, value: unknown, hash1: number, hash2: number, problem: string | undefined): void {
    if (this.values.length * 2 >= this.ids.length) this.grow();
    const id = this.values.length;
    this.values.push(value);
    this.hashes1.push(hash1);
    this.hashes2.push(hash2);
    this.problems.push(problem);
    this.insert(property | 0, memory1 | 0, memory2 | 0, event1 | 0, event2 | 0, id);
  }

  private insert(property: number, memory1: number, memory2: number, event1: number, event2: number, id: number): void {
    const keys = this.keys;
    const mask = this.ids.length - 1;
    let slot = (mix(mix(memory1, event1), property) ^ Math.imul(memory2 ^ event2, 0x9e3779b1)) & mask;
    while ((this.ids[slot] as number) >= 0) slot = (slot + 1) & mask;
    const at = slot * 5;
    keys[at] = property;
    keys[at + 1] = memory1;
    keys[at + 2] = memory2;
    keys[at + 3] = event1;
    keys[at + 4] = event2;
    this.ids[slot] = id;
  }

  private grow(): void {
    const { keys, ids } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.ids = new Int32Array(ids.length * 2).fill(-1);
    for (let slot = 0; slot < ids.length; slot++) {
      const id = ids[slot] as number;
      const at = slot * 5;
      if (id >= 0) this.insert(keys[at] as number, keys[at + 1] as number, keys[at + 2] as number, keys[at + 3] as number, keys[at + 4] as number, id);
    }
  }
}

let eventSecondLane = 0;

/**
 * The first lane of a history event (the second is left in eventSecondLane): what it carries
 * (a send's or a delivery's envelope: sender, receiver, message; a durable write's key and
 * value; an output), the node's incarnation and the time. Undefined for the rarer kinds
 * (inputs, crashes, restarts), which are never kept.
 */
function eventLanes(event: HistoryEvent<Protocol>, envelope: Envelope | undefined): number | undefined {
  switch (event.kind) {
    case 'send':
    case 'deliver': {
      if (envelope === undefined) return undefined;
      const tag = event.kind === 'send' ? 0x5e1d : 0xde11;
      eventSecondLane = mix(mix(mix(envelope.hash2, tag + 1), event.incarnation), event.timeMs);
      return mix(mix(mix(envelope.hash1, tag), event.incarnation), event.timeMs);
    }
    case 'storage': {
      const key1 = hashPair(event.key, 0x3a7c91e5 + event.node, 0x6d2b4f17 + event.incarnation);
      const value1 = hashPair(event.value, key1, lastSecondLane());
      eventSecondLane = mix(mix(lastSecondLane(), 0x57), event.timeMs);
      return mix(mix(value1, 0x56), event.timeMs);
    }
    case 'output': {
      const output1 = hashPair(event.output, 0x0a7b3c5d + event.node, 0x4e6f8a9b + event.incarnation);
      eventSecondLane = mix(mix(lastSecondLane(), 0x0f), event.timeMs);
      return mix(mix(output1, 0x0e), event.timeMs);
    }
    default:
      return undefined;
  }
}

/**
 * At most this many recordings are kept at once (see RecordingTable): a memory each, most of
 * them shared with the states that hold them. A full table is emptied: recordings of earlier
 * levels are never met again.
 */
const maxKeptRecordings = 1 << 17;

/** A global state of the search. */
export class SearchState {
  /** Cached fingerprint lanes (lane1 undefined until computed). */
  private lane1: number | undefined;
  private lane2 = 0;

  constructor(
    readonly nodes: readonly NodeState[],
    /** Messages in flight: a multiset, or a set when duplication is on. */
    readonly network: readonly Envelope[],
    readonly memories: Memories,
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

  /** The two 32-bit lanes of the fingerprint. */
  get laneOne(): number {
    this.computeLanes();
    return this.lane1 as number;
  }

  get laneTwo(): number {
    this.computeLanes();
    return this.lane2;
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
    this.lane1 = mix(mix(mix(lane1, sum1), this.network.length), this.memories.hash1);
    this.lane2 = mix(mix(mix(lane2, sum2), this.crashes), this.memories.hash2);
  }

  /** The events from the initial state (or the chained start) to this one. */
  path(): SearchEvent[] {
    const events: SearchEvent[] = [];
    for (let trail = this.trail; trail !== undefined; trail = trail.previous) events.push(trail.event);
    return events.reverse();
  }
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
  /**
   * Nodes that may crash, at most `max` crashes in all; `restart` lets them come back.
   * `midReaction: k` also lets a node crash in the middle of a reaction, after 0..k-1 of its
   * sends, storage writes and outputs (each such crash counts towards `max`).
   */
  readonly crashes?: { readonly nodes: readonly NodeId[]; readonly max: number; readonly restart: boolean; readonly midReaction?: number };
  /** Groups that cannot reach each other for the whole search. */
  readonly partition?: readonly (readonly NodeId[])[];
  /** One-way cuts for the whole search: nothing `from` sends to `to` gets through (applied after `partition`). */
  readonly cuts?: readonly { readonly from: readonly NodeId[]; readonly to: readonly NodeId[] }[];
  /**
   * The properties: `always` ones are checked in every state, `sometimes` ones are the goals,
   * `eventually` ones are judged in states where nothing more can happen. Budgets are for runs.
   */
  readonly properties?: readonly Property<P>[];
  /** States not worth exploring further. */
  readonly prune?: (state: ClusterView<P>) => boolean;
  readonly maxDepth?: number;
  /** After the first goal is found at depth d, explore only to d + this. */
  readonly depthAfterGoal?: number;
  readonly maxStates?: number;
  /** Stop when a goal is found (goal tests) rather than explore on (invariant tests). */
  readonly stopAtGoal?: boolean;
  /** A last resort: stop after this much wall time (a test's limits are states and depth). */
  readonly maxWallMs?: number;
  /** Start from a state found by an earlier search (chained phases). */
  readonly start?: SearchState;
  /** Called as the search goes (after each chunk of about a thousand states a breadth-first search expands, after each random walk), with the figures so far. */
  readonly onProgress?: (statistics: SearchStatistics) => void;
}

export interface SearchStatistics {
  /** Unique states found. */
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly wallMs: number;
  readonly statesPerSec: number;
  /** Worker threads that expanded the states (absent on one thread). */
  readonly workers?: number;
  /** The heap the worker threads last reported, in all (absent on one thread). */
  readonly workerHeapBytes?: number;
  /**
   * CPU time each worker thread spent on this search, in seconds, as the kernel counts it
   * (absent on one thread, and where the kernel does not say: only Linux does).
   */
  readonly workerCpuSeconds?: readonly number[];
  /** Breadth-first search: the unique states first found at each depth, from the start (index 0: the start itself). */
  readonly statesByDepth?: readonly number[];
}

export type SearchOutcome =
  | { readonly kind: 'violation'; readonly property: string; readonly message: string; readonly path: readonly SearchEvent[] }
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

/** What V8 says when code reaches for a `#private` member of an object its class did not construct. */
const privateMemberError = /Cannot (read|write) private member #|Receiver must be an instance of class /;

/**
 * Why a reaction on a rebuilt copy threw where the same code works in a run: the model
 * checker builds each copy from the node's own enumerable fields without running its
 * constructor, and a `#private` field or method is not among them. '' for other failures.
 */
export function rebuiltCopyHint(message: string): string {
  if (!privateMemberError.test(message)) return '';
  return (
    ' (Under the model checker each reaction runs on a copy of the node rebuilt from its own enumerable fields, without its constructor:' +
    ' `#private` fields and methods are not there. Use ordinary fields and methods; TypeScript\'s `private` keyword is fine.)'
  );
}

/** What the trace of a replayed path records of a reaction. */
type TraceSink = (kind: number, node: NodeId, peer: NodeId, label: string, detail: unknown, reason: string | undefined) => void;

/** A successor under construction: what one event changed. */
interface Successor {
  nodes: NodeState[];
  network: Envelope[];
  memories: unknown[];
  /**
   * Per property, once an event reached its memory in this successor: 1 for a kept memory
   * (shared, its hashes in `memoryHashes1` and `memoryHashes2`), 2 for a copy of its own
   * (hashed when the successor is finished); 0 while it is the previous state's.
   */
  memoryStates: number[] | undefined;
  memoryHashes1: number[] | undefined;
  memoryHashes2: number[] | undefined;
  /** The memories of the state the successor is made from (undefined for the initial state). */
  previousMemories: Memories | undefined;
  crashes: number;
  /** The first property a history event broke. */
  problem: { property: string; message: string } | undefined;
  /** Storage a reaction has written so far, before its node's state is rebuilt: what properties see. */
  pendingStorage: { node: NodeId; storage: ReadonlyMap<string, unknown> } | undefined;
}

/** Builds states and their successors for one search. */
class Checker<P extends Protocol> {
  readonly nodeCount: number;
  readonly environments: NodeEnvironment<P>[];
  /** One per node: reactions run one at a time, and each is applied before the next. */
  private readonly reactors: NodeReactor<P>[];
  readonly properties: PropertySet<P>;
  readonly layout: ClusterLayout;
  private readonly links: LinkMatrix;
  private readonly seed: string;
  readonly goals: number[];
  readonly liveness: number[];
  /** Whether the nodes are kept live, as in a run (the live check), instead of rebuilt from their fields for every reaction. */
  private readonly live: boolean;

  /** Gives the realms of the submission's nodes back to their programs: for a checker no one will use again. */
  giveBackRealms(): void {
    giveBackRealms(this.reactors);
  }

  constructor(
    readonly settings: SearchSettings<P>,
    /** How a submission's nodes in a realm of their own react: on copies rebuilt from their fields (the search), or on the objects the realm keeps (as in a run). */
    mode: 'copies' | 'live' = 'copies',
  ) {
    // Nodes kept live have no clock either: no lab's runs that have a search give one (docs/staff.md,
    // "No clock where the search judges"), and a clock only here would let a node tell this check
    // from the runs it stands for, and follow the protocol in both the search and the check alone.
    this.live = mode === 'live';
    this.nodeCount = settings.nodes.length;
    const servers = settings.nodes.flatMap((spec, id) => (spec.role === 'server' ? [id] : []));
    const clients = settings.nodes.flatMap((spec, id) => (spec.role === 'client' ? [id] : []));
    this.layout = { nodeIds: settings.nodes.map((_spec, id) => id), servers, clients };
    this.environments = settings.nodes.map(
      (spec, id) => new NodeEnvironment<P>(id, spec.role, spec.node, servers, settings.config as object, this.nodeCount),
    );
    this.reactors = reactorsFor(this.environments, mode, settings.config as object);
    this.seed = String(settings.seed ?? 0);
    try {
      this.properties = new PropertySet(settings.properties ?? []);
    } catch (error) {
      throw new SettingsError((error as Error).message);
    }
    const properties = this.properties.properties;
    const budgets = properties.filter((property) => property.kind === 'budget');
    if (budgets.length > 0) {
      throw new SettingsError(`budget "${budgets[0]?.name}" cannot be searched: the model checker keeps no message counts; use it in a run`);
    }
    this.goals = properties.flatMap((property, index) => (property.kind === 'sometimes' ? [index] : []));
    this.liveness = properties.flatMap((property, index) => (property.kind === 'eventually' || (property.kind === 'always' && property.atEnd === true) ? [index] : []));
    this.links = new LinkMatrix(this.nodeCount);
    const unknownNode = [...(settings.partition ?? []).flat(), ...(settings.cuts ?? []).flatMap((cut) => [...cut.from, ...cut.to])].find(
      (node) => !Number.isInteger(node) || node < 0 || node >= this.nodeCount,
    );
    if (unknownNode !== undefined) {
      throw new SettingsError(`partition and cuts name nodes 0 to ${this.nodeCount - 1} (one per entry of nodes), not ${String(unknownNode)}`);
    }
    if (settings.partition) this.links.apply({ atMs: 0, type: 'partition', groups: settings.partition });
    for (const cut of settings.cuts ?? []) this.links.apply({ atMs: 0, type: 'cut', from: cut.from, to: cut.to });
  }

  /** Reactions kept in node states' caches so far (see CachedReaction). */
  private cachedReactions = 0;

  /**
   * Runs one reaction of node `id` and applies its effects to `successor`. `cacheOwner` and
   * `cacheKey` name the reaction for the cache, where it is kept when it ends without failing:
   * the node state it starts from and what it reacts to (an envelope, a pending timer).
   */
  private reactAndApply(
    successor: Successor,
    id: NodeId,
    node: NodeState,
    stimulus: Stimulus,
    depth: number,
    crashAfter: number | undefined,
    trace: TraceSink | undefined,
    cacheOwner?: NodeState,
    cacheKey?: object,
  ): boolean {
    // Nodes kept live change with every reaction: only copies' reactions can be kept.
    const cacheable = !this.live && cacheOwner !== undefined && cacheKey !== undefined && crashAfter === undefined && trace === undefined;
    const environment = this.environments[id] as NodeEnvironment<P>;
    const reactor = this.reactors[id] as NodeReactor<P>;
    const instance = stimulus.kind === 'start' ? undefined : reactor.copy(node.instance as object);
    const random = new DrawOnDemand(node.random);
    if (stimulus.kind === 'start') reactor.start(node.storage, random, undefined);
    else {
      const payload = stimulus.kind === 'message' ? stimulus.message : stimulus.kind === 'timer' ? stimulus.timer : stimulus.input;
      reactor.handle(instance as object, stimulus.kind, stimulus.kind === 'message' ? stimulus.from : -1, payload, node.storage, random, undefined);
    }
    const reaction = reactor;
    const failure = reaction.failure;
    // Read before any other reaction of this node: the reactor reuses its recorder.
    const effects = reaction.effects;
    let applied = effects.length;
    if (crashAfter !== undefined) {
      // A crash that cuts nothing is the same as the reaction followed by a crash: not a new choice.
      if (crashAfter >= countSurvivingEffects(effects)) return false;
      applied = effectsBeforeCrash(effects, crashAfter);
    }
    const after = reaction.instance as object;
    if (crashAfter === undefined && failure === undefined) {
      const problem = reactor.checkState(after);
      if (problem !== undefined) throw new HandlerFailure(id, problem.message);
    }
    const envelopes = cacheable ? new Array<Envelope | undefined>(effects.length).fill(undefined) : undefined;
    const { storage, timers } = this.applyEffects(successor, id, node, effects, applied, depth, trace, envelopes);
    const randomState = random.after();
    successor.pendingStorage = undefined;
    // As in a run, the effects made before a throw are applied (the trace shows them), then the reaction fails.
    if (failure !== undefined) {
      const hint = stimulus.kind === 'start' ? '' : rebuiltCopyHint(failure.message);
      throw new HandlerFailure(id, failure.message + hint + (failure.where ? `\n${failure.where}` : ''));
    }
    if (crashAfter !== undefined) {
      trace?.(traceKindCode.crash, id, -1, environment.nodeClass.name, undefined, `after ${applied} of its ${effects.length} effects`);
      successor.nodes[id] = new NodeState(null, storage ?? node.storage, randomState, node.incarnation, []);
      successor.crashes++;
      this.record(successor, 'crash', { kind: 'crash', node: id, incarnation: node.incarnation, timeMs: depth, midReaction: true }, depth);
      return true;
    }
    const next = new NodeState(after, storage ?? node.storage, randomState, node.incarnation, timers);
    successor.nodes[id] = next;
    if (cacheable && this.cachedReactions < maxCachedReactions) {
      let cache = cacheOwner.reactions;
      if (cache === undefined || cache.checker !== this) cache = cacheOwner.reactions = { checker: this, byStimulus: new Map() };
      cache.byStimulus.set(cacheKey, { effects: effects.slice(), envelopes: envelopes as (Envelope | undefined)[], after: next });
      this.cachedReactions++;
    }
    return true;
  }

  /**
   * The reaction of `owner` to `key` kept in the cache, if it ran before; never for a reaction
   * cut by a crash, nor in a replay with a trace, which must show what the node did, nor for
   * nodes kept live.
   */
  private cachedReaction(owner: NodeState, key: object, crashAfter: number | undefined, trace: TraceSink | undefined): CachedReaction | undefined {
    if (crashAfter !== undefined || trace !== undefined || this.live) return undefined;
    const cache = owner.reactions;
    return cache !== undefined && cache.checker === this ? cache.byStimulus.get(key) : undefined;
  }

  /** Applies a reaction kept in the cache: its effects, then the node state it led to. */
  private applyCached(successor: Successor, id: NodeId, node: NodeState, cached: CachedReaction, depth: number): void {
    this.applyEffects(successor, id, node, cached.effects, cached.effects.length, depth, undefined, cached.envelopes as (Envelope | undefined)[]);
    successor.pendingStorage = undefined;
    successor.nodes[id] = cached.after;
  }

  /**
   * Applies the first `applied` of a reaction's effects to `successor`: messages into the
   * network (the envelope of send `index` is `envelopes[index]`, made and kept there when
   * missing), history events to the properties. Returns the node's storage (when written)
   * and timers after them.
   */
  private applyEffects(
    successor: Successor,
    id: NodeId,
    node: NodeState,
    effects: readonly Effect[],
    applied: number,
    depth: number,
    trace: TraceSink | undefined,
    envelopes: (Envelope | undefined)[] | undefined,
  ): { storage: Map<string, unknown> | undefined; timers: readonly PendingTimer[] } {
    let storage: Map<string, unknown> | undefined;
    let timers = node.timers;
    for (let index = 0; index < applied; index++) {
      const effect = effects[index] as Effect;
      switch (effect.kind) {
        case 'send': {
          trace?.(traceKindCode.send, id, effect.to, effect.message.type, effect.message, effect.to === id ? 'local' : undefined);
          // Made even for a message the partition drops: its hashes name the send to the properties' kept recordings.
          let envelope = envelopes?.[index];
          if (envelope === undefined) {
            envelope = Envelope.of(id, effect.to, effect.message);
            if (envelopes !== undefined) envelopes[index] = envelope;
          }
          this.record(
            successor,
            'send',
            { kind: 'send', from: id, to: effect.to, incarnation: node.incarnation, timeMs: depth, message: effect.message, local: effect.to === id },
            depth,
            envelope,
          );
          if (this.links.isBlocked(id, effect.to)) {
            trace?.(traceKindCode.drop, effect.to, id, effect.message.type, effect.message, 'partitioned');
            break;
          }
          // A message to oneself is never duplicated, so it is consumed on delivery: two equal
          // ones are two deliveries even when the network is a set.
          addEnvelope(successor.network, envelope, this.settings.duplicates === true && effect.to !== id);
          break;
        }
        case 'set-timer':
          timers = [...timers, { timer: effect.timer, minMs: effect.minMs, maxMs: effect.maxMs }];
          trace?.(traceKindCode['timer-set'], id, -1, effect.timer.type, effect.timer, undefined);
          break;
        case 'cancel-timer': {
          const kept = timers.filter((pending) => !equalPlain(pending.timer, effect.timer));
          trace?.(traceKindCode['timer-cancel'], id, -1, effect.timer.type, effect.timer, kept.length === timers.length ? 'none pending' : undefined);
          timers = kept;
          break;
        }
        case 'storage-set':
        case 'storage-delete': {
          storage ??= new Map(node.storage);
          const value = effect.kind === 'storage-set' ? effect.value : undefined;
          if (value === undefined) storage.delete(effect.key);
          else storage.set(effect.key, value);
          // As in a run, a property sees each write as soon as it is made.
          successor.pendingStorage = { node: id, storage };
          trace?.(traceKindCode.store, id, -1, effect.key, value, value === undefined ? 'deleted' : undefined);
          this.record(successor, 'storage', { kind: 'storage', node: id, incarnation: node.incarnation, timeMs: depth, key: effect.key, value }, depth);
          break;
        }
        case 'output':
          trace?.(traceKindCode.output, id, -1, effect.output.type, effect.output, undefined);
          this.record(successor, 'output', { kind: 'output', node: id, incarnation: node.incarnation, timeMs: depth, output: effect.output }, depth);
          break;
        case 'log':
          trace?.(traceKindCode.log, id, -1, effect.text, undefined, undefined);
          break;
      }
    }
    return { storage, timers };
  }

  /** What properties recorded, kept (see RecordingTable). */
  private readonly recordings = new RecordingTable();

  /**
   * Gives a history event to the properties that record it. A memory is copied before its
   * property records the event, unless the same memory met the same event before: then the
   * memory it became is taken as it was kept. `envelope` is the message's, for a send or a
   * delivery.
   */
  private record(successor: Successor, kind: HistoryKind, event: HistoryEvent<Protocol>, depth: number, envelope?: Envelope): void {
    const recorders = this.properties.recorders[kind];
    if (recorders.length === 0) return;
    const previous = successor.previousMemories;
    let view: StateView<P> | undefined;
    /** 0: the event's lanes not yet computed; 1: computed; 2: this event is never kept. */
    let keyState = previous === undefined ? 2 : 0;
    let event1 = 0;
    let event2 = 0;
    for (const index of recorders) {
      if (!this.properties.wants(index, event as HistoryEvent<P>)) continue;
      let states = successor.memoryStates;
      if (states === undefined) {
        // The initial state's memories are fresh: its own from the start.
        states = successor.memoryStates = new Array<number>(successor.memories.length).fill(previous === undefined ? 2 : 0);
        successor.memoryHashes1 = new Array<number>(successor.memories.length).fill(0);
        successor.memoryHashes2 = new Array<number>(successor.memories.length).fill(0);
        successor.memories = successor.memories.slice();
      }
      const hashes1 = successor.memoryHashes1 as number[];
      const hashes2 = successor.memoryHashes2 as number[];
      const memoryState = states[index] as number;
      view ??= new StateView<P>(this, successor.nodes, successor.network, depth, successor.pendingStorage);
      if (memoryState === 2) {
        this.noteProblem(successor, index, this.properties.record(index, successor.memories[index], event as HistoryEvent<P>, view));
        continue;
      }
      const memory1 = memoryState === 0 ? ((previous as Memories).hashes1[index] as number) : (hashes1[index] as number);
      const memory2 = memoryState === 0 ? ((previous as Memories).hashes2[index] as number) : (hashes2[index] as number);
      if (keyState === 0) {
        keyState = 1;
        const lanes = eventLanes(event, envelope);
        if (lanes === undefined) keyState = 2;
        else {
          event1 = lanes;
          event2 = eventSecondLane;
        }
      }
      const recordings = this.recordings;
      if (keyState === 1) {
        const found = recordings.find(index, memory1, memory2, event1, event2);
        if (found >= 0) {
          successor.memories[index] = recordings.values[found];
          hashes1[index] = recordings.hashes1[found] as number;
          hashes2[index] = recordings.hashes2[found] as number;
          states[index] = 1;
          this.noteProblem(successor, index, recordings.problems[found]);
          continue;
        }
      }
      // Memories were checked to be plain data when made; a property keeps them so.
      const copy = clonePlain(successor.memories[index]);
      successor.memories[index] = copy;
      stateObserved = false;
      const problem = this.properties.record(index, copy, event as HistoryEvent<P>, view);
      this.noteProblem(successor, index, problem);
      states[index] = 2;
      if (keyState !== 1 || stateObserved) continue;
      const hash1 = memoryLane(copy, index);
      const hash2 = memorySecondLane;
      if (recordings.size >= maxKeptRecordings) recordings.clear();
      recordings.add(index, memory1, memory2, event1, event2, copy, hash1, hash2, problem);
      hashes1[index] = hash1;
      hashes2[index] = hash2;
      states[index] = 1;
    }
  }

  private noteProblem(successor: Successor, index: number, problem: string | undefined): void {
    if (problem !== undefined && successor.problem === undefined) {
      successor.problem = { property: (this.properties.properties[index] as Property<P>).name, message: problem };
    }
  }

  private startSuccessor(state: SearchState | undefined): Successor {
    return {
      nodes: state === undefined ? [] : state.nodes.slice(),
      network: state === undefined ? [] : (state.network as Envelope[]).slice(),
      memories: state === undefined ? this.properties.initialMemories(this.layout) : (state.memories.values as unknown[]),
      memoryStates: undefined,
      memoryHashes1: undefined,
      memoryHashes2: undefined,
      previousMemories: state?.memories,
      crashes: state?.crashes ?? 0,
      problem: undefined,
      pendingStorage: undefined,
    };
  }

  private finish(successor: Successor, depth: number, trail: Trail | undefined, previous: SearchState | undefined): SearchState {
    const memories =
      successor.memoryStates === undefined && previous !== undefined
        ? previous.memories
        : successor.memories.length === 0
          ? noMemories
          : hashMemories(successor.memories, previous?.memories, successor.memoryStates, successor.memoryHashes1, successor.memoryHashes2);
    const state = new SearchState(successor.nodes, successor.network, memories, depth, successor.crashes, trail);
    if (successor.problem !== undefined) recordedProblems.set(state, successor.problem);
    return state;
  }

  initial(trace?: TraceSink): SearchState {
    const successor = this.startSuccessor(undefined);
    for (let id = 0; id < this.nodeCount; id++) {
      const random = nodeRandom(this.seed, id, 0).state();
      successor.nodes.push(new NodeState(null, new Map(), random, 0, []));
      this.reactAndApply(successor, id, successor.nodes[id] as NodeState, { kind: 'start' }, 0, undefined, trace);
    }
    for (const { node: id, input } of this.settings.inputs ?? []) {
      const current = successor.nodes[id] as NodeState;
      const copy = copyPlain(input, 'input');
      trace?.(traceKindCode.input, id, -1, copy.type, copy, undefined);
      this.record(successor, 'input', { kind: 'input', node: id, incarnation: current.incarnation, timeMs: 0, input: copy }, 0);
      this.reactAndApply(successor, id, current, { kind: 'input', input: clonePlain(copy) }, 0, undefined, trace);
    }
    return this.finish(successor, 0, undefined, undefined);
  }

  /** Every event possible in `state`, without repeating equal choices. */
  events(state: SearchState): SearchEvent[] {
    const events: SearchEvent[] = [];
    const network = state.network;
    const drops = this.settings.drops === true;
    const fifo = this.settings.fifo === true;
    const crashes = this.settings.crashes;
    const midReaction = crashes !== undefined && state.crashes < crashes.max ? (crashes.midReaction ?? 0) : 0;
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
      if (!target.crashed) {
        events.push({ kind: 'deliver', from: envelope.from, to: envelope.to, message: envelope.message });
        if (midReaction > 0 && crashes?.nodes.includes(envelope.to)) {
          for (let after = 0; after < midReaction; after++) events.push({ kind: 'deliver', from: envelope.from, to: envelope.to, message: envelope.message, crashAfter: after });
        }
      }
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
          if (midReaction > 0 && crashes?.nodes.includes(id)) {
            for (let after = 0; after < midReaction; after++) events.push({ kind: 'timer', node: id, timer: pending.timer, crashAfter: after });
          }
        }
      }
    }
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
  apply(state: SearchState, event: SearchEvent, trace?: TraceSink): SearchState | undefined {
    const successor = this.startSuccessor(state);
    const depth = state.depth + 1;
    const duplicates = this.settings.duplicates === true;
    switch (event.kind) {
      case 'deliver':
      case 'drop': {
        const network = successor.network;
        const index = network.findIndex((envelope) => envelope.from === event.from && envelope.to === event.to && equalPlain(envelope.message, event.message));
        if (index < 0) return undefined;
        const envelope = network[index] as Envelope;
        const keep = event.kind === 'deliver' && duplicates && envelope.from !== envelope.to;
        if (!keep) network.splice(index, 1);
        if (event.kind === 'drop') {
          trace?.(traceKindCode.drop, event.to, event.from, event.message.type, event.message, 'lost');
          break;
        }
        const target = successor.nodes[event.to] as NodeState;
        if (target.crashed) return undefined;
        if (event.crashAfter !== undefined && !this.mayCrash(state, event.to)) return undefined;
        trace?.(traceKindCode.deliver, event.to, event.from, event.message.type, envelope.message, undefined);
        const local = event.from === event.to;
        this.record(
          successor,
          'deliver',
          { kind: 'deliver', from: event.from, to: event.to, incarnation: target.incarnation, timeMs: depth, message: envelope.message, local },
          depth,
          envelope,
        );
        const cached = this.cachedReaction(target, envelope, event.crashAfter, trace);
        if (cached !== undefined) {
          this.applyCached(successor, event.to, target, cached, depth);
          break;
        }
        const message = (this.reactors[event.to] as NodeReactor<P>).copiesPayloads ? envelope.message : clonePlain(envelope.message);
        if (!this.reactAndApply(successor, event.to, target, { kind: 'message', from: event.from, message }, depth, event.crashAfter, trace, target, envelope)) return undefined;
        break;
      }
      case 'timer': {
        const target = successor.nodes[event.node] as NodeState;
        if (target.crashed) return undefined;
        if (event.crashAfter !== undefined && !this.mayCrash(state, event.node)) return undefined;
        const index = target.timers.findIndex((pending) => equalPlain(pending.timer, event.timer));
        if (index < 0) return undefined;
        const pending = target.timers[index] as PendingTimer;
        const cached = this.cachedReaction(target, pending, event.crashAfter, trace);
        if (cached !== undefined) {
          this.applyCached(successor, event.node, target, cached, depth);
          break;
        }
        const remaining = [...target.timers.slice(0, index), ...target.timers.slice(index + 1)];
        const without = new NodeState(target.instance, target.storage, target.random, target.incarnation, remaining);
        trace?.(traceKindCode['timer-fire'], event.node, -1, event.timer.type, event.timer, undefined);
        const timer = (this.reactors[event.node] as NodeReactor<P>).copiesPayloads ? event.timer : clonePlain(event.timer);
        if (!this.reactAndApply(successor, event.node, without, { kind: 'timer', timer }, depth, event.crashAfter, trace, target, pending)) return undefined;
        break;
      }
      case 'crash': {
        const target = successor.nodes[event.node] as NodeState;
        if (target.crashed) return undefined;
        trace?.(traceKindCode.crash, event.node, -1, (this.environments[event.node] as NodeEnvironment<P>).nodeClass.name, undefined, undefined);
        successor.nodes[event.node] = new NodeState(null, target.storage, target.random, target.incarnation, []);
        successor.crashes++;
        this.record(successor, 'crash', { kind: 'crash', node: event.node, incarnation: target.incarnation, timeMs: depth, midReaction: false }, depth);
        break;
      }
      case 'restart': {
        const target = successor.nodes[event.node] as NodeState;
        if (!target.crashed) return undefined;
        const incarnation = target.incarnation + 1;
        const random = nodeRandom(this.seed, event.node, incarnation).state();
        const blank = new NodeState(null, target.storage, random, incarnation, []);
        successor.nodes[event.node] = blank;
        trace?.(traceKindCode.restart, event.node, -1, (this.environments[event.node] as NodeEnvironment<P>).nodeClass.name, undefined, undefined);
        this.record(successor, 'restart', { kind: 'restart', node: event.node, incarnation, timeMs: depth }, depth);
        this.reactAndApply(successor, event.node, blank, { kind: 'start' }, depth, undefined, trace);
        break;
      }
    }
    return this.finish(successor, depth, state.extendedBy(event), state);
  }

  /** Node `id`'s fields in `state` as JSON data (null while it is down; undefined when they are not plain data). */
  fieldsOf(state: SearchState, id: NodeId): unknown {
    const instance = (state.nodes[id] as NodeState).instance;
    return instance === null ? null : (this.reactors[id] as NodeReactor<P>).snapshot(instance);
  }

  private mayCrash(state: SearchState, node: NodeId): boolean {
    const crashes = this.settings.crashes;
    return crashes !== undefined && state.crashes < crashes.max && crashes.nodes.includes(node);
  }

  view(state: SearchState): StateView<P> {
    return new StateView<P>(this, state.nodes, state.network, state.depth);
  }

  /** The first property broken in `state` (by a history event on the way in, or a check). */
  checkState(state: SearchState): { property: string; message: string } | undefined {
    const recorded = recordedProblems.get(state);
    if (recorded !== undefined) return recorded;
    const set = this.properties;
    if (set.alwaysChecks.length === 0) return undefined;
    const view = this.view(state);
    for (const index of set.alwaysChecks) {
      const message = set.check(index, state.memories.values[index], view);
      if (message !== undefined) return { property: (set.properties[index] as Property<P>).name, message };
    }
    return undefined;
  }

  /** Liveness, and safety judged at the end, in a state where nothing more can happen. */
  checkQuiescent(state: SearchState): { property: string; message: string } | undefined {
    if (this.liveness.length === 0) return undefined;
    const view = this.view(state);
    for (const index of this.liveness) {
      const message = this.properties.check(index, state.memories.values[index], view);
      if (message !== undefined) return { property: (this.properties.properties[index] as Property<P>).name, message: `${message} (and nothing more can happen)` };
    }
    return undefined;
  }

  /** The goals `state` reaches. */
  goalsIn(state: SearchState, skip?: ReadonlySet<string> | ReadonlyMap<string, unknown>): string[] {
    if (this.goals.length === 0 || (skip !== undefined && skip.size >= this.goals.length)) return [];
    const view = this.view(state);
    const reached: string[] = [];
    for (const index of this.goals) {
      if (skip?.has((this.properties.properties[index] as Property<P>).name)) continue;
      if (this.properties.check(index, state.memories.values[index], view) === undefined) reached.push((this.properties.properties[index] as Property<P>).name);
    }
    return reached;
  }
}

/**
 * A node's random source under search, made only when a reaction draws from it: most
 * reactions draw nothing, and then the state keeps the same random state object.
 */
class DrawOnDemand implements RandomDraws {
  private source: RandomSource | undefined = undefined;

  constructor(private readonly state: RandomState) {}

  next(): number {
    return (this.source ??= new RandomSource(this.state)).next();
  }

  current(): RandomState {
    return this.after();
  }

  continueFrom(state: RandomState): void {
    (this.source ??= new RandomSource(this.state)).continueFrom(state);
  }

  /** The random state after the reaction. */
  after(): RandomState {
    return this.source === undefined ? this.state : this.source.state();
  }
}

/** Problems found while a state was built (by a property's `record`), kept beside the state. */
const recordedProblems = new WeakMap<SearchState, { property: string; message: string }>();

const noCounters: Counters = new Proxy({} as Counters, {
  get() {
    throw new Error('counters are kept by runs, not by the model checker: check budgets in a run test');
  },
});

/**
 * The read-only view of a state: a class, so no closures per state. Reading what differs
 * from state to state notes it (see {@link stateObserved}).
 */
class StateView<P extends Protocol> implements ClusterView<P> {
  constructor(
    private readonly checker: Checker<P>,
    private readonly nodes: readonly NodeState[],
    private readonly network: readonly Envelope[],
    private readonly depth: number,
    private readonly pendingStorage?: { readonly node: NodeId; readonly storage: ReadonlyMap<string, unknown> },
  ) {}

  get step(): number {
    stateObserved = true;
    return this.depth;
  }

  get nowMs(): number {
    stateObserved = true;
    return this.depth;
  }

  get lastFaultMs(): number {
    return 0;
  }

  get nodeIds(): readonly NodeId[] {
    return this.checker.layout.nodeIds;
  }

  get servers(): readonly NodeId[] {
    return this.checker.layout.servers;
  }

  get clients(): readonly NodeId[] {
    return this.checker.layout.clients;
  }

  get counters(): Counters {
    return noCounters;
  }

  isCrashed(id: NodeId): boolean {
    stateObserved = true;
    return this.nodes[id]?.crashed ?? true;
  }

  incarnation(id: NodeId): number {
    stateObserved = true;
    return this.nodes[id]?.incarnation ?? 0;
  }

  storage(id: NodeId): ReadonlyMap<string, unknown> {
    stateObserved = true;
    if (this.pendingStorage !== undefined && this.pendingStorage.node === id) return this.pendingStorage.storage;
    return this.nodes[id]?.storage ?? emptyStorage;
  }

  inFlight(): readonly InFlightMessage<P>[] {
    stateObserved = true;
    return this.network.map((envelope) => ({ from: envelope.from, to: envelope.to, message: envelope.message as P['message'] }));
  }
}

const emptyStorage: ReadonlyMap<string, unknown> = new Map();

function addEnvelope(network: Envelope[], envelope: Envelope, asSet: boolean): void {
  if (asSet && network.some((existing) => existing.same(envelope))) return;
  network.push(envelope);
}

/** Describes an event as the reports print it. */
export function describeSearchEvent(event: SearchEvent): string {
  const crash = (node: NodeId, after: number | undefined) =>
    after === undefined ? '' : `, and ${nodeName(node)} crashes after ${after} of its sends, writes and outputs`;
  switch (event.kind) {
    case 'deliver':
      return `deliver ${event.message.type} ${nodeName(event.from)} -> ${nodeName(event.to)}${crash(event.to, event.crashAfter)}`;
    case 'drop':
      return `drop ${event.message.type} ${nodeName(event.from)} -> ${nodeName(event.to)}`;
    case 'timer':
      return `fire ${event.timer.type} at ${nodeName(event.node)}${crash(event.node, event.crashAfter)}`;
    case 'crash':
      return `crash ${nodeName(event.node)}`;
    case 'restart':
      return `restart ${nodeName(event.node)}`;
  }
}

// ---------------------------------------------------------------------------------------
// The compact frontier. A state waiting to be expanded is kept as a record of numbers: the
// numbers of its parts (each node's state, each message in flight, the properties'
// memories) in a table that keeps each distinct part once. Far fewer parts are distinct
// than states, so a state costs a few words, and it is rebuilt only when it is expanded.
// The same records cross to worker threads, with the parts they have not seen yet.

/** Salts that keep the kinds of part, and node positions, apart in the component table. */
const memoriesSalt = 0x7fff0001;
const envelopeSalt = 0x7fff0002;

/** A part of a state as plain data, to rebuild it in another thread. */
export type ComponentContent =
  | {
      readonly kind: 'node';
      readonly position: number;
      readonly fields: object | null;
      readonly storage: ReadonlyMap<string, unknown>;
      readonly random: RandomState;
      readonly incarnation: number;
      readonly timers: readonly PendingTimer[];
      readonly hash1: number;
      readonly hash2: number;
    }
  | { readonly kind: 'envelope'; readonly from: NodeId; readonly to: NodeId; readonly message: Tagged; readonly hash1: number; readonly hash2: number }
  | {
      readonly kind: 'memories';
      readonly values: readonly unknown[];
      readonly hashes1: readonly number[];
      readonly hashes2: readonly number[];
      readonly hash1: number;
      readonly hash2: number;
    };

type Component = NodeState | Envelope | Memories;

let nextTableEpoch = 1;

/**
 * Every distinct part of the states of one search, each under a number. Parts are found
 * by their two hash lanes and a salt (the node's position, or the kind of part), in an
 * open-addressing table of typed arrays.
 */
class ComponentTable {
  readonly epoch = nextTableEpoch++;
  readonly items: Component[] = [];
  /** Each item's salt (its node position + 1, or the kind of part). */
  readonly salts: number[] = [];
  private lanes1 = new Int32Array(1 << 12);
  private lanes2 = new Int32Array(1 << 12);
  private ids = new Int32Array(1 << 12).fill(-1);

  find(salt: number, hash1: number, hash2: number): number {
    const lane1 = mix(hash1, salt) | 0;
    const lane2 = (hash2 ^ salt) | 0;
    const mask = this.ids.length - 1;
    let slot = (lane1 ^ Math.imul(lane2, 0x9e3779b1)) & mask;
    for (;;) {
      const id = this.ids[slot] as number;
      if (id < 0) return -1;
      if (this.lanes1[slot] === lane1 && this.lanes2[slot] === lane2) return id;
      slot = (slot + 1) & mask;
    }
  }

  /** Adds `item` under `id` (the next number when not given). */
  add(item: Component, salt: number, id = this.items.length): number {
    if (this.items.length * 2 >= this.ids.length) this.grow();
    this.items[id] = item;
    this.salts[id] = salt;
    item.tableEpoch = this.epoch;
    item.componentId = id;
    this.insert(mix(item.hash1, salt) | 0, (item.hash2 ^ salt) | 0, id);
    return id;
  }

  private insert(lane1: number, lane2: number, id: number): void {
    const mask = this.ids.length - 1;
    let slot = (lane1 ^ Math.imul(lane2, 0x9e3779b1)) & mask;
    while ((this.ids[slot] as number) >= 0) slot = (slot + 1) & mask;
    this.lanes1[slot] = lane1;
    this.lanes2[slot] = lane2;
    this.ids[slot] = id;
  }

  private grow(): void {
    const { lanes1, lanes2, ids } = this;
    this.lanes1 = new Int32Array(ids.length * 2);
    this.lanes2 = new Int32Array(ids.length * 2);
    this.ids = new Int32Array(ids.length * 2).fill(-1);
    for (let slot = 0; slot < ids.length; slot++) {
      const id = ids[slot] as number;
      if (id >= 0) this.insert(lanes1[slot] as number, lanes2[slot] as number, id);
    }
  }
}

/** A growing array of 32-bit integers; a shared one is in a SharedArrayBuffer, which other threads read without a copy. */
class IntList {
  values: Int32Array;
  length = 0;

  constructor(
    capacity = 1024,
    private readonly shared = false,
  ) {
    this.values = this.array(capacity);
  }

  private array(length: number): Int32Array {
    return this.shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
  }

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = this.array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** Empties the list, keeping its memory. */
  clear(): void {
    this.length = 0;
  }

  /**
   * Appends `source[start..end)`, a record of a few numbers: copied one by one, since a
   * subarray to copy from would be an object for each record.
   */
  append(source: Int32Array, start: number, end: number): void {
    const needed = this.length + end - start;
    if (needed > this.values.length) {
      const grown = this.array(Math.max(needed, this.values.length * 2));
      grown.set(this.values.subarray(0, this.length));
      this.values = grown;
    }
    const values = this.values;
    let at = this.length;
    for (let index = start; index < end; index++) values[at++] = source[index] as number;
    this.length = needed;
  }

  /** The values pushed so far, without a copy: the list must not be pushed to again. */
  view(): Int32Array {
    return this.values.subarray(0, this.length);
  }

  /** The values pushed so far, in an array of their own. */
  toArray(): Int32Array {
    return this.values.slice(0, this.length);
  }

  get bytes(): number {
    return this.values.byteLength;
  }
}

/** What expanding a chunk of the frontier found, in the order a one-thread search finds it. */
export interface ChunkResult {
  /** Successors made (each event that was possible). */
  readonly successors: number;
  /**
   * The candidates: the successors not visited when the level began (states seen before are
   * counted, and nothing more is said of them). Per candidate, in order: its index among the
   * chunk's successors.
   */
  readonly successorIndexes: Int32Array;
  /** Two lanes per candidate. */
  readonly fingerprints: Int32Array;
  /** Per candidate: the index of its parent in the level. */
  readonly parents: Int32Array;
  /** Per candidate: the index of its event among its parent's events. */
  readonly eventIndexes: Int32Array;
  /** Per candidate: 1 when the prune function cut the search there. */
  readonly pruned: Uint8Array;
  /** The candidates' records, in order. */
  readonly records: Int32Array;
  /** Problems and goals of those successors, by successor index. */
  readonly notes: readonly { readonly successor: number; readonly problem?: { property: string; message: string }; readonly goals?: readonly string[] }[];
  /** Where expansion stopped early, after `successors` successors: a reaction threw, or a state where nothing can happen broke a property. */
  readonly stop?:
    | { readonly kind: 'exception'; readonly parent: number; readonly eventIndex: number; readonly node: NodeId; readonly message: string }
    | { readonly kind: 'stuck'; readonly parent: number; readonly property: string; readonly message: string };
  /** Parts made in a worker that the records name by negative numbers (-1 is the first). */
  readonly components: readonly ComponentContent[];
}

/**
 * Expands chunks of the frontier: rebuilds each state from its record, makes every
 * successor, and reports them with their fingerprints and, for those not seen before the
 * level began, their records. In a worker, parts new to it get negative numbers until the
 * coordinator numbers them.
 */
class Expander<P extends Protocol> {
  /** Parts made in this chunk that the table does not have (workers only). */
  private pending: ComponentContent[] = [];
  private pendingTable: ComponentTable | undefined;

  constructor(
    readonly checker: Checker<P>,
    readonly table: ComponentTable,
    /** True in a worker: new parts wait for the coordinator's numbers. */
    private readonly provisional: boolean,
  ) {}

  /** The number of a part, adding it to the table (or to the pending parts) when new. */
  private idOf(item: Component, salt: number): number {
    const table = this.table;
    if (item.tableEpoch === table.epoch && item.componentId >= 0) return item.componentId;
    const found = table.find(salt, item.hash1, item.hash2);
    if (found >= 0) return found;
    if (!this.provisional) return table.add(item, salt);
    const pendingTable = (this.pendingTable ??= new ComponentTable());
    if (item.tableEpoch === pendingTable.epoch) return -1 - item.componentId;
    const pendingFound = pendingTable.find(salt, item.hash1, item.hash2);
    if (pendingFound >= 0) return -1 - pendingFound;
    this.pending.push(contentOf(item, salt));
    return -1 - pendingTable.add(item, salt);
  }

  /** Appends the record of `state` to `out`. */
  encode(state: SearchState, out: IntList): void {
    out.push(this.idOf(state.memories, memoriesSalt));
    out.push(state.crashes);
    out.push(state.network.length);
    const nodes = state.nodes;
    for (let position = 0; position < nodes.length; position++) out.push(this.idOf(nodes[position] as NodeState, position + 1));
    const network = state.network;
    for (let index = 0; index < network.length; index++) out.push(this.idOf(network[index] as Envelope, envelopeSalt));
  }

  /** Rebuilds the state whose record starts at `offset`; returns it and the offset after it. */
  decode(records: Int32Array, offset: number, depth: number): [SearchState, number] {
    const items = this.table.items;
    const memories = items[records[offset] as number] as Memories;
    const crashes = records[offset + 1] as number;
    const networkLength = records[offset + 2] as number;
    let cursor = offset + 3;
    const nodeCount = this.checker.nodeCount;
    const nodes = new Array<NodeState>(nodeCount);
    for (let position = 0; position < nodeCount; position++) nodes[position] = items[records[cursor++] as number] as NodeState;
    const network = new Array<Envelope>(networkLength);
    for (let index = 0; index < networkLength; index++) network[index] = items[records[cursor++] as number] as Envelope;
    return [new SearchState(nodes, network, memories, depth, crashes, undefined), cursor];
  }

  /** Expands `count` states whose records are in `records`, the first being the level's state number `firstIndex`. */
  expand(
    records: Int32Array,
    count: number,
    firstIndex: number,
    depth: number,
    visited: FingerprintSet,
    prune: SearchSettings<P>['prune'],
    goalsKnown: ReadonlySet<string> | ReadonlyMap<string, unknown>,
    /** In a worker: the slots of the coordinator's visited set, as far as this thread has them. */
    shared?: Int32Array,
  ): ChunkResult {
    const checker = this.checker;
    this.pending = [];
    this.pendingTable = undefined;
    const successorIndexes = new IntList(count * 2);
    const fingerprints = new IntList(count * 4);
    const parents = new IntList(count * 2);
    const eventIndexes = new IntList(count * 2);
    const pruned: number[] = [];
    let successors = 0;
    // About one candidate per state, of about 15 numbers: sized so that a chunk's arrays stay small allocations, which the kernel does not map afresh for each chunk.
    const out = new IntList(count * 16);
    const notes: { successor: number; problem?: { property: string; message: string }; goals?: readonly string[] }[] = [];
    let stop: ChunkResult['stop'];
    let offset = 0;
    states: for (let index = 0; index < count; index++) {
      const [state, next] = this.decode(records, offset, depth);
      offset = next;
      const parent = firstIndex + index;
      const events = checker.events(state);
      if (events.length === 0) {
        const stuck = checker.checkQuiescent(state);
        if (stuck) {
          stop = { kind: 'stuck', parent, ...stuck };
          break;
        }
      }
      for (let eventIndex = 0; eventIndex < events.length; eventIndex++) {
        let successor: SearchState | undefined;
        try {
          successor = checker.apply(state, events[eventIndex] as SearchEvent);
        } catch (error) {
          if (!(error instanceof HandlerFailure)) throw error;
          stop = { kind: 'exception', parent, eventIndex, node: error.node, message: error.message };
          break states;
        }
        if (successor === undefined) continue;
        const successorIndex = successors++;
        const lane1 = successor.laneOne;
        const lane2 = successor.laneTwo;
        // In a worker, a state the coordinator's set holds was found earlier in the one-thread
        // order; so was one in `visited`, which holds what this worker's earlier chunks of this
        // level made. Neither is new here.
        if (this.provisional ? (shared !== undefined && sharedHas(shared, lane1, lane2)) || !visited.add(lane1, lane2) : visited.has(lane1, lane2)) continue;
        successorIndexes.push(successorIndex);
        fingerprints.push(lane1);
        fingerprints.push(lane2);
        parents.push(parent);
        eventIndexes.push(eventIndex);
        const problem = checker.checkState(successor);
        // A goal reached already needs no second report: only the first reaching counts.
        const goals = problem === undefined ? checker.goalsIn(successor, goalsKnown) : [];
        if (problem !== undefined || goals.length > 0) notes.push(goals.length > 0 ? { successor: successorIndex, goals } : { successor: successorIndex, problem });
        pruned.push(problem === undefined && prune?.(checker.view(successor)) ? 1 : 0);
        this.encode(successor, out);
      }
    }
    const result: ChunkResult = {
      successors,
      successorIndexes: successorIndexes.view(),
      fingerprints: fingerprints.view(),
      parents: parents.view(),
      eventIndexes: eventIndexes.view(),
      pruned: Uint8Array.from(pruned),
      records: out.view(),
      notes,
      components: this.pending,
    };
    return stop === undefined ? result : { ...result, stop };
  }

  /** Adds parts the coordinator numbered. */
  adopt(contents: readonly NumberedContent[]): void {
    for (const { id, content } of contents) {
      this.table.add(componentFrom(content, this.checker), content.kind === 'node' ? content.position + 1 : content.kind === 'envelope' ? envelopeSalt : memoriesSalt, id);
    }
  }
}

/** A part under the number the coordinator gave it. */
export interface NumberedContent {
  readonly id: number;
  readonly content: ComponentContent;
}

/** Rebuilds a part from its content, with the node classes of this thread. */
function componentFrom<P extends Protocol>(content: ComponentContent, checker: Checker<P>): Component {
  switch (content.kind) {
    case 'envelope': {
      const envelope = new Envelope(content.from, content.to, content.message, content.hash1, content.hash2);
      return envelope;
    }
    case 'memories':
      return { values: content.values, hashes1: content.hashes1, hashes2: content.hashes2, hash1: content.hash1, hash2: content.hash2, tableEpoch: 0, componentId: -1 };
    case 'node': {
      const nodeClass = (checker.environments[content.position] as NodeEnvironment<P>).nodeClass;
      const instance = content.fields === null ? null : objectWithFields(nodeClass.prototype as object, content.fields as Record<string, unknown>);
      return new NodeState(instance, content.storage, content.random, content.incarnation, content.timers, [content.hash1, content.hash2]);
    }
  }
}

/** A part as plain data; `salt` tells a node state's position. */
function contentOf(component: Component, salt: number): ComponentContent {
  if (component instanceof Envelope) {
    return { kind: 'envelope', from: component.from, to: component.to, message: component.message, hash1: component.hash1, hash2: component.hash2 };
  }
  if (component instanceof NodeState) {
    return {
      kind: 'node',
      position: salt - 1,
      fields: component.instance,
      storage: component.storage,
      random: component.random,
      incarnation: component.incarnation,
      timers: component.timers,
      hash1: component.hash1,
      hash2: component.hash2,
    };
  }
  const { values, hashes1, hashes2, hash1, hash2 } = component;
  return { kind: 'memories', values, hashes1, hashes2, hash1, hash2 };
}

/** How many frontier states a chunk holds: the unit of work, and of merging. */
const chunkStates = 1024;

/** The length of the record that starts at `offset`. */
function recordLength(records: Int32Array, offset: number, nodeCount: number): number {
  return 3 + nodeCount + (records[offset + 2] as number);
}

/**
 * The breadth-first search's bookkeeping, whoever expands the states: merges each chunk's
 * successors in the order a one-thread search makes them, so that the states found, their
 * numbering, the outcome and its path are the same whatever the number of threads.
 */
class BreadthFirst<P extends Protocol> {
  readonly visited: FingerprintSet;
  readonly goalsReached = new Map<string, number>();
  transitions = 0;
  maxDepthReached = 0;
  depthLimit: number;
  depthCut = false;
  readonly startedMs = wallClockMs();
  private readonly maxStates: number;
  /** Per level from 1: each state's parent in the level before, and its event's index among the parent's events. */
  private readonly parentsByLevel: Int32Array[] = [new Int32Array(1)];
  private readonly eventsByLevel: Int32Array[] = [new Int32Array(1)];
  /** The level being expanded (0: the initial state's). */
  level = 0;
  /** The next level, as it is merged (in shared memory when workers expand it). */
  nextRecords: IntList;
  /** The level being expanded, whose memory takes the level after the next once it is expanded. */
  private frontierRecords: IntList | undefined;
  nextParents = new IntList();
  nextEvents = new IntList();
  nextCount = 0;

  /** Per worker thread: the heap it last reported (empty on one thread). */
  private readonly workerHeaps: number[];
  /** Per worker thread: the CPU time it last reported for this search (NaN where unknown). */
  private readonly workerCpuMs: number[];
  /** Unique states first found at each level. */
  private readonly statesByDepth: number[] = [];

  constructor(
    readonly settings: SearchSettings<P>,
    readonly checker: Checker<P>,
    readonly initial: SearchState,
    /** Worker threads (0: this thread expands the states itself). */
    private readonly workers = 0,
  ) {
    // With workers, they read the visited set as it grows.
    this.visited = new FingerprintSet(workers > 0);
    this.nextRecords = new IntList(1024, workers > 0);
    this.workerHeaps = new Array<number>(workers).fill(0);
    this.workerCpuMs = new Array<number>(workers).fill(0);
    this.depthLimit = settings.maxDepth ?? Infinity;
    this.maxStates = settings.maxStates ?? Infinity;
  }

  get levelDepth(): number {
    return this.initial.depth + this.level;
  }

  statistics(): SearchStatistics {
    const wallMs = wallClockMs() - this.startedMs;
    const states = this.visited.size;
    const statistics = {
      states,
      transitions: this.transitions,
      maxDepth: this.maxDepthReached,
      wallMs,
      statesPerSec: wallMs > 0 ? Math.round((states * 1000) / wallMs) : 0,
      statesByDepth: this.statesByDepth.slice(),
    };
    if (this.workerHeaps.length === 0) return statistics;
    const cpuKnown = this.workerCpuMs.every((milliseconds) => Number.isFinite(milliseconds));
    return {
      ...statistics,
      workers: this.workerHeaps.length,
      workerHeapBytes: this.workerHeaps.reduce((sum, bytes) => sum + bytes, 0),
      ...(cpuKnown ? { workerCpuSeconds: this.workerCpuMs.map((milliseconds) => milliseconds / 1000) } : {}),
    };
  }

  noteWorker(worker: number, report: WorkerReport): void {
    this.workerHeaps[worker] = report.heapBytes;
    this.workerCpuMs[worker] = report.cpuMs;
  }

  finish(outcome: SearchOutcome): SearchResult {
    const result = { outcome, statistics: this.statistics(), goalsReached: this.goalsReached };
    // Every level before the one being expanded was expanded whole: each successor of each of
    // its states (but those pruned) is in the visited set, which a live check holds its steps to.
    searchVisits.set(result, { visited: this.visited, expandedLevels: this.level });
    return result;
  }

  /** Checks the initial state; an outcome when the search ends there. */
  begin(): SearchResult | undefined {
    const initial = this.initial;
    this.visited.add(initial.laneOne, initial.laneTwo);
    this.statesByDepth.push(1);
    const problem = this.checker.checkState(initial);
    if (problem) return this.finish({ kind: 'violation', ...problem, path: initial.path() });
    return this.noteGoals(this.checker.goalsIn(initial), initial.depth, () => ({ path: initial.path(), state: initial }));
  }

  private noteGoals(goals: readonly string[], depth: number, reached: () => { path: SearchEvent[]; state: SearchState }): SearchResult | undefined {
    for (const goal of goals) {
      if (this.goalsReached.has(goal)) continue;
      this.goalsReached.set(goal, depth);
      if (this.settings.stopAtGoal) return this.finish({ kind: 'goal-found', goal, ...reached() });
      if (this.settings.depthAfterGoal !== undefined) this.depthLimit = Math.min(this.depthLimit, depth + this.settings.depthAfterGoal);
    }
    return undefined;
  }

  /** Whether the level about to be expanded is beyond the depth limit. */
  levelCut(): boolean {
    if (this.levelDepth < this.depthLimit) return false;
    this.depthCut = true;
    return true;
  }

  /**
   * Merges a chunk's result. `numbered` gives the number of a part a worker named by a
   * negative number (undefined in one thread, where numbers are final).
   */
  merge(result: ChunkResult, numbered: ((provisional: number) => number) | undefined): SearchResult | undefined {
    const { successorIndexes, fingerprints, pruned, records, notes, parents, eventIndexes } = result;
    const nodeCount = this.checker.nodeCount;
    const depth = this.levelDepth + 1;
    // Transitions are counted as a one-thread search counts them: up to the successor it stops at.
    const transitionsBefore = this.transitions;
    let recordOffset = 0;
    let noteCursor = 0;
    const candidates = successorIndexes.length;
    this.visited.touch(fingerprints, candidates);
    for (let candidate = 0; candidate < candidates; candidate++) {
      const successor = successorIndexes[candidate] as number;
      this.transitions = transitionsBefore + successor + 1;
      const start = recordOffset;
      recordOffset += recordLength(records, start, nodeCount);
      const lane1 = fingerprints[2 * candidate] as number;
      const lane2 = fingerprints[2 * candidate + 1] as number;
      if (!this.visited.add(lane1, lane2)) continue;
      this.statesByDepth[this.level + 1] = (this.statesByDepth[this.level + 1] ?? 0) + 1;
      if (depth > this.maxDepthReached) this.maxDepthReached = depth;
      while (noteCursor < notes.length && (notes[noteCursor] as ChunkResult['notes'][number]).successor < successor) noteCursor++;
      const note = notes[noteCursor]?.successor === successor ? notes[noteCursor] : undefined;
      const parent = parents[candidate] as number;
      const eventIndex = eventIndexes[candidate] as number;
      if (note?.problem !== undefined) return this.finish({ kind: 'violation', ...note.problem, path: this.replay(parent, eventIndex).path });
      if (note?.goals !== undefined) {
        const outcome = this.noteGoals(note.goals, depth, () => this.replay(parent, eventIndex));
        if (outcome) return outcome;
      }
      if (pruned[candidate] === 1) continue;
      const out = this.nextRecords;
      const at = out.length;
      out.append(records, start, recordOffset);
      if (numbered !== undefined && result.components.length > 0) {
        const values = out.values;
        // The counts (crashes, messages in flight) are never negative; parts a worker made are.
        for (let index = at; index < out.length; index++) {
          const value = values[index] as number;
          if (value < 0 && index !== at + 1 && index !== at + 2) values[index] = numbered(value);
        }
      }
      this.nextParents.push(parent);
      this.nextEvents.push(eventIndex);
      this.nextCount++;
      if (this.visited.size >= this.maxStates) return this.finish({ kind: 'limit', limit: 'states' });
    }
    this.transitions = transitionsBefore + result.successors;
    const stop = result.stop;
    if (stop !== undefined) {
      const reached = this.replay(stop.parent, undefined);
      if (stop.kind === 'stuck') return this.finish({ kind: 'violation', property: stop.property, message: stop.message, path: reached.path });
      const event = this.checker.events(reached.state)[stop.eventIndex] as SearchEvent;
      return this.finish({ kind: 'exception', node: stop.node, message: stop.message, path: [...reached.path, event] });
    }
    if (wallClockMs() - this.startedMs > (this.settings.maxWallMs ?? Infinity)) return this.finish({ kind: 'limit', limit: 'wall time' });
    this.settings.onProgress?.(this.statistics());
    return undefined;
  }

  /** Ends the level: the next one becomes the frontier. Returns its records and count. */
  advance(): { records: Int32Array; count: number } {
    this.parentsByLevel.push(this.nextParents.toArray());
    this.eventsByLevel.push(this.nextEvents.toArray());
    const frontier = { records: this.nextRecords.view(), count: this.nextCount };
    // The level just expanded is read no more: its memory, already mapped, takes the next one.
    const reused = this.frontierRecords ?? new IntList(1024, this.workers > 0);
    reused.clear();
    this.frontierRecords = this.nextRecords;
    this.nextRecords = reused;
    this.nextParents = new IntList();
    this.nextEvents = new IntList();
    this.nextCount = 0;
    this.level++;
    return frontier;
  }

  /**
   * The state `index` of the level being expanded (followed by its event `eventIndex` when
   * given), rebuilt by replaying the events that reached it: its path and the state itself.
   */
  replay(index: number, eventIndex: number | undefined): { path: SearchEvent[]; state: SearchState } {
    const chain: number[] = [];
    if (eventIndex !== undefined) chain.push(eventIndex);
    for (let level = this.level; level >= 1; level--) {
      chain.push((this.eventsByLevel[level] as Int32Array)[index] as number);
      index = (this.parentsByLevel[level] as Int32Array)[index] as number;
    }
    let state = this.initial;
    for (let step = chain.length - 1; step >= 0; step--) {
      const event = this.checker.events(state)[chain[step] as number] as SearchEvent;
      const next = this.checker.apply(state, event);
      if (next === undefined) throw new Error('a path of the search could not be replayed');
      state = next;
    }
    return { path: state.path(), state };
  }

  /** Bytes held by the bookkeeping: visited set, paths, next level. */
  get bytes(): number {
    let bytes = this.visited.bytes + this.nextRecords.bytes + this.nextParents.bytes + this.nextEvents.bytes;
    for (const level of this.parentsByLevel) bytes += level.byteLength * 2;
    return bytes;
  }
}

/** Splits a level's records into chunks of at most `chunkStates` states. */
function* chunksOf(
  records: Int32Array,
  count: number,
  nodeCount: number,
  size: (remaining: number) => number = () => chunkStates,
): Generator<{ records: Int32Array; count: number; firstIndex: number }> {
  let offset = 0;
  for (let firstIndex = 0; firstIndex < count; ) {
    const states = Math.min(size(count - firstIndex), count - firstIndex);
    const start = offset;
    for (let index = 0; index < states; index++) offset += recordLength(records, offset, nodeCount);
    yield { records: records.subarray(start, offset), count: states, firstIndex };
    firstIndex += states;
  }
}

/**
 * Breadth-first search over every interleaving, with a visited set of fingerprints: a
 * violation comes with the shortest path to it. Stops at a violation, an exception, a goal
 * (with `stopAtGoal`), when the space is exhausted, or at a limit. States waiting to be
 * expanded are kept compact (see ComponentTable) and rebuilt one at a time.
 */
export function explore<P extends Protocol>(settings: SearchSettings<P>): SearchResult {
  const checker = new Checker(settings);
  return searchedBy(checker, exploreWith(checker, settings));
}

/** What a breadth-first search visited, by its result: see BreadthFirst.finish. */
interface SearchVisits {
  readonly visited: FingerprintSet;
  /** States less than this many steps from the initial state had all their successors visited (unless pruned). */
  readonly expandedLevels: number;
}

const searchVisits = new WeakMap<SearchResult, SearchVisits>();

/** What random walks reached, by their result: see Walks. */
interface ProbeVisits {
  readonly seed: string | number;
  readonly depth: number;
  /** The initial state's fingerprint. */
  readonly initial: number;
  /** Each walk's states' fingerprints, in walk order, as far as the walks went. */
  readonly walks: readonly (readonly number[])[];
  /** The walks that first reached each goal. */
  readonly goalWalks: readonly number[];
}

/** How many of a probe's walks, besides those that first reached a goal and the last, the live check takes again. */
const walksTakenAgain = 16;

const probeVisits = new WeakMap<SearchResult, ProbeVisits>();

/**
 * The checker (and with it the realm) each search on this thread ran in, by its result: a
 * live check after the search follows its paths in the same realm, with whatever the
 * search's reactions left there.
 */
const searchCheckers = new WeakMap<SearchResult, Checker<Protocol>>();

function searchedBy<P extends Protocol>(checker: Checker<P>, result: SearchResult): SearchResult {
  searchCheckers.set(result, checker as unknown as Checker<Protocol>);
  return result;
}

function exploreWith<P extends Protocol>(checker: Checker<P>, settings: SearchSettings<P>): SearchResult {
  installGuards();
  try {
    let initial: SearchState;
    try {
      initial = settings.start ?? checker.initial();
    } catch (error) {
      if (error instanceof HandlerFailure) {
        const statistics: SearchStatistics = { states: 0, transitions: 0, maxDepth: 0, wallMs: 0, statesPerSec: 0 };
        return { outcome: { kind: 'exception', node: error.node, message: error.message, path: [] }, statistics, goalsReached: new Map() };
      }
      throw error;
    }
    const search = new BreadthFirst(settings, checker, initial);
    const ended = search.begin();
    if (ended) return ended;
    const expander = new Expander(checker, new ComponentTable(), false);
    const first = new IntList(64);
    expander.encode(initial, first);
    let frontier = { records: first.toArray(), count: 1 };
    while (frontier.count > 0) {
      if (search.levelCut()) break;
      for (const chunk of chunksOf(frontier.records, frontier.count, checker.nodeCount)) {
        const result = expander.expand(chunk.records, chunk.count, chunk.firstIndex, search.levelDepth, search.visited, settings.prune, search.goalsReached);
        const outcome = search.merge(result, undefined);
        if (outcome) return outcome;
      }
      frontier = search.advance();
    }
    return search.finish(search.depthCut ? { kind: 'limit', limit: 'depth' } : { kind: 'exhausted' });
  } finally {
    leaveReaction();
    releaseGuards();
  }
}

// ---------------------------------------------------------------------------------------
// Breadth-first search on worker threads. Each level's frontier is cut into chunks that
// idle workers expand; the coordinator merges the chunks' results in order (see
// BreadthFirst.merge), so the outcome is the one a single thread finds. Between levels,
// every worker hears of the parts and fingerprints added since the last level.

/** Where a worker thread finds the search's settings: a module exporting a function that returns them. */
export interface SettingsSource {
  /** The module's URL (`import.meta.url` of the module that exports the function) or path. */
  readonly module: string | URL;
  /** The exported function's name; it may return the settings or a promise of them. */
  readonly exportName: string;
  /** Its arguments: plain data. */
  readonly arguments?: readonly unknown[];
}

export interface ParallelSettings {
  /** Worker threads that expand states (at least 1). */
  readonly workers: number;
  /**
   * Where each worker gets the same settings as the search's own (node classes and
   * properties cannot be sent to a thread). Only the limits (`maxDepth`, `maxStates`,
   * `maxWallMs`, `stopAtGoal`, `depthAfterGoal`), `start` and `onProgress` may differ:
   * the coordinator applies them.
   */
  readonly settingsFrom: SettingsSource;
}

/** A job for a worker: a chunk of a level to expand, or random walks to take. */
type Job =
  | { readonly type: 'chunk'; readonly records: Int32Array; readonly count: number; readonly firstIndex: number; readonly depth: number }
  | { readonly type: 'walks'; readonly firstWalk: number; readonly count: number; readonly depth: number; readonly seed: string | number };

type ToWorker =
  | { readonly type: 'setup'; readonly search: number; readonly source: SettingsSource }
  | {
      readonly type: 'sync';
      readonly search: number;
      readonly contents: readonly NumberedContent[];
      /** The slots of the coordinator's visited set, when they moved (or a level begins). */
      readonly visited: Int32Array | undefined;
      readonly goals: readonly string[];
      /** A level begins: everything the workers made before is merged. */
      readonly level: boolean;
    }
  | (Job & { readonly search: number; readonly job: number });

/** A worker's answer to a job. */
type Answer = { readonly type: 'result'; readonly result: ChunkResult } | { readonly type: 'walked'; readonly reports: readonly WalkReport[] };

type FromWorker =
  | { readonly type: 'ready'; readonly search: number; readonly lane1: number; readonly lane2: number }
  | (Answer & { readonly search: number; readonly job: number } & WorkerReport)
  | { readonly type: 'error'; readonly search: number; readonly message: string };

/** What a worker says of itself with each answer: its heap, and the CPU time it spent on the search so far (NaN where unknown). */
interface WorkerReport {
  readonly heapBytes: number;
  readonly cpuMs: number;
}

/** The settings a source names, loaded in this thread. */
async function loadSettings(source: SettingsSource): Promise<SearchSettings<Protocol>> {
  const href = source.module instanceof URL ? source.module.href : /^[a-z]+:/.test(source.module) ? source.module : pathToFileURL(source.module).href;
  const loaded = (await import(href)) as Record<string, unknown>;
  const factory = loaded[source.exportName];
  if (typeof factory !== 'function') throw new SettingsError(`${href} exports no function named ${source.exportName}: the workers need it to build the search's settings`);
  // The function may be async (to import the implementation it names).
  return await (factory as (...parameters: unknown[]) => SearchSettings<Protocol> | Promise<SearchSettings<Protocol>>)(...(source.arguments ?? []));
}

/** What a worker thread holds for the search it serves. */
interface WorkerSearch {
  readonly search: number;
  readonly settings: SearchSettings<Protocol>;
  readonly checker: Checker<Protocol>;
  /** Its own initial state (random walks start there); undefined when a reaction threw. */
  readonly initial: SearchState | undefined;
  readonly expander: Expander<Protocol>;
  /** What this worker made in the level being expanded. */
  readonly visited: FingerprintSet;
  /** The slots of the coordinator's visited set, as last handed over. */
  shared: Int32Array | undefined;
  readonly goalsKnown: Set<string>;
  /** This thread's CPU time when the search was set up, so that loading the settings is not counted. */
  readonly cpuAtStartMs: number;
}

/**
 * Where a submission's nodes did one thing as the model checker runs them and another as a
 * run does (`against` 'run'), another when the model checker took the same step again
 * (`against` 'again'), or something the search never saw them do from the same state while it
 * explored (`against` 'search').
 */
export interface LiveDisagreement {
  /** The events from the initial state to where the two disagreed (the last one), or [] at the start. */
  readonly path: SearchEvent[];
  readonly against: 'run' | 'again' | 'search';
  /** What the model checker's copies did at the end of the path. */
  readonly searched: string;
  /** What the objects kept as in a run did there, or the copies the second time. */
  readonly other: string;
}

/** What a live check follows: the outcome's own path, and random walks. */
export interface LiveCheckSettings {
  /**
   * The result of the search being checked (by `explore` or `probe` on this thread): the
   * model checker's side then takes its steps in that search's own realm, where whatever a
   * node kept outside its fields during the search is still there.
   */
  readonly after?: SearchResult;
  readonly path?: readonly SearchEvent[];
  /**
   * The random walks to follow after the path. A search that found a violation its test does
   * not ask for fails whatever the walks would show: then none are taken (0), nor any of a
   * probe's walks again, and only the path is followed, to show that it does what the report says.
   */
  readonly walks: number;
  readonly depth: number;
  readonly seed: string;
}

/**
 * Follows paths of the search twice, event by event: as the model checker follows them (each
 * reaction on a copy rebuilt from the node's fields, in one realm for the whole search) and as
 * a run does (the node objects its constructor made, kept in a realm of their own), and
 * compares what each step did (the trace: messages, timers, storage, outputs, failures) and
 * every node's fields after it. A node whose behaviour depends only on its fields and what it
 * reacts to does the same both ways; one that tells a rebuilt object from the one it made, or
 * keeps state outside its fields, can show the search a protocol its runs do not follow.
 *
 * Only a submission's classes running in a realm are checked (classes of this realm are the
 * suite author's own). Returns the first disagreement, or undefined.
 */
export function checkLiveAgreement<P extends Protocol>(settings: SearchSettings<P>, check: LiveCheckSettings): LiveDisagreement | undefined {
  if (settings.start !== undefined || !settings.nodes.some((spec) => isStandIn(spec.node))) return undefined;
  return guarded(() => {
    // The search's own realm, or one realm for every path, as a search has: what a node
    // keeps outside its fields then carries from one path to the next, where each run starts afresh.
    const used = check.after === undefined ? undefined : searchCheckers.get(check.after);
    const searched = used !== undefined ? (used as unknown as Checker<P>) : new Checker(settings, 'copies');
    const disagreement = liveAgreementOf(searched, check);
    // Over without an error thrown through it: a realm of its own may serve another run.
    if (used === undefined) searched.giveBackRealms();
    return disagreement;
  });
}

function liveAgreementOf<P extends Protocol>(searched: Checker<P>, check: LiveCheckSettings): LiveDisagreement | undefined {
  const visits = check.after === undefined ? undefined : searchVisits.get(check.after);
  if (check.path !== undefined && check.path.length > 0) {
    const path = check.path;
    const disagreement = followBothWays(searched, (_events, step) => (step < path.length ? path[step] : undefined), path.length, visits);
    if (disagreement !== undefined) return disagreement;
  }
  for (let walk = 0; walk < check.walks; walk++) {
    const random = RandomSource.fork(check.seed, `live check/${walk}`);
    // No crash in the middle of a reaction: one that would cut nothing is refused after the
    // reaction ran, which a copy forgets and a run's object cannot.
    const choose = (events: SearchEvent[]) => {
      const whole = events.filter((event) => !('crashAfter' in event) || event.crashAfter === undefined);
      return whole.length === 0 ? undefined : random.pick(whole);
    };
    const disagreement = followBothWays(searched, choose, check.depth, visits);
    if (disagreement !== undefined) return disagreement;
  }
  // After the walks above: a node that counts its reactions, to follow the protocol through
  // the probe and these walks and differently after, differs from the probe here.
  const walked = check.after === undefined || check.walks === 0 ? undefined : probeVisits.get(check.after);
  return walked === undefined ? undefined : retakeWalks(searched, walked, RandomSource.fork(check.seed, 'live check/walks taken again'));
}

/**
 * One path followed as the search (`searched`) and as a run would: `choose` picks each event
 * among those possible. With `visits`, each step the searched side takes from a state the
 * search expanded must reach a state the search visited: the nodes must do now what they did
 * while the search explored (not only agree with a run now).
 */
function followBothWays<P extends Protocol>(
  searched: Checker<P>,
  choose: (events: SearchEvent[], step: number) => SearchEvent | undefined,
  maxSteps: number,
  visits?: SearchVisits,
): LiveDisagreement | undefined {
  const live = new Checker(searched.settings, 'live');
  const disagreement = followWith(searched, live, choose, maxSteps, visits);
  // Over without an error thrown through it: the run's realm may serve another.
  live.giveBackRealms();
  return disagreement;
}

function followWith<P extends Protocol>(
  searched: Checker<P>,
  live: Checker<P>,
  choose: (events: SearchEvent[], step: number) => SearchEvent | undefined,
  maxSteps: number,
  visits: SearchVisits | undefined,
): LiveDisagreement | undefined {
  const settings = searched.settings;
  const searchedSteps: string[] = [];
  const liveSteps: string[] = [];
  const againSteps: string[] = [];
  const searchedSink = stepSink(searchedSteps);
  const liveSink = stepSink(liveSteps);
  const againSink = stepSink(againSteps);
  const attempt = (build: () => SearchState | undefined): SearchState | string | undefined => {
    try {
      return build();
    } catch (error) {
      if (!(error instanceof HandlerFailure)) throw error;
      return `${nodeName(error.node)} threw: ${error.message}`;
    }
  };
  const path: SearchEvent[] = [];
  /** The first difference between two ways of taking a step, described both ways. */
  const compare = (
    against: 'run' | 'again',
    otherChecker: Checker<P>,
    otherSteps: readonly string[],
    left: SearchState | string | undefined,
    right: SearchState | string | undefined,
  ): LiveDisagreement | undefined => {
    const described = (lines: readonly string[], state: SearchState | string | undefined) =>
      bounded(typeof state === 'string' ? [...lines, state].join('; ') : state === undefined ? 'could not take this step' : lines.join('; ') || 'nothing');
    const searchedText = described(searchedSteps, left);
    const otherText = described(otherSteps, right);
    if (searchedText !== otherText) return { path: path.slice(), against, searched: searchedText, other: otherText };
    if (typeof left !== 'object' || typeof right !== 'object') return undefined;
    for (let id = 0; id < settings.nodes.length; id++) {
      const searchedFields = searched.fieldsOf(left, id);
      const otherFields = otherChecker.fieldsOf(right, id);
      // Compared as data: the order of a record's keys is not part of a node's state.
      if (!equalPlain(searchedFields, otherFields)) {
        const shown = (fields: unknown) => JSON.stringify(fields) ?? 'fields that are not plain data';
        return { path: path.slice(), against, searched: bounded(`left ${nodeName(id)} with the fields ${shown(searchedFields)}`), other: bounded(`left it with ${shown(otherFields)}`) };
      }
    }
    return undefined;
  };
  /** Whether the search visited `state`, reached in `steps` steps from a state it expanded whole (or is the initial state). */
  const unvisited = (state: SearchState | string | undefined, from: SearchState | undefined, steps: number): boolean => {
    if (visits === undefined || typeof state !== 'object') return false;
    if (from !== undefined && (steps - 1 >= visits.expandedLevels || !visits.visited.has(from.laneOne, from.laneTwo) || settings.prune?.(searched.view(from)) === true)) return false;
    return !visits.visited.has(state.laneOne, state.laneTwo);
  };
  const notAsSearched = (): LiveDisagreement => ({
    path: path.slice(),
    against: 'search',
    searched: bounded(searchedSteps.join('; ') || 'nothing'),
    other: 'not this: exploring, the search never reached the state this step reaches now from the same state',
  });
  let left = attempt(() => searched.initial(searchedSink));
  if (unvisited(left, undefined, 0)) return notAsSearched();
  let right = attempt(() => live.initial(liveSink));
  const atStart = compare('run', live, liveSteps, left, right);
  if (atStart !== undefined) return atStart;
  for (let step = 0; step < maxSteps && typeof left === 'object' && typeof right === 'object'; step++) {
    const events = searched.events(left);
    if (events.length === 0) break;
    const event = choose(events, step);
    if (event === undefined) break;
    searchedSteps.length = 0;
    liveSteps.length = 0;
    againSteps.length = 0;
    path.push(event);
    const fromLeft: SearchState = left;
    const fromRight: SearchState = right;
    const nextLeft = attempt(() => searched.apply(fromLeft, event, searchedSink));
    const nextRight = attempt(() => live.apply(fromRight, event, liveSink));
    if (nextLeft === undefined && nextRight === undefined) {
      // Not a possible event after all (a crash that cuts nothing): the walk goes on from here.
      path.pop();
      continue;
    }
    if (unvisited(nextLeft, fromLeft, path.length)) return notAsSearched();
    const disagreement = compare('run', live, liveSteps, nextLeft, nextRight);
    if (disagreement !== undefined) return disagreement;
    // The model checker takes a step from a state once per path that reaches it: the same
    // step again must do the same, whatever the node kept outside its fields.
    const again = attempt(() => searched.apply(fromLeft, event, againSink));
    const repeated = compare('again', searched, againSteps, nextLeft, again);
    if (repeated !== undefined) return repeated;
    left = nextLeft;
    right = nextRight;
  }
  return undefined;
}

/**
 * Takes some of a probe's random walks again, as the model checker took them (each draw from
 * the walk's own random source), and checks that each step reaches the state the walk reached. A
 * walk leaves no visited set to check against, and only its own steps show what the nodes did
 * while the search explored: a node that follows the protocol only while probed (its first
 * start, say) and differently afterwards, in the check and in runs alike, differs here.
 */
function retakeWalks<P extends Protocol>(searched: Checker<P>, walked: ProbeVisits, random: RandomSource): LiveDisagreement | undefined {
  const notAsWalked = (from: SearchState | undefined, event: SearchEvent | undefined, what: string): LiveDisagreement => {
    const lines: string[] = [];
    const sink = stepSink(lines);
    let failed: string | undefined;
    try {
      if (from === undefined) searched.initial(sink);
      else if (event !== undefined) searched.apply(from, event, sink);
    } catch (error) {
      if (!(error instanceof HandlerFailure)) throw error;
      failed = `${nodeName(error.node)} threw: ${error.message}`;
    }
    const path = from === undefined ? [] : event === undefined ? from.path() : [...from.path(), event];
    const searchedText = [...lines, ...(failed === undefined ? [] : [failed])].join('; ') || 'nothing';
    return { path, against: 'search', searched: bounded(searchedText), other: `not this: exploring, ${what}` };
  };
  let initial: SearchState;
  try {
    initial = searched.initial();
  } catch (error) {
    if (!(error instanceof HandlerFailure)) throw error;
    return notAsWalked(undefined, undefined, 'the nodes started without an exception');
  }
  if (initial.fingerprint() !== walked.initial) return notAsWalked(undefined, undefined, 'the nodes started in another state');
  // Those that reached a goal first and the last (which may have ended the search), and others
  // drawn from a source the nodes never see.
  const count = walked.walks.length;
  const chosen = new Set<number>(walked.goalWalks);
  if (count > 0) chosen.add(count - 1);
  const sampled = Math.min(count, chosen.size + walksTakenAgain);
  while (chosen.size < sampled) chosen.add(random.integer(0, count - 1));
  for (const walk of [...chosen].sort((left, right) => left - right)) {
    const reached = walked.walks[walk] as readonly number[];
    const random = walkRandom(walked.seed, walk);
    let state = initial;
    let index = 0;
    for (let step = 0; step < walked.depth && index < reached.length; step++) {
      const events = searched.events(state);
      if (events.length === 0) return notAsWalked(state, undefined, 'the random walk went on from this state');
      const event = random.pick(events);
      let next: SearchState | undefined;
      try {
        next = searched.apply(state, event);
      } catch (error) {
        if (!(error instanceof HandlerFailure)) throw error;
        return notAsWalked(state, event, 'the random walk took this step without an exception');
      }
      if (next === undefined) continue;
      if (next.fingerprint() !== reached[index]) return notAsWalked(state, event, 'the random walk took the same step from the same state and reached another state');
      index++;
      state = next;
    }
    if (index < reached.length) return notAsWalked(state, undefined, 'the random walk went on from this state');
  }
  return undefined;
}

/** A trace sink that describes each thing a step did, one line each, for a live check's report. */
function stepSink(lines: string[]): TraceSink {
  return (kind, node, peer, label, detail, reason) => {
    lines.push(`${traceKindName(kind)} ${nodeName(node)}${peer >= 0 ? ` ${nodeName(peer)}` : ''} ${label}${detail === undefined ? '' : ` ${JSON.stringify(toJsonValue(detail))}`}${reason === undefined ? '' : ` (${reason})`}`);
  };
}

/** A description cut to a length any report can show. */
function bounded(text: string, limit = 2_000): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more characters)`;
}

/** Runs `stretch` with the determinism guards installed: node code runs in it. */
function guarded<T>(stretch: () => T): T {
  installGuards();
  try {
    return stretch();
  } finally {
    leaveReaction();
    releaseGuards();
  }
}

/**
 * Runs in a worker thread: for each search it is set up for, builds the settings from their
 * source, then does the jobs it is sent. A thread serves one search after another.
 */
/** The worker's heap in use: V8's own figure, without process.memoryUsage()'s read of the resident set, which costs more. */
function heapUsedBytes(): number {
  return getHeapStatistics().used_heap_size;
}

export function serveSearchWorker(port: MessagePort): void {
  const send = (message: FromWorker, transfer: Transferable[] = []) => port.postMessage(message, transfer);
  const describe = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));
  let current: WorkerSearch | undefined;
  // Set-ups are loaded one after another, so that a job never meets a search still loading.
  let loading: Promise<void> = Promise.resolve();
  const setUp = async (search: number, source: SettingsSource) => {
    current = undefined;
    try {
      const settings = await loadSettings(source);
      const checker = new Checker(settings);
      let initial: SearchState | undefined;
      try {
        initial = guarded(() => checker.initial());
      } catch (error) {
        if (!(error instanceof HandlerFailure)) throw error;
      }
      current = {
        search,
        settings,
        checker,
        initial,
        expander: new Expander(checker, new ComponentTable(), true),
        visited: new FingerprintSet(),
        shared: undefined,
        goalsKnown: new Set(),
        cpuAtStartMs: threadCpuMs(),
      };
      send({ type: 'ready', search, lane1: initial?.laneOne ?? 0, lane2: initial?.laneTwo ?? 0 });
    } catch (error) {
      send({ type: 'error', search, message: describe(error) });
    }
  };
  const handle = (message: ToWorker) => {
    const served = current;
    // What is left of a search that ended: nobody waits for it.
    if (served === undefined || served.search !== message.search) return;
    try {
      switch (message.type) {
        case 'setup':
          return;
        case 'sync': {
          served.expander.adopt(message.contents);
          for (const goal of message.goals) served.goalsKnown.add(goal);
          if (message.visited !== undefined) served.shared = message.visited;
          // What this worker made in the level before is in the coordinator's set now.
          if (message.level) served.visited.clear();
          return;
        }
        case 'chunk': {
          const result = guarded(() =>
            served.expander.expand(message.records, message.count, message.firstIndex, message.depth, served.visited, served.settings.prune, served.goalsKnown, served.shared),
          );
          const { successorIndexes, fingerprints, parents, eventIndexes, pruned, records } = result;
          send(
            { type: 'result', search: served.search, job: message.job, result, heapBytes: heapUsedBytes(), cpuMs: threadCpuMs() - served.cpuAtStartMs },
            [successorIndexes, fingerprints, parents, eventIndexes, pruned, records].map((array) => array.buffer as ArrayBuffer),
          );
          return;
        }
        case 'walks': {
          const initial = served.initial;
          if (initial === undefined) throw new Error('random walks need an initial state, and a reaction threw while it was built');
          const probes = { probes: message.count, depth: message.depth, seed: message.seed };
          const reports = guarded(() => takeWalks(served.checker, initial, probes, message.firstWalk, message.count));
          send({ type: 'walked', search: served.search, job: message.job, reports, heapBytes: heapUsedBytes(), cpuMs: threadCpuMs() - served.cpuAtStartMs });
          return;
        }
      }
    } catch (error) {
      send({ type: 'error', search: served.search, message: describe(error) });
    }
  };
  port.on('message', (message: ToWorker) => {
    if (message.type === 'setup') {
      loading = loading.then(() => setUp(message.search, message.source));
      return;
    }
    void loading.then(() => handle(message));
  });
}

const workerEntry = new URL('./_internals/searchWorker.mjs', import.meta.url);

/**
 * Worker threads kept between searches, so that a second search does not pay again for
 * starting threads and loading the framework. An idle thread does not keep the process alive.
 */
const idleWorkers: Worker[] = [];
let searchesStarted = 0;

/**
 * Jobs given to a worker before it answers: enough that a worker always has the next chunk
 * queued while the coordinator, which shares the cores with it, has not yet run to merge.
 */
const inFlightPerWorker = 16;

/**
 * The young generation of a worker's heap, twice V8's default: a worker's garbage is
 * short-lived (the states it builds, most of them seen before), and each scavenge of it
 * costs about the same whatever its size, so a larger one is scavenged half as often. On a
 * machine with as many cores as workers, the collector's helper threads take their time
 * from the workers.
 */
const workerYoungGenerationMb = 96;

/** Worker threads set up for one search, and how jobs are handed to them. */
class Threads {
  private readonly search = ++searchesStarted;
  private readonly workers: Worker[];
  /** Whether the threads can serve another search (not after one of them failed). */
  private reusable = true;
  private failure: Error | undefined;
  private onFailure: (error: Error) => void = () => undefined;
  private onAnswer: (worker: number, message: FromWorker) => void = () => undefined;
  /** What each worker last said of itself: its heap and CPU time. */
  readonly reports: WorkerReport[];

  private constructor(count: number) {
    this.workers = idleWorkers.splice(0, count);
    while (this.workers.length < count) this.workers.push(new Worker(workerEntry, { resourceLimits: { maxYoungGenerationSizeMb: workerYoungGenerationMb } }));
    this.reports = Array.from({ length: count }, () => ({ heapBytes: 0, cpuMs: 0 }));
  }

  /** Starts `parallel.workers` threads (or takes idle ones) and sets them up; each must build `initial` as this thread did. */
  static async start<P extends Protocol>(settings: SearchSettings<P>, parallel: ParallelSettings, initial: SearchState): Promise<Threads> {
    const threads = new Threads(parallel.workers);
    const source = parallel.settingsFrom;
    const module = source.module instanceof URL ? source.module.href : source.module;
    let readyCount = 0;
    const ready = new Promise<void>((resolve, reject) => {
      threads.onFailure = reject;
      threads.onAnswer = (_worker, message) => {
        if (message.type !== 'ready') return;
        if (settings.start === undefined && (message.lane1 !== initial.laneOne || message.lane2 !== initial.laneTwo)) {
          reject(new SettingsError(`the settings from ${source.exportName} give the workers another initial state than the search's own: give both the same nodes, inputs and properties`));
        }
        if (++readyCount === threads.workers.length) resolve();
      };
    });
    threads.workers.forEach((worker, index) => {
      worker.ref();
      worker.on('message', (message: FromWorker) => {
        if (message.search !== threads.search) return;
        if (message.type === 'error') threads.fail(new Error(`a search worker failed: ${message.message}`));
        else threads.onAnswer(index, message);
      });
      worker.on('error', (error) => threads.fail(error));
      worker.on('exit', (code) => threads.fail(new Error(`a search worker stopped with exit code ${code}`)));
      worker.postMessage({ type: 'setup', search: threads.search, source: { ...source, module } } satisfies ToWorker);
    });
    try {
      await ready;
    } catch (error) {
      await threads.release();
      throw error;
    }
    return threads;
  }

  private fail(error: Error): void {
    this.reusable = false;
    this.failure ??= error;
    this.onFailure(error);
  }

  get count(): number {
    return this.workers.length;
  }

  /** Tells every worker what the search added: parts, the visited set's slots when they moved, goals reached. */
  sync(contents: readonly NumberedContent[], visited: Int32Array | undefined, goals: readonly string[], level: boolean): void {
    for (const worker of this.workers) worker.postMessage({ type: 'sync', search: this.search, contents, visited, goals, level } satisfies ToWorker);
  }

  /**
   * Hands out jobs 0 to `count - 1` in order, {@link inFlightPerWorker} in flight per worker, and merges their
   * answers in job order; stops at the first merge that returns a result, and returns it.
   */
  inOrder<R>(count: number, job: (index: number) => Job, merge: (answer: Answer, worker: number) => R | undefined): Promise<R | undefined> {
    return new Promise<R | undefined>((resolve, reject) => {
      if (this.failure !== undefined) {
        reject(this.failure);
        return;
      }
      if (count === 0) {
        resolve(undefined);
        return;
      }
      this.onFailure = reject;
      const answers = new Map<number, Answer>();
      let nextJob = 0;
      let nextMerge = 0;
      let done = false;
      const give = (worker: number) => {
        if (nextJob >= count) return;
        const work = job(nextJob);
        // A chunk's records are in shared memory (but the first level's): the worker reads them where they are.
        (this.workers[worker] as Worker).postMessage({ ...work, search: this.search, job: nextJob } satisfies ToWorker);
        nextJob++;
      };
      this.onAnswer = (worker, message) => {
        if (done || message.type === 'ready' || message.type === 'error') return;
        this.reports[worker] = { heapBytes: message.heapBytes, cpuMs: message.cpuMs };
        answers.set(message.job, message);
        give(worker);
        try {
          for (let answer = answers.get(nextMerge); answer !== undefined; answer = answers.get(nextMerge)) {
            answers.delete(nextMerge);
            nextMerge++;
            const result = merge(answer, worker);
            if (result !== undefined) {
              done = true;
              resolve(result);
              return;
            }
          }
          if (nextMerge === count) {
            done = true;
            resolve(undefined);
          }
        } catch (error) {
          done = true;
          reject(error as Error);
        }
      };
      for (let round = 0; round < inFlightPerWorker; round++) for (let worker = 0; worker < this.workers.length; worker++) give(worker);
    });
  }

  /** Keeps the threads for the next search, or stops them if one failed. */
  async release(): Promise<void> {
    if (!this.reusable) {
      await Promise.all(this.workers.map((worker) => worker.terminate()));
      return;
    }
    for (const worker of this.workers) {
      worker.removeAllListeners('message');
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      worker.unref();
      idleWorkers.push(worker);
    }
  }
}

function checkWorkers<P extends Protocol>(settings: SearchSettings<P>, parallel: ParallelSettings): void {
  if (!(Number.isSafeInteger(parallel.workers) && parallel.workers >= 1)) throw new SettingsError(`workers must be a whole number of threads, at least 1, not ${String(parallel.workers)}`);
  if (settings.nodes.some((spec) => isStandIn(spec.node))) {
    throw new SettingsError('a search on worker threads needs node classes of this realm: a submission in a realm of its own is searched on one thread');
  }
}

/**
 * {@link explore} on worker threads: the same states, the same outcome and the same path
 * as on one thread, found by `parallel.workers` threads that expand each level's states
 * together. `settings` are the coordinator's; each worker builds its own from
 * `parallel.settingsFrom`, which must give the same nodes, network and properties.
 */
export async function exploreInParallel<P extends Protocol>(settings: SearchSettings<P>, parallel: ParallelSettings): Promise<SearchResult> {
  checkWorkers(settings, parallel);
  const checker = new Checker(settings);
  let initial: SearchState;
  try {
    initial = guarded(() => settings.start ?? checker.initial());
  } catch (error) {
    if (error instanceof HandlerFailure) {
      const statistics: SearchStatistics = { states: 0, transitions: 0, maxDepth: 0, wallMs: 0, statesPerSec: 0 };
      return { outcome: { kind: 'exception', node: error.node, message: error.message, path: [] }, statistics, goalsReached: new Map() };
    }
    throw error;
  }
  const search = new BreadthFirst(settings, checker, initial, parallel.workers);
  const ended = guarded(() => search.begin());
  if (ended) return ended;
  // The initial state's parts, numbered here; every later part is numbered as a worker's chunk is merged.
  const initialTable = new ComponentTable();
  const first = new IntList(64);
  guarded(() => new Expander(checker, initialTable, false).encode(initial, first));
  let contents: NumberedContent[] = initialTable.items.map((item, id) => ({ id, content: contentOf(item, initialTable.salts[id] as number) }));
  const numberedParts = new ComponentTable();
  for (const { id, content } of contents) numberedParts.add(markerOf(content), saltOf(content), id);
  const threads = await Threads.start(settings, parallel, initial);
  try {
    let generationSent = -1;
    let goalsSent = 0;
    /** Tells the workers what was added since they last heard; at a level's start, the parts too. */
    const sync = (level: boolean) => {
      const visited = search.visited;
      const moved = visited.generation !== generationSent;
      generationSent = visited.generation;
      goalsSent = search.goalsReached.size;
      threads.sync(level ? contents : [], moved || level ? visited.sharedSlots : undefined, [...search.goalsReached.keys()], level);
      if (level) contents = [];
    };
    let frontier = { records: first.toArray(), count: 1 };
    while (frontier.count > 0) {
      if (search.levelCut()) break;
      sync(true);
      // Chunks shrink as the level's end nears, down to a few dozen states, so that no worker
      // is left with several large ones while the others wait for the next level.
      const size = (remaining: number) => Math.max(64, Math.min(chunkStates, Math.ceil(remaining / (threads.count * inFlightPerWorker))));
      const chunks = [...chunksOf(frontier.records, frontier.count, checker.nodeCount, size)];
      const depth = search.levelDepth;
      const outcome = await threads.inOrder(
        chunks.length,
        (index) => {
          const chunk = chunks[index] as (typeof chunks)[number];
          return { type: 'chunk', records: chunk.records, count: chunk.count, firstIndex: chunk.firstIndex, depth };
        },
        (answer, worker) => {
          if (answer.type !== 'result') throw new Error('a search worker answered a chunk with something else');
          search.noteWorker(worker, threads.reports[worker] as WorkerReport);
          const result = answer.result;
          const numbers = new Int32Array(result.components.length).fill(-1);
          const numbered = (provisional: number): number => {
            const place = -1 - provisional;
            let id = numbers[place] as number;
            if (id < 0) {
              const content = result.components[place] as ComponentContent;
              const salt = saltOf(content);
              id = numberedParts.find(salt, content.hash1, content.hash2);
              if (id < 0) {
                id = numberedParts.items.length;
                numberedParts.add(markerOf(content), salt, id);
                contents.push({ id, content });
              }
              numbers[place] = id;
            }
            return id;
          };
          const ended = guarded(() => search.merge(result, numbered));
          // The workers hear at once of a larger table and of goals reached, so they report fewer duplicates and goals.
          if (ended === undefined && (search.visited.generation !== generationSent || search.goalsReached.size !== goalsSent)) sync(false);
          return ended;
        },
      );
      if (outcome !== undefined) return outcome;
      frontier = search.advance();
    }
    return search.finish(search.depthCut ? { kind: 'limit', limit: 'depth' } : { kind: 'exhausted' });
  } finally {
    await threads.release();
  }
}

/** A part's salt in the component table. */
function saltOf(content: ComponentContent): number {
  return content.kind === 'node' ? content.position + 1 : content.kind === 'envelope' ? envelopeSalt : memoriesSalt;
}

/** What the coordinator keeps of a part it numbered: its hashes. */
function markerOf(content: ComponentContent): Component {
  return new Envelope(-1, -1, markerMessage, content.hash1, content.hash2);
}

const markerMessage: Tagged = Object.freeze({ type: 'part' });

export interface ProbeSettings {
  /** Random walks to take. */
  readonly probes: number;
  /** Steps per walk at most. */
  readonly depth: number;
  readonly seed: string | number;
}

/** What one random walk found, in the order it found it. */
export interface WalkReport {
  /** Events applied. */
  readonly transitions: number;
  /** The fingerprints of the states it reached. */
  readonly fingerprints: readonly number[];
  readonly maxDepth: number;
  /** Goals in the order the walk reached them, with the depth. */
  readonly goals: readonly (readonly [string, number])[];
  /** How the walk ended the search, if it did: a broken property (before shortening), or a reaction that threw. */
  readonly end?:
    | { readonly kind: 'violation'; readonly property: string; readonly message: string; readonly path: readonly SearchEvent[]; readonly shorten: boolean }
    | { readonly kind: 'exception'; readonly node: NodeId; readonly message: string; readonly path: readonly SearchEvent[] };
}

/** The random source of walk `walk`: its own, so that walks can be taken in any order, on any thread. */
function walkRandom(seed: string | number, walk: number): RandomSource {
  // The first walk draws from the stream every walk shared before walks had their own.
  return RandomSource.fork(seed, walk === 0 ? 'probes' : `probes/${walk}`);
}

/** Takes walks `firstWalk` to `firstWalk + count - 1`, stopping after the first that ends the search. */
function takeWalks<P extends Protocol>(checker: Checker<P>, initial: SearchState, probes: ProbeSettings, firstWalk: number, count: number): WalkReport[] {
  const reports: WalkReport[] = [];
  const prune = checker.settings.prune;
  for (let walk = firstWalk; walk < firstWalk + count; walk++) {
    const random = walkRandom(probes.seed, walk);
    const fingerprints: number[] = [];
    const goals: [string, number][] = [];
    let transitions = 0;
    let maxDepth = 0;
    let end: WalkReport['end'];
    let state = initial;
    for (let step = 0; step < probes.depth; step++) {
      const events = checker.events(state);
      if (events.length === 0) {
        const stuck = checker.checkQuiescent(state);
        if (stuck) end = { kind: 'violation', ...stuck, path: state.path(), shorten: false };
        break;
      }
      const event = random.pick(events);
      let successor: SearchState | undefined;
      try {
        successor = checker.apply(state, event);
      } catch (error) {
        if (!(error instanceof HandlerFailure)) throw error;
        end = { kind: 'exception', node: error.node, message: error.message, path: [...state.path(), event] };
        break;
      }
      if (successor === undefined) continue;
      transitions++;
      fingerprints.push(successor.fingerprint());
      maxDepth = Math.max(maxDepth, successor.depth);
      const problem = checker.checkState(successor);
      if (problem) {
        end = { kind: 'violation', ...problem, path: successor.path(), shorten: true };
        break;
      }
      for (const goal of checker.goalsIn(successor)) goals.push([goal, successor.depth]);
      if (prune?.(checker.view(successor))) break;
      state = successor;
    }
    reports.push(end === undefined ? { transitions, fingerprints, maxDepth, goals } : { transitions, fingerprints, maxDepth, goals, end });
    if (end !== undefined) break;
  }
  return reports;
}

/** The random walks' bookkeeping, whoever takes them: their reports are merged in walk order. */
class Walks<P extends Protocol> {
  private readonly startedMs = wallClockMs();
  private transitions = 0;
  private maxDepth = 0;
  private readonly seen = new Set<number>();
  readonly goalsReached = new Map<string, number>();
  /** What each walk merged so far reached, in walk order: the live check takes some of them again. */
  private readonly walkStates: (readonly number[])[] = [];
  private readonly goalWalks: number[] = [];
  private initialState = 0;

  constructor(
    private readonly checker: Checker<P>,
    private readonly probes: ProbeSettings,
    private readonly workers = 0,
  ) {}

  /** The figures so far. */
  statistics(): SearchStatistics {
    const wallMs = wallClockMs() - this.startedMs;
    const states = this.seen.size;
    const statistics = { states, transitions: this.transitions, maxDepth: this.maxDepth, wallMs, statesPerSec: wallMs > 0 ? Math.round((states * 1000) / wallMs) : 0 };
    return this.workers === 0 ? statistics : { ...statistics, workers: this.workers };
  }

  finish(outcome: SearchOutcome): SearchResult {
    const result = { outcome, statistics: this.statistics(), goalsReached: this.goalsReached };
    probeVisits.set(result, { seed: this.probes.seed, depth: this.probes.depth, initial: this.initialState, walks: this.walkStates, goalWalks: this.goalWalks });
    return result;
  }

  /** Checks the initial state; a result when the search ends there. */
  begin(initial: SearchState): SearchResult | undefined {
    this.initialState = initial.fingerprint();
    const problem = this.checker.checkState(initial);
    if (problem) return this.finish({ kind: 'violation', ...problem, path: initial.path() });
    for (const goal of this.checker.goalsIn(initial)) this.goalsReached.set(goal, 0);
    return undefined;
  }

  /** Merges a walk's report; a result when the walk ended the search. */
  merge(report: WalkReport): SearchResult | undefined {
    this.transitions += report.transitions;
    this.walkStates.push(report.fingerprints);
    for (const fingerprint of report.fingerprints) this.seen.add(fingerprint);
    this.maxDepth = Math.max(this.maxDepth, report.maxDepth);
    for (const [goal, depth] of report.goals) {
      if (this.goalsReached.has(goal)) continue;
      this.goalsReached.set(goal, depth);
      this.goalWalks.push(this.walkStates.length - 1);
    }
    const end = report.end;
    if (end === undefined) return undefined;
    const checker = this.checker;
    if (end.kind === 'exception') {
      const path = shorten(end.path, (candidate) => failsWith(checker, candidate) === 'exception');
      return this.finish({ kind: 'exception', node: end.node, message: end.message, path });
    }
    if (!end.shorten) return this.finish({ kind: 'violation', property: end.property, message: end.message, path: [...end.path] });
    const path = shorten(end.path, (candidate) => failsWith(checker, candidate) === end.property);
    const final = replayPath(checker, path);
    const message = (final && checkAlong(checker, final)?.message) ?? end.message;
    return this.finish({ kind: 'violation', property: end.property, message, path });
  }
}

/**
 * Random depth-first probes: walks of random events from the initial state, without a
 * visited set, to find deep bugs fast. Each walk draws from a random source of its own. A
 * violation's path is then shortened by removing events it does not need.
 */
export function probe<P extends Protocol>(settings: SearchSettings<P>, probes: ProbeSettings): SearchResult {
  const checker = new Checker(settings);
  return searchedBy(checker, probeWith(checker, settings, probes));
}

function probeWith<P extends Protocol>(checker: Checker<P>, settings: SearchSettings<P>, probes: ProbeSettings): SearchResult {
  const walks = new Walks(checker, probes);
  installGuards();
  try {
    const initial = settings.start ?? checker.initial();
    const ended = walks.begin(initial);
    if (ended) return ended;
    for (let walk = 0; walk < probes.probes; walk++) {
      for (const report of takeWalks(checker, initial, probes, walk, 1)) {
        const outcome = walks.merge(report);
        if (outcome) return outcome;
      }
      settings.onProgress?.(walks.statistics());
    }
    return walks.finish({ kind: 'limit', limit: 'depth' });
  } finally {
    leaveReaction();
    releaseGuards();
  }
}

/**
 * {@link probe} on worker threads: the same walks, merged in the same order, so the same
 * outcome, path, goals and counts as on one thread. Each worker builds its settings from
 * `parallel.settingsFrom`, as for {@link exploreInParallel}.
 */
export async function probeInParallel<P extends Protocol>(settings: SearchSettings<P>, probes: ProbeSettings, parallel: ParallelSettings): Promise<SearchResult> {
  checkWorkers(settings, parallel);
  if (settings.start !== undefined) throw new SettingsError('random walks on worker threads start from the initial state: search from a chained start on one thread');
  const checker = new Checker(settings);
  const walks = new Walks(checker, probes, parallel.workers);
  const initial = guarded(() => checker.initial());
  const threads = await Threads.start(settings, parallel, initial);
  try {
    const ended = guarded(() => walks.begin(initial));
    if (ended) return ended;
    const batchWalks = Math.max(1, Math.min(64, Math.ceil(probes.probes / (parallel.workers * 8))));
    const batches = Math.ceil(probes.probes / batchWalks);
    const outcome = await threads.inOrder(
      batches,
      (batch) => {
        const firstWalk = batch * batchWalks;
        return { type: 'walks', firstWalk, count: Math.min(batchWalks, probes.probes - firstWalk), depth: probes.depth, seed: probes.seed };
      },
      (answer) => {
        if (answer.type !== 'walked') throw new Error('a search worker answered random walks with something else');
        for (const report of answer.reports) {
          const result = guarded(() => walks.merge(report));
          if (result) return result;
        }
        return undefined;
      },
    );
    return outcome ?? walks.finish({ kind: 'limit', limit: 'depth' });
  } finally {
    await threads.release();
  }
}

/** The states along `path` from the initial state; undefined when an event is not possible. */
function replayPath<P extends Protocol>(checker: Checker<P>, path: readonly SearchEvent[], trace?: TraceSink): SearchState[] | undefined {
  const states = [checker.settings.start ?? checker.initial(trace)];
  for (const event of path) {
    const next = checker.apply(states[states.length - 1] as SearchState, event, trace);
    if (next === undefined) return undefined;
    states.push(next);
  }
  return states;
}

/** The first property broken along the states of a path. */
function checkAlong<P extends Protocol>(checker: Checker<P>, states: readonly SearchState[]): { property: string; message: string } | undefined {
  for (const state of states) {
    const problem = checker.checkState(state);
    if (problem) return problem;
  }
  const last = states[states.length - 1];
  if (last !== undefined && checker.events(last).length === 0) return checker.checkQuiescent(last);
  return undefined;
}

/** Which property the path breaks (or 'exception'), if any. */
function failsWith<P extends Protocol>(checker: Checker<P>, path: readonly SearchEvent[]): string | undefined {
  try {
    const states = replayPath(checker, path);
    if (states === undefined) return undefined;
    return checkAlong(checker, states)?.property;
  } catch (error) {
    if (error instanceof HandlerFailure) return 'exception';
    throw error;
  }
}

/** Removes events one at a time while the path still fails the same way. */
function shorten(path: readonly SearchEvent[], stillFails: (path: readonly SearchEvent[]) => boolean): SearchEvent[] {
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
  return current;
}

/**
 * Replays a path with full tracing, as the reports show it: each step's delivery or timer,
 * and what the node did in reaction. Time in this trace is the step number.
 */
export function traceSearchPath<P extends Protocol>(settings: SearchSettings<P>, path: readonly SearchEvent[]): TraceEvent[] {
  return replaySearchPath(settings, path).trace;
}

/** Re-runs a path and re-checks it: the replay of a search failure. */
export function replaySearchPath<P extends Protocol>(
  settings: SearchSettings<P>,
  path: readonly SearchEvent[],
): {
  readonly violation?: { readonly property: string; readonly message: string };
  readonly trace: TraceEvent[];
  /** What each step changed in the nodes' states, by trace index. */
  readonly states: StateChange[];
  readonly roles: readonly Role[];
} {
  const checker = new Checker(settings);
  const recorder = new TraceRecorder('full');
  const stateRecorder = new StateRecorder();
  const roles = settings.nodes.map((spec) => spec.role);
  let step = 0;
  const sink: TraceSink = (kind, node, peer, label, detail, reason) => recorder.record(step, step, kind, node, peer, label, detail, reason);
  let recorded: readonly NodeState[] = [];
  /** The nodes a step changed, after its last event. */
  const recordStates = (state: SearchState) => {
    state.nodes.forEach((node, id) => {
      if (recorded[id] === node) return;
      const fields = node.instance === null ? null : (snapshotFields(node.instance) ?? null);
      stateRecorder.record(Math.max(0, recorder.total - 1), id, fields, node.storage);
    });
    recorded = state.nodes;
  };
  const finish = (violation?: { property: string; message: string }) =>
    violation ? { violation, trace: recorder.events(), states: stateRecorder.changes, roles } : { trace: recorder.events(), states: stateRecorder.changes, roles };
  installGuards();
  try {
    const states = [settings.start ?? checker.initial(sink)];
    recordStates(states[0] as SearchState);
    for (const event of path) {
      step++;
      if (event.kind === 'crash' || event.kind === 'restart') {
        recorder.record(step, step, traceKindCode.fault, -1, -1, `${event.kind} ${nodeName(event.node)}`, undefined, undefined);
      }
      const next = checker.apply(states[states.length - 1] as SearchState, event, sink);
      if (next === undefined) return finish({ property: 'replay', message: 'this path is not possible with this implementation' });
      states.push(next);
      recordStates(next);
    }
    const problem = checkAlong(checker, states);
    if (problem) recorder.record(step, step, traceKindCode.violation, -1, -1, problem.property, undefined, problem.message);
    return finish(problem);
  } catch (error) {
    if (error instanceof HandlerFailure) {
      recorder.record(step, step, traceKindCode.violation, error.node, -1, 'no exceptions', undefined, error.message);
      return finish({ property: 'no exceptions', message: error.message });
    }
    throw error;
  } finally {
    leaveReaction();
    releaseGuards();
  }
}
