// The messages between key-value clients and servers, as a fragment a lab's protocol
// includes: `message: RaftMessage | KvClientMessage`, `output: KvClientOutput | KvServerOutput`.
import type { NodeId, Protocol } from '../types.ts';
import type { KvCommand, KvOperation, KvResult } from './stateMachine.ts';

/** Client -> server, and server -> client. */
export type KvClientMessage =
  /** A client asks the server it believes leads to apply `command`. */
  | { readonly type: 'ClientRequest'; readonly command: KvCommand }
  /** The server applied the command (or had already): here is its result. */
  | { readonly type: 'ClientReply'; readonly sequence: number; readonly result: KvResult }
  /** The server does not lead: `leader` is who it believes does, null when it knows of none. */
  | { readonly type: 'ClientRedirect'; readonly sequence: number; readonly leader: NodeId | null };

/** The client's timers. */
export type KvClientTimer =
  /** No answer in time: the server may be down; try the next one. */
  | { readonly type: 'ClientRetry'; readonly sequence: number }
  /** After a redirect that named no leader: ask again a little later. */
  | { readonly type: 'ClientResend'; readonly sequence: number };

/** The workload asks a client to perform an operation: the operation's call. */
export interface KvClientInput {
  readonly type: 'Invoke';
  readonly operation: KvOperation;
}

/** A client reports the result of its operation: the operation's return. */
export interface KvClientOutput {
  readonly type: 'Returned';
  readonly sequence: number;
  readonly operation: KvOperation;
  readonly result: KvResult;
}

/**
 * A server reports each command its state machine applies (never a duplicate it skipped):
 * `index` is where the command sits in the replicated log, its log index or slot (1 first; the
 * lab's handout says which), not a count of the commands applied.
 * The kit's properties read these: at most once per server and incarnation, and every
 * completed operation on every live server.
 */
export interface KvServerOutput {
  readonly type: 'Executed';
  readonly index: number;
  readonly client: NodeId;
  readonly sequence: number;
}

/** How a client behaves. */
export interface KvClientSettings {
  /** Waits this long for an answer before trying the next server with the same command. */
  readonly retryMs: number;
  /** After a redirect that names no leader, asks the next server after this long. */
  readonly resendMs: number;
  /**
   * An unreliable client: sends every request twice, and each new request with a copy of the
   * previous one, long answered. A server must apply each command at most once.
   */
  readonly duplicates: boolean;
}

export const defaultKvClientSettings: KvClientSettings = { retryMs: 100, resendMs: 10, duplicates: false };

/** The part of a lab's config the client reads. */
export interface KvClientConfig {
  readonly kvClient?: Partial<KvClientSettings>;
}

/** The client's durable storage: its last sequence number, so that a restarted client never reuses one. */
export interface KvClientStorage {
  readonly kvClientSequence: number;
}

/** The client node's own protocol. */
export interface KvClientProtocol extends Protocol {
  message: KvClientMessage;
  timer: KvClientTimer;
  input: KvClientInput;
  output: KvClientOutput;
  config: KvClientConfig;
  storage: KvClientStorage;
}
