// Lab 1's properties and workloads. Properties read only what the test can observe: the
// Acquire and Release inputs, the Enter outputs, the messages (and the Lamport timestamps
// they carry) and the message counters, never a node's private fields.
import { nodeName, type NodeId, type Property, type RandomSource, type Workload, type WorkloadContext, type World } from 'distlab/testing';
import type { MutexProtocol } from './src/protocol.ts';

/** A node's critical-section events in run order: inputs of a step come before its outputs. */
interface Happening {
  readonly step: number;
  readonly timeMs: number;
  readonly node: NodeId;
  readonly what: 'Acquire' | 'Release' | 'Enter';
}

/** Feeds the inputs and outputs recorded since the last call, in run order. */
function happeningsReader<P extends MutexProtocol>(): (world: World<P>) => Happening[] {
  let inputsSeen = 0;
  let outputsSeen = 0;
  return (world) => {
    const fresh: Happening[] = [];
    for (; inputsSeen < world.inputs.length; inputsSeen++) {
      const record = world.inputs[inputsSeen]!;
      fresh.push({ step: record.step, timeMs: record.timeMs, node: record.node, what: record.input.type });
    }
    const inputCount = fresh.length;
    for (; outputsSeen < world.outputs.length; outputsSeen++) {
      const record = world.outputs[outputsSeen]!;
      fresh.push({ step: record.step, timeMs: record.timeMs, node: record.node, what: record.output.type });
    }
    if (inputCount > 0 && fresh.length > inputCount) fresh.sort((left, right) => left.step - right.step || order(left) - order(right));
    return fresh;
  };
}

const order = (happening: Happening) => (happening.what === 'Enter' ? 1 : 0);

/** Safety: at most one node in the critical section, from its Enter to its Release. */
export function mutualExclusion<P extends MutexProtocol>(): Property<P> {
  const read = happeningsReader<P>();
  const inside = new Map<NodeId, number>();
  const asking = new Set<NodeId>();
  return {
    name: 'mutual exclusion',
    kind: 'always',
    check(world) {
      for (const happening of read(world)) {
        const who = nodeName(happening.node);
        if (happening.what === 'Acquire') {
          asking.add(happening.node);
        } else if (happening.what === 'Release') {
          inside.delete(happening.node);
        } else {
          if (!asking.has(happening.node)) return `${who} entered the critical section without having been asked to acquire it`;
          if (inside.has(happening.node)) return `${who} entered the critical section twice without a release`;
          for (const [other, sinceMs] of inside) {
            return `${who} entered the critical section at ${happening.timeMs} ms while ${nodeName(other)} was in it (since ${sinceMs} ms)`;
          }
          asking.delete(happening.node);
          inside.set(happening.node, happening.timeMs);
        }
      }
      return undefined;
    },
  };
}

/** Liveness and progress: every Acquire was followed by an Enter, and enough entries happened. */
export function everyRequestGranted<P extends MutexProtocol>(minimumEntries: number): Property<P> {
  return {
    name: 'every request granted',
    kind: 'eventually',
    check(world) {
      const entries = world.outputs.length;
      if (entries === 0) return `no progress: no node entered the critical section by ${world.nowMs} ms`;
      const acquireTimes = new Map<NodeId, number[]>();
      for (const record of world.inputs) {
        if (record.input.type === 'Acquire') acquireTimes.set(record.node, [...(acquireTimes.get(record.node) ?? []), record.timeMs]);
      }
      const enters = new Map<NodeId, number>();
      for (const record of world.outputs) enters.set(record.node, (enters.get(record.node) ?? 0) + 1);
      const starved = [...acquireTimes].flatMap(([node, times]) => {
        const unanswered = times.slice(enters.get(node) ?? 0);
        return unanswered.length > 0 ? [{ node, sinceMs: unanswered[0] as number }] : [];
      });
      const [first] = starved;
      if (first !== undefined) {
        const others = starved.length > 1 ? ` (and ${starved.length - 1} more nodes)` : '';
        return `${nodeName(first.node)} asked for the critical section at ${first.sinceMs} ms and was never granted it by ${world.nowMs} ms${others}`;
      }
      if (entries < minimumEntries) return `no progress: only ${entries} of ${minimumEntries} entries to the critical section`;
      return undefined;
    },
  };
}

