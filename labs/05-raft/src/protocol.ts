// Lab 5's protocol: Raft (election, log replication, persistence, snapshots), in the names of
// the paper's Figure 2, and the key-value service on top of it (part E) with membership change
// (part F). Do not change this file: the tests are written against it, and they read the terms,
// indexes and entries carried in the messages and kept in durable storage.
import type { KvClientConfig, KvClientMessage, KvServerOutput, NodeId, Protocol } from 'distlab';

/**
 * A command for the replicated state machine. In parts A-D the tests give strings such as
 * "c7". In part E the service puts each client's command in the log as its JSON text
 * (`JSON.stringify(kvCommand)`), and "" is a no-op, which the service skips.
 */
export type Command = string;

/**
 * Part F: who votes. Outside a change, `newVoters` is null and a majority of `voters` elects a
 * leader and commits an entry. During a change (joint consensus, C_old,new) both sets vote:
 * elections and commitment need a majority of `voters` (C_old) AND a majority of `newVoters`
 * (C_new). The change ends with an entry whose `voters` is C_new alone.
 */
export interface Configuration {
  readonly voters: readonly NodeId[];
  readonly newVoters: readonly NodeId[] | null;
}

/** One entry of the log: `index` counts from 1; `term` is the leader's term when it was created. */
export interface LogEntry {
  readonly index: number;
  readonly term: number;
  readonly command: Command;
  /**
   * Part F: a configuration entry (its `command` is ""). A server uses the latest configuration
   * in its log from the moment the entry is there, committed or not; before any, every server
   * of config.initialVoters (default: all) votes.
   */
  readonly configuration?: Configuration;
}

/**
 * What a snapshot replaces: every entry up to `lastIncludedIndex` (whose term was
 * `lastIncludedTerm`), folded into `data`, the service's state after applying them.
 */
export interface Snapshot {
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  readonly data: string;
  /**
   * Part F: the configuration in force at lastIncludedIndex (the entries the snapshot replaces
   * may hold the latest configuration entry); absent when none of them was one.
   */
  readonly configuration?: Configuration;
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
        /**
         * On success: the index of the last entry the follower now knows matches the leader's
         * (prevLogIndex + entries.length). On failure it means nothing: send 0.
         */
        readonly matchIndex: number;
        /**
         * On a failed consistency check, so that the leader can skip a whole term at once (fast
         * backup): the term of the follower's entry at prevLogIndex (null when its log is shorter
         * than that), and the first index the follower holds with that term (when null: the index
         * after its last entry). On success, or when refusing an older term (the leader only
         * steps down), they mean nothing: send null and 0.
         */
        readonly conflictTerm: number | null;
        readonly conflictIndex: number;
      }
    /** The leader sends its snapshot to a follower that needs entries it has discarded. */
    | { readonly type: 'InstallSnapshot'; readonly term: number; readonly leaderId: NodeId; readonly snapshot: Snapshot }
    /** `lastIncludedIndex`: the snapshot this answers, so that the leader knows what the follower now holds. */
    | { readonly type: 'InstallSnapshotReply'; readonly term: number; readonly lastIncludedIndex: number }
    /** Part E: a client's request, and the server's reply or redirect (the key-value kit's messages). */
    | KvClientMessage;
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
    | { readonly type: 'Snapshot'; readonly index: number; readonly data: string }
    /**
     * Part F, given to the leader: make `add` voters (each joins as a non-voting learner and is
     * caught up first) and stop `remove` (possibly the leader itself) from voting, through a
     * joint configuration. A server that does not lead answers MembershipRefused.
     */
    | { readonly type: 'ChangeMembership'; readonly add: readonly NodeId[]; readonly remove: readonly NodeId[] };
  output:
    /** This node has just become the leader of `term`. */
    | { readonly type: 'BecameLeader'; readonly term: number }
    /** The leader appended `command` at `index`, in `term` (the answer to Start). */
    | { readonly type: 'Started'; readonly command: Command; readonly index: number; readonly term: number }
    /** This node is not the leader and did not append `command`; `leader` is who it believes leads, null if it knows of none. */
    | { readonly type: 'NotLeader'; readonly command: Command; readonly leader: NodeId | null }
    /**
     * The committed entry at `index` is applied to the service: exactly once per index, in index
     * order, with no gaps (configuration entries and no-ops included; `configuration` as in the entry).
     */
    | { readonly type: 'Applied'; readonly index: number; readonly term: number; readonly command: Command; readonly configuration?: Configuration }
    /**
     * Part D: the service's state is replaced by `snapshot` (installed from the leader, or read back
     * from storage after a restart); applying continues at snapshot.lastIncludedIndex + 1.
     */
    | { readonly type: 'SnapshotInstalled'; readonly snapshot: Snapshot }
    /**
     * Part E: the key-value state machine executed a client's command (never a duplicate it
     * skipped); `index` is the command's log index.
     */
    | KvServerOutput
    /** Part F: the leader committed the configuration that ends a change: `voters` alone vote from now on. */
    | { readonly type: 'MembershipChanged'; readonly voters: readonly NodeId[] }
    /**
     * Part F: the leader will not make this change (another is in progress, say), or this server
     * does not lead (`leader` is who it believes does). The change can be asked for again.
     */
    | {
        readonly type: 'MembershipRefused';
        readonly add: readonly NodeId[];
        readonly remove: readonly NodeId[];
        readonly leader: NodeId | null;
        readonly reason: string;
      };
  config: KvClientConfig & {
    /** T and 2T: each election timeout is drawn at random in this range. */
    readonly electionTimeoutMs: readonly [number, number];
    /** How often a leader sends AppendEntries (with no entries: a heartbeat) to each follower. */
    readonly heartbeatMs: number;
    /**
     * Part E: the service snapshots its state (Snapshot) once the log holds more than this many
     * entries after the snapshot; absent: it never does.
     */
    readonly maxLogEntries?: number;
    /** Part F: the first configuration's voters, before any configuration entry; absent: every server. */
    readonly initialVoters?: readonly NodeId[];
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
