import { always, Node, simulate, type NodeId, type Protocol } from '../framework/testing.ts';

interface Flood extends Protocol {
  message: { type: 'Hop'; hop: number };
  timer: never;
  input: never;
  output: never;
  config: { initial: number };
  storage: Record<never, never>;
}

/** Sends `initial` messages at start, then forwards every message it receives to a random peer. */
class FloodNode extends Node<Flood> {
  received = 0;

  override onStart(): void {
    for (let index = 0; index < this.config.initial; index++) this.forward(0);
  }

  override onMessage(_from: NodeId, message: Flood['message']): void {
    this.received++;
    this.forward(message.hop + 1);
  }

  private forward(hop: number): void {
    const peers = this.peers;
    this.send(peers[this.randomInt(0, peers.length - 1)] as NodeId, { type: 'Hop', hop });
  }
}

export interface FloodOptions {
  nodes: number;
  initial: number;
  deliveries: number;
  seed: number;
}

/** The "flood" workload of ../shared/bench/limit-loop.mjs, through the whole framework. */
export function runFlood(options: FloodOptions) {
  const startedNs = process.hrtime.bigint();
  const result = simulate<Flood>({
    seed: options.seed,
    nodes: Array.from({ length: options.nodes }, () => ({ role: 'server' as const, node: FloodNode })),
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