/** 1A: the coordinator grants in the order the requests arrived. */
export function grantsInArrivalOrder<P extends MutexProtocol>(coordinator: NodeId): Property<P> {
  const arrivals: { node: NodeId; timeMs: number }[] = [];
  return {
    name: 'FIFO grants',
    kind: 'always',
    check: () => undefined,
    observeMessage(event) {
      if (event.kind === 'deliver' && event.to === coordinator && event.message.type === 'Request') {
        arrivals.push({ node: event.from, timeMs: event.timeMs });
      }
      if (event.kind === 'send' && event.from === coordinator && event.message.type === 'Grant') {
        const first = arrivals[0];
        if (first === undefined) return `the coordinator granted ${nodeName(event.to)}, which had no request waiting`;
        if (first.node !== event.to) {
          return `the coordinator granted ${nodeName(event.to)} before ${nodeName(first.node)}, whose request arrived first (at ${first.timeMs} ms)`;
        }
        arrivals.shift();
      }
      return undefined;
    },
  };
}

function timestampOf(message: { readonly type: string }): number | undefined {
  const timestamp = (message as { timestamp?: unknown }).timestamp;
  return typeof timestamp === 'number' ? timestamp : undefined;
}

/** 1C, 1D: nodes enter in the (timestamp, id) order of the Requests they sent. */
export function grantsInTimestampOrder<P extends MutexProtocol>(): Property<P> {
  const requestOf = new Map<NodeId, number>();
  const read = happeningsReader<P>();
  let last: { timestamp: number; node: NodeId } | undefined;
  return {
    name: 'grants in (timestamp, id) order',
    kind: 'always',
    observeMessage(event) {
      if (event.kind === 'send' && event.message.type === 'Request') {
        const timestamp = timestampOf(event.message);
        if (timestamp !== undefined) requestOf.set(event.from, timestamp);
      }
      return undefined;
    },
    check(world) {
      for (const happening of read(world)) {
        if (happening.what !== 'Enter') continue;
        const timestamp = requestOf.get(happening.node);
        if (timestamp === undefined) continue;
        if (last !== undefined && (timestamp < last.timestamp || (timestamp === last.timestamp && happening.node < last.node))) {
          return (
            `${nodeName(happening.node)} entered with request (${timestamp}, ${nodeName(happening.node)}) after ` +
            `${nodeName(last.node)} entered with (${last.timestamp}, ${nodeName(last.node)}): grants must follow (timestamp, id) order`
          );
        }
        last = { timestamp, node: happening.node };
      }
      return undefined;
    },
  };
}

/** 1C, 1D: a message sent after receiving stamp t carries a stamp greater than t. */
export function clockCondition<P extends MutexProtocol>(): Property<P> {
  const highestReceived = new Map<NodeId, { timestamp: number; from: NodeId }>();
  return {
    name: 'clock condition',
    kind: 'always',
    check: () => undefined,
    observeMessage(event) {
      const timestamp = timestampOf(event.message);
      if (timestamp === undefined) return undefined;
      if (event.kind === 'deliver') {
        const highest = highestReceived.get(event.to);
        if (highest === undefined || timestamp > highest.timestamp) highestReceived.set(event.to, { timestamp, from: event.from });
        return undefined;
      }
      const highest = highestReceived.get(event.from);
      if (highest !== undefined && timestamp <= highest.timestamp) {
        return (
          `${nodeName(event.from)} sent ${event.message.type} stamped ${timestamp} after receiving stamp ${highest.timestamp} ` +
          `from ${nodeName(highest.from)}: a clock must move past every timestamp it receives`
        );
      }
      return undefined;
    },
  };
}

/** Budget: exactly `expected` messages per entry once every request is done. */
export function messagesPerEntry<P extends MutexProtocol>(expected: number, formula: string): Property<P> {
  return {
    name: 'messages per entry',
    kind: 'eventually',
    check(world) {
      const entries = world.outputs.length;
      if (entries === 0) return 'no progress: no entry to the critical section, so no cost to measure';
      const perEntry = world.counters.messagesSent / entries;
      if (perEntry !== expected) {
        const byType = [...world.counters.sentByType].map(([type, count]) => `${count} ${type}`).join(', ');
        return `${world.counters.messagesSent} messages (${byType}) for ${entries} entries: ${round(perEntry)} per entry, but ${formula} = ${expected}`;
      }
      return undefined;
    },
  };
}

