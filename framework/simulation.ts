import type { NodeClass } from './Node.ts';
import { crashReactionMatches, describeFault, validateSchedule, type CrashReaction, type FaultAction, type FaultSchedule } from './faults.ts';
import { defaultNetwork, validateNetwork, type DelayDistribution, type NetworkSettings } from './network.ts';
import type { ClusterLayout, ClusterView, Counters, HistoryEvent, HistoryKind, InFlightMessage, Property } from './properties.ts';
import { StateRecorder, TraceRecorder, traceKindCode, type StateChange, type TraceEvent } from './trace.ts';
import { type NodeId, type Protocol, type Role, type Tagged } from './types.ts';
import { installGuards, releaseGuards } from './_internals/guards.ts';
import { LinkMatrix } from './_internals/links.ts';
import { LinkRandom, sendDraw } from './_internals/linkRandom.ts';
import { PropertySet } from './_internals/monitors.ts';
import { clonePlain, copyPlain, equalPlain } from './_internals/plainData.ts';
import { nodeRandom, RandomSource, randomLabels } from './_internals/random.ts';
import { giveBackRealms, reactorsFor } from './_internals/realm.ts';
import {
  effectsBeforeCrash,
  leaveReaction,
  NodeEnvironment,
  type Effect,
  type NodeReactor,
} from './_internals/reaction.ts';

/** One node of the cluster: its role and its class. Ids follow the order of the list. */
export interface NodeSpec<P extends Protocol> {
  readonly role: Role;
  readonly node: NodeClass<P>;
}

/** An input given to a node at a fixed simulated time. */
export interface ScheduledInput<P extends Protocol> {
  readonly atMs: number;
  readonly node: NodeId;
  readonly input: P['input'];
}

/** An output a node reported with `this.output(...)`, stamped by the framework. */
export interface OutputRecord<P extends Protocol> {
  readonly step: number;
  readonly timeMs: number;
  readonly node: NodeId;
  readonly incarnation: number;
  readonly output: P['output'];
}

/** An input given to a node: with the outputs, the invocations and responses of a history. */
export interface InputRecord<P extends Protocol> {
  readonly step: number;
  readonly timeMs: number;
  readonly node: NodeId;
  readonly incarnation: number;
  readonly input: P['input'];
}

/** What a workload may do: schedule inputs to nodes and draw from its own random source. */
export interface WorkloadContext<P extends Protocol> {
  readonly cluster: ClusterView<P>;
  readonly random: RandomSource;
  /** Gives `input` to `node` after `delayMs` (0: right after the current event). */
  input(node: NodeId, input: P['input'], delayMs?: number): void;
}

/** The test's driver of inputs: at the start, and in reaction to outputs. */
export interface Workload<P extends Protocol> {
  start?(context: WorkloadContext<P>): void;
  onOutput?(record: OutputRecord<P>, context: WorkloadContext<P>): void;
}

/** Everything a run depends on besides the node code: a run is a pure function of these. */
export interface SimulationSettings<P extends Protocol> {
  readonly seed: string | number;
  readonly nodes: readonly NodeSpec<P>[];
  readonly config: P['config'];
  readonly network?: Partial<NetworkSettings>;
  readonly faults?: FaultSchedule;
  readonly inputs?: readonly ScheduledInput<P>[];
  readonly workload?: Workload<P>;
  readonly properties?: readonly Property<P>[];
  /**
   * Whether nodes may read the clock (`this.now()`); true by default. A lab whose search tests
   * judge safety gives none in its runs either: the model checker has no clock, and a node that
   * could read one in runs could tell a run from a search.
   */
  readonly clock?: boolean;
  /**
   * Whether nodes may set timers; true by default. A lab whose protocols declare no timer
   * (`timer: never`) gives false: a node that set one anyway (a cast gets past the types) could
   * act on time, not on what it was told, and a run fails as soon as it does.
   */
  readonly timers?: boolean;
  /** The run ends when simulated time would pass this. */
  readonly durationMs: number;
  /** The run fails with "event limit" after this many events (a livelock guard; 200,000 by default). */
  readonly maxEvents?: number;
  /** Ends the run early, checked after every event (e.g. "every request answered"). */
  readonly stopWhen?: (cluster: ClusterView<P>) => boolean;
  /** `ring` (default) keeps the last `ringSize` trace events; `full` keeps all. */
  readonly trace?: 'ring' | 'full';
  readonly ringSize?: number;
  /**
   * Full traces: the first trace index to keep. The events before it are counted, not kept, and
   * node states are recorded from shortly before it, beginning with each node's whole state:
   * the way to record a long run's last events without the cost of its first ones. A result
   * whose node states could not begin before this index (one reaction recorded more than
   * {@link stateLeadEvents} events across it) has no `states`.
   */
  readonly traceFrom?: number;
  /**
   * Full traces: whether to record each node's state after every reaction, crash and restart
   * (the result's `states`; default true). Without them a full trace costs far less for nodes
   * whose state is large: its events are all that is kept.
   */
  readonly nodeStates?: boolean;
}

/**
 * How many trace events before `traceFrom` the node states begin: a reaction that began before
 * them and ended inside the kept events would need the state it started from, which is not kept.
 */
export const stateLeadEvents = 1_000;

/** What every failure says: the property, what is wrong, and where. */
export interface FailureFields {
  readonly property: string;
  readonly message: string;
  /** The event being processed when it failed. */
  readonly step: number;
  readonly timeMs: number;
  readonly node?: NodeId;
  /** The index of the 'violation' event in the trace. */
  readonly traceIndex?: number;
}

/**
 * Why a run failed, keyed by kind: a safety property broken (`violation`), a liveness
 * property not met by its deadline (`liveness`), a state never reached (`goal-not-reached`),
 * a cost over its budget (`budget-exceeded`), a node that threw or kept non-plain data
 * (`exception`), or the event limit (`limit`).
 */
export type Failure =
  | (FailureFields & { readonly kind: 'violation' })
  | (FailureFields & { readonly kind: 'liveness'; readonly deadlineMs?: number })
  | (FailureFields & { readonly kind: 'goal-not-reached' })
  | (FailureFields & { readonly kind: 'budget-exceeded' })
  | (FailureFields & { readonly kind: 'exception'; readonly node: NodeId })
  | (FailureFields & { readonly kind: 'limit'; readonly limit: 'events' });

export type FailureKind = Failure['kind'];

export type EndReason = 'horizon' | 'quiescent' | 'stopped' | 'failure';

