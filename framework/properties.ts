// The one property language. A property is declared once, by name, and the same object
// runs in a randomized run and in a model-checking search. It reads a read-only view of the
// cluster and, where it needs the past, a memory of plain data that it folds from the
// history the framework keeps. Under search that memory is part of the searched state.
import type { FaultAction } from './faults.ts';
import type { NodeId, Protocol } from './types.ts';

/** The fields of a message's history events. */
interface MessageFields<P extends Protocol> {
  readonly from: NodeId;
  readonly to: NodeId;
  /** The sender's for a send, the receiver's for a delivery. */
  readonly incarnation: number;
  readonly timeMs: number;
  readonly message: P['message'];
  /** A send to oneself, delivered locally. */
  readonly local: boolean;
}

/**
 * What happened, as the framework records it. Every event carries the simulated time (under
 * search: the step number) and, for node events, the node's incarnation: 0 from its first
 * start, one more after each restart.
 */
export type HistoryEvent<P extends Protocol> =
  /** An input the workload gave a live node. */
  | { readonly kind: 'input'; readonly node: NodeId; readonly incarnation: number; readonly timeMs: number; readonly input: P['input'] }
  /** An output a node reported with `this.output(...)`. */
  | { readonly kind: 'output'; readonly node: NodeId; readonly incarnation: number; readonly timeMs: number; readonly output: P['output'] }
  /** A message a node sent: recorded even when the network then loses it. `local`: a send to oneself. */
  | (MessageFields<P> & { readonly kind: 'send' })
  /** A message handed to its receiver (`incarnation` is the receiver's), just before it reacts. */
  | (MessageFields<P> & { readonly kind: 'deliver' })
  /** A durable write (`value` undefined: the key was deleted). */
  | { readonly kind: 'storage'; readonly node: NodeId; readonly incarnation: number; readonly timeMs: number; readonly key: string; readonly value: unknown }
  /** A node stopped; `midReaction`: in the middle of a reaction, after part of its effects. */
  | { readonly kind: 'crash'; readonly node: NodeId; readonly incarnation: number; readonly timeMs: number; readonly midReaction: boolean }
  /** A node started again from its durable storage, as incarnation `incarnation`. */
  | { readonly kind: 'restart'; readonly node: NodeId; readonly incarnation: number; readonly timeMs: number }
  /** A network fault of the schedule (partitions, cuts, heals, network changes): runs only. */
  | { readonly kind: 'fault'; readonly timeMs: number; readonly action: FaultAction };

export type HistoryKind = HistoryEvent<Protocol>['kind'];

/**
 * Which history events a property records: a kind (`'send'`), or a kind narrowed to one
 * message, input or output type (`'send:Accepted'`, `'output:Learned'`) or one storage key
 * (`'storage:promised'`). Narrow filters keep a search fast: a memory is copied only for the
 * events its property records.
 */
export type HistoryFilter = HistoryKind | `${'input' | 'output' | 'send' | 'deliver' | 'storage'}:${string}`;

/** Message and byte counts of a run. Local deliveries (a send to oneself) are not counted. */
export interface Counters {
  readonly messagesSent: number;
  readonly messagesDelivered: number;
  readonly messagesDropped: number;
  readonly messagesDuplicated: number;
  /** Approximate encoded size of everything sent. */
  readonly bytesSent: number;
  readonly sentByType: ReadonlyMap<string, number>;
  readonly bytesByType: ReadonlyMap<string, number>;
  readonly sentByNode: readonly number[];
  readonly receivedByNode: readonly number[];
}

/** Which nodes a cluster has. */
export interface ClusterLayout {
  readonly nodeIds: readonly NodeId[];
  readonly servers: readonly NodeId[];
  readonly clients: readonly NodeId[];
}

/** A message on its way. */
export interface InFlightMessage<P extends Protocol> {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: P['message'];
}

/**
 * The read-only view of a cluster that properties (and workloads) see, the same under every
 * driver. It shows what can be observed from outside the nodes: who is up, each node's
 * incarnation and durable storage, the messages in flight; never a node's private fields.
 */
export interface ClusterView<P extends Protocol> extends ClusterLayout {
  /** Simulated ms in a run; the step number under search. */
  readonly nowMs: number;
  /** Events processed so far (the depth, under search). */
  readonly step: number;
  /** The time of the last fault action (0 when none): deadlines of `eventually` count from it. */
  readonly lastFaultMs: number;
  isCrashed(node: NodeId): boolean;
  /** 0 from the first start, one more after each restart. */
  incarnation(node: NodeId): number;
  /** The node's durable storage (kept through crashes). Values are frozen. */
  storage(node: NodeId): ReadonlyMap<string, unknown>;
  /** Messages sent and not yet delivered or lost. */
  inFlight(): readonly InFlightMessage<P>[];
  /** Message counts of the run. Runs only: the model checker keeps no counts, and throws here. */
  readonly counters: Counters;
}

/**
 * `always`: safety, checked after every event. `eventually`: liveness, judged by a deadline
 * after the last fault (or at the run's end). `sometimes`: a state some run or search must
 * reach. `budget`: a cost limit, judged when a run ends (runs only).
 */
export type PropertyKind = 'always' | 'eventually' | 'sometimes' | 'budget';

