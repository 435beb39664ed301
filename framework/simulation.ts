import type { DurableStorage } from './DurableStorage.ts';
import type { Node, NodeClass } from './Node.ts';
import { describeFault, validateSchedule, type FaultAction, type FaultSchedule } from './faults.ts';
import { defaultNetwork, validateNetwork, type DelayDistribution, type NetworkSettings } from './network.ts';
import { TraceRecorder, traceKindCode, type TraceEvent } from './trace.ts';
import { nodeName, type Delay, type NodeId, type Protocol, type Role, type Tagged } from './types.ts';
import type { Counters, InputRecord, OutputRecord, Property, Workload, WorkloadContext, World } from './world.ts';
import { installGuards, rejectPromise, releaseGuards } from './_internals/guards.ts';
import { copyPlain, equalPlain, findNonPlain, lastCopiedBytes, PlainDataError } from './_internals/plainData.ts';
import { RandomSource } from './_internals/random.ts';
import { enterReaction, exitReaction, type NodeHost } from './_internals/reaction.ts';

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

/** Everything a run depends on besides the node code: a run is a pure function of these. */
export interface SimulationSettings<P extends Protocol> {
  readonly seed: string | number;
  readonly nodes: readonly NodeSpec<P>[];
  readonly config: P['config'];
  readonly network?: Partial<NetworkSettings>;
  readonly faults?: FaultSchedule;
  readonly inputs?: readonly ScheduledInput<P>[];
  readonly workload?: Workload<P>;
  /** Fresh property objects for this run (they may keep state between checks). */
  readonly properties?: readonly Property<P>[];
  /** The run ends when simulated time would pass this. */
  readonly durationMs: number;
  /** The run fails with "event limit" after this many events (a livelock guard). */
  readonly maxEvents?: number;
  /** Ends the run early, checked after every event (e.g. "every request answered"). */
  readonly stopWhen?: (world: World<P>) => boolean;
  /** `ring` (default) keeps the last `ringSize` trace events; `full` keeps all, with copies. */
  readonly trace?: 'ring' | 'full';
  readonly ringSize?: number;
}

export type FailureKind = 'always' | 'eventually' | 'exception' | 'event-limit';

/** Why a run failed: which property, its message, and where in the run. */
export interface Failure {
  readonly kind: FailureKind;
  readonly property: string;
  readonly message: string;
  readonly step: number;
  readonly timeMs: number;
  readonly node?: NodeId;
  /** The index of the 'violation' event in the trace. */
  readonly traceIndex?: number;
}

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
}

/** Thrown for settings that cannot describe a run (unknown node ids, bad rates, ...). */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

const defaultMaxEvents = 2_000_000;
/** Every this many steps, every live node's fields are checked to be plain data. */
const stateCheckPeriod = 1024;

const enum EventKind {
  Deliver,
  Timer,
  Input,
  Fault,
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
  private readonly heap: ScheduledEvent[] = [];
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

class Channel {
  lastDeliveryMs = 0;
  constructor(readonly random: RandomSource) {}
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

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `threw ${String(error)}`;
}

function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}

/** Runs one simulation and returns its result. Same settings and seed, same result. */
export function simulate<P extends Protocol>(settings: SimulationSettings<P>): SimulationResult<P> {
  return new Simulation(settings).run();
}

/** A node's place in the cluster: its current object (null while crashed) and its runtime. */
class NodeSlot<P extends Protocol> implements NodeHost {
  instance: Node<P> | null = null;
  crashed = false;
  incarnation = 0;
  randomSource: RandomSource;
  readonly timerRandom: RandomSource;
  readonly pendingTimers: ScheduledEvent[] = [];
  readonly durable = new Map<string, unknown>();
  readonly storage: DurableStorage<object>;
  readonly peers: readonly NodeId[];

