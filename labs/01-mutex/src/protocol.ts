// Lab 1's protocols: one per algorithm. Do not change this file: the tests are written
// against it, and they read the Lamport timestamps carried in the messages.
import type { NodeId, Protocol } from 'distlab';

/** What the test asks of every node, and what it observes. */
export interface MutexProtocol extends Protocol {
  input:
    /** The test wants this node to get the resource. */
    | { readonly type: 'Acquire' }
    /** The node is done with the resource (comes only after it entered). */
    | { readonly type: 'Release' };
  output:
    /** The node enters the critical section: it now holds the resource. */
    { readonly type: 'Enter' };
  storage: Record<never, never>;
}

/** 1A: a coordinator grants the resource from a FIFO queue. */
export interface Centralized extends MutexProtocol {
  message:
    | { readonly type: 'Request' }
    | { readonly type: 'Grant' }
    | { readonly type: 'Release' };
  timer: never;
  config: {
    /** The coordinator's id; it never asks for the resource itself. */
    readonly coordinator: NodeId;
  };
}

/** 1B: a token travels the ring n0 -> n1 -> ... -> n(N-1) -> n0; n0 creates it. */
export interface TokenRing extends MutexProtocol {
  message: { readonly type: 'Token' };
  timer: never;
  config: Record<never, never>;
}

/** 1C: Lamport's algorithm with replicated request queues, over FIFO channels. */
export interface Lamport extends MutexProtocol {
  message:
    | { readonly type: 'Request'; readonly timestamp: number }
    | { readonly type: 'Reply'; readonly timestamp: number }
    | { readonly type: 'Release'; readonly timestamp: number };
  timer: never;
  config: Record<never, never>;
}

/** 1D: Ricart and Agrawala's algorithm: replies are deferred instead of releases sent. */
export interface RicartAgrawala extends MutexProtocol {
  message:
    | { readonly type: 'Request'; readonly timestamp: number }
    | { readonly type: 'Reply'; readonly timestamp: number };
  timer: never;
  config: Record<never, never>;
}
