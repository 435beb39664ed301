// Lab 5's protocol: Raft (election, log replication, persistence, snapshots), in the names of
// the paper's Figure 2. Do not change this file: the tests are written against it, and they
// read the terms, indexes and entries carried in the messages and kept in durable storage.
import type { NodeId, Protocol } from 'distlab';

/** A command for the replicated state machine. The tests give strings such as "c7". */
export type Command = string;

/** One entry of the log: `index` counts from 1; `term` is the leader's term when it was created. */
export interface LogEntry {
  readonly index: number;
  readonly term: number;
  readonly command: Command;
}

/**
 * What a snapshot replaces: every entry up to `lastIncludedIndex` (whose term was
 * `lastIncludedTerm`), folded into `data`, the service's state after applying them.
 */
export interface Snapshot {
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  readonly data: string;
}

export interface Raft extends Protocol {
  message:
    /** A candidate asks for a vote. */
    | {
        readonly type: 'RequestVote';
        readonly term: number;
        readonly candidateId: NodeId;
        /** The index and term of the candidate's last log entry (0 and 0 for an empty log). */
        readonly lastLogIndex: number;
        readonly lastLogTerm: number;
      }
    | { readonly type: 'RequestVoteReply'; readonly term: number; readonly voteGranted: boolean }
    /** The leader replicates entries, or with none, says it is still the leader (a heartbeat). */
    | {
        readonly type: 'AppendEntries';
        readonly term: number;
        readonly leaderId: NodeId;
        /** The entry just before `entries` (0 and 0 when they start the log). */
        readonly prevLogIndex: number;
        readonly prevLogTerm: number;
        readonly entries: readonly LogEntry[];
        readonly leaderCommit: number;
      }
    | {
        readonly type: 'AppendEntriesReply';
        readonly term: number;
        readonly success: boolean;
        /** On success: the index of the last entry the follower now knows matches the leader's (prevLogIndex + entries.length). */
        readonly matchIndex: number;
        /**
         * On failure, so that the leader can skip a whole term at once (fast backup): the term of
         * the follower's entry at prevLogIndex (null when its log is shorter than that), and the
         * first index the follower holds with that term (when null: the index after its last entry).
         */
        readonly conflictTerm: number | null;
        readonly conflictIndex: number;
      }
    /** The leader sends its snapshot to a follower that needs entries it has discarded. */
    | { readonly type: 'InstallSnapshot'; readonly term: number; readonly leaderId: NodeId; readonly snapshot: Snapshot }
    /** `lastIncludedIndex`: the snapshot this answers, so that the leader knows what the follower now holds. */
    | { readonly type: 'InstallSnapshotReply'; readonly term: number; readonly lastIncludedIndex: number };
  timer:
    /** No word from a leader (and no vote granted) for a random time in config.electionTimeoutMs: stand for election. */
    | { readonly type: 'ElectionTimeout' }
    /** A leader sends AppendEntries to every follower every config.heartbeatMs. */
    | { readonly type: 'Heartbeat' };
  input:
    /** The service asks for `command` to be replicated. The leader appends it to its log; any other node declines. */
    | { readonly type: 'Start'; readonly command: Command }
    /**
     * Part D: the service has applied every entry up to `index` and folded them into `data`. Raft
     * keeps it as its snapshot and discards the entries it covers.
     */
    | { readonly type: 'Snapshot'; readonly index: number; readonly data: string };
  output:
    /** This node has just become the leader of `term`. */
    | { readonly type: 'BecameLeader'; readonly term: number }
    /** The leader appended `command` at `index`, in `term` (the answer to Start). */
    | { readonly type: 'Started'; readonly command: Command; readonly index: number; readonly term: number }
    /** This node is not the leader and did not append `command`; `leader` is who it believes leads, null if it knows of none. */
    | { readonly type: 'NotLeader'; readonly command: Command; readonly leader: NodeId | null }
    /** The committed entry at `index` is applied to the service: exactly once per index, in index order, with no gaps. */
    | { readonly type: 'Applied'; readonly index: number; readonly term: number; readonly command: Command }
    /**
     * Part D: the service's state is replaced by `snapshot` (installed from the leader, or read back
     * from storage after a restart); applying continues at snapshot.lastIncludedIndex + 1.
     */
    | { readonly type: 'SnapshotInstalled'; readonly snapshot: Snapshot };
  config: {
    /** T and 2T: each election timeout is drawn at random in this range. */
    readonly electionTimeoutMs: readonly [number, number];
    /** How often a leader sends AppendEntries (with no entries: a heartbeat) to each follower. */
    readonly heartbeatMs: number;
  };
  storage: {
    /** The latest term this node has seen. Written before any message that carries it is sent. */
    readonly currentTerm: number;
    /** The candidate this node voted for in currentTerm, or null. Written before the vote is sent. */
    readonly votedFor: NodeId | null;
    /** The entries after the snapshot, in index order. Written before AppendEntries is acknowledged. */
    readonly log: readonly LogEntry[];
    /** Part D: the latest snapshot, written together with the log it shortens. */
    readonly snapshot: Snapshot;
  };
}