/** 1B: between an Acquire and its Enter, the token is passed at most N - 1 times; `most` records the worst seen. */
export function tokenHopsBounded<P extends MutexProtocol>(nodeCount: number, most?: { hops: number }): Property<P> {
  let tokenSends = 0;
  const sendsAtAcquire = new Map<NodeId, number>();
  const read = happeningsReader<P>();
  return {
    name: 'token hops per grant',
    kind: 'always',
    observeMessage(event) {
      if (event.kind === 'send' && event.message.type === 'Token') tokenSends++;
      return undefined;
    },
    check(world) {
      for (const happening of read(world)) {
        if (happening.what === 'Acquire') sendsAtAcquire.set(happening.node, tokenSends);
        if (happening.what !== 'Enter') continue;
        const atAcquire = sendsAtAcquire.get(happening.node);
        if (atAcquire === undefined) continue;
        const hops = tokenSends - atAcquire;
        if (most !== undefined) most.hops = Math.max(most.hops, hops);
        if (hops > nodeCount - 1) {
          return `${nodeName(happening.node)} waited ${hops} token hops for the critical section; a ring of ${nodeCount} needs at most ${nodeCount - 1}`;
        }
      }
      return undefined;
    },
  };
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export interface Load {
  /** Critical-section entries each participant asks for. */
  readonly rounds: number;
  /** First requests come at random times in [0, startSpreadMs]; 0: all at once. */
  readonly startSpreadMs: number;
  /** Time in the critical section, drawn from [minMs, maxMs]. */
  readonly holdMs: readonly [number, number];
  /** Time between a release and the next request, drawn from [minMs, maxMs]. */
  readonly thinkMs: readonly [number, number];
}

/** Light load: requests at random times, sometimes overlapping. */
export const lightLoad: Load = { rounds: 3, startSpreadMs: 400, holdMs: [1, 5], thinkMs: [200, 600] };
/** Heavy contention: everyone asks at once, and again right after each release. */
export const heavyLoad: Load = { rounds: 5, startSpreadMs: 0, holdMs: [5, 25], thinkMs: [0, 3] };

const draw = (random: RandomSource, [min, max]: readonly [number, number]) => random.integer(min, max);

/** Gives each participant `rounds` Acquire inputs; releases each entry after a holding time. */
export function mutexWorkload<P extends MutexProtocol>(participants: readonly NodeId[], load: Load): Workload<P> {
  const remaining = new Map<NodeId, number>();
  return {
    start(context) {
      for (const node of participants) {
        remaining.set(node, load.rounds - 1);
        context.input(node, { type: 'Acquire' } as P['input'], load.startSpreadMs === 0 ? 0 : context.random.integer(0, load.startSpreadMs));
      }
    },
    onOutput(record, context) {
      const holdMs = draw(context.random, load.holdMs);
      context.input(record.node, { type: 'Release' } as P['input'], holdMs);
      const left = remaining.get(record.node) ?? 0;
      if (left > 0) {
        remaining.set(record.node, left - 1);
        context.input(record.node, { type: 'Acquire' } as P['input'], holdMs + draw(context.random, load.thinkMs));
      }
    },
  };
}

/**
 * No contention at all: one request at a time, each from a random participant, the next
 * only after the previous release and a pause long enough for every message to settle.
 */
export function oneAtATime<P extends MutexProtocol>(participants: readonly NodeId[], requests: number, settleMs: number): Workload<P> {
  let asked = 0;
  const askNext = (context: WorkloadContext<P>, delayMs: number) => {
    if (asked >= requests) return;
    asked++;
    context.input(context.random.pick(participants), { type: 'Acquire' } as P['input'], delayMs);
  };
  return {
    start: (context) => askNext(context, 0),
    onOutput(record, context) {
      const holdMs = context.random.integer(1, 5);
      context.input(record.node, { type: 'Release' } as P['input'], holdMs);
      askNext(context, holdMs + settleMs);
    },
  };
}

/** True once `total` requests were granted and released. */
export function allRoundsDone<P extends MutexProtocol>(total: number): (world: World<P>) => boolean {
  let inputsSeen = 0;
  let releases = 0;
  return (world) => {
    for (; inputsSeen < world.inputs.length; inputsSeen++) if (world.inputs[inputsSeen]?.input.type === 'Release') releases++;
    return releases >= total && world.outputs.length >= total;
  };
}