export interface SimulationResult<P extends Protocol> {
  readonly seed: string;
  readonly passed: boolean;
  readonly failure?: Failure;
  readonly endReason: EndReason;
  readonly steps: number;
  readonly endTimeMs: number;
  readonly counters: Counters;
  readonly outputs: readonly OutputRecord<P>[];
  readonly inputs: readonly InputRecord<P>[];
  /** The whole trace (full mode) or its last events (ring mode). */
  readonly trace: readonly TraceEvent[];
  readonly traceLength: number;
  /** Full mode: what each reaction, crash and restart changed in a node's state, by trace index. */
  readonly states?: readonly StateChange[];
  /** Each node's role, by node id: the viewer draws clients apart. */
  readonly roles: readonly Role[];
  /** What the properties measured from their memories when the run ended. */
  readonly measurements: Readonly<Record<string, number>>;
}

/** Thrown for settings that cannot describe a run (unknown node ids, bad rates, ...). */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/**
 * The most events a run may take unless its settings say otherwise: the labs' runs need at most
 * a few thousand, so a run that gets here floods itself, and stops within seconds instead of
 * minutes.
 */
const defaultMaxEvents = 200_000;
/**
 * Every this many of its own reactions, a node's fields are checked to be plain data. Counted
 * per node: reading a node's fields runs its getters, so when that happens must depend on the
 * node's own history alone, or a node could count the reads and learn how busy the others were.
 */
const stateCheckPeriod = 256;

const enum EventKind {
  Deliver,
  Timer,
  Input,
  Fault,
  /** The deadline of an `eventually` property (payload: its index and the fault generation). */
  Deadline,
}

/** Trace kind codes, as the recorder stores them. */
const Code = traceKindCode;
type Code = number;

/** A scheduled event. One class for every kind keeps the heap's objects of one shape. */
class ScheduledEvent {
  declare readonly timeMs: number;
  declare readonly sequence: number;
  declare readonly kind: EventKind;
  declare readonly node: NodeId;
  declare readonly from: NodeId;
  declare readonly payload: unknown;
  declare cancelled: boolean;
  /** The next event due at the same time (chains in EventQueue). */
  declare sameTimeNext: ScheduledEvent | undefined;
  /** Last event of the chain this event heads. */
  declare sameTimeTail: ScheduledEvent;
  constructor(timeMs: number, sequence: number, kind: EventKind, node: NodeId, from: NodeId, payload: unknown) {
    this.timeMs = timeMs;
    this.sequence = sequence;
    this.kind = kind;
    this.node = node;
    this.from = from;
    this.payload = payload;
    this.cancelled = false;
    this.sameTimeNext = undefined;
    this.sameTimeTail = this;
  }
}

/**
 * An empty array that V8 already keeps as an array of objects: a new `[]` starts as an array of
 * small integers and changes kind on its first push, which makes code optimised on the arrays of
 * an earlier run deoptimise at the start of every new one.
 */
function arrayOfObjects<T extends object>(): T[] {
  const array: object[] = [{}];
  array.pop();
  return array as T[];
}

function earlier(left: ScheduledEvent, right: ScheduledEvent): boolean {
  return left.timeMs < right.timeMs || (left.timeMs === right.timeMs && left.sequence < right.sequence);
}

/**
 * Binary min-heap on (time, sequence) whose entries are chains of events due at the same
 * time, in sequence order. `recent` maps `time & 255` to the chain last opened for that time
 * (if still queued), so an event due at a time that already has a chain is appended in O(1),
 * and popping an event that has a successor needs no sift: the successor is still the minimum.
 */
class EventQueue {
  private readonly heap: ScheduledEvent[] = arrayOfObjects<ScheduledEvent>();
  private readonly recent: (ScheduledEvent | undefined)[] = new Array<ScheduledEvent | undefined>(256).fill(undefined);
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(event: ScheduledEvent): void {
    this.count++;
    const slot = event.timeMs & 255;
    const chain = this.recent[slot];
    if (chain !== undefined && chain.timeMs === event.timeMs) {
      chain.sameTimeTail.sameTimeNext = event;
      chain.sameTimeTail = event;
      return;
    }
    this.recent[slot] = event;
    const heap = this.heap;
    let index = heap.length;
    heap.push(event);
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as ScheduledEvent;
      if (!earlier(event, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = event;
  }

  /** Visits every queued event (in no particular order). */
  forEach(visit: (event: ScheduledEvent) => void): void {
    for (const head of this.heap) {
      for (let event: ScheduledEvent | undefined = head; event !== undefined; event = event.sameTimeNext) visit(event);
    }
  }

  peek(): ScheduledEvent | undefined {
    return this.heap[0];
  }

  pop(): ScheduledEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    this.count--;
    const slot = top.timeMs & 255;
    const next = top.sameTimeNext;
    if (next !== undefined) {
      next.sameTimeTail = top.sameTimeTail;
      heap[0] = next;
      if (this.recent[slot] === top) this.recent[slot] = next;
      return top;
    }
    if (this.recent[slot] === top) this.recent[slot] = undefined;
    const last = heap.pop() as ScheduledEvent;
    if (heap.length === 0) return top;
    const length = heap.length;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && earlier(heap[right] as ScheduledEvent, heap[left] as ScheduledEvent)) child = right;
      const childEvent = heap[child] as ScheduledEvent;
      if (!earlier(childEvent, last)) break;
      heap[index] = childEvent;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}

class MutableCounters implements Counters {
  messagesSent = 0;
  messagesDelivered = 0;
  messagesDropped = 0;
  messagesDuplicated = 0;
  bytesSent = 0;
  /** Per message type: one lookup per send; the two maps are built when read. */
  readonly byType = new Map<string, { sent: number; bytes: number }>();
  get sentByType(): ReadonlyMap<string, number> {
    return new Map([...this.byType].map(([type, count]) => [type, count.sent]));
  }
  get bytesByType(): ReadonlyMap<string, number> {
    return new Map([...this.byType].map(([type, count]) => [type, count.bytes]));
  }
  readonly sentByNode: number[];
  readonly receivedByNode: number[];
  constructor(nodeCount: number) {
    this.sentByNode = new Array<number>(nodeCount).fill(0);
    this.receivedByNode = new Array<number>(nodeCount).fill(0);
  }
}

/** Runs one simulation and returns its result. Same settings and seed, same result. */
export function simulate<P extends Protocol>(settings: SimulationSettings<P>): SimulationResult<P> {
  return new Simulation(settings).run();
}

/**
 * A node's timers set and not yet fired or cancelled, by their type: a cancel compares the
 * payload only with timers of its type. A node that keeps setting a timer it never cancels
 * (a classic bug) can have thousands of one type pending; its cancels of other timers must not
 * walk them all, or the run slows to a crawl long before it reaches the event limit.
 */
class PendingTimers {
  private readonly byType = new Map<string, Set<ScheduledEvent>>();