/**
 * A named property. `check` looks at the cluster (and the memory) and returns a message that
 * says what is wrong ("two nodes in the critical section: n1, n3") or, for `sometimes`,
 * what has not happened yet; undefined when all is well. `record` folds history events into
 * the memory and may itself return a violation (for `always`).
 *
 * Memory is plain data the property owns: the framework copies it where a search branches
 * and hashes it into the state, so it must hold only what the property needs.
 */
export interface Property<P extends Protocol, Memory = unknown> {
  readonly name: string;
  readonly kind: PropertyKind;
  /** For `eventually`: the property must hold within this many ms after the last fault. */
  readonly withinMs?: number;
  /**
   * For `always`: judged once, when the run ends (in a search: in each state where nothing
   * more can happen), not after every event: for a check too costly to repeat, such as
   * linearizability. A failure is still a safety violation.
   */
  readonly atEnd?: boolean;
  /** The history events `record` is given (all when omitted). */
  readonly records?: readonly HistoryFilter[];
  /** A fresh memory, for a run or a search. */
  memory?(cluster: ClusterLayout): Memory;
  record?(memory: Memory, event: HistoryEvent<P>, cluster: ClusterView<P>): string | undefined;
  check?(cluster: ClusterView<P>, memory: Memory): string | undefined;
  /**
   * Figures to report from the memory when a run ends (the most hops a grant waited, ...):
   * they land in the run's `measurements`. Names of the form `series@x` are plotted against x.
   */
  measure?(memory: Memory): Record<string, number>;
}

/** The parts of a property with a memory. */
export interface PropertyDefinition<P extends Protocol, Memory> {
  memory(cluster: ClusterLayout): Memory;
  readonly records?: readonly HistoryFilter[];
  record?(memory: Memory, event: HistoryEvent<P>, cluster: ClusterView<P>): string | undefined;
  check?(cluster: ClusterView<P>, memory: Memory): string | undefined;
  measure?(memory: Memory): Record<string, number>;
}

type Check<P extends Protocol> = (cluster: ClusterView<P>) => string | undefined;

function define<P extends Protocol, Memory>(
  name: string,
  kind: PropertyKind,
  definition: Check<P> | PropertyDefinition<P, Memory>,
  withinMs?: number,
  atEnd?: boolean,
): Property<P, Memory> {
  if (typeof name !== 'string' || name.length === 0) throw new Error('a property needs a name');
  if (withinMs !== undefined && !(withinMs > 0 && Number.isFinite(withinMs))) {
    throw new Error(`property "${name}": withinMs must be a positive number of simulated ms`);
  }
  const deadline = withinMs === undefined ? {} : { withinMs };
  if (atEnd === true) {
    if (typeof definition !== 'function' && definition.check === undefined) throw new Error(`always property "${name}" judged at the end needs a check`);
    Object.assign(deadline, { atEnd: true });
  }
  if (kind !== 'always' && typeof definition !== 'function' && definition.check === undefined) {
    // Only an `always` property can judge from `record` alone; the others are judged by `check`.
    throw new Error(`${kind} property "${name}" needs a check`);
  }
  if (typeof definition === 'function') return Object.freeze({ name, kind, ...deadline, check: definition });
  return Object.freeze({ name, kind, ...deadline, ...definition });
}

/**
 * A safety property: checked after every event, in runs and in every state of a search. With
 * `atEnd`, its check runs once, when the run ends (in a search: in each state where nothing
 * more can happen); `record` may still report a violation as it happens.
 *
 * @example
 * always<Mutex>('mutual exclusion', (cluster) => ...)
 * always<Paxos, Map<NodeId, string>>('agreement', {
 *   memory: () => new Map(),
 *   records: ['output'],
 *   record(learned, event) { ... return 'n1 learned "a" but n2 learned "b"'; },
 * })
 */
export function always<P extends Protocol, Memory = undefined>(
  name: string,
  definition: Check<P> | PropertyDefinition<P, Memory>,
  options: { readonly atEnd?: boolean } = {},
): Property<P, Memory> {
  return define(name, 'always', definition, undefined, options.atEnd);
}

/**
 * A liveness property. With `withinMs`, it must hold at some moment no later than `withinMs`
 * after the last fault or heal (a new fault restarts the clock); without, when the run ends.
 * Under search it is judged in states where nothing more can happen.
 */
export function eventually<P extends Protocol, Memory = undefined>(
  name: string,
  definition: Check<P> | PropertyDefinition<P, Memory>,
  options: { readonly withinMs?: number } = {},
): Property<P, Memory> {
  return define(name, 'eventually', definition, options.withinMs);
}

/**
 * A state that must be reached: some moment of a run, or some state of a search (a search
 * test's goal). `check` returns undefined once reached, and otherwise what is still missing.
 */
export function sometimes<P extends Protocol, Memory = undefined>(name: string, definition: Check<P> | PropertyDefinition<P, Memory>): Property<P, Memory> {
  return define(name, 'sometimes', definition);
}

/** A cost limit (messages, bytes), judged when the run ends. Runs only. */
export function budget<P extends Protocol, Memory = undefined>(name: string, definition: Check<P> | PropertyDefinition<P, Memory>): Property<P, Memory> {
  return define(name, 'budget', definition);
}
