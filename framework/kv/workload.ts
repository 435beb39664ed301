// Closed-loop key-value clients: each client performs its operations one after the other,
// thinking a while between a return and its next call. A few keys make concurrent appends
// to one key, which find the most bugs: each append's value is unique, so a lost, doubled or
// reordered append shows in every later get.
import type { NodeClass } from '../Node.ts';
import type { NodeSpec, Workload, WorkloadContext } from '../simulation.ts';
import { nodeName, type NodeId, type Protocol, type Tagged } from '../types.ts';
import { KvClient } from './KvClient.ts';
import type { KvClientInput } from './protocol.ts';
import type { KvOperation } from './stateMachine.ts';

export interface KvWorkloadOptions {
  /** How many operations each client performs. */
  readonly operationsPerClient: number;
  /** The keys operations choose from, uniformly. Default `["x", "y"]`. */
  readonly keys?: readonly string[];
  /** The wait between a return and the client's next call, drawn per operation. Default [0, 20] ms. */
  readonly thinkMs?: readonly [minMs: number, maxMs: number];
  /** When each client makes its first call. Default [0, 20] ms. */
  readonly startMs?: readonly [minMs: number, maxMs: number];
  /** Relative weights of the kinds of operation. Default get 4, put 1, append 5. */
  readonly mix?: { readonly get: number; readonly put: number; readonly append: number };
  /** The clients that take part. Default: every client node. */
  readonly clients?: readonly NodeId[];
}

/** A workload that also says when every client has had all its operations returned (for `stopWhen`). */
export interface KvWorkload<P extends Protocol> extends Workload<P> {
  finished(): boolean;
}

/**
 * N closed-loop clients over a few keys. A client's next operation is called only once its
 * previous one returned (a client whose operation never returns stops there). Append values
 * are unique (`n4.7;` is client n4's 7th operation), put values too (`n4.7`).
 *
 * @example
 * const workload = kvWorkload({ operationsPerClient: 20, keys: ['x'] });
 * simulate({ ..., workload, stopWhen: () => workload.finished() });
 */
export function kvWorkload<P extends Protocol>(options: KvWorkloadOptions): KvWorkload<P> {
  const { operationsPerClient } = options;
  if (!(Number.isInteger(operationsPerClient) && operationsPerClient >= 0)) throw new Error('operationsPerClient must be a whole number');
  const keys = options.keys ?? ['x', 'y'];
  if (keys.length === 0) throw new Error('a key-value workload needs at least one key');
  const thinkMs = msRange('thinkMs', options.thinkMs ?? [0, 20]);
  const startMs = msRange('startMs', options.startMs ?? [0, 20]);
  const mix = options.mix ?? { get: 4, put: 1, append: 5 };
  const totalWeight = mix.get + mix.put + mix.append;
  if (!(totalWeight > 0 && mix.get >= 0 && mix.put >= 0 && mix.append >= 0)) throw new Error('the operation mix needs non-negative weights, not all zero');
  // Per run: reset by `start`, so one workload object may serve run after run.
  let issued = new Map<NodeId, number>();
  let returned = 0;
  let participants: readonly NodeId[] = [];

  const operationFor = (client: NodeId, count: number, context: WorkloadContext<P>): KvOperation => {
    const key = context.random.pick(keys);
    const draw = context.random.next() * totalWeight;
    const tag = `${nodeName(client)}.${count}`;
    if (draw < mix.get) return { kind: 'get', key };
    if (draw < mix.get + mix.put) return { kind: 'put', key, value: tag };
    return { kind: 'append', key, value: `${tag};` };
  };
  const issue = (client: NodeId, context: WorkloadContext<P>, window: readonly [number, number]) => {
    const count = (issued.get(client) ?? 0) + 1;
    if (count > operationsPerClient) return;
    issued.set(client, count);
    const input: KvClientInput = { type: 'Invoke', operation: operationFor(client, count, context) };
    context.input(client, input as Tagged as P['input'], context.random.integer(window[0], window[1]));
  };
  return {
    start(context) {
      issued = new Map();
      returned = 0;
      participants = options.clients ?? context.cluster.clients;
      for (const client of participants) issue(client, context, startMs);
    },
    onOutput(record, context) {
      if ((record.output as Tagged).type !== 'Returned' || !participants.includes(record.node)) return;
      returned++;
      issue(record.node, context, thinkMs);
    },
    finished: () => returned >= participants.length * operationsPerClient,
  };
}

/** A [min, max] range of simulated milliseconds, checked: a suite written in JavaScript may pass anything. */
function msRange(name: string, range: unknown): readonly [number, number] {
  const isMs = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
  if (Array.isArray(range) && range.length === 2 && isMs(range[0]) && isMs(range[1]) && range[0] <= range[1]) return [range[0], range[1]];
  throw new Error(`${name} must be a range [minMs, maxMs] of whole milliseconds, min at most max (for instance [0, 20]), not ${JSON.stringify(range) ?? String(range)}`);
}

/** `count` client nodes running the kit's {@link KvClient}, for a cluster's `nodes` (after the servers). */
export function kvClientNodes<P extends Protocol>(count: number): NodeSpec<P>[] {
  // The client sends only the kit's messages and reads only its part of the config, which
  // every key-value lab's protocol includes.
  const node = KvClient as unknown as NodeClass<P>;
  return Array.from({ length: count }, () => ({ role: 'client' as const, node }));
}
