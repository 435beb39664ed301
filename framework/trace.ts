import { formatPlain, plainBytes, toJsonValue } from './_internals/plainData.ts';
import { applyStatePatches, diffStates, type StatePatch } from './_internals/stateDiff.ts';
import { nodeName, type NodeId } from './types.ts';

export type { StatePatch, StatePathKey } from './_internals/stateDiff.ts';

export type TraceKind =
  | 'start'
  | 'send'
  | 'deliver'
  | 'drop'
  | 'duplicate'
  | 'timer-set'
  | 'timer-fire'
  | 'timer-cancel'
  | 'crash'
  | 'restart'
  | 'fault'
  | 'input'
  | 'output'
  | 'log'
  | 'violation'
  | 'store';

/** One line of a run's trace. `node` acts; `peer` is the other end of a message, or -1. */
export interface TraceEvent {
  /** Position in the trace, from 0. */
  readonly index: number;
  /** The scheduled event (delivery, timer, input, fault) being processed when this happened. */
  readonly step: number;
  readonly timeMs: number;
  readonly kind: TraceKind;
  readonly node: NodeId;
  readonly peer: NodeId;
  /** Message, timer, input or output type; a log line; a fault's description. */
  readonly label: string;
  /** The message, timer, input or output itself, when there is one. */
  readonly detail?: unknown;
  /** Why a message was dropped, and similar notes. */
  readonly reason?: string;
}

const kindCodes: readonly TraceKind[] = [
  'start',
  'send',
  'deliver',
  'drop',
  'duplicate',
  'timer-set',
  'timer-fire',
  'timer-cancel',
  'crash',
  'restart',
  'fault',
  'input',
  'output',
  'log',
  'violation',
  'store',
];
export const traceKindCode: Readonly<Record<TraceKind, number>> = Object.fromEntries(
  kindCodes.map((kind, code) => [kind, code]),
) as Record<TraceKind, number>;

/** The kind a trace code stands for. */
export function traceKindName(code: number): TraceKind | 'event' {
  return kindCodes[code] ?? 'event';
}

/**
 * Keeps either every event (full tracing, for replays) or the last `capacity` events in
 * parallel arrays that are reused, so the default mode allocates nothing per event.
 */
export class TraceRecorder {
  private count = 0;
  private nextSlot = 0;
  private readonly full: TraceEvent[] | undefined;
  private readonly kinds: Uint8Array;
  /** Per slot, its step and its time: one array for the two, so a record checks one bound. */
  private readonly moments: Float64Array;
  /** Per slot, its node and its peer. */
  private readonly ends: Int32Array;
  private readonly labels: string[];
  private readonly details: unknown[];
  private readonly reasons: (string | undefined)[];

  /**
   * `keepFrom` (full mode): the first index whose event is kept; the events before it are
   * counted only, for a caller that shows a run's last events and knows where they start.
   */
  constructor(
    readonly mode: 'ring' | 'full',
    private readonly capacity = 200,
    private readonly keepFrom = 0,
  ) {
    const size = mode === 'ring' ? capacity : 0;
    this.full = mode === 'full' ? [] : undefined;
    this.kinds = new Uint8Array(size);
    this.moments = new Float64Array(2 * size);
    this.ends = new Int32Array(2 * size);
    this.labels = new Array<string>(size).fill('');
    this.details = new Array<unknown>(size).fill(undefined);
    this.reasons = new Array<string | undefined>(size).fill(undefined);
  }

  /** Number of events recorded since the start, including those the ring has let go. */
  get total(): number {
    return this.count;
  }

