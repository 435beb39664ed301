import { always, simulate, type NodeClass } from '../framework/testing.ts';
import { FloodNode, type Flood } from './floodNode.ts';

export interface FloodOptions {
  nodes: number;
  initial: number;
  deliveries: number;
  seed: number;
}

/**
 * The "flood" workload of bench/bareLoop.mjs, through the whole framework. `node`
 * is the node class: FloodNode itself, or its stand-in for a copy running in a realm of its own.
 */
export function runFlood(options: FloodOptions, node: NodeClass<Flood> = FloodNode) {
  const startedNs = process.hrtime.bigint();
  const result = simulate<Flood>({
    seed: options.seed,
    nodes: Array.from({ length: options.nodes }, () => ({ role: 'server' as const, node })),
    config: { initial: options.initial },
    network: { delay: { kind: 'uniform', minMs: 1, maxMs: 10 } },
    durationMs: Number.MAX_SAFE_INTEGER,
    maxEvents: options.deliveries + 1,
    properties: [always<Flood>('hook', () => undefined)],
    stopWhen: (cluster) => cluster.counters.messagesDelivered >= options.deliveries,
  });
  const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
  return { result, seconds };
}
