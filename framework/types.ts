/** A node's identity: servers are 0..S-1, clients follow. Shown as `n0`, `n1`, ... */
export type NodeId = number;

/** Formats a node id the way traces and messages show it. */
export function nodeName(id: NodeId): string {
  return `n${id}`;
}

/** Simulated milliseconds, or a range `[minMs, maxMs]` the driver chooses from. */
export type Delay = number | readonly [minMs: number, maxMs: number];

/** Anything with a string `type` tag: the shape of messages, timers, inputs and outputs. */
export interface Tagged {
  readonly type: string;
}

/**
 * The types one lab declares for its nodes. Each member is a discriminated union on `type`
 * (use `never` for a kind the lab does not have).
 *
 * @example
 * interface PingPong extends Protocol {
 *   message: { type: 'Ping'; seq: number } | { type: 'Pong'; seq: number };
 *   timer: { type: 'Retry'; seq: number };
 *   input: { type: 'SendPing'; seq: number };
 *   output: { type: 'PongReceived'; seq: number };
 *   config: { retryMs: number };
 *   storage: Record<never, never>;
 * }
 */
export interface Protocol {
  message: Tagged;
  timer: Tagged;
  input: Tagged;
  output: Tagged;
  /** Settings the test gives every node (timeouts, cluster facts); read with `this.config`. */
  config: object;
  /** Keys and value types of the node's durable storage. */
  storage: object;
}

/** Which part a node plays: servers receive `broadcast`s; clients drive the workload. */
export type Role = 'server' | 'client';