  add(event: ScheduledEvent): void {
    const type = (event.payload as Tagged).type;
    let timers = this.byType.get(type);
    if (timers === undefined) {
      timers = new Set();
      this.byType.set(type, timers);
    }
    timers.add(event);
  }

  delete(event: ScheduledEvent): void {
    this.byType.get((event.payload as Tagged).type)?.delete(event);
  }

  /** Cancels every pending timer equal to `timer`; returns how many. */
  cancelMatching(timer: Tagged): number {
    const timers = this.byType.get(timer.type);
    if (timers === undefined) return 0;
    let cancelled = 0;
    // Deleting the entry being visited is safe in a Set's iteration.
    for (const event of timers) {
      if (equalPlain(event.payload, timer)) {
        event.cancelled = true;
        timers.delete(event);
        cancelled++;
      }
    }
    return cancelled;
  }

  /** Cancels every pending timer (a crash). */
  cancelAll(): void {
    for (const timers of this.byType.values()) for (const event of timers) event.cancelled = true;
    this.byType.clear();
  }
}

/** A node's place in the run: its environment, its current object (undefined while crashed). */
class NodeSlot<P extends Protocol> {
  instance: object | undefined = undefined;
  crashed = false;
  incarnation = 0;
  random: RandomSource;
  readonly timerRandom: RandomSource;
  /** Its timers set and not yet fired or cancelled. */
  readonly pendingTimers = new PendingTimers();
  durable = new Map<string, unknown>();
  /** A crash waiting for the node's next reaction: after this many surviving effects. */
  armedCrash: number | undefined = undefined;
  /** The kind of reaction the waiting crash is kept for (any when undefined). */
  armedCrashReaction: CrashReaction | undefined = undefined;
  /** Its reactions since its fields were last checked to be plain data. */
  reactionsSinceCheck = 0;
  readonly nodeId: NodeId;
  readonly environment: NodeEnvironment<P>;

  constructor(
    readonly reactor: NodeReactor<P>,
    seed: string,
  ) {
    const environment = reactor.environment;
    this.environment = environment;
    this.nodeId = environment.nodeId;
    this.random = nodeRandom(seed, environment.nodeId, 0);
    this.timerRandom = RandomSource.fork(seed, randomLabels.timers(environment.nodeId));
  }
}

/** Per `eventually` property with a deadline: met since the last fault, and the last complaint. */
interface DeadlineState {
  satisfied: boolean;
  lastMessage: string | undefined;
}

class Simulation<P extends Protocol> implements ClusterView<P> {
  readonly seed: string;
  nowMs = 0;
  step = 0;
  lastFaultMs = 0;
  readonly nodeIds: NodeId[];
  readonly servers: NodeId[];
  readonly clients: NodeId[];
  readonly outputs: OutputRecord<P>[] = [];
  readonly inputs: InputRecord<P>[] = [];
  readonly counters: MutableCounters;

  private readonly slots: NodeSlot<P>[];
  private readonly queue = new EventQueue();
  private sequence = 0;
  private readonly nodeCount: number;
  /** Per directed link `from * nodeCount + to`: its sends so far, the counter its draws come from. */
  private readonly linkSends: Uint32Array;
  /**
   * Per directed link: the delivery time of the last message it scheduled, which a FIFO network
   * delivers after. Kept only in a run whose network is ever FIFO (from the start, or by a fault).
   */
  private readonly linkLastDeliveryMs: Float64Array | undefined;
  private readonly linkRandom: LinkRandom;
  private readonly links: LinkMatrix;
  private network: NetworkSettings;
  private readonly recorder: TraceRecorder;
  /** Full traces only: node states after each reaction. */
  private readonly stateRecorder: StateRecorder | undefined;
  /** Full traces: the first trace index whose event is kept whole (see SimulationSettings.traceFrom). */
  private readonly traceFrom: number;
  /**
   * Full traces: the trace index from which node states are recorded; until a state may change
   * at or after it (then every node's state is recorded as it stands), none are. 0 once begun.
   */
  private statesFrom: number;
  /** A reaction that began before `statesFrom` ended inside the kept events: the states kept are not whole. */
  private statesIncomplete = false;
  private readonly properties: PropertySet<P>;
  private readonly recorders: Readonly<Record<HistoryKind, readonly number[]>>;
  private memories: unknown[] = [];
  private readonly deadlines: (DeadlineState | undefined)[];
  private readonly reached: boolean[];
  private readonly lastComplaint: (string | undefined)[];
  private faultGeneration = 0;
  /** Full traces keep the contents of messages and timers; ring traces keep what happened. */
  private readonly fullTrace: boolean;
  /** Whether nodes may read the clock (see SimulationSettings.clock). */
  private readonly clock: boolean;
  /** Whether nodes may set timers (see SimulationSettings.timers). */
  private readonly timersAllowed: boolean;
  /**
   * Whether a delivered message (or fired timer) may be handed to its node without a copy:
   * only while nothing else can see it (see `deliver`).
   */
  private sharing: boolean;
  private readonly workloadContext: WorkloadContext<P>;
  private failure: Failure | undefined;
  /**
   * The type of the last message sent and its counts: most sends repeat the type before.
   * Always a string, so that comparing with it stays a comparison of strings.
   */
  private lastSentType = '';
  private lastSentTypeCounts: { sent: number; bytes: number } | undefined = undefined;
  /** The properties judged after every event besides the `always` checks: `sometimes`, and `eventually` with a deadline. */
  private readonly pendingJudgements: readonly number[];

