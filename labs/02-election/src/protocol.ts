// Lab 2's protocols. Do not change this file: the tests are written against it.
import type { NodeId, Protocol } from 'distlab';

/** The timeouts every node must respect; the network's delays are at most `maxDelayMs`. */
export interface ElectionConfig {
  /** Every message arrives within this many ms (the tests' bound D). */
  readonly maxDelayMs: number;
  /** How often the leader sends Heartbeat to every other node; null: no heartbeats. */
  readonly heartbeatMs: number | null;
  /** A node that hears no Heartbeat from its leader for this long suspects it (>= heartbeatMs + 2D). */
  readonly suspectAfterMs: number;
  /** Bully: how long a candidate waits for an Ok before it declares itself leader (>= 2D). */
  readonly answerTimeoutMs: number;
  /** Bully: after an Ok, how long to wait for a Coordinator before starting over. Ring: how long a participant waits for the Coordinator. */
  readonly coordinatorTimeoutMs: number;
  /** Ring: how long to wait for an Ack before skipping the successor as dead (>= 2D). */
  readonly ackTimeoutMs: number;
}

interface ElectionCommon extends Protocol {
  input:
    /** The test tells this node that its leader seems to have failed: start an election. */
    { readonly type: 'SuspectLeader' };
  output:
    /** This node now believes `leader` is the leader: output each time the leader it believes in changes (itself included). */
    { readonly type: 'Leader'; readonly leader: NodeId };
  config: ElectionConfig;
  storage: {
    /** Set at the first start, so that a restart can tell it is one. */
    readonly startedBefore: boolean;
  };
}

/** 2A: the bully algorithm. */
export interface Bully extends ElectionCommon {
  message:
    | { readonly type: 'Election' }
    | { readonly type: 'Ok' }
    | { readonly type: 'Coordinator' }
    | { readonly type: 'Heartbeat' };
  timer:
    /** No Ok arrived in time: this node is the highest alive. */
    | { readonly type: 'AnswerTimeout'; readonly election: number }
    /** An Ok arrived but no Coordinator followed: start over. */
    | { readonly type: 'CoordinatorTimeout'; readonly election: number }
    /** Time for the leader to send heartbeats. */
    | { readonly type: 'HeartbeatTick' }
    /** No heartbeat from the leader for suspectAfterMs. */
    | { readonly type: 'SuspectTimeout' };
}

/** 2B: Chang and Roberts' ring algorithm, skipping dead successors. */
export interface Ring extends ElectionCommon {
  message:
    /**
     * The largest id seen so far on this election's way around the ring; `hops` counts the
     * steps since that candidate was set; `id` numbers the message for its Ack.
     */
    | { readonly type: 'Election'; readonly candidate: NodeId; readonly hops: number; readonly id: number }
    /** The election is over: `leader` won. Travels once around the ring. */
    | { readonly type: 'Coordinator'; readonly leader: NodeId; readonly hops: number; readonly id: number }
    /** "Got message `id`": sent back for every Election and Coordinator, so the sender knows its successor is alive. */
    | { readonly type: 'Ack'; readonly id: number }
    | { readonly type: 'Heartbeat' };
  timer:
    /** The successor did not acknowledge message `id`: skip it. */
    | { readonly type: 'AckTimeout'; readonly id: number }
    /** A participant heard no Coordinator in time: start over. */
    | { readonly type: 'CoordinatorTimeout'; readonly election: number }
    | { readonly type: 'HeartbeatTick' }
    | { readonly type: 'SuspectTimeout' };
}
