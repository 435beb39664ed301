// Lab 1's properties and workloads. Properties read only what the test can observe: the
// Acquire and Release inputs, the Enter outputs, the messages (and the Lamport timestamps
// they carry) and the message counters, never a node's private fields. Each one folds the
// history into a small memory; runs and searches use the same objects.
import { always, budget, eventually, nodeName, sometimes, type ClusterView, type NodeId, type Property, type RandomSource, type Workload, type WorkloadContext } from 'distlab/testing';
import type { MutexProtocol } from './src/protocol.ts';

interface ExclusionMemory {
  /** Nodes given an Acquire they have not entered for yet. */
  readonly asking: Set<NodeId>;
  /** Nodes in the critical section: entered, not released yet. */
  readonly inside: Set<NodeId>;
}

/**
 * Safety: at most one node in the critical section, from its Enter to its Release, and only
 * a node that was asked to acquire enters. The memory holds no times, so that a search does
 * not tell apart states reached by paths of different lengths.
 */
export const mutualExclusion: Property<MutexProtocol, ExclusionMemory> = always<MutexProtocol, ExclusionMemory>('mutual exclusion', {
  memory: () => ({ asking: new Set(), inside: new Set() }),
  records: ['input', 'output'],
  record({ asking, inside }, event) {
    if (event.kind === 'input') {
      if (event.input.type === 'Acquire') asking.add(event.node);
      else inside.delete(event.node);
      return undefined;
    }
    if (event.kind !== 'output') return undefined;
    const who = nodeName(event.node);
    if (!asking.has(event.node)) return `${who} entered the critical section without having been asked to acquire it`;
    if (inside.has(event.node)) return `${who} entered the critical section twice without a release`;
    for (const other of inside) return `${who} entered the critical section while ${nodeName(other)} was still in it`;
    asking.delete(event.node);
    inside.add(event.node);
    return undefined;
  },
});

/** The goal of a search with no releases: some node gets in. */
export const someNodeEnters: Property<MutexProtocol, { entered: boolean }> = sometimes<MutexProtocol, { entered: boolean }>('a node enters', {
  memory: () => ({ entered: false }),
  records: ['output'],
  record(memory) {
    memory.entered = true;
    return undefined;
  },
  check: (_cluster, memory) => (memory.entered ? undefined : 'no node entered the critical section'),
});

interface GrantMemory {
  entries: number;
  /** Per node, the times of its Acquires not yet answered by an Enter, oldest first. */
  readonly waitingSinceMs: Map<NodeId, number[]>;
}

/** Liveness and progress: every Acquire was followed by an Enter, and enough entries happened. */
export function everyRequestGranted(minimumEntries: number): Property<MutexProtocol, GrantMemory> {
  return eventually<MutexProtocol, GrantMemory>('every request granted', {
    memory: () => ({ entries: 0, waitingSinceMs: new Map() }),
    records: ['input', 'output'],
    record(memory, event) {
      if (event.kind === 'input' && event.input.type === 'Acquire') {
        memory.waitingSinceMs.set(event.node, [...(memory.waitingSinceMs.get(event.node) ?? []), event.timeMs]);
      } else if (event.kind === 'output') {
        memory.entries++;
        memory.waitingSinceMs.get(event.node)?.shift();
      }
      return undefined;
    },
    check(cluster, { entries, waitingSinceMs }) {
      if (entries === 0) return `no progress: no node entered the critical section by ${cluster.nowMs} ms`;
      const starved = [...waitingSinceMs].flatMap(([node, times]) => (times[0] === undefined ? [] : [{ node, sinceMs: times[0] }]));
      const [first] = starved;
      if (first !== undefined) {
        const others = starved.length > 1 ? ` (and ${starved.length - 1} more nodes)` : '';
        return `${nodeName(first.node)} asked for the critical section at ${first.sinceMs} ms and was never granted it by ${cluster.nowMs} ms${others}`;
      }
      if (entries < minimumEntries) return `no progress: only ${entries} of ${minimumEntries} entries to the critical section`;
      return undefined;
    },
  });
}