  constructor(private readonly settings: SimulationSettings<P>) {
    this.seed = String(settings.seed);
    const problem = checkSettings(settings);
    if (problem !== undefined) throw new SettingsError(problem);
    this.nodeCount = settings.nodes.length;
    this.nodeIds = settings.nodes.map((_spec, id) => id);
    this.servers = this.nodeIds.filter((id) => settings.nodes[id]?.role === 'server');
    this.clients = this.nodeIds.filter((id) => settings.nodes[id]?.role === 'client');
    this.counters = new MutableCounters(this.nodeCount);
    this.links = new LinkMatrix(this.nodeCount);
    this.network = { ...defaultNetwork, ...settings.network };
    this.linkSends = new Uint32Array(this.nodeCount * this.nodeCount);
    const everFifo = this.network.fifo || (settings.faults ?? []).some((action) => action.type === 'network' && action.fifo === true);
    this.linkLastDeliveryMs = everFifo ? new Float64Array(this.nodeCount * this.nodeCount) : undefined;
    this.linkRandom = new LinkRandom(this.seed);
    this.fullTrace = settings.trace === 'full';
    this.clock = settings.clock !== false;
    this.timersAllowed = settings.timers !== false;
    this.traceFrom = this.fullTrace ? (settings.traceFrom ?? 0) : 0;
    this.recorder = new TraceRecorder(settings.trace ?? 'ring', settings.ringSize ?? 200, this.traceFrom);
    this.stateRecorder = this.fullTrace && settings.nodeStates !== false ? new StateRecorder() : undefined;
    this.statesFrom = this.stateRecorder === undefined ? 0 : Math.max(0, this.traceFrom - stateLeadEvents);
    try {
      this.properties = new PropertySet(settings.properties ?? []);
    } catch (error) {
      throw new SettingsError((error as Error).message);
    }
    this.recorders = this.properties.recorders;
    this.sharing = !this.fullTrace && this.recorders.send.length === 0 && this.recorders.deliver.length === 0;
    const properties = this.properties.properties;
    this.deadlines = properties.map((property) =>
      property.kind === 'eventually' && property.withinMs !== undefined ? { satisfied: false, lastMessage: undefined } : undefined,
    );
    this.reached = properties.map(() => false);
    this.pendingJudgements = properties.flatMap((property, index) =>
      property.kind === 'sometimes' || (property.kind === 'eventually' && this.deadlines[index] !== undefined) ? [index] : [],
    );
    this.lastComplaint = properties.map(() => undefined);
    const servers = Object.freeze([...this.servers]);
    const environments = settings.nodes.map(
      (spec, id) => new NodeEnvironment<P>(id, spec.role, spec.node, servers, settings.config as object, this.nodeCount),
    );
    this.slots = reactorsFor(environments, 'live', settings.config as object).map((reactor) => new NodeSlot(reactor, this.seed));
    const workloadRandom = RandomSource.fork(this.seed, randomLabels.workload);
    this.workloadContext = {
      cluster: this,
      random: workloadRandom,
      input: (node, input, delayMs = 0) => {
        if (!this.knownNode(node)) throw new SettingsError(`the workload gave an input to unknown node ${String(node)}`);
        this.schedule(this.nowMs + Math.max(0, delayMs), EventKind.Input, node, -1, copyPlain(input, 'input'));
      },
    };
  }

  // ClusterView

  isCrashed(node: NodeId): boolean {
    return this.slots[node]?.crashed ?? true;
  }

  incarnation(node: NodeId): number {
    return this.slots[node]?.incarnation ?? 0;
  }

  storage(node: NodeId): ReadonlyMap<string, unknown> {
    return this.slots[node]?.durable ?? new Map();
  }

  inFlight(): readonly InFlightMessage<P>[] {
    // Whoever reads these may keep them: from now on every receiver gets its own copy.
    this.sharing = false;
    const pending: ScheduledEvent[] = [];
    this.queue.forEach((event) => {
      if (event.kind === EventKind.Deliver && !event.cancelled) pending.push(event);
    });
    pending.sort((left, right) => (earlier(left, right) ? -1 : 1));
    return pending.map((event) => ({ from: event.from, to: event.node, message: event.payload as P['message'] }));
  }

  // The run

  run(): SimulationResult<P> {
    const settings = this.settings;
    const durationMs = settings.durationMs;
    const maxEvents = settings.maxEvents ?? defaultMaxEvents;
    let endReason: EndReason = 'quiescent';
    installGuards();
    try {
      const layout: ClusterLayout = { nodeIds: this.nodeIds, servers: this.servers, clients: this.clients };
      this.memories = this.properties.initialMemories(layout);
      for (const action of settings.faults ?? []) this.schedule(action.atMs, EventKind.Fault, -1, -1, action);
      for (const scheduled of settings.inputs ?? []) {
        this.schedule(scheduled.atMs, EventKind.Input, scheduled.node, -1, copyPlain(scheduled.input, 'input'));
      }
      this.scheduleDeadlines();
      for (const slot of this.slots) {
        this.startNode(slot, Code.start);
        if (this.failure) break;
      }
      if (!this.failure && settings.workload?.start) settings.workload.start(this.workloadContext);
      if (!this.failure) this.checkAfterEvent();
      if (!this.failure) endReason = this.processEvents(durationMs, maxEvents, settings.stopWhen);
      if (!this.failure) this.checkAllNodeStates();
      if (!this.failure) this.judgeAtEnd();
    } finally {
      leaveReaction();
      releaseGuards();
    }
    const result: SimulationResult<P> = {
      seed: this.seed,
      passed: this.failure === undefined,
      ...(this.failure ? { failure: this.failure } : {}),
      endReason: this.failure ? 'failure' : endReason,
      steps: this.step,
      endTimeMs: this.nowMs,
      counters: this.counters,
      outputs: this.outputs,
      inputs: this.inputs,
      trace: this.recorder.events(),
      traceLength: this.recorder.total,
      ...(this.stateRecorder && !this.statesIncomplete ? { states: this.stateRecorder.changes } : {}),
      roles: this.settings.nodes.map((spec) => spec.role),
      measurements: this.measure(),
    };
    // Over, and not cut short by an error thrown through it: a submission's realm may serve another run.
    giveBackRealms(this.slots.map((slot) => slot.reactor));
    return result;
  }

  /**
   * The event loop, from the first event to the end: how the run ended ('quiescent' also when it
   * failed). A method of its own, so that it is optimised as one piece whatever the set-up before it.
   */
  private processEvents(durationMs: number, maxEvents: number, stopWhen: ((cluster: ClusterView<P>) => boolean) | undefined): EndReason {
    while (!this.failure) {
      const next = this.queue.pop();
      if (next === undefined) {
        // Nothing can happen any more: the state at the horizon is the state now.
        this.nowMs = Math.max(this.nowMs, durationMs);
        break;
      }
      if (next.cancelled) continue;
      if (next.timeMs > durationMs) {
        this.nowMs = durationMs;
        return 'horizon';
      }
      if (this.step >= maxEvents) {
        this.fail({
          kind: 'limit',
          limit: 'events',
          property: 'event limit',
          message:
            `the run processed ${maxEvents} events (deliveries, timers fired, inputs and faults; the trace's numbers also count each send and timer set) ` +
            `and reached only ${this.nowMs} of ${durationMs} simulated ms: ` +
            'a livelock, or timers and messages that multiply without end',
          step: this.step,
          timeMs: this.nowMs,
        });
        break;
      }
      this.nowMs = next.timeMs;
      this.step++;
      this.process(next);
      if (this.failure) break;
      if (stopWhen !== undefined && !this.failure && stopWhen(this)) return 'stopped';
    }
    return 'quiescent';
  }

  private measure(): Record<string, number> {
    let measurements: Record<string, number> = {};
    this.properties.properties.forEach((property, index) => {
      if (property.measure !== undefined) measurements = { ...measurements, ...property.measure(this.memories[index]) };
    });
    return measurements;
  }

