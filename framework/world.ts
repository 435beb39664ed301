import type { Node } from './Node.ts';
import type { RandomSource } from './_internals/random.ts';
import type { NodeId, Protocol } from './types.ts';

/** An output a node reported with `this.output(...)`, stamped by the framework. */
export interface OutputRecord<P extends Protocol> {
  readonly step: number;
  readonly timeMs: number;
  readonly node: NodeId;
  readonly output: P['output'];
}

/** An input given to a node: with the outputs, the invocations and responses of a history. */
export interface InputRecord<P extends Protocol> {
  readonly step: number;
  readonly timeMs: number;
  readonly node: NodeId;
  readonly input: P['input'];
}

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

/** The read-only view of a run that properties and workloads see. */
export interface World<P extends Protocol> {
  readonly seed: string;
  readonly nowMs: number;
  /** Scheduled events processed so far. */
  readonly step: number;
  readonly nodeIds: readonly NodeId[];
  readonly servers: readonly NodeId[];
  readonly clients: readonly NodeId[];
  isCrashed(node: NodeId): boolean;
  /** The live node object (for a lab's read-only accessors), or undefined while crashed. */
  node(node: NodeId): Node<P> | undefined;
  readonly outputs: readonly OutputRecord<P>[];
  /** Every input given to a live node, in order (inputs to a crashed node are not given). */
  readonly inputs: readonly InputRecord<P>[];
  readonly counters: Counters;
  /** The time of the last fault action processed (0 when none), for "after the heal" bounds. */
  readonly lastFaultMs: number;
}

/**
 * A named check over the run. `always` properties (safety) are checked after every event;
 * `eventually` properties (liveness, progress) when the run ends. `check` returns a message
 * that says what is wrong ("two nodes in the critical section: n1, n3"), or undefined.
 */
export interface Property<P extends Protocol> {
  readonly name: string;
  readonly kind: 'always' | 'eventually';
  check(world: World<P>): string | undefined;
  /**
   * Optional, for `always` properties: compares one node's fields before and after the
   * event it just handled ("a promise never decreases"). Each is a plain copy of the fields.
   */
  checkTransition?(
    change: { readonly node: NodeId; readonly before: Readonly<Record<string, unknown>>; readonly after: Readonly<Record<string, unknown>> },
    world: World<P>,
  ): string | undefined;
  /**
   * Optional: sees every message sent (even one the network then loses) and every message
   * delivered, before the receiver handles it. Returns a violation message or undefined.
   * Properties that read message fields the lab declares (Lamport stamps, ballots) use it.
   */
  observeMessage?(event: MessageEvent<P>, world: World<P>): string | undefined;
}

/** A message seen by a property: when it is sent, and again when it is delivered. */
export interface MessageEvent<P extends Protocol> {
  readonly kind: 'send' | 'deliver';
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: P['message'];
  readonly timeMs: number;
  /** A send to oneself, delivered locally. */
  readonly local: boolean;
}

/** A safety property, checked after every event. */
export function always<P extends Protocol>(name: string, check: (world: World<P>) => string | undefined): Property<P> {
  return { name, kind: 'always', check };
}

/** A liveness or progress property, checked when the run ends. */
export function eventually<P extends Protocol>(name: string, check: (world: World<P>) => string | undefined): Property<P> {
  return { name, kind: 'eventually', check };
}

/** What a workload may do: schedule inputs to nodes and draw from its own random source. */
export interface WorkloadContext<P extends Protocol> {
  readonly world: World<P>;
  readonly random: RandomSource;
  /** Gives `input` to `node` after `delayMs` (0: right after the current event). */
  input(node: NodeId, input: P['input'], delayMs?: number): void;
}

/** The test's driver of inputs: at the start, and in reaction to outputs. */
export interface Workload<P extends Protocol> {
  start?(context: WorkloadContext<P>): void;
  onOutput?(record: OutputRecord<P>, context: WorkloadContext<P>): void;
}