  constructor(
    private readonly simulation: Simulation<P>,
    readonly nodeId: NodeId,
    readonly role: Role,
    readonly nodeClass: NodeClass<P>,
    readonly servers: readonly NodeId[],
    readonly config: object,
  ) {
    this.peers = servers.filter((id) => id !== nodeId);
    this.randomSource = RandomSource.fork(simulation.seed, `node/${nodeName(nodeId)}/0`);
    this.timerRandom = RandomSource.fork(simulation.seed, `timers/${nodeName(nodeId)}`);
    const durable = this.durable;
    const name = nodeName(nodeId);
    this.storage = {
      get: (key) => {
        const value = durable.get(key);
        return (value === undefined ? undefined : copyPlain(value, `${name} storage ${key}`)) as never;
      },
      set: (key, value) => {
        durable.set(key, copyPlain(value, `${name} storage ${key}`));
      },
      delete: (key) => {
        durable.delete(key);
      },
      keys: () => [...durable.keys()].sort() as never[],
    };
  }

  send(to: NodeId, message: Tagged): void {
    this.simulation.send(this.nodeId, to, message);
  }

  broadcast(message: Tagged): void {
    for (const peer of this.peers) this.simulation.send(this.nodeId, peer, message);
  }

  setTimer(timer: Tagged, delay: Delay): void {
    this.simulation.setTimer(this, timer, delay);
  }

  cancelTimer(timer: Tagged): void {
    this.simulation.cancelTimer(this, timer);
  }

  now(): number {
    return this.simulation.nowMs;
  }

  random(): number {
    return this.randomSource.next();
  }

  log(text: string): void {
    this.simulation.trace(Code.log, this.nodeId, -1, text, undefined, undefined);
  }

  output(value: Tagged): void {
    this.simulation.output(this.nodeId, value);
  }
}


class Simulation<P extends Protocol> implements World<P> {
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
  private readonly channels: (Channel | undefined)[];
  private readonly blocked: Uint8Array;
  private network: NetworkSettings;
  private readonly recorder: TraceRecorder;
  private readonly fullTrace: boolean;
  private readonly alwaysProperties: Property<P>[];
  private readonly eventuallyProperties: Property<P>[];
  private readonly transitionProperties: Property<P>[];
  private readonly messageObservers: Property<P>[];
  private readonly workloadContext: WorkloadContext<P>;
  private failure: Failure | undefined;

  constructor(private readonly settings: SimulationSettings<P>) {
    this.seed = String(settings.seed);
    const problem = checkSettings(settings);
    if (problem !== undefined) throw new SettingsError(problem);
    this.nodeCount = settings.nodes.length;
    this.nodeIds = settings.nodes.map((_spec, id) => id);
    this.servers = this.nodeIds.filter((id) => settings.nodes[id]?.role === 'server');
    this.clients = this.nodeIds.filter((id) => settings.nodes[id]?.role === 'client');
    this.counters = new MutableCounters(this.nodeCount);
    this.channels = new Array<Channel | undefined>(this.nodeCount * this.nodeCount).fill(undefined);
    this.blocked = new Uint8Array(this.nodeCount * this.nodeCount);
    this.network = { ...defaultNetwork, ...settings.network };
    this.fullTrace = settings.trace === 'full';
    this.recorder = new TraceRecorder(settings.trace ?? 'ring', settings.ringSize ?? 200);
    const properties = settings.properties ?? [];
    this.alwaysProperties = properties.filter((property) => property.kind === 'always');
    this.eventuallyProperties = properties.filter((property) => property.kind === 'eventually');
    this.transitionProperties = properties.filter((property) => property.checkTransition !== undefined);
    this.messageObservers = properties.filter((property) => property.observeMessage !== undefined);
    this.slots = settings.nodes.map(
      (spec, id) => new NodeSlot(this, id, spec.role, spec.node, this.servers, settings.config as object),
    );
    const workloadRandom = RandomSource.fork(this.seed, 'workload');
    this.workloadContext = {
      world: this,
      random: workloadRandom,
      input: (node, input, delayMs = 0) => {
        if (!this.knownNode(node)) throw new SettingsError(`the workload gave an input to unknown node ${String(node)}`);
        this.schedule(this.nowMs + Math.max(0, delayMs), EventKind.Input, node, -1, copyPlain(input, 'input'));
      },
    };
  }