  private process(event: ScheduledEvent): void {
    switch (event.kind) {
      case EventKind.Deliver:
        this.deliver(event);
        return;
      case EventKind.Timer:
        this.fireTimer(event);
        return;
      case EventKind.Input:
        this.giveInput(event);
        return;
      case EventKind.Fault:
        this.applyFault(event.payload as FaultAction);
        return;
      case EventKind.Deadline:
        this.judgeDeadline(event.payload as { property: number; generation: number });
        return;
    }
  }

  private deliver(event: ScheduledEvent): void {
    const slot = this.slots[event.node] as NodeSlot<P>;
    const message = event.payload as Tagged;
    const local = event.from === event.node;
    if (slot.crashed) {
      if (!local) this.counters.messagesDropped++;
      this.trace(Code.drop, event.node, event.from, message.type, this.contents(message), 'receiver crashed');
      return;
    }
    if (!local && this.links.anyBlocked && this.links.isBlocked(event.from, event.node)) {
      this.counters.messagesDropped++;
      this.trace(Code.drop, event.node, event.from, message.type, this.contents(message), 'partitioned');
      return;
    }
    if (!local) {
      this.counters.messagesDelivered++;
      (this.counters.receivedByNode[event.node] as number)++;
    }
    this.trace(Code.deliver, event.node, event.from, message.type, this.contents(message), undefined);
    const recorders = this.recorders.deliver;
    if (recorders.length > 0) {
      const history = { kind: 'deliver', from: event.from, to: event.node, incarnation: slot.incarnation, timeMs: this.nowMs, message, local } as const;
      if (!this.dispatch(recorders, history as HistoryEvent<P>, event.node)) return;
    }
    // The receiver gets its own copy: the message as sent stays as it was. When nothing else
    // can see that message any more (a ring trace keeps no contents, no property records
    // messages, it was not duplicated), the receiver is given it as it is.
    this.reactTo(slot, 'message', event.from, this.sharing || slot.reactor.copiesPayloads ? message : clonePlain(message), this.encodedOf(event));
  }

  private fireTimer(event: ScheduledEvent): void {
    const slot = this.slots[event.node] as NodeSlot<P>;
    slot.pendingTimers.delete(event);
    const timer = event.payload as Tagged;
    this.trace(Code['timer-fire'], event.node, -1, timer.type, this.contents(timer), undefined);
    this.reactTo(slot, 'timer', -1, this.sharing || slot.reactor.copiesPayloads ? timer : clonePlain(timer));
  }

  private giveInput(event: ScheduledEvent): void {
    const slot = this.slots[event.node] as NodeSlot<P>;
    const input = event.payload as Tagged;
    if (slot.crashed) {
      this.trace(Code.input, event.node, -1, input.type, input, 'not given: node crashed');
      return;
    }
    this.trace(Code.input, event.node, -1, input.type, input, undefined);
    this.inputs.push({ step: this.step, timeMs: this.nowMs, node: event.node, incarnation: slot.incarnation, input: input as P['input'] });
    const recorders = this.recorders.input;
    if (recorders.length > 0) {
      const history = { kind: 'input', node: event.node, incarnation: slot.incarnation, timeMs: this.nowMs, input } as const;
      if (!this.dispatch(recorders, history as HistoryEvent<P>, event.node)) return;
    }
    this.reactTo(slot, 'input', -1, clonePlain(input));
  }

  /**
   * One reaction of a node: computed, then its effects applied (up to an armed crash).
   * `kind` 'start' builds a fresh node object (a start or a restart).
   */
  private reactTo(slot: NodeSlot<P>, kind: 'start' | 'message' | 'timer' | 'input', from: NodeId, payload: Tagged | undefined, encoded = -1): void {
    const reactor = slot.reactor;
    const clockMs = this.clock ? this.nowMs : undefined;
    if (this.statesFrom > 0) this.beginStatesIfDue();
    if (kind === 'start') {
      reactor.start(slot.durable, slot.random, clockMs);
      if (reactor.instance !== undefined) slot.instance = reactor.instance;
    } else {
      reactor.handle(slot.instance as object, kind, from, payload as Tagged, slot.durable, slot.random, clockMs, encoded);
    }
    const effects = reactor.effects;
    const armed = crashReactionMatches(slot.armedCrashReaction, kind, payload?.type) ? slot.armedCrash : undefined;
    const applied = armed === undefined ? effects.length : effectsBeforeCrash(effects, armed);
    this.applyEffects(slot, effects, applied);
    if (this.stateRecorder !== undefined) this.recordState(slot);
    if (this.failure) return;
    const failure = reactor.failure;
    if (failure !== undefined) {
      this.fail({
        kind: 'exception',
        property: failure.plainData ? 'plain data' : 'no exceptions',
        message: failure.message + (failure.where ? `\n${failure.where}` : ''),
        step: this.step,
        timeMs: this.nowMs,
        node: slot.nodeId,
      });
      return;
    }
    if (armed !== undefined) {
      const handler = kind === 'start' ? 'onStart' : kind === 'message' ? 'onMessage' : kind === 'timer' ? 'onTimer' : 'onInput';
      this.crash(slot, `in ${handler}, after ${applied} of its ${effects.length} effects`, true);
    } else if (kind === 'start') {
      slot.reactionsSinceCheck = 0;
      if (!this.checkNodeState(slot)) return;
    } else if (++slot.reactionsSinceCheck === stateCheckPeriod) {
      slot.reactionsSinceCheck = 0;
      if (!this.checkNodeState(slot)) return;
    }
    this.checkAfterEvent();
  }

  private applyEffects(slot: NodeSlot<P>, effects: readonly Effect[], count: number): void {
    const node = slot.nodeId;
    // Storage is copied before a reaction's first write, never changed in place: a reactor may
    // keep what it made of the map it was handed (a node in another realm gets it as text).
    let storageCopied = false;
    for (let index = 0; index < count && this.failure === undefined; index++) {
      const effect = effects[index] as Effect;
      switch (effect.kind) {
        case 'send':
          this.send(slot, effect.to, effect.message, effect.bytes, effect.encoded ?? -1);
          break;
        case 'set-timer':
          if (!this.timersAllowed) {
            this.fail({
              kind: 'exception',
              property: 'no timers',
              message: `${slot.environment.name} set a timer (${effect.timer.type}), but this lab's protocol has no timers: its nodes act only on the messages and inputs they are handed`,
              step: this.step,
              timeMs: this.nowMs,
              node: node,
            });
            break;
          }
          this.setTimer(slot, effect.timer, effect.minMs, effect.maxMs);
          break;
        case 'cancel-timer':
          this.cancelTimer(slot, effect.timer);
          break;
        case 'storage-set':
        case 'storage-delete': {
          const value = effect.kind === 'storage-set' ? effect.value : undefined;
          if (!storageCopied) {
            slot.durable = new Map(slot.durable);
            storageCopied = true;
          }
          if (value === undefined) slot.durable.delete(effect.key);
          else slot.durable.set(effect.key, value);
          this.trace(Code.store, node, -1, effect.key, value, value === undefined ? 'deleted' : undefined);
          const recorders = this.recorders.storage;
          if (recorders.length > 0) {
            const history = { kind: 'storage', node, incarnation: slot.incarnation, timeMs: this.nowMs, key: effect.key, value } as const;
            this.dispatch(recorders, history, node);
          }
          break;
        }
        case 'output':
          this.output(slot, effect.output);
          break;
        case 'log':
          this.trace(Code.log, node, -1, effect.text, undefined, undefined);
          break;
      }
    }
  }