  record(
    step: number,
    timeMs: number,
    kind: number,
    node: NodeId,
    peer: NodeId,
    label: string,
    detail: unknown,
    reason: string | undefined,
  ): void {
    const index = this.count++;
    if (this.full !== undefined) {
      if (index < this.keepFrom) return;
      const event: { -readonly [K in keyof TraceEvent]: TraceEvent[K] } = {
        index,
        step,
        timeMs,
        kind: kindCodes[kind] as TraceKind,
        node,
        peer,
        label,
      };
      if (detail !== undefined) event.detail = detail;
      if (reason !== undefined) event.reason = reason;
      this.full.push(event);
      return;
    }
    const slot = this.nextSlot;
    this.nextSlot = slot + 1 === this.capacity ? 0 : slot + 1;
    this.kinds[slot] = kind;
    const moments = this.moments;
    moments[2 * slot] = step;
    moments[2 * slot + 1] = timeMs;
    const ends = this.ends;
    ends[2 * slot] = node;
    ends[2 * slot + 1] = peer;
    this.labels[slot] = label;
    // Most events carry neither a detail nor a reason: the slot is written only when it changes.
    const details = this.details;
    if (detail !== undefined || details[slot] !== undefined) details[slot] = detail;
    const reasons = this.reasons;
    if (reason !== undefined || reasons[slot] !== undefined) reasons[slot] = reason;
  }

  /** The recorded events, oldest first. */
  events(): TraceEvent[] {
    if (this.full !== undefined) return this.full.slice();
    const first = Math.max(0, this.count - this.capacity);
    const events: TraceEvent[] = [];
    for (let index = first; index < this.count; index++) {
      const slot = index % this.capacity;
      const event: { -readonly [K in keyof TraceEvent]: TraceEvent[K] } = {
        index,
        step: this.moments[2 * slot] as number,
        timeMs: this.moments[2 * slot + 1] as number,
        kind: kindCodes[this.kinds[slot] as number] as TraceKind,
        node: this.ends[2 * slot] as number,
        peer: this.ends[2 * slot + 1] as number,
        label: this.labels[slot] as string,
      };
      if (this.details[slot] !== undefined) event.detail = this.details[slot];
      if (this.reasons[slot] !== undefined) event.reason = this.reasons[slot];
      events.push(event);
    }
    return events;
  }
}

const arrows: Partial<Record<TraceKind, string>> = {
  send: '->',
  deliver: '<-',
  drop: '<-',
  duplicate: '->',
};

/** One readable line: `#41  t=118ms  n2 <- n0  deliver Ping {"seq":3}`. */
export function formatTraceEvent(event: TraceEvent): string {
  const who = event.node >= 0 ? nodeName(event.node) : '--';
  const peer = event.peer >= 0 ? ` ${arrows[event.kind] ?? '/'} ${nodeName(event.peer)}` : '';
  const detail = event.detail !== undefined ? ` ${formatPlain(event.detail)}` : '';
  const reason = event.reason !== undefined ? ` (${event.reason})` : '';
  return `#${event.index}  t=${event.timeMs}ms  ${who}${peer}  ${event.kind} ${event.label}${detail}${reason}`;
}

/**
 * One change to a node's state, recorded in full traces after each reaction, crash and
 * restart. A node's state is `{ fields, storage }`: its object's fields as JSON (null while
 * it is down) and its durable storage as an object from key to value. Before its first
 * change a node's state is `{ fields: null, storage: {} }`.
 */
export interface StateChange {
  /** The trace index of the reaction's last event: the state holds from that event on. */
  readonly index: number;
  readonly node: NodeId;
  /** Applied in order (see `StatePatch`). */
  readonly patches: readonly StatePatch[];
}

/** A node's state as the viewer shows it. */
export interface NodeStateSnapshot {
  readonly fields: unknown;
  readonly storage: Readonly<Record<string, unknown>>;
}

export const initialNodeState: NodeStateSnapshot = Object.freeze({ fields: null, storage: Object.freeze({}) });

function storageJson(storage: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of [...storage.keys()].sort()) {
    // defineProperty: a key named __proto__ is stored like any other.
    Object.defineProperty(result, key, { value: toJsonValue(storage.get(key)), writable: true, enumerable: true, configurable: true });
  }
  return result;
}

/** About how much of the node states one full trace keeps (in the characters of their values). */
export const stateBudgetCharacters = 8_000_000;