/** 1A: the coordinator grants in the order the requests arrived. */
export function grantsInArrivalOrder(coordinator: NodeId): Property<MutexProtocol, { node: NodeId; timeMs: number }[]> {
  return always<MutexProtocol, { node: NodeId; timeMs: number }[]>('FIFO grants', {
    /** Requests the coordinator received and has not granted yet, in arrival order. */
    memory: () => [],
    records: ['deliver', 'send'],
    record(arrivals, event) {
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
  });
}

function timestampOf(message: { readonly type: string }): number | undefined {
  return 'timestamp' in message && typeof message.timestamp === 'number' ? message.timestamp : undefined;
}

/**
 * A Request sent to another node: what a node's request is judged by. A node may also hand
 * its own Request to itself (a local send, never lost and not counted), which no other node
 * sees; were it taken as the node's request, a node could stamp a copy to itself lower than
 * its real Request and be judged by that.
 */
function isRequestToOthers(event: { readonly message: { readonly type: string }; readonly local: boolean }): boolean {
  return event.message.type === 'Request' && !event.local;
}

interface OrderMemory {
  /** Each node's latest Request stamp. */
  readonly requestOf: Map<NodeId, number>;
  /** The (timestamp, id) of the last entry. */
  last: { timestamp: number; node: NodeId } | null;
}

/** 1C, 1D: nodes enter in the (timestamp, id) order of the Requests they sent. */
export const grantsInTimestampOrder: Property<MutexProtocol, OrderMemory> = always<MutexProtocol, OrderMemory>('grants in (timestamp, id) order', {
  memory: () => ({ requestOf: new Map(), last: null }),
  records: ['send', 'output'],
  record(memory, event) {
    if (event.kind === 'send') {
      // A Request a node sends itself is no request to the others (see isRequestToOthers).
      const timestamp = timestampOf(event.message);
      if (isRequestToOthers(event) && timestamp !== undefined) memory.requestOf.set(event.from, timestamp);
      return undefined;
    }
    if (event.kind !== 'output') return undefined;
    const node = event.node;
    const timestamp = memory.requestOf.get(node);
    if (timestamp === undefined) return undefined;
    const last = memory.last;
    if (last !== null && (timestamp < last.timestamp || (timestamp === last.timestamp && node < last.node))) {
      return (
        `${nodeName(node)} entered with request (${timestamp}, ${nodeName(node)}) after ` +
        `${nodeName(last.node)} entered with (${last.timestamp}, ${nodeName(last.node)}): grants must follow (timestamp, id) order`
      );
    }
    memory.last = { timestamp, node };
    return undefined;
  },
});

interface HearingMemory {
  /** Per node: the stamp of its latest Request, while it has one. */
  readonly request: Record<NodeId, number>;
  /** Per node: the other nodes it heard from, since its latest Request, with a message stamped later than it. */
  readonly heard: Record<NodeId, NodeId[]>;
}

/**
 * 1C: Lamport's rule for entering: a node enters only once it has sent its Request and heard,
 * from every other node, a message stamped later than that Request, in (timestamp, id) order
 * (a Reply, or a Request of its own). Every correct Lamport node keeps it, whichever message
 * it waits for; a node that enters on its own say does not.
 */
export const hearsFromEveryOther: Property<MutexProtocol, HearingMemory> = always<MutexProtocol, HearingMemory>('hears from every other node before entering', {
  memory: () => ({ request: {}, heard: {} }),
  records: ['send', 'deliver', 'output'],
  record(memory, event, cluster) {
    if (event.kind === 'send') {
      const timestamp = timestampOf(event.message);
      if (isRequestToOthers(event) && timestamp !== undefined) {
        memory.request[event.from] = timestamp;
        memory.heard[event.from] = [];
      }
      return undefined;
    }
    if (event.kind === 'deliver') {
      const request = memory.request[event.to];
      const timestamp = timestampOf(event.message);
      const heard = memory.heard[event.to];
      if (event.local || request === undefined || timestamp === undefined || heard === undefined || heard.includes(event.from)) return undefined;
      if (timestamp > request || (timestamp === request && event.from > event.to)) {
        heard.push(event.from);
        heard.sort((left, right) => left - right);
      }
      return undefined;
    }
    if (event.kind !== 'output') return undefined;
    const node = event.node;
    const request = memory.request[node];
    if (request === undefined) return `${nodeName(node)} entered the critical section without sending a Request`;
    const heard = memory.heard[node] ?? [];
    const missing = cluster.servers.filter((other) => other !== node && !heard.includes(other));
    if (missing.length === 0) return undefined;
    return (
      `${nodeName(node)} entered with request (${request}, ${nodeName(node)}) before hearing from ${missing.map(nodeName).join(', ')} ` +
      'a message stamped later than it: a node may enter only once every other node has answered, or asked later'
    );
  },
});

/** 1C, 1D: a message sent after receiving stamp t carries a stamp greater than t. */
export const clockCondition: Property<MutexProtocol, Map<NodeId, { timestamp: number; from: NodeId }>> = always<
  MutexProtocol,
  Map<NodeId, { timestamp: number; from: NodeId }>
>('clock condition', {
  /** Per node, the highest stamp it has received, and from whom. */
  memory: () => new Map(),
  records: ['send', 'deliver'],
  record(highestReceived, event) {
    if (event.kind !== 'send' && event.kind !== 'deliver') return undefined;
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
});

/** Per node: the largest stamp it sent in reactions before the one at `step`, and the largest sent in that one so far. */
type SentStamps = Map<NodeId, { before: number; step: number; current: number }>;

/**
 * 1C, 1D: each node's stamps increase. "Before it sends, it increments the counter": a message a
 * node sends in a later reaction carries a stamp above every stamp it sent in earlier ones. The
 * messages of one reaction may share a stamp (a broadcast is one event). The clock condition
 * alone compares a send only with the stamps received before it, so a clock that moves only on
 * receipt passes it.
 */
export const stampsIncrease: Property<MutexProtocol, SentStamps> = always<MutexProtocol, SentStamps>('stamps increase at every node', {
  memory: () => new Map(),
  records: ['send'],
  record(sent, event, cluster) {
    if (event.kind !== 'send') return undefined;
    const timestamp = timestampOf(event.message);
    if (timestamp === undefined) return undefined;
    const stamps = sent.get(event.from) ?? { before: Number.NEGATIVE_INFINITY, step: -1, current: Number.NEGATIVE_INFINITY };
    if (stamps.step !== cluster.step) {
      stamps.before = Math.max(stamps.before, stamps.current);
      stamps.step = cluster.step;
      stamps.current = Number.NEGATIVE_INFINITY;
    }
    sent.set(event.from, stamps);
    if (timestamp <= stamps.before) {
      return (
        `${nodeName(event.from)} sent ${event.message.type} stamped ${timestamp}, after it had sent a message stamped ${stamps.before} in an earlier reaction: ` +
        'a node increments its clock before it sends, so each message it sends later carries a higher stamp'
      );
    }
    stamps.current = Math.max(stamps.current, timestamp);
    return undefined;
  },
});

/** Budget: exactly `expected` messages per entry once every request is done. */
export function messagesPerEntry(expected: number, formula: string): Property<MutexProtocol, { entries: number }> {
  return budget<MutexProtocol, { entries: number }>('messages per entry', {
    memory: () => ({ entries: 0 }),
    records: ['output'],
    record(memory) {
      memory.entries++;
      return undefined;
    },
    check(cluster, { entries }) {
      if (entries === 0) return 'no progress: no entry to the critical section, so no cost to measure';
      const counters = cluster.counters;
      const perEntry = counters.messagesSent / entries;
      if (perEntry !== expected) {
        const byType = [...counters.sentByType].map(([type, count]) => `${count} ${type}`).join(', ');
        return `${counters.messagesSent} messages (${byType}) for ${entries} entries: ${round(perEntry)} per entry, but ${formula} = ${expected}`;
      }
      return undefined;
    },
  });
}

interface HopMemory {
  tokenSends: number;
  /** Per node waiting for the token: the number of token sends when it asked. */
  readonly sendsAtAcquire: Map<NodeId, number>;
  /** The most token hops any grant waited so far. */
  mostHops: number;
}

/**
 * 1B: between an Acquire and its Enter, the token is passed at most N - 1 times. It measures
 * the most hops any grant waited (`measured@N`) against the bound (`bound@N`).
 */
export function tokenHopsBounded(nodeCount: number): Property<MutexProtocol, HopMemory> {
  return always<MutexProtocol, HopMemory>('token hops per grant', {
    memory: () => ({ tokenSends: 0, sendsAtAcquire: new Map(), mostHops: 0 }),
    records: ['send:Token', 'input:Acquire', 'output'],
    record(memory, event) {
      if (event.kind === 'send') {
        // A Token a node sends itself stays where it is: it is no hop.
        if (!event.local) memory.tokenSends++;
      } else if (event.kind === 'input') {
        memory.sendsAtAcquire.set(event.node, memory.tokenSends);
      } else if (event.kind === 'output') {
        const atAcquire = memory.sendsAtAcquire.get(event.node);
        if (atAcquire === undefined) return undefined;
        memory.sendsAtAcquire.delete(event.node);
        const hops = memory.tokenSends - atAcquire;
        memory.mostHops = Math.max(memory.mostHops, hops);
        if (hops > nodeCount - 1) {
          return `${nodeName(event.node)} waited ${hops} token hops for the critical section; a ring of ${nodeCount} needs at most ${nodeCount - 1}`;
        }
      }
      return undefined;
    },
    measure: (memory) => ({ [`measured@${nodeCount}`]: memory.mostHops, [`bound@${nodeCount}`]: nodeCount - 1 }),
  });
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

/** A workload that knows when it is over: every request granted and its Release given. */
export interface MutexWorkload<P extends MutexProtocol> extends Workload<P> {
  /** For `stopWhen`. */
  finished(cluster: ClusterView<P>): boolean;
}

/**
 * Counts the entries granted and the time the last Release is given. A Release scheduled
 * for time t is given at t, possibly after other events of time t: the workload is over at
 * the first event after t.
 */
class Releases {
  granted = 0;
  lastReleaseMs = 0;

  constructor(private readonly total: number) {}

  release<P extends MutexProtocol>(context: WorkloadContext<P>, node: NodeId, holdMs: number): void {
    this.granted++;
    this.lastReleaseMs = Math.max(this.lastReleaseMs, context.cluster.nowMs + holdMs);
    context.input(node, { type: 'Release' } as P['input'], holdMs);
  }

  finished(cluster: ClusterView<MutexProtocol>): boolean {
    return this.granted >= this.total && cluster.nowMs > this.lastReleaseMs;
  }
}

/** Gives each participant `rounds` Acquire inputs; releases each entry after a holding time. */
export function mutexWorkload<P extends MutexProtocol>(participants: readonly NodeId[], load: Load): MutexWorkload<P> {
  const remaining = new Map<NodeId, number>();
  const releases = new Releases(participants.length * load.rounds);
  return {
    start(context) {
      for (const node of participants) {
        remaining.set(node, load.rounds - 1);
        context.input(node, { type: 'Acquire' } as P['input'], load.startSpreadMs === 0 ? 0 : context.random.integer(0, load.startSpreadMs));
      }
    },
    onOutput(record, context) {
      const holdMs = draw(context.random, load.holdMs);
      releases.release(context, record.node, holdMs);
      const left = remaining.get(record.node) ?? 0;
      if (left > 0) {
        remaining.set(record.node, left - 1);
        context.input(record.node, { type: 'Acquire' } as P['input'], holdMs + draw(context.random, load.thinkMs));
      }
    },
    finished: (cluster) => releases.finished(cluster),
  };
}

/**
 * No contention at all: one request at a time, each from a random participant, the next
 * only after the previous release and a pause long enough for every message to settle.
 */
export function oneAtATime<P extends MutexProtocol>(participants: readonly NodeId[], requests: number, settleMs: number): MutexWorkload<P> {
  let asked = 0;
  const releases = new Releases(requests);
  const askNext = (context: WorkloadContext<P>, delayMs: number) => {
    if (asked >= requests) return;
    asked++;
    context.input(context.random.pick(participants), { type: 'Acquire' } as P['input'], delayMs);
  };
  return {
    start: (context) => askNext(context, 0),
    onOutput(record, context) {
      const holdMs = context.random.integer(1, 5);
      releases.release(context, record.node, holdMs);
      askNext(context, holdMs + settleMs);
    },
    finished: (cluster) => releases.finished(cluster),
  };
}

// Rules that tie each entry to the messages its algorithm requires. The nodes of one run
// share their module, so a submission can keep the turn order in a module-level variable and
// use the handout's messages only as wake-up calls, with the right counts; these rules judge
// the messages themselves, as each node enters.

/** The message each node was last handed, and in which step. */
type Handed = Record<NodeId, { readonly step: number; readonly from: NodeId; readonly type: string }>;

const handedNow = (handed: Handed, node: NodeId, step: number) => {
  const last = handed[node];
  return last !== undefined && last.step === step ? last : undefined;
};

interface GrantMemory1A {
  readonly handed: Handed;
  /** The node the coordinator granted and whose Release it has not been handed yet. */
  outstanding: NodeId | null;
}

export const grantedByCoordinatorName = 'one Grant at a time, from the coordinator';

/**
 * 1A: a node enters in its reaction to the coordinator's Grant, and the coordinator sends a
 * Grant only once the previous grantee's Release has reached it.
 */
export function grantedByCoordinator(coordinator: NodeId): Property<MutexProtocol, GrantMemory1A> {
  return always<MutexProtocol, GrantMemory1A>(grantedByCoordinatorName, {
    memory: () => ({ handed: {}, outstanding: null }),
    records: ['deliver', 'send:Grant', 'output'],
    record(memory, event, cluster) {
      if (event.kind === 'deliver') {
        memory.handed[event.to] = { step: cluster.step, from: event.from, type: event.message.type };
        if (event.to === coordinator && event.message.type === 'Release' && event.from === memory.outstanding) memory.outstanding = null;
        return undefined;
      }
      if (event.kind === 'send') {
        if (event.from !== coordinator) return `${nodeName(event.from)} sent a Grant: only the coordinator ${nodeName(coordinator)} grants`;
        const holder = memory.outstanding;
        memory.outstanding = event.to;
        if (holder === null) return undefined;
        return `the coordinator granted ${nodeName(event.to)} at ${event.timeMs} ms before ${nodeName(holder)}, granted earlier, sent it its Release`;
      }
      if (event.kind !== 'output') return undefined;
      const handed = handedNow(memory.handed, event.node, cluster.step);
      if (handed?.type === 'Grant' && handed.from === coordinator) return undefined;
      return `${nodeName(event.node)} entered at ${event.timeMs} ms other than on a Grant from the coordinator ${nodeName(coordinator)}`;
    },
  });
}

export const holdsTheTokenName = 'only the token holder enters, and passes it to its successor';

/**
 * 1B: one token, created by n0: a node holds it from the Token it is handed (n0 from its
 * start) until it sends it on, to its successor; it enters only while it holds it. A Token a
 * holder sends itself leaves it holding, and makes nobody a holder when it arrives: a node that
 * has passed the token on and then gets a Token it sent itself holds nothing.
 */
export const holdsTheToken: Property<MutexProtocol, { holding: NodeId[] }> = always<MutexProtocol, { holding: NodeId[] }>(holdsTheTokenName, {
  memory: () => ({ holding: [0] }),
  records: ['deliver:Token', 'send:Token', 'output'],
  record(memory, event, cluster) {
    if (event.kind === 'deliver') {
      if (!event.local) memory.holding.push(event.to);
      return undefined;
    }
    if (event.kind === 'send') {
      const from = event.from;
      const ring = cluster.servers;
      const successor = ring[(ring.indexOf(from) + 1) % ring.length];
      if (!memory.holding.includes(from)) return `${nodeName(from)} sent a Token at ${event.timeMs} ms without holding the token`;
      // A Token a node sends itself (n0 handing its new token to its own handler) does not leave it.
      if (event.local) return undefined;
      memory.holding = memory.holding.filter((id) => id !== from);
      if (event.to === successor) return undefined;
      return `${nodeName(from)} passed the token to ${nodeName(event.to)}: it goes round the ring, to ${nodeName(successor ?? from)}`;
    }
    if (event.kind !== 'output' || memory.holding.includes(event.node)) return undefined;
    return `${nodeName(event.node)} entered at ${event.timeMs} ms without holding the token`;
  },
});

interface QueueMemory {
  /** Per node: its latest Request's stamp. */
  readonly own: Record<NodeId, number>;
  /** Per node: the Requests it was handed and has not been handed the Release of, by sender. */
  readonly queue: Record<NodeId, Record<NodeId, number>>;
}

export const headOfQueueName = 'enters at the head of its queue';

/**
 * 1C: a node enters only when its own Request comes first, in (timestamp, id) order, among
 * the Requests it was handed and has not been handed the Release of: its queue's head.
 */
export const entersAtTheHead: Property<MutexProtocol, QueueMemory> = always<MutexProtocol, QueueMemory>(headOfQueueName, {
  memory: () => ({ own: {}, queue: {} }),
  records: ['send:Request', 'deliver:Request', 'deliver:Release', 'output'],
  record(memory, event, cluster) {
    if (event.kind === 'send') {
      const timestamp = timestampOf(event.message);
      if (isRequestToOthers(event) && timestamp !== undefined) memory.own[event.from] = timestamp;
      return undefined;
    }
    if (event.kind === 'deliver') {
      if (event.local) return undefined;
      const queue = (memory.queue[event.to] ??= {});
      const timestamp = timestampOf(event.message);
      if (event.message.type === 'Request' && timestamp !== undefined) queue[event.from] = timestamp;
      if (event.message.type === 'Release') queue[event.from] = Number.POSITIVE_INFINITY;
      return undefined;
    }
    if (event.kind !== 'output') return undefined;
    const node = event.node;
    const own = memory.own[node];
    if (own === undefined) {
      // Alone, a node has nobody to ask.
      if (cluster.servers.length <= 1) return undefined;
      return `${nodeName(node)} entered without having sent a Request: a node sends every other node its Request and enters once that request heads its queue`;
    }
    for (const [key, timestamp] of Object.entries(memory.queue[node] ?? {})) {
      const other = Number(key);
      if (timestamp < own || (timestamp === own && other < node)) {
        return (
          `${nodeName(node)} entered with request (${own}, ${nodeName(node)}) while the request (${timestamp}, ${nodeName(other)}), ` +
          'earlier, was in its queue: it was handed no Release for it'
        );
      }
    }
    return undefined;
  },
});

export const repliesFromAllName = 'enters after a Reply from every other node';

/** 1D: a node enters only once every other node has answered its latest Request with a Reply. */
export const repliesFromAll: Property<MutexProtocol, { readonly replied: Record<NodeId, NodeId[]> }> = always<MutexProtocol, { readonly replied: Record<NodeId, NodeId[]> }>(
  repliesFromAllName,
  {
    memory: () => ({ replied: {} }),
    records: ['send:Request', 'deliver:Reply', 'output'],
    record(memory, event, cluster) {
      if (event.kind === 'send') {
        // A Request to each other node: the first of them starts the count again.
        if (isRequestToOthers(event) && memory.replied[event.from]?.length !== 0) memory.replied[event.from] = [];
        return undefined;
      }
      if (event.kind === 'deliver') {
        const replied = memory.replied[event.to];
        if (replied !== undefined && !replied.includes(event.from)) replied.push(event.from);
        return undefined;
      }
      if (event.kind !== 'output') return undefined;
      const replied = memory.replied[event.node] ?? [];
      const missing = cluster.servers.filter((other) => other !== event.node && !replied.includes(other));
      memory.replied[event.node] = [];
      if (missing.length === 0) return undefined;
      return `${nodeName(event.node)} entered at ${event.timeMs} ms without a Reply to its Request from ${missing.map(nodeName).join(', ')}`;
    },
  },
);