  // Properties

  /** Gives a history event to the properties that record it; false when one of them failed. */
  private dispatch(recorders: readonly number[], event: HistoryEvent<P>, node: NodeId | undefined): boolean {
    for (let position = 0; position < recorders.length; position++) {
      const index = recorders[position] as number;
      const problem = this.properties.record(index, this.memories[index], event, this);
      if (problem !== undefined) {
        const property = this.properties.properties[index] as Property<P>;
        this.fail({ kind: 'violation', property: property.name, message: problem, step: this.step, timeMs: this.nowMs, ...(node === undefined ? {} : { node }) });
        return false;
      }
    }
    return true;
  }

  /** After every event: safety checks, and the deadlines and goals not met yet. */
  private checkAfterEvent(): void {
    if (this.failure) return;
    const set = this.properties;
    const checks = set.alwaysChecks;
    for (let position = 0; position < checks.length; position++) {
      const index = checks[position] as number;
      const message = set.check(index, this.memories[index], this);
      if (message !== undefined) {
        this.fail({ kind: 'violation', property: (set.properties[index] as Property<P>).name, message, step: this.step, timeMs: this.nowMs });
        return;
      }
    }
    const properties = set.properties;
    const pending = this.pendingJudgements;
    for (let position = 0; position < pending.length; position++) {
      const index = pending[position] as number;
      const property = properties[index] as Property<P>;
      if (property.kind === 'sometimes' && !this.reached[index]) {
        const message = set.check(index, this.memories[index], this);
        if (message === undefined) this.reached[index] = true;
        else this.lastComplaint[index] = message;
      } else if (property.kind === 'eventually') {
        const deadline = this.deadlines[index];
        if (deadline === undefined || deadline.satisfied) continue;
        const message = set.check(index, this.memories[index], this);
        if (message === undefined) deadline.satisfied = true;
        else deadline.lastMessage = message;
      }
    }
  }

  /** Deadlines of `eventually` properties, counted from now (the start or the last fault). */
  private scheduleDeadlines(): void {
    const properties = this.properties.properties;
    for (let index = 0; index < properties.length; index++) {
      const deadline = this.deadlines[index];
      const withinMs = properties[index]?.withinMs;
      if (deadline === undefined || withinMs === undefined) continue;
      deadline.satisfied = false;
      this.schedule(this.nowMs + withinMs, EventKind.Deadline, -1, -1, { property: index, generation: this.faultGeneration });
    }
  }

  private judgeDeadline(payload: { property: number; generation: number }): void {
    // A later fault moved the deadline: this one no longer counts.
    if (payload.generation !== this.faultGeneration) return;
    const deadline = this.deadlines[payload.property] as DeadlineState;
    if (deadline.satisfied) return;
    const property = this.properties.properties[payload.property] as Property<P>;
    const message = this.properties.check(payload.property, this.memories[payload.property], this);
    if (message === undefined) {
      deadline.satisfied = true;
      return;
    }
    const since = this.lastFaultMs === 0 ? 'the start' : `the last fault (at ${this.lastFaultMs} ms)`;
    this.fail({
      kind: 'liveness',
      property: property.name,
      message: `${message} — not within ${String(property.withinMs)} ms of ${since}`,
      step: this.step,
      timeMs: this.nowMs,
      deadlineMs: this.nowMs,
    });
  }

  private judgeAtEnd(): void {
    const set = this.properties;
    const properties = set.properties;
    // Safety judged at the end first: a wrong history is the finding, whatever else is late.
    for (let index = 0; index < properties.length && !this.failure; index++) {
      const property = properties[index] as Property<P>;
      if (property.kind !== 'always' || property.atEnd !== true) continue;
      const message = set.check(index, this.memories[index], this);
      if (message !== undefined) this.fail({ kind: 'violation', property: property.name, step: this.step, timeMs: this.nowMs, message });
    }
    for (let index = 0; index < properties.length && !this.failure; index++) {
      const property = properties[index] as Property<P>;
      const base = { property: property.name, step: this.step, timeMs: this.nowMs };
      if (property.kind === 'eventually') {
        if (this.deadlines[index]?.satisfied === true) continue;
        const message = set.check(index, this.memories[index], this);
        if (message !== undefined) this.fail({ kind: 'liveness', ...base, message });
      } else if (property.kind === 'sometimes') {
        if (this.reached[index]) continue;
        const message = set.check(index, this.memories[index], this);
        if (message !== undefined) this.fail({ kind: 'goal-not-reached', ...base, message: `never reached during the run: ${message}` });
      } else if (property.kind === 'budget') {
        const message = set.check(index, this.memories[index], this);
        if (message !== undefined) this.fail({ kind: 'budget-exceeded', ...base, message });
      }
    }
  }

  /**
   * Full traces kept from an index on: once the trace nears it, every node's state as it
   * stands, as the states before the kept events. Called where a state may change, before it
   * does, so that what it records is each node's state after its last recorded event.
   */
  private beginStatesIfDue(): void {
    const total = this.recorder.total;
    if (total < this.statesFrom) return;
    this.statesFrom = 0;
    const index = Math.max(0, Math.min(total, this.traceFrom) - 1);
    for (const slot of this.slots) this.recordStateAt(slot, index, true);
  }

  /** Full traces: the node's state after its last event (null fields while it is down). */
  private recordState(slot: NodeSlot<P>): void {
    if (this.statesFrom > 0) {
      // Before the states begin: a reaction that ends inside the kept events began too early for its first state to be known.
      if (this.recorder.total > this.traceFrom) this.statesIncomplete = true;
      return;
    }
    this.recordStateAt(slot, this.recorder.total - 1);
  }

