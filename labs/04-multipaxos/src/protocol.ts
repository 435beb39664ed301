// Lab 4's protocol: MultiPaxos, a replicated key-value store. Every server plays the three
// roles of the lecture: replica (holds the log and executes it), leader (runs phase 1 once per
// ballot and phase 2 for each slot) and acceptor (promises and accepts). The clients are the
// key-value kit's. Do not change this file: the tests are written against it, and they read the
// ballots, slots and commands carried in the messages, the outputs and the durable storage.
import type { KvClientConfig, KvClientMessage, KvCommand, KvResult, KvServerOutput, KvState, NodeId, Protocol } from 'distlab';

/** A ballot: rounds are compared first, then leader ids break ties. Ballot {0, 0} is below every ballot a leader uses. */
export interface Ballot {
  readonly round: number;
  readonly leader: NodeId;
}

/** What a slot holds: a client's command, or null, a no-op that fills a hole and changes nothing. */
export type Command = KvCommand | null;

/** A proposal, as a leader makes it and an acceptor accepts it: `command` in `slot`, in `ballot`. */
export interface PValue {
  readonly ballot: Ballot;
  readonly slot: number;
  readonly command: Command;
}

/**
 * A replica's checkpoint: its key-value state (the at-most-once table included) after executing
 * every slot below `slot`. Slots are numbered from 1; `slot` 1 is the empty state.
 */
export interface Checkpoint {
  readonly slot: number;
  readonly state: KvState;
}

/** The storage key of an acceptor's accepted proposal for one slot. */
export type AcceptedKey = `accepted:${number}`;

/** The storage key of slot `slot`'s accepted proposal. */
export const acceptedKey = (slot: number): AcceptedKey => `accepted:${slot}`;

export interface MultiPaxos extends Protocol {
  message:
    /** Phase 1a (a scout), would-be leader -> every server: prepare `ballot`, for every slot at once. */
    | { readonly type: 'P1a'; readonly ballot: Ballot }
    /**
     * Phase 1b, acceptor -> leader: a promise to accept nothing below `ballot` (the one asked for),
     * with every proposal it accepted and still holds (one per slot, the latest).
     */
    | { readonly type: 'P1b'; readonly ballot: Ballot; readonly accepted: readonly PValue[] }
    /** Phase 2a, leader -> every server: accept `command` in `slot`, in `ballot`. */
    | { readonly type: 'P2a'; readonly ballot: Ballot; readonly slot: number; readonly command: Command }
    /** Phase 2b, acceptor -> leader: it accepted `command` in `slot`, in `ballot` (and wrote that to storage first). */
    | { readonly type: 'P2b'; readonly ballot: Ballot; readonly slot: number; readonly command: Command }
    /** Acceptor -> leader: it refuses `ballot` (in a P1a or a P2a) because it promised `promised`, a higher one. */
    | { readonly type: 'Preempted'; readonly ballot: Ballot; readonly promised: Ballot }
    /** Leader -> a replica that missed it (catch-up): `command` is chosen in `slot`. */
    | { readonly type: 'Decision'; readonly slot: number; readonly command: Command }
    /**
     * Leader -> every server, every config.heartbeatMs: the leader of `ballot` is up. Every slot
     * below `chosenBelow` is chosen, with the command the leader proposed in `ballot` (or, for a
     * slot it did not propose in `ballot`, with the command the leader knows was chosen: a
     * replica that did not accept that slot in `ballot` asks for it). Every server has
     * checkpointed every slot below `collectBelow`: their log entries may be deleted.
     */
    | { readonly type: 'Heartbeat'; readonly ballot: Ballot; readonly chosenBelow: number; readonly collectBelow: number }
    /**
     * Server -> leader, in answer to a Heartbeat: `slotOut` is the first slot it has not executed
     * (the leader sends Decisions from there), `checkpointSlot` the slot of its durable checkpoint.
     */
    | { readonly type: 'HeartbeatReply'; readonly ballot: Ballot; readonly slotOut: number; readonly checkpointSlot: number }
    /** Client <-> server: the key-value kit's requests, replies and redirects. */
    | KvClientMessage;
  timer:
    /** The leader's period: heartbeats, and proposals not yet chosen sent again. Every config.heartbeatMs. */
    | { readonly type: 'HeartbeatTick' }
    /** No heartbeat from a leader for a random time in config.leaderTimeoutMs (or phase 1 did not finish): run phase 1. */
    | { readonly type: 'LeaderTimeout' };
  input: never;
  output:
    /** Phase 1 succeeded: this server leads `ballot`. */
    | { readonly type: 'BecameLeader'; readonly ballot: Ballot }
    /** This server learned that `command` is chosen in `slot`: once per slot (in each incarnation). */
    | { readonly type: 'Chosen'; readonly slot: number; readonly command: Command }
    /**
     * The state machine executed a client's command (never a no-op, never a duplicate the
     * at-most-once table skipped): `index` is its slot, `result` what it gave. Slots are executed
     * in order, each once it is chosen.
     */
    | (KvServerOutput & { readonly result: KvResult });
  config: KvClientConfig & {
    /** How often a leader sends heartbeats (and proposals not yet chosen again). */
    readonly heartbeatMs: number;
    /** A server that hears no heartbeat for a time drawn at random in this range runs phase 1. */
    readonly leaderTimeoutMs: readonly [number, number];
  };
  storage: {
    /** The acceptor's ballot: it accepts nothing below it. Written before a P1b or P2b that depends on it is sent. */
    readonly promised: Ballot;
    /** The replica's checkpoint, written before its slot is reported in a HeartbeatReply. */
    readonly checkpoint: Checkpoint;
    // And `accepted:<slot>` (acceptedKey(slot)): the acceptor's latest accepted proposal for the
    // slot, written before its P2b, deleted once every server's checkpoint covers the slot.
  } & Readonly<Record<AcceptedKey, PValue>>;
}