/**
 * Records what each reaction changed in a node's state, as patches against the last snapshot.
 * Past its budget, a changed value is recorded as a note that says so: a node whose state is
 * huge and changes at every reaction cannot make a full trace too large to keep or to send.
 */
export class StateRecorder {
  readonly changes: StateChange[] = [];
  private readonly last = new Map<NodeId, NodeStateSnapshot>();
  private readonly lastStorage = new Map<NodeId, ReadonlyMap<string, unknown>>();
  private usedCharacters = 0;

  constructor(private readonly budgetCharacters = stateBudgetCharacters) {}

  /** `fields` is the node's fields as JSON, or null while it is down. */
  record(index: number, node: NodeId, fields: unknown, storage: ReadonlyMap<string, unknown>): void {
    const before = this.last.get(node) ?? initialNodeState;
    // Storage maps are replaced, never changed in place: the same map is the same storage.
    const storageState = this.lastStorage.get(node) === storage ? before.storage : storageJson(storage);
    const after: NodeStateSnapshot = { fields, storage: storageState };
    this.lastStorage.set(node, storage);
    const patches = diffStates(before, after);
    this.last.set(node, after);
    if (patches.length === 0) return;
    this.keep(index, node, patches);
  }

  /** The node's whole state at `index`, as one change, whether or not it differs from the last. */
  recordWhole(index: number, node: NodeId, fields: unknown, storage: ReadonlyMap<string, unknown>): void {
    const state: NodeStateSnapshot = { fields, storage: this.lastStorage.get(node) === storage ? (this.last.get(node) ?? initialNodeState).storage : storageJson(storage) };
    this.lastStorage.set(node, storage);
    this.last.set(node, state);
    this.keep(index, node, [[[], state]]);
  }

  private keep(index: number, node: NodeId, patches: readonly StatePatch[]): void {
    const kept = patches.map((patch): StatePatch => {
      if (patch.length === 1) return patch;
      const size = plainBytes(patch[1]);
      if (this.usedCharacters + size <= this.budgetCharacters || size <= 64) {
        this.usedCharacters += size;
        return patch;
      }
      return [patch[0], `(not kept: this run's node states passed ${Math.round(this.budgetCharacters / 1e6)} million characters)`];
    });
    this.changes.push({ index, node, patches: kept });
  }
}

/** Every node's state once the changes up to trace index `index` (inclusive) are applied. */
export function nodeStatesAt(changes: readonly StateChange[], index: number): Map<NodeId, NodeStateSnapshot> {
  const states = new Map<NodeId, NodeStateSnapshot>();
  // The states in between are never handed out: each container is copied once, then changed in place.
  const owned = new WeakSet<object>();
  for (const change of changes) {
    if (change.index > index) break;
    states.set(change.node, applyStatePatches(states.get(change.node) ?? initialNodeState, change.patches, owned) as NodeStateSnapshot);
  }
  return states;
}

/**
 * The changes a trace window from `firstIndex` on needs: each node's whole state before the
 * window as one change at `firstIndex`, then the window's own changes.
 */
export function stateChangesFrom(changes: readonly StateChange[], firstIndex: number): StateChange[] {
  const firstInside = changes.findIndex((change) => change.index >= firstIndex);
  const inside = firstInside < 0 ? [] : changes.slice(firstInside);
  if (firstInside === 0) return inside;
  const before = nodeStatesAt(firstInside < 0 ? changes : changes.slice(0, firstInside), Number.POSITIVE_INFINITY);
  const baselines = [...before]
    .sort(([left], [right]) => left - right)
    .map(([node, state]): StateChange => ({ index: firstIndex, node, patches: [[[], state]] }));
  return [...baselines, ...inside];
}

/** A canonical text form of a trace (one JSON object per line): equal runs give equal text. */
export function serializeTrace(events: readonly TraceEvent[]): string {
  return events.map((event) => JSON.stringify(toJsonValue(event))).join('\n');
}