  private recordStateAt(slot: NodeSlot<P>, index: number, whole = false): void {
    const fields = slot.crashed || slot.instance === undefined ? null : (slot.reactor.snapshot(slot.instance) ?? null);
    const recorder = this.stateRecorder as StateRecorder;
    if (whole) recorder.recordWhole(index, slot.nodeId, fields, slot.durable);
    else recorder.record(index, slot.nodeId, fields, slot.durable);
  }

  private checkNodeState(slot: NodeSlot<P>): boolean {
    if (slot.instance === undefined) return true;
    const problem = slot.reactor.checkState(slot.instance);
    if (problem === undefined) return true;
    this.fail({ kind: 'exception', property: 'plain data', message: problem.message, step: this.step, timeMs: this.nowMs, node: slot.nodeId });
    return false;
  }

  private checkAllNodeStates(): void {
    for (const slot of this.slots) if (!this.checkNodeState(slot)) return;
  }

  private fail(failure: Failure): void {
    if (this.failure) return;
    this.failure = { ...failure, traceIndex: this.recorder.total };
    this.trace(Code.violation, failure.node ?? -1, -1, failure.property, undefined, failure.message);
  }

  // Node lifecycle

  private startNode(slot: NodeSlot<P>, code: number): void {
    this.trace(code, slot.nodeId, -1, slot.environment.nodeClass.name, undefined, undefined);
    this.reactTo(slot, 'start', -1, undefined);
  }

  private crash(slot: NodeSlot<P>, reason: string | undefined, midReaction: boolean): void {
    if (this.statesFrom > 0) this.beginStatesIfDue();
    slot.crashed = true;
    slot.instance = undefined;
    slot.armedCrash = undefined;
    slot.armedCrashReaction = undefined;
    slot.pendingTimers.cancelAll();
    this.trace(Code.crash, slot.nodeId, -1, slot.environment.nodeClass.name, undefined, reason);
    if (this.stateRecorder !== undefined) this.recordState(slot);
    const recorders = this.recorders.crash;
    if (recorders.length > 0) {
      const history = { kind: 'crash', node: slot.nodeId, incarnation: slot.incarnation, timeMs: this.nowMs, midReaction } as const;
      this.dispatch(recorders, history, slot.nodeId);
    }
  }

  private applyFault(action: FaultAction): void {
    this.lastFaultMs = this.nowMs;
    this.faultGeneration++;
    this.trace(Code.fault, -1, -1, describeFault(action), undefined, undefined);
    switch (action.type) {
      case 'crash': {
        const slot = this.slots[action.node] as NodeSlot<P>;
        if (slot.crashed) break;
        if (action.afterEffects !== undefined) {
          slot.armedCrash = action.afterEffects;
          slot.armedCrashReaction = action.inReactionTo;
        } else this.crash(slot, undefined, false);
        break;
      }
      case 'restart': {
        const slot = this.slots[action.node] as NodeSlot<P>;
        // A crash still waiting for a reaction happens now, so the restart has a crash to follow.
        if (!slot.crashed && slot.armedCrash !== undefined) this.crash(slot, 'its crash was still waiting for a reaction', false);
        if (!slot.crashed || this.failure) break;
        slot.crashed = false;
        slot.incarnation++;
        slot.random = nodeRandom(this.seed, slot.nodeId, slot.incarnation);
        const recorders = this.recorders.restart;
        if (recorders.length > 0) {
          const history = { kind: 'restart', node: slot.nodeId, incarnation: slot.incarnation, timeMs: this.nowMs } as const;
          if (!this.dispatch(recorders, history, slot.nodeId)) return;
        }
        this.scheduleDeadlines();
        this.startNode(slot, Code.restart);
        return;
      }
      case 'network': {
        const { atMs: _atMs, type: _type, ...changes } = action;
        this.network = { ...this.network, ...changes };
        break;
      }
      default:
        this.links.apply(action);
        break;
    }
    if (action.type !== 'crash') {
      const recorders = this.recorders.fault;
      if (recorders.length > 0 && !this.dispatch(recorders, { kind: 'fault', timeMs: this.nowMs, action }, undefined)) return;
    }
    this.scheduleDeadlines();
    this.checkAfterEvent();
  }

  // What nodes do, applied from their reactions' effects

  private send(slot: NodeSlot<P>, to: NodeId, message: Tagged, bytes: number, encoded: number): void {
    const from = slot.nodeId;
    const type = message.type;
    const local = to === from;
    const recorders = this.recorders.send;
    // Traced before the properties see it: a send that breaks one is the trace's last event
    // before the violation, so that the failure shows what was sent.
    this.trace(Code.send, from, to, type, this.contents(message), local ? 'local' : undefined);
    if (recorders.length > 0) {
      const history = { kind: 'send', from, to, incarnation: slot.incarnation, timeMs: this.nowMs, message, local } as const;
      if (!this.dispatch(recorders, history as HistoryEvent<P>, from)) return;
    }
    if (local) {
      this.noteEncoded(this.schedule(this.nowMs, EventKind.Deliver, to, from, message), encoded);
      return;
    }
    const counters = this.counters;
    counters.messagesSent++;
    counters.bytesSent += bytes;
    (counters.sentByNode[from] as number)++;
    let perType = this.lastSentType === type ? this.lastSentTypeCounts : undefined;
    if (perType === undefined) {
      perType = counters.byType.get(type);
      if (perType === undefined) {
        perType = { sent: 0, bytes: 0 };
        counters.byType.set(type, perType);
      }
      this.lastSentType = type;
      this.lastSentTypeCounts = perType;
    }
    perType.sent++;
    perType.bytes += bytes;
    const channelIndex = from * this.nodeCount + to;
    const linkSends = this.linkSends;
    const count = linkSends[channelIndex] as number;
    linkSends[channelIndex] = count + 1;
    // Four draws per send (drop, duplicate, delay, the duplicate's delay), each a function of
    // the link's send count alone: a fault added or removed elsewhere does not shift this link's
    // draws. So a draw whose outcome is known without it (no drop when nothing is ever dropped)
    // is not made: the others are the same either way.
    const drawKey = this.linkRandom.sendDrawKey(from, to, count);
    const network = this.network;
    const delayMs = drawDelay(network.delay, sendDraw(drawKey, 2));
    if (this.links.anyBlocked && this.links.blocked[channelIndex] === 1) {
      counters.messagesDropped++;
      this.trace(Code.drop, to, from, type, this.contents(message), 'partitioned');
      return;
    }
    if (network.dropRate > 0 && sendDraw(drawKey, 0) < network.dropRate) {
      counters.messagesDropped++;
      this.trace(Code.drop, to, from, type, this.contents(message), 'lost');
      return;
    }
    const lastDeliveryMs = this.linkLastDeliveryMs;
    let deliveryMs = this.nowMs + delayMs;
    if (lastDeliveryMs !== undefined) {
      if (network.fifo) deliveryMs = Math.max(deliveryMs, lastDeliveryMs[channelIndex] as number);
      lastDeliveryMs[channelIndex] = deliveryMs;
    }
    this.noteEncoded(this.schedule(deliveryMs, EventKind.Deliver, to, from, message), encoded);
    if (network.duplicateRate > 0 && sendDraw(drawKey, 1) < network.duplicateRate) {
      counters.messagesDuplicated++;
      let duplicateMs = this.nowMs + drawDelay(network.delay, sendDraw(drawKey, 3));
      if (lastDeliveryMs !== undefined) {
        if (network.fifo) duplicateMs = Math.max(duplicateMs, lastDeliveryMs[channelIndex] as number);
        lastDeliveryMs[channelIndex] = duplicateMs;
      }
      this.trace(Code.duplicate, from, to, type, this.contents(message), undefined);
      this.noteEncoded(this.schedule(duplicateMs, EventKind.Deliver, to, from, this.sharing ? clonePlain(message) : message), encoded);
    }
  }

