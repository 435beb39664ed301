import { always, simulate, type ClusterView, type NodeClass, type Property } from '../framework/testing.ts';
import { FloodNode, type Flood } from './floodNode.ts';

export interface FloodOptions {
  nodes: number;
  initial: number;
  deliveries: number;
  seed: number;
}

// The hook and the stop condition are made once, not per run: a new function per run is a new
// call target where the simulator calls them, which makes V8 deoptimise the event loop at the
// start of each of the first measured runs, a cost of the benchmark's set-up and not of a delivery.

/** The `always` property checked after every event: a hook that finds nothing wrong. */
const hook: Property<Flood> = always<Flood>('hook', () => undefined);

/** The stop condition of each number of deliveries. */
const stopConditions = new Map<number, (cluster: ClusterView<Flood>) => boolean>();

function stopAfter(deliveries: number): (cluster: ClusterView<Flood>) => boolean {
  let stop = stopConditions.get(deliveries);
  if (stop === undefined) {
    stop = (cluster) => cluster.counters.messagesDelivered >= deliveries;
    stopConditions.set(deliveries, stop);
  }
  return stop;
}

/**
 * The "flood" workload of bench/bareLoop.mjs, through the whole framework. `node`
 * is the node class: FloodNode itself, or its stand-in for a copy running in a realm of its own.
 */
export function runFlood(options: FloodOptions, node: NodeClass<Flood> = FloodNode) {
  const stopWhen = stopAfter(options.deliveries);
  const startedNs = process.hrtime.bigint();
  const result = simulate<Flood>({
    seed: options.seed,
    nodes: Array.from({ length: options.nodes }, () => ({ role: 'server' as const, node })),
    config: { initial: options.initial },
    network: { delay: { kind: 'uniform', minMs: 1, maxMs: 10 } },
    durationMs: Number.MAX_SAFE_INTEGER,
    maxEvents: options.deliveries + 1,
    properties: [hook],
    stopWhen,
  });
  const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
  return { result, seconds };
}