  // World

  isCrashed(node: NodeId): boolean {
    return this.slots[node]?.crashed ?? true;
  }

  node(node: NodeId): Node<P> | undefined {
    return this.slots[node]?.instance ?? undefined;
  }

  // The run

  run(): SimulationResult<P> {
    const settings = this.settings;
    const durationMs = settings.durationMs;
    const maxEvents = settings.maxEvents ?? defaultMaxEvents;
    const stopWhen = settings.stopWhen;
    let endReason: EndReason = 'quiescent';
    installGuards();
    try {
      for (const action of settings.faults ?? []) this.schedule(action.atMs, EventKind.Fault, -1, -1, action);
      for (const scheduled of settings.inputs ?? []) {
        this.schedule(scheduled.atMs, EventKind.Input, scheduled.node, -1, copyPlain(scheduled.input, 'input'));
      }
      for (const slot of this.slots) {
        this.startNode(slot, Code.start);
        if (this.failure) break;
      }
      if (!this.failure && settings.workload?.start) settings.workload.start(this.workloadContext);
      if (!this.failure) this.checkAlways(undefined);
      while (!this.failure) {
        const next = this.queue.pop();
        if (next === undefined) {
          // Nothing can happen any more: the state at the horizon is the state now.
          this.nowMs = Math.max(this.nowMs, durationMs);
          break;
        }
        if (next.cancelled) continue;
        if (next.timeMs > durationMs) {
          endReason = 'horizon';
          this.nowMs = durationMs;
          break;
        }
        if (this.step >= maxEvents) {
          this.fail({
            kind: 'event-limit',
            property: 'event limit',
            message:
              `the run processed ${maxEvents} events and reached only ${this.nowMs} of ${durationMs} simulated ms: ` +
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
        if (this.step % stateCheckPeriod === 0) this.checkAllNodeStates();
        if (stopWhen !== undefined && !this.failure && stopWhen(this)) {
          endReason = 'stopped';
          break;
        }
      }
      if (!this.failure) this.checkAllNodeStates();
      if (!this.failure) {
        for (const property of this.eventuallyProperties) {
          const message = this.evaluate(property);
          if (message !== undefined) {
            this.fail({ kind: 'eventually', property: property.name, message, step: this.step, timeMs: this.nowMs });
            break;
          }
        }
      }
    } finally {
      exitReaction();
      releaseGuards();
    }
    return {
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
    };
  }

  /** Runs one property check; a check that throws is reported as that property failing. */
  private evaluate(property: Property<P>): string | undefined {
    try {
      return property.check(this);
    } catch (error) {
      return `the property's own check threw (${describeError(error)})`;
    }
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
    }
  }

  private deliver(event: ScheduledEvent): void {
    const slot = this.slots[event.node] as NodeSlot<P>;
    const message = event.payload as Tagged;
    const local = event.from === event.node;
    if (slot.crashed) {
      if (!local) this.counters.messagesDropped++;
      this.trace(Code.drop, event.node, event.from, message.type, message, 'receiver crashed');
      return;
    }
    if (!local && this.blocked[event.from * this.nodeCount + event.node] === 1) {
      this.counters.messagesDropped++;
      this.trace(Code.drop, event.node, event.from, message.type, message, 'partitioned');
      return;
    }
    if (!local) {
      this.counters.messagesDelivered++;
      (this.counters.receivedByNode[event.node] as number)++;
    }
    this.trace(Code.deliver, event.node, event.from, message.type, this.fullTrace ? copyPlain(message) : message, undefined);
    if (this.messageObservers.length > 0 && !this.observeMessage('deliver', event.from, event.node, message, local)) return;
    this.react(slot, 'onMessage', message.type, event.from, message);
  }

  private fireTimer(event: ScheduledEvent): void {
    const slot = this.slots[event.node] as NodeSlot<P>;
    const pending = slot.pendingTimers;
    const index = pending.indexOf(event);
    if (index >= 0) pending.splice(index, 1);
    const timer = event.payload as Tagged;
    this.trace(Code['timer-fire'], event.node, -1, timer.type, this.fullTrace ? copyPlain(timer) : timer, undefined);
    this.react(slot, 'onTimer', timer.type, -1, timer);
  }

  private giveInput(event: ScheduledEvent): void {
    const slot = this.slots[event.node] as NodeSlot<P>;
    const input = event.payload as Tagged;
    if (slot.crashed) {
      this.trace(Code.input, event.node, -1, input.type, input, 'not given: node crashed');
      return;
    }
    this.trace(Code.input, event.node, -1, input.type, this.fullTrace ? copyPlain(input) : input, undefined);
    this.inputs.push({ step: this.step, timeMs: this.nowMs, node: event.node, input: copyPlain(input) as P['input'] });
    this.react(slot, 'onInput', input.type, -1, input);
  }

  /** Calls one handler of a node, with the node's host active and failures turned into verdicts. */
  private react(slot: NodeSlot<P>, handler: 'onMessage' | 'onTimer' | 'onInput', label: string, from: NodeId, payload: Tagged): void {
    const instance = slot.instance as Node<P>;
    let before: Record<string, unknown> | undefined;
    try {
      before = this.transitionProperties.length > 0 ? this.snapshotFields(slot) : undefined;
    } catch (error) {
      this.handlerFailed(slot, `${handler}(${label})`, error);
      return;
    }
    enterReaction(slot, instance);
    try {
      let result: unknown;
      if (handler === 'onMessage') result = instance.onMessage(from, payload as P['message']);
      else if (handler === 'onTimer') result = instance.onTimer(payload as P['timer']);
      else result = instance.onInput(payload as P['input']);
      if (result !== undefined) rejectPromise(result, `${handler}(${label})`);
    } catch (error) {
      exitReaction();
      this.handlerFailed(slot, `${handler}(${label})`, error);
      return;
    }
    exitReaction();
    this.checkAlways(before === undefined ? undefined : { slot, before });
  }

  private handlerFailed(slot: NodeSlot<P>, handler: string, error: unknown): void {
    const plainDataProblem = error instanceof PlainDataError;
    const stack = stackOf(error);
    const where = stack ? `\n${stack.split('\n').slice(1, 6).join('\n')}` : '';
    this.fail({
      kind: 'exception',
      property: plainDataProblem ? 'plain data' : 'no exceptions',
      message: `${nodeName(slot.nodeId)} threw in ${handler}: ${describeError(error)}${plainDataProblem ? '' : where}`,
      step: this.step,
      timeMs: this.nowMs,
      node: slot.nodeId,
    });
  }

  private snapshotFields(slot: NodeSlot<P>): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    const instance = slot.instance as unknown as Record<string, unknown>;
    for (const key of Object.keys(instance)) fields[key] = copyPlain(instance[key], `${nodeName(slot.nodeId)}.${key}`);
    return fields;
  }

  private checkAlways(change: { slot: NodeSlot<P>; before: Record<string, unknown> } | undefined): void {
    const properties = this.alwaysProperties;
    for (let index = 0; index < properties.length; index++) {
      const property = properties[index] as Property<P>;
      const message = this.evaluate(property);
      if (message !== undefined) {
        this.fail({ kind: 'always', property: property.name, message, step: this.step, timeMs: this.nowMs });
        return;
      }
    }
    if (change === undefined || change.slot.instance === null) return;
    let after: Record<string, unknown>;
    try {
      after = this.snapshotFields(change.slot);
    } catch (error) {
      this.handlerFailed(change.slot, 'a reaction', error);
      return;
    }
    for (const property of this.transitionProperties) {
      let message: string | undefined;
      try {
        message = property.checkTransition?.({ node: change.slot.nodeId, before: change.before, after }, this);
      } catch (error) {
        message = `the property's own check threw (${describeError(error)})`;
      }
      if (message !== undefined) {
        this.fail({ kind: 'always', property: property.name, message, step: this.step, timeMs: this.nowMs, node: change.slot.nodeId });
        return;
      }
    }
  }

  /** Shows a message to the properties that observe messages; false when one of them failed. */
  private observeMessage(kind: 'send' | 'deliver', from: NodeId, to: NodeId, message: Tagged, local: boolean): boolean {
    const event = { kind, from, to, message: message as P['message'], timeMs: this.nowMs, local };
    for (const property of this.messageObservers) {
      let problem: string | undefined;
      try {
        problem = property.observeMessage?.(event, this);
      } catch (error) {
        problem = `the property's own check threw (${describeError(error)})`;
      }
      if (problem !== undefined) {
        this.fail({ kind: 'always', property: property.name, message: problem, step: this.step, timeMs: this.nowMs, node: kind === 'send' ? from : to });
        return false;
      }
    }
    return true;
  }

  private checkAllNodeStates(): void {
    for (const slot of this.slots) {
      if (slot.instance === null) continue;
      const problem = findNonPlain({ ...(slot.instance as object) }, `${nodeName(slot.nodeId)} (${slot.nodeClass.name})`);
      if (problem !== undefined) {
        this.fail({
          kind: 'exception',
          property: 'plain data',
          message: problem.message,
          step: this.step,
          timeMs: this.nowMs,
          node: slot.nodeId,
        });
        return;
      }
    }
  }

  private fail(failure: Failure): void {
    if (this.failure) return;
    this.failure = { ...failure, traceIndex: this.recorder.total };
    this.trace(Code.violation, failure.node ?? -1, -1, failure.property, undefined, failure.message);
  }

  // Node lifecycle

  private startNode(slot: NodeSlot<P>, code: Code): void {
    this.trace(code, slot.nodeId, -1, slot.nodeClass.name, undefined, undefined);
    enterReaction(slot, undefined);
    try {
      const instance = new slot.nodeClass();
      slot.instance = instance;
      enterReaction(slot, instance);
      rejectPromise(instance.onStart(), 'onStart()');
    } catch (error) {
      exitReaction();
      this.handlerFailed(slot, slot.instance === null ? `the constructor of ${slot.nodeClass.name}` : 'onStart()', error);
      return;
    }
    exitReaction();
    const problem = findNonPlain({ ...(slot.instance as object) }, `${nodeName(slot.nodeId)} (${slot.nodeClass.name})`);
    if (problem !== undefined) {
      this.fail({ kind: 'exception', property: 'plain data', message: problem.message, step: this.step, timeMs: this.nowMs, node: slot.nodeId });
      return;
    }
    this.checkAlways(undefined);
  }

  private applyFault(action: FaultAction): void {
    this.lastFaultMs = this.nowMs;
    this.trace(Code.fault, -1, -1, describeFault(action), undefined, undefined);
    const count = this.nodeCount;
    switch (action.type) {
      case 'crash': {
        const slot = this.slots[action.node] as NodeSlot<P>;
        if (slot.crashed) return;
        slot.crashed = true;
        slot.instance = null;
        for (const timer of slot.pendingTimers) timer.cancelled = true;
        slot.pendingTimers.length = 0;
        this.trace(Code.crash, slot.nodeId, -1, slot.nodeClass.name, undefined, undefined);
        break;
      }
      case 'restart': {
        const slot = this.slots[action.node] as NodeSlot<P>;
        if (!slot.crashed) return;
        slot.crashed = false;
        slot.incarnation++;
        slot.randomSource = RandomSource.fork(this.seed, `node/${nodeName(slot.nodeId)}/${slot.incarnation}`);
        this.startNode(slot, Code.restart);
        return;
      }
      case 'partition': {
        const groupOf = new Array<number>(count).fill(action.groups.length);
        action.groups.forEach((group, groupIndex) => {
          for (const id of group) groupOf[id] = groupIndex;
        });
        for (let from = 0; from < count; from++) {
          for (let to = 0; to < count; to++) this.blocked[from * count + to] = groupOf[from] === groupOf[to] ? 0 : 1;
        }
        break;
      }
      case 'isolate':
        for (let other = 0; other < count; other++) {
          if (other === action.node) continue;
          this.blocked[action.node * count + other] = 1;
          this.blocked[other * count + action.node] = 1;
        }
        break;
      case 'cut':
        for (const from of action.from) for (const to of action.to) if (from !== to) this.blocked[from * count + to] = 1;
        break;
      case 'heal':
        this.blocked.fill(0);
        break;
      case 'network': {
        const { atMs: _atMs, type: _type, ...changes } = action;
        this.network = { ...this.network, ...changes };
        break;
      }
    }
    this.checkAlways(undefined);
  }

  // What nodes do (called through their NodeSlot)

  send(from: NodeId, to: NodeId, message: Tagged): void {
    if (!this.knownNode(to)) {
      throw new Error(`send to ${String(to)}: there is no such node (ids are 0..${this.nodeCount - 1})`);
    }
    const copy = copyPlain(message, 'message');
    const bytes = lastCopiedBytes();
    const type = copy.type;
    if (typeof type !== 'string') throw new Error('a message must be an object with a string `type` field');
    if (this.messageObservers.length > 0 && !this.observeMessage('send', from, to, copy, to === from)) return;
    if (to === from) {
      this.trace(Code.send, from, to, type, this.fullTrace ? copyPlain(copy) : copy, 'local');
      this.schedule(this.nowMs, EventKind.Deliver, to, from, copy);
      return;
    }
    const counters = this.counters;
    counters.messagesSent++;
    counters.bytesSent += bytes;
    (counters.sentByNode[from] as number)++;
    let perType = counters.byType.get(type);
    if (perType === undefined) {
      perType = { sent: 0, bytes: 0 };
      counters.byType.set(type, perType);
    }
    perType.sent++;
    perType.bytes += bytes;
    const channelIndex = from * this.nodeCount + to;
    let channel = this.channels[channelIndex];
    if (channel === undefined) {
      channel = new Channel(RandomSource.fork(this.seed, `network/${nodeName(from)}->${nodeName(to)}`));
      this.channels[channelIndex] = channel;
    }
    // Always four draws per send, whatever happens to the message, so that a fault added
    // or removed elsewhere does not shift this channel's later draws.
    const random = channel.random;
    const dropDraw = random.next();
    const duplicateDraw = random.next();
    const delayMs = drawDelay(this.network.delay, random);
    const duplicateDelayMs = drawDelay(this.network.delay, random);
    this.trace(Code.send, from, to, type, this.fullTrace ? copyPlain(copy) : copy, undefined);
    if (this.blocked[channelIndex] === 1) {
      counters.messagesDropped++;
      this.trace(Code.drop, to, from, type, copy, 'partitioned');
      return;
    }
    if (dropDraw < this.network.dropRate) {
      counters.messagesDropped++;
      this.trace(Code.drop, to, from, type, copy, 'lost');
      return;
    }
    let deliveryMs = this.nowMs + delayMs;
    if (this.network.fifo) deliveryMs = Math.max(deliveryMs, channel.lastDeliveryMs);
    channel.lastDeliveryMs = deliveryMs;
    this.schedule(deliveryMs, EventKind.Deliver, to, from, copy);
    if (duplicateDraw < this.network.duplicateRate) {
      counters.messagesDuplicated++;
      let duplicateMs = this.nowMs + duplicateDelayMs;
      if (this.network.fifo) duplicateMs = Math.max(duplicateMs, channel.lastDeliveryMs);
      channel.lastDeliveryMs = duplicateMs;
      const duplicate = copyPlain(copy);
      this.trace(Code.duplicate, from, to, type, this.fullTrace ? copyPlain(copy) : duplicate, undefined);
      this.schedule(duplicateMs, EventKind.Deliver, to, from, duplicate);
    }
  }

  setTimer(slot: NodeSlot<P>, timer: Tagged, delay: Delay): void {
    const copy = copyPlain(timer, 'timer');
    if (typeof copy?.type !== 'string') throw new Error('a timer must be an object with a string `type` field');
    let delayMs: number;
    if (typeof delay === 'number') {
      delayMs = delay;
    } else if (Array.isArray(delay) && delay.length === 2) {
      const [minMs, maxMs] = delay;
      if (!(minMs >= 1 && Math.floor(maxMs) >= Math.ceil(minMs))) {
        throw new Error(`setTimer: the range [${minMs}, ${maxMs}] needs 1 <= min <= max and a whole number of ms in between`);
      }
      delayMs = slot.timerRandom.integer(Math.ceil(minMs), Math.floor(maxMs));
    } else {
      throw new Error('setTimer: the delay must be a number of ms or a range [minMs, maxMs]');
    }
    if (!(delayMs >= 1) || !Number.isFinite(delayMs)) {
      throw new Error(`setTimer(${copy.type}): the delay must be at least 1 simulated ms, not ${String(delayMs)}`);
    }
    const event = this.schedule(this.nowMs + delayMs, EventKind.Timer, slot.nodeId, -1, copy);
    slot.pendingTimers.push(event);
    this.trace(Code['timer-set'], slot.nodeId, -1, copy.type, this.fullTrace ? copyPlain(copy) : copy, `fires at ${this.nowMs + delayMs} ms`);
  }

  cancelTimer(slot: NodeSlot<P>, timer: Tagged): void {
    const pending = slot.pendingTimers;
    let cancelled = 0;
    for (let index = pending.length - 1; index >= 0; index--) {
      const event = pending[index] as ScheduledEvent;
      if (equalPlain(event.payload, timer)) {
        event.cancelled = true;
        pending.splice(index, 1);
        cancelled++;
      }
    }
    const type = typeof timer?.type === 'string' ? timer.type : String(timer);
    this.trace(Code['timer-cancel'], slot.nodeId, -1, type, this.fullTrace ? copyPlain(timer, 'timer') : timer, cancelled === 0 ? 'none pending' : undefined);
  }

  output(node: NodeId, value: Tagged): void {
    const copy = copyPlain(value, 'output');
    if (typeof copy?.type !== 'string') throw new Error('an output must be an object with a string `type` field');
    const record: OutputRecord<P> = { step: this.step, timeMs: this.nowMs, node, output: copy as P['output'] };
    this.outputs.push(record);
    this.trace(Code.output, node, -1, copy.type, copy, undefined);
    this.settings.workload?.onOutput?.(record, this.workloadContext);
  }

  trace(code: Code, node: NodeId, peer: NodeId, label: string, detail: unknown, reason: string | undefined): void {
    this.recorder.record(this.step, this.nowMs, code, node, peer, label, detail, reason);
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

function drawDelay(distribution: DelayDistribution, random: RandomSource): number {
  if (distribution.kind === 'uniform') {
    return distribution.minMs + Math.floor(random.next() * (distribution.maxMs - distribution.minMs + 1));
  }
  const minMs = distribution.minMs ?? 1;
  const drawn = minMs + Math.floor(-distribution.meanMs * Math.log(1 - random.next()));
  return distribution.maxMs === undefined ? drawn : Math.min(drawn, distribution.maxMs);
}

function checkSettings<P extends Protocol>(settings: SimulationSettings<P>): string | undefined {
  if (settings.nodes.length === 0) return 'the cluster needs at least one node';
  for (const [id, spec] of settings.nodes.entries()) {
    if (typeof spec.node !== 'function') return `node ${id} has no class: give { role, node: SomeNodeClass }`;
    if (spec.role !== 'server' && spec.role !== 'client') return `node ${id} has role ${String(spec.role)}: use "server" or "client"`;
  }
  if (!(settings.durationMs > 0)) return `durationMs must be positive, not ${String(settings.durationMs)}`;
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