  private setTimer(slot: NodeSlot<P>, timer: Tagged, minMs: number, maxMs: number): void {
    const delayMs = minMs === maxMs ? minMs : slot.timerRandom.integer(minMs, maxMs);
    const event = this.schedule(this.nowMs + delayMs, EventKind.Timer, slot.nodeId, -1, timer);
    slot.pendingTimers.add(event);
    this.trace(Code['timer-set'], slot.nodeId, -1, timer.type, this.contents(timer), `fires at ${this.nowMs + delayMs} ms`);
  }

  private cancelTimer(slot: NodeSlot<P>, timer: Tagged): void {
    const cancelled = slot.pendingTimers.cancelMatching(timer);
    this.trace(Code['timer-cancel'], slot.nodeId, -1, timer.type, this.contents(timer), cancelled === 0 ? 'none pending' : undefined);
  }

  private output(slot: NodeSlot<P>, output: Tagged): void {
    const node = slot.nodeId;
    const record: OutputRecord<P> = { step: this.step, timeMs: this.nowMs, node, incarnation: slot.incarnation, output: output as P['output'] };
    this.outputs.push(record);
    this.trace(Code.output, node, -1, output.type, output, undefined);
    const recorders = this.recorders.output;
    if (recorders.length > 0) {
      const history = { kind: 'output', node, incarnation: slot.incarnation, timeMs: this.nowMs, output } as const;
      if (!this.dispatch(recorders, history as HistoryEvent<P>, node)) return;
    }
    this.settings.workload?.onOutput?.(record, this.workloadContext);
  }

  /** A message or timer as the trace keeps it: itself in a full trace, nothing in a ring. */
  private contents(value: Tagged): Tagged | undefined {
    return this.fullTrace && this.recorder.total >= this.traceFrom ? value : undefined;
  }

  private trace(code: number, node: NodeId, peer: NodeId, label: string, detail: unknown, reason: string | undefined): void {
    this.recorder.record(this.step, this.nowMs, code, node, peer, label, detail, reason);
  }

  /**
   * Where the realm that sent a delivery's message keeps it as it wrote it (see RealmReactor),
   * by the delivery's sequence number, for the most recent sends: events carry no field for it,
   * which every event of a run in this realm would pay for. A delivery whose entry was written
   * over since is given its message as an object, as any other.
   */
  private encodings: { readonly sequences: Float64Array; readonly handles: Float64Array } | undefined = undefined;

  private noteEncoded(event: ScheduledEvent, encoded: number): void {
    if (encoded < 0) return;
    const encodings = (this.encodings ??= { sequences: new Float64Array(encodingSlots).fill(-1), handles: new Float64Array(encodingSlots) });
    const slot = event.sequence % encodingSlots;
    encodings.sequences[slot] = event.sequence;
    encodings.handles[slot] = encoded;
  }

  private encodedOf(event: ScheduledEvent): number {
    const encodings = this.encodings;
    if (encodings === undefined) return -1;
    const slot = event.sequence % encodingSlots;
    return encodings.sequences[slot] === event.sequence ? (encodings.handles[slot] as number) : -1;
  }

  private schedule(timeMs: number, kind: EventKind, node: NodeId, from: NodeId, payload: unknown): ScheduledEvent {
    const event = new ScheduledEvent(timeMs, this.sequence++, kind, node, from, payload);
    this.queue.push(event);
    return event;
  }

  private knownNode(id: NodeId): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.nodeCount;
  }
}

/** How many of the latest deliveries' kept encodings a run remembers (see Simulation.noteEncoded). */
const encodingSlots = 8192;

/** A message's delay from `unit`, a uniform draw in [0, 1). */
function drawDelay(distribution: DelayDistribution, unit: number): number {
  if (distribution.kind === 'uniform') {
    return distribution.minMs + Math.floor(unit * (distribution.maxMs - distribution.minMs + 1));
  }
  const minMs = distribution.minMs ?? 1;
  const drawn = minMs + Math.floor(-distribution.meanMs * Math.log(1 - unit));
  return distribution.maxMs === undefined ? drawn : Math.min(drawn, distribution.maxMs);
}

function checkSettings<P extends Protocol>(settings: SimulationSettings<P>): string | undefined {
  if (settings.nodes.length === 0) return 'the cluster needs at least one node';
  for (const [id, spec] of settings.nodes.entries()) {
    if (typeof spec.node !== 'function') return `node ${id} has no class: give { role, node: SomeNodeClass }`;
    if (spec.role !== 'server' && spec.role !== 'client') return `node ${id} has role ${String(spec.role)}: use "server" or "client"`;
  }
  if (!(settings.durationMs > 0)) return `durationMs must be positive, not ${String(settings.durationMs)}`;
  const traceFrom = settings.traceFrom;
  if (traceFrom !== undefined && !(Number.isSafeInteger(traceFrom) && traceFrom >= 0)) {
    return `traceFrom must be a whole number of trace events, 0 or more, not ${String(traceFrom)}`;
  }
  if (settings.nodeStates !== undefined && typeof settings.nodeStates !== 'boolean') return `nodeStates must be true or false, not ${String(settings.nodeStates)}`;
  const network = { ...defaultNetwork, ...settings.network };
  const networkProblem = validateNetwork(network);
  if (networkProblem) return networkProblem;
  const scheduleProblem = validateSchedule(settings.faults ?? [], settings.nodes.length);
  if (scheduleProblem) return scheduleProblem;
  for (const scheduled of settings.inputs ?? []) {
    if (!(Number.isInteger(scheduled.node) && scheduled.node >= 0 && scheduled.node < settings.nodes.length)) {
      return `an input is addressed to unknown node ${String(scheduled.node)}`;
    }
  }
  return undefined;
}
