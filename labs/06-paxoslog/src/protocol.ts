// Lab 6's protocol: a replicated log in the epoch and overthrow design, serving the key-value
// kit's clients. Every server runs one class; at any time it is passive, a candidate (it has
// asked the others to accept its new epoch) or the leader of its epoch. Do not change this
// file: the tests are written against it, and they read the epochs, slots and operations
// carried in the messages, the outputs and the durable storage.
import type { KvClientConfig, KvClientMessage, KvCommand, KvResult, KvServerOutput, Protocol } from 'distlab';

/** What a slot of the log holds: a client's command, or null, a no-op that fills a slot nobody stored and changes nothing. */
export type Operation = KvCommand | null;

/**
 * One slot of a server's log, as it holds it in durable storage: `operation` was stored there
 * in `epoch` (by that epoch's leader); `finalized` once the server knows the slot is immutable.
 */
export interface SlotRecord {
  readonly epoch: number;
  readonly operation: Operation;
  readonly finalized: boolean;
}

/** The storage key of one slot of the log. Slots are numbered from 1. */
export type SlotKey = `slot:${number}`;

/** The storage key of slot `slot`. */
export const slotKey = (slot: number): SlotKey => `slot:${slot}`;

/**
 * Epochs are positive integers, each owned by one server: server n (the n-th of `servers`,
 * counting from 0) owns the epochs e with e % N === n, where N is the number of servers. Epoch 0
 * is owned by nobody: it is every server's epoch before any overthrow.
 */
export const epochOwner = (epoch: number, serverCount: number): number => epoch % serverCount;

export interface PaxosLog extends Protocol {
  message:
    /** A would-be leader -> every other server: accept `epoch` as your epoch (it owns it, and it is above every epoch it has seen). */
    | { readonly type: 'Overthrow'; readonly epoch: number }
    /**
     * The answer to Overthrow. `ok`: the server's epoch is now `epoch` (written to storage first),
     * it will accept no store of a lower epoch, and `lastUsedSlot` is the highest slot it holds
     * anything in (0: none). Not ok: its epoch, `currentEpoch`, is above `epoch`.
     */
    | { readonly type: 'OverthrowReply'; readonly epoch: number; readonly ok: true; readonly lastUsedSlot: number }
    | { readonly type: 'OverthrowReply'; readonly epoch: number; readonly ok: false; readonly currentEpoch: number }
    /** The leader of `epoch` -> a server: hold `operation` in `slot`, stored in `epoch`. */
    | { readonly type: 'Store'; readonly epoch: number; readonly slot: number; readonly operation: Operation }
    /**
     * The answer to Store. `ok`: the server holds the slot's operation as stored in `epoch` (written
     * first), or had finalized the slot already. Not ok: its epoch, `currentEpoch`, is above `epoch`:
     * the leader has been overthrown and becomes passive.
     */
    | { readonly type: 'StoreReply'; readonly epoch: number; readonly slot: number; readonly ok: true }
    | { readonly type: 'StoreReply'; readonly epoch: number; readonly slot: number; readonly ok: false; readonly currentEpoch: number }
    /** A leader -> a server: the operation stored in `slot` in `epoch` is finalized (a majority stored it in that epoch); flag it immutable. */
    | { readonly type: 'Finalize'; readonly epoch: number; readonly slot: number }
    /** The answer to Finalize. `ok`: the slot is finalized there (written first). Not ok: missing, the server holds no operation stored in `epoch` there. */
    | { readonly type: 'FinalizeReply'; readonly epoch: number; readonly slot: number; readonly ok: boolean }
    /** The new leader of `epoch` -> a server that accepted its overthrow: what do you hold in `slot`? */
    | { readonly type: 'Read'; readonly epoch: number; readonly slot: number }
    /**
     * The answer to Read: `forEpoch` is the Read's epoch (a leader counts only the answers to its
     * own epoch's reads: a late answer to an earlier walk may be stale), then the slot's record:
     * `epoch`, `operation` and `finalized`, or 0, null and false when the server holds nothing there.
     */
    | {
        readonly type: 'ReadReply';
        readonly forEpoch: number;
        readonly slot: number;
        readonly epoch: number;
        readonly operation: Operation;
        readonly finalized: boolean;
      }
    /** The leader of `epoch` -> every other server, every config.heartbeatMs: its heartbeat, and a question: where is your log? */
    | { readonly type: 'Query'; readonly epoch: number }
    /** The answer to Query: the server's first slot not finalized, and its own epoch (above `epoch`: the leader has been overthrown). */
    | { readonly type: 'QueryReply'; readonly epoch: number; readonly currentEpoch: number; readonly firstUnfinalizedSlot: number }
    /** Client <-> server: the key-value kit's requests, replies and redirects. */
    | KvClientMessage;
  timer:
    /** The leader's period: a Query to every server, and the stores and reads not yet answered sent again. Every config.heartbeatMs. */
    | { readonly type: 'HeartbeatTick' }
    /** A passive server (or a candidate) heard nothing from a leader for a random time in config.leaderTimeoutMs: it tries to lead. */
    | { readonly type: 'LeaderTimeout' };
  input: never;
  output:
    /** A majority (this server included) accepted this server's overthrow: it leads `epoch`. */
    | { readonly type: 'BecameLeader'; readonly epoch: number }
    /**
     * The state machine executed a client's command (never a no-op, never a duplicate the
     * at-most-once table skipped): `index` is its slot, `result` what it gave. Every server
     * executes the finalized slots in order; a restarted server executes its log again.
     */
    | (KvServerOutput & { readonly result: KvResult });
  config: KvClientConfig & {
    /** How often a leader sends its heartbeat (Query), and the stores and reads not yet answered again. */
    readonly heartbeatMs: number;
    /** A passive server that hears from no leader for a time drawn at random in this range tries to lead. */
    readonly leaderTimeoutMs: readonly [number, number];
  };
  storage: {
    /** The server's epoch: it accepts no store below it. Written before any reply or Overthrow that depends on it. */
    readonly epoch: number;
    // And `slot:<n>` (slotKey(n)): the slot's record, written before the StoreReply or FinalizeReply that reports it.
  } & Readonly<Record<SlotKey, SlotRecord>>;
}
