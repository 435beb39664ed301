// Lab 0's protocol: the types the client and the server share. Do not change this file:
// the tests are written against it.
import type { NodeId, Protocol } from 'distlab';

export interface PingPong extends Protocol {
  message:
    /** Client -> server: please answer ping `seq`. */
    | { readonly type: 'Ping'; readonly seq: number }
    /** Server -> client: the answer to ping `seq`. */
    | { readonly type: 'Pong'; readonly seq: number };
  timer:
    /** Fires on the client when ping `seq` may have been lost. */
    { readonly type: 'RetryPing'; readonly seq: number };
  input:
    /** The test asks the client to get ping `seq` answered. */
    { readonly type: 'SendPing'; readonly seq: number };
  output:
    /** The client reports that ping `seq` was answered. Exactly once per ping. */
    { readonly type: 'PongReceived'; readonly seq: number };
  config: {
    /** The server's id. */
    readonly server: NodeId;
    /** How long the client waits for a Pong before sending the Ping again. */
    readonly retryMs: number;
  };
  storage: Record<never, never>;
}
