import { Node, unreachable, type NodeId } from 'distlab';
import type { Configuration, LogEntry, Raft, Snapshot } from '../../labs/05-raft/src/protocol.ts';

/** At most this many entries in one AppendEntries: a follower far behind catches up in batches. */
export const maxEntriesPerMessage = 64;

/** The snapshot of nothing: index 0, term 0 is the empty-log sentinel. */
const noSnapshot: Snapshot = { lastIncludedIndex: 0, lastIncludedTerm: 0, data: '' };

/** Part F: a change the leader was asked for, while its new servers catch up as learners (before the joint configuration is appended). */
export interface MembershipChange {
  readonly add: readonly NodeId[];
  readonly remove: readonly NodeId[];
  /** C_new: the voters once the change is done. */
  readonly newVoters: readonly NodeId[];
  /** The leader's last index when the change was asked for: each new server holds at least that much before it counts. */
  readonly catchUpIndex: number;
}

/** Ids in ascending order, each once. */
const sortedIds = (ids: Iterable<NodeId>): NodeId[] => [...new Set(ids)].sort((left, right) => left - right);

/** A message only a leader sends: whoever sends one of our term leads it. */
export type LeaderRequest = Extract<Raft['message'], { type: 'AppendEntries' | 'InstallSnapshot' }>;

/**
 * Raft (Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm"), laid out
 * like the paper's Figure 2: persistent state, volatile state, the RequestVote and
 * AppendEntries receivers, the rules for all servers, for followers, candidates and leaders;
 * then log compaction (section 7: Snapshot, InstallSnapshot).
 *
 * The durable state (currentTerm, votedFor, log, snapshot) is written to this.storage before
 * any message that depends on it is sent. Every handler writes first and sends after.
 */
export class RaftNode extends Node<Raft> {
  // Persistent state on all servers (copies of this.storage, read back on a restart)

  /** The latest term this server has seen: 0 at first, increases monotonically. */
  currentTerm = 0;
  /** The candidate that received this server's vote in currentTerm, or null. */
  votedFor: NodeId | null = null;
  /** Figure 2's log[] (stored as `log`): the entries after the snapshot; logEntries[k] has index snapshot.lastIncludedIndex + 1 + k. */
  logEntries: LogEntry[] = [];
  /** Every entry up to snapshot.lastIncludedIndex, folded into the service's state (and, part F, the configuration as of it). */
  snapshot: Snapshot = noSnapshot;

  // Volatile state on all servers

  /** The highest index known to be committed. */
  commitIndex = 0;
  /** The highest index applied to the service (output as Applied, or covered by SnapshotInstalled). */
  lastApplied = 0;
  role: 'follower' | 'candidate' | 'leader' = 'follower';
  /** Who this server believes leads currentTerm, for NotLeader; null when it knows of none. */
  leaderId: NodeId | null = null;
  /** Candidates only: the servers that granted a vote in currentTerm, this one included, in id order. */
  votes: NodeId[] = [];
  /**
   * Part F: the latest configuration in the log (committed or not), else the snapshot's, else
   * config.initialVoters (default: every server). Derived from the log: recomputed whenever it changes.
   */
  configuration: Configuration = { voters: [], newVoters: null };
  /** The index of the entry that holds `configuration`; at or below the snapshot's index (0: none) it is committed. */
  configurationIndex = 0;
  /** When this server last heard from the leader of its current term (an AppendEntries or InstallSnapshot); null: never in this life. */
  heardFromLeaderAtMs: number | null = null;

  // Volatile state on leaders (reinitialized after each election; indexed by node id)

  /** For each server, the index of the next entry to send it. */
  nextIndex: number[] = [];
  /** For each server, the highest index known to be replicated on it. */
  matchIndex: number[] = [];
  /**
   * For each server, whether its log is known to match ours (it acknowledged an AppendEntries of
   * this term and failed none since). In sync, it is sent the entries it lacks, one batch at a
   * time, and nextIndex moves past what was sent. Not in sync, it is sent probes: AppendEntries
   * without entries, at nextIndex - 1, until one succeeds (a new leader probes at its last entry).
   */
  inSync: boolean[] = [];
  /**
   * For each server, its matchIndex at the last heartbeat if entries sent to it were then waiting
   * for its acknowledgment, else -1. Still waiting at the next heartbeat, with no progress: they
   * are presumed lost, and sent again.
   */
  matchIndexAtHeartbeat: number[] = [];
  /** Part F: the change whose new servers are catching up as learners, or null. */
  membershipChange: MembershipChange | null = null;

  override onStart(): void {
    this.currentTerm = this.storage.get('currentTerm') ?? 0;
    this.votedFor = this.storage.get('votedFor') ?? null;
    this.snapshot = this.storage.get('snapshot') ?? noSnapshot;
    this.logEntries = this.entriesAfterSnapshot(this.storage.get('log') ?? []);
    this.updateConfiguration();
    if (this.snapshot.lastIncludedIndex > 0) {
      // The service lost its state with the crash: give it the snapshot, then apply from the entry after.
      this.commitIndex = this.snapshot.lastIncludedIndex;
      this.lastApplied = this.snapshot.lastIncludedIndex;
      this.output({ type: 'SnapshotInstalled', snapshot: this.snapshot });
    }
    this.resetElectionTimer();
  }

  // Inputs from the service

  override onInput(input: Raft['input']): void {
    switch (input.type) {
      case 'Start':
        this.start(input.command);
        return;
      case 'Snapshot':
        this.takeSnapshot(input.index, input.data);
        return;
      case 'ChangeMembership':
        this.changeMembership(input.add, input.remove);
        return;
      default:
        unreachable(input);
    }
  }

  // Messages

  override onMessage(from: NodeId, message: Raft['message']): void {
    switch (message.type) {
      case 'ClientRequest':
      case 'ClientReply':
      case 'ClientRedirect':
        // The key-value service (KvServer, a subclass) answers clients before Raft sees them.
        return;
      default:
        break;
    }
    // Part F: a server that hears from a leader ignores candidates, so that removed servers cannot disrupt it.
    if (message.type === 'RequestVote' && this.ignoresRequestVote()) return;
    // Rules for all servers: a term above ours means we are out of date: adopt it, as a follower.
    if (message.term > this.currentTerm) this.becomeFollower(message.term);
    switch (message.type) {
      case 'RequestVote':
        this.onRequestVote(from, message.term, message.candidateId, message.lastLogIndex, message.lastLogTerm);
        return;
      case 'RequestVoteReply':
        this.onRequestVoteReply(from, message.term, message.voteGranted);
        return;
      case 'AppendEntries':
        this.onAppendEntries(from, message);
        return;
      case 'AppendEntriesReply':
        this.onAppendEntriesReply(from, message);
        return;
      case 'InstallSnapshot':
        this.onInstallSnapshot(from, message);
        return;
      case 'InstallSnapshotReply':
        this.onInstallSnapshotReply(from, message.term, message.lastIncludedIndex);
        return;
      default:
        unreachable(message);
    }
  }

  // Timers

  override onTimer(timer: Raft['timer']): void {
    switch (timer.type) {
      case 'ElectionTimeout':
        // Followers and candidates: no word from a leader, no vote granted: stand for election.
        if (this.role === 'leader') return;
        // Part F: only a voter of its latest configuration stands for election (a learner or a removed server waits).
        if (this.isVoter()) this.startElection();
        else this.resetElectionTimer();
        return;
      case 'Heartbeat':
        if (this.role !== 'leader') return;
        for (const peer of this.replicationTargets()) this.sendHeartbeat(peer);
        this.setTimer({ type: 'Heartbeat' }, this.config.heartbeatMs);
        return;
      default:
        unreachable(timer);
    }
  }

  // RequestVote RPC, receiver

  protected onRequestVote(candidate: NodeId, term: number, candidateId: NodeId, lastLogIndex: number, lastLogTerm: number): void {
    // 1. Reply false if term < currentTerm. 2. Grant the vote if votedFor is null or candidateId,
    // and the candidate's log is at least as up-to-date as ours.
    const voteGranted =
      term === this.currentTerm &&
      (this.votedFor === null || this.votedFor === candidateId) &&
      this.isUpToDate(lastLogIndex, lastLogTerm);
    if (voteGranted) this.grantVote(candidateId);
    this.send(candidate, { type: 'RequestVoteReply', term: this.currentTerm, voteGranted });
  }

  /** Vote for the candidate, durably before the reply says so. */
  protected grantVote(candidateId: NodeId): void {
    this.votedFor = candidateId;
    this.storage.set('votedFor', candidateId);
    // Granting a vote holds our own candidacy back: the candidate may well win.
    this.resetElectionTimer();
  }

  /**
   * The up-to-date rule (section 5.4.1): the log whose last entry has the higher term is more
   * up to date; with equal last terms, the longer log is.
   */
  protected isUpToDate(lastLogIndex: number, lastLogTerm: number): boolean {
    const ourLastTerm = this.lastLogTerm();
    return lastLogTerm > ourLastTerm || (lastLogTerm === ourLastTerm && lastLogIndex >= this.lastLogIndex());
  }

  // AppendEntries RPC, receiver

  protected onAppendEntries(leader: NodeId, request: Extract<Raft['message'], { type: 'AppendEntries' }>): void {
    // 1. Reply false if term < currentTerm.
    if (request.term < this.currentTerm) {
      this.send(leader, { type: 'AppendEntriesReply', term: this.currentTerm, success: false, matchIndex: 0, conflictTerm: null, conflictIndex: 0 });
      return;
    }
    // A leader of our own term exists: a candidate steps down, and nobody stands for election for now.
    this.recognizeLeader(request);

    // 2. Reply false if the log has no entry at prevLogIndex whose term is prevLogTerm, saying
    // where the leader should look next (fast backup).
    const { prevLogIndex, prevLogTerm } = request;
    if (prevLogIndex > this.lastLogIndex()) {
      this.send(leader, {
        type: 'AppendEntriesReply',
        term: this.currentTerm,
        success: false,
        matchIndex: 0,
        conflictTerm: null,
        conflictIndex: this.lastLogIndex() + 1,
      });
      return;
    }
    if (!this.termMatches(prevLogIndex, prevLogTerm)) {
      const conflictTerm = this.termAt(prevLogIndex);
      this.send(leader, {
        type: 'AppendEntriesReply',
        term: this.currentTerm,
        success: false,
        matchIndex: 0,
        conflictTerm,
        conflictIndex: this.firstIndexOfTerm(conflictTerm),
      });
      return;
    }

    // 3. If an existing entry conflicts with a new one (same index, different term), delete it
    // and all that follow. 4. Append the new entries not already in the log. An entry that is
    // already there is kept, with whatever follows it: this request may be older than one that
    // brought more entries.
    let changed = false;
    for (const entry of request.entries) {
      if (this.holdsEntry(entry)) continue;
      if (entry.index <= this.lastLogIndex()) this.logEntries.length = entry.index - this.snapshot.lastIncludedIndex - 1;
      this.logEntries.push(copyEntry(entry));
      changed = true;
    }
    if (changed) this.persistLog();

    // 5. If leaderCommit > commitIndex, commitIndex = min(leaderCommit, index of the last new entry).
    const lastNewIndex = prevLogIndex + request.entries.length;
    this.followLeaderCommit(request.leaderCommit, lastNewIndex);
    this.send(leader, { type: 'AppendEntriesReply', term: this.currentTerm, success: true, matchIndex: lastNewIndex, conflictTerm: null, conflictIndex: 0 });
    this.applyCommitted();
  }

  /** Our entry at `index` (the log has one) has `term`. Entries up to the snapshot are committed, so they match the leader's. */
  protected termMatches(index: number, term: number): boolean {
    return index <= this.snapshot.lastIncludedIndex || this.termAt(index) === term;
  }

  /** The log already holds `entry`: the snapshot covers it, or an entry with its index and term is there (log matching: the same one). */
  protected holdsEntry(entry: LogEntry): boolean {
    return entry.index <= this.snapshot.lastIncludedIndex || (entry.index <= this.lastLogIndex() && this.termAt(entry.index) === entry.term);
  }

  /** Commit what the leader has committed, up to `lastNewIndex` only: entries past it were not checked against the leader's log. */
  protected followLeaderCommit(leaderCommit: number, lastNewIndex: number): void {
    if (leaderCommit > this.commitIndex) {
      this.commitIndex = Math.max(this.commitIndex, Math.min(leaderCommit, lastNewIndex));
    }
  }

  // Rules for servers

  /** All servers: while commitIndex > lastApplied, apply log[lastApplied + 1], in order, once each. */
  protected applyCommitted(): void {
    const applying = this.lastApplied < this.commitIndex;
    while (this.lastApplied < this.commitIndex) {
      this.lastApplied++;
      const entry = this.entryAt(this.lastApplied);
      this.output({ type: 'Applied', index: entry.index, term: entry.term, command: entry.command, ...(entry.configuration === undefined ? {} : { configuration: entry.configuration }) });
      // Part F: the leader that commits a change's last configuration says so.
      if (this.role === 'leader' && entry.configuration !== undefined && entry.configuration.newVoters === null) {
        this.output({ type: 'MembershipChanged', voters: entry.configuration.voters });
      }
    }
    if (applying) this.updateConfiguration();
  }

  /** All servers: a newer term seen in any message: adopt it (and no vote yet in it), as a follower. */
  protected becomeFollower(term: number): void {
    const wasLeader = this.role === 'leader';
    this.currentTerm = term;
    this.votedFor = null;
    this.persistTermAndVote();
    this.role = 'follower';
    this.leaderId = null;
    this.votes = [];
    if (wasLeader) this.stopLeading();
  }

  /** currentTerm and votedFor, to durable storage before anything is sent in the new term. */
  protected persistTermAndVote(): void {
    this.storage.set('currentTerm', this.currentTerm);
    this.storage.set('votedFor', this.votedFor);
  }

  /** An AppendEntries or InstallSnapshot of our term: its sender leads it. */
  protected recognizeLeader(request: LeaderRequest): void {
    if (this.role === 'candidate') {
      this.role = 'follower';
      this.votes = [];
    }
    this.leaderId = request.leaderId;
    if (this.membershipMayChange()) this.heardFromLeaderAtMs = this.now();
    this.resetElectionTimer();
  }

  /** Followers and candidates: a new timeout drawn at random in [T, 2T], so that split votes do not repeat. */
  protected resetElectionTimer(): void {
    this.cancelTimer({ type: 'ElectionTimeout' });
    this.setTimer({ type: 'ElectionTimeout' }, this.config.electionTimeoutMs);
  }

  // Candidates

  /** Increment currentTerm, vote for self, reset the election timer, send RequestVote to all other servers. */
  protected startElection(): void {
    this.currentTerm++;
    this.votedFor = this.id;
    this.persistTermAndVote();
    this.role = 'candidate';
    this.leaderId = null;
    this.votes = [this.id];
    this.resetElectionTimer();
    for (const peer of this.electorate()) {
      this.send(peer, {
        type: 'RequestVote',
        term: this.currentTerm,
        candidateId: this.id,
        lastLogIndex: this.lastLogIndex(),
        lastLogTerm: this.lastLogTerm(),
      });
    }
    // A cluster of one is its own majority.
    if (this.isQuorum(this.votes)) this.becomeLeader();
  }

  /** Votes received from a majority of servers: become leader. */
  protected onRequestVoteReply(voter: NodeId, term: number, voteGranted: boolean): void {
    if (this.role !== 'candidate' || term !== this.currentTerm || !voteGranted || this.votes.includes(voter)) return;
    this.votes.push(voter);
    this.votes.sort((left, right) => left - right);
    if (this.isQuorum(this.votes)) this.becomeLeader();
  }

  // Leaders

  /** Upon election: nextIndex after our last entry, matchIndex 0, and a heartbeat to each server at once. */
  protected becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.votes = [];
    this.cancelTimer({ type: 'ElectionTimeout' });
    const size = Math.max(...this.servers) + 1;
    this.nextIndex = new Array<number>(size).fill(this.lastLogIndex() + 1);
    this.matchIndex = new Array<number>(size).fill(0);
    this.inSync = new Array<boolean>(size).fill(false);
    this.matchIndexAtHeartbeat = new Array<number>(size).fill(-1);
    this.membershipChange = null;
    this.output({ type: 'BecameLeader', term: this.currentTerm });
    for (const peer of this.replicationTargets()) this.sendAppendEntries(peer);
    this.setTimer({ type: 'Heartbeat' }, this.config.heartbeatMs);
    // An earlier leader's joint configuration, already committed: finish its change.
    this.continueMembershipChange();
  }

  /** A leader that learns of a newer term stops sending heartbeats and waits for a leader again. */
  protected stopLeading(): void {
    this.cancelTimer({ type: 'Heartbeat' });
    this.nextIndex = [];
    this.matchIndex = [];
    this.inSync = [];
    this.matchIndexAtHeartbeat = [];
    this.membershipChange = null;
    this.resetElectionTimer();
  }

  /** A command from the service: append it to the log (durably), answer Started, send it to each follower that has all before it. */
  protected start(command: string): void {
    if (this.role !== 'leader') {
      this.output({ type: 'NotLeader', command, leader: this.leaderId });
      return;
    }
    const entry: LogEntry = { index: this.lastLogIndex() + 1, term: this.currentTerm, command };
    this.logEntries.push(entry);
    this.persistLog();
    this.output({ type: 'Started', command, index: entry.index, term: entry.term });
    this.replicateNewEntry();
  }

  /** A new entry of the leader's: send it to each follower that has all before it, and commit what can be. */
  protected replicateNewEntry(): void {
    // A follower still busy with earlier entries gets this one with the next batch, when it answers.
    for (const peer of this.replicationTargets()) if (this.isIdle(peer)) this.sendAppendEntries(peer);
    this.advanceCommitIndex();
  }

  /** Part F: the leader appends a configuration entry (durably), in force at once, and replicates it. */
  protected appendConfiguration(configuration: Configuration): void {
    this.logEntries.push({ index: this.lastLogIndex() + 1, term: this.currentTerm, command: '', configuration });
    this.persistLog();
    this.replicateNewEntry();
  }

  /**
   * To a follower in sync, the entries it lacks from nextIndex on (at most maxEntriesPerMessage;
   * none: a heartbeat), and nextIndex moves past them; to one not in sync, a probe at nextIndex - 1;
   * to one that needs entries the snapshot has replaced, the snapshot.
   */
  protected sendAppendEntries(peer: NodeId): void {
    const nextIndex = this.nextIndex[peer]!;
    if (nextIndex <= this.snapshot.lastIncludedIndex) {
      this.send(peer, { type: 'InstallSnapshot', term: this.currentTerm, leaderId: this.id, snapshot: this.snapshot });
      return;
    }
    const first = nextIndex - this.snapshot.lastIncludedIndex - 1;
    const entries = this.inSync[peer] ? this.logEntries.slice(first, first + maxEntriesPerMessage) : [];
    this.sendEntries(peer, nextIndex - 1, entries);
    this.nextIndex[peer] = nextIndex + entries.length;
  }

  /** AppendEntries with `entries` after prevLogIndex, and what the leader has committed. */
  protected sendEntries(peer: NodeId, prevLogIndex: number, entries: LogEntry[]): void {
    this.send(peer, {
      type: 'AppendEntries',
      term: this.currentTerm,
      leaderId: this.id,
      prevLogIndex,
      prevLogTerm: this.termAt(prevLogIndex),
      entries,
      leaderCommit: this.commitIndex,
    });
  }

  /** In sync, and every entry sent has been acknowledged: the next batch can go. */
  protected isIdle(peer: NodeId): boolean {
    return this.inSync[peer]! && this.matchIndex[peer]! + 1 === this.nextIndex[peer];
  }

  /**
   * Every heartbeatMs, each follower hears from the leader. One waiting for entries in flight gets
   * an AppendEntries at the last index it acknowledged (one at nextIndex - 1 could overtake the
   * entries and fail); if it acknowledged nothing for a whole period, they are sent again.
   * Any other gets what sendAppendEntries sends: a heartbeat, a batch, a probe or the snapshot.
   */
  protected sendHeartbeat(peer: NodeId): void {
    const matchIndex = this.matchIndex[peer]!;
    const waiting = this.inSync[peer]! && matchIndex + 1 < this.nextIndex[peer]!;
    if (waiting && this.matchIndexAtHeartbeat[peer] !== matchIndex) {
      this.sendEntries(peer, Math.max(matchIndex, this.snapshot.lastIncludedIndex), []);
    } else {
      if (waiting) this.nextIndex[peer] = matchIndex + 1;
      this.sendAppendEntries(peer);
    }
    this.matchIndexAtHeartbeat[peer] = this.inSync[peer]! && matchIndex + 1 < this.nextIndex[peer]! ? matchIndex : -1;
  }

  /**
   * Success: update nextIndex and matchIndex for the follower, and send it what else it lacks.
   * Failure by inconsistency: move nextIndex back, a whole term at a time, and retry.
   */
  protected onAppendEntriesReply(follower: NodeId, reply: Extract<Raft['message'], { type: 'AppendEntriesReply' }>): void {
    if (this.role !== 'leader' || reply.term !== this.currentTerm) return;
    if (reply.success) {
      if (reply.matchIndex > this.matchIndex[follower]!) this.matchIndex[follower] = reply.matchIndex;
      this.nextIndex[follower] = Math.max(this.nextIndex[follower]!, this.matchIndex[follower]! + 1);
      this.inSync[follower] = true;
      this.advanceCommitIndex();
      this.continueMembershipChange();
      // All that was sent has arrived, and there is more (a follower catching up, batch by batch).
      if (this.role === 'leader' && this.isIdle(follower) && this.nextIndex[follower]! <= this.lastLogIndex() && this.replicatesTo(follower)) this.sendAppendEntries(follower);
      return;
    }
    this.inSync[follower] = false;
    this.nextIndex[follower] = this.backedUpNextIndex(follower, reply.conflictTerm, reply.conflictIndex);
    if (this.replicatesTo(follower)) this.sendAppendEntries(follower);
  }

  /**
   * Fast backup: when the follower's log is too short, continue just after its end; when its
   * entry there has another term, skip that whole term: to just after our last entry of that
   * term if we have one, else to the follower's first entry of it. Never below what the
   * follower is known to hold, nor past our own log.
   */
  protected backedUpNextIndex(follower: NodeId, conflictTerm: number | null, conflictIndex: number): number {
    let nextIndex = conflictIndex;
    if (conflictTerm !== null) {
      const lastOfTerm = this.lastIndexOfTerm(conflictTerm);
      if (lastOfTerm !== null) nextIndex = lastOfTerm + 1;
    }
    return Math.min(Math.max(nextIndex, this.matchIndex[follower]! + 1, 1), this.lastLogIndex() + 1);
  }

  /**
   * Commit N if a majority has matchIndex >= N and log[N].term == currentTerm (sections 5.3,
   * 5.4). Only entries of the current term are committed by counting replicas; earlier ones are
   * committed with them (Figure 8: an old-term entry on a majority can still be overwritten).
   */
  protected advanceCommitIndex(): void {
    if (this.role !== 'leader') return;
    // Part F: during joint consensus, on a majority of C_old and on a majority of C_new.
    let onQuorum = Number.POSITIVE_INFINITY;
    for (const voters of this.quorumSets(this.configuration)) {
      const replicated = voters.map((server) => (server === this.id ? this.lastLogIndex() : (this.matchIndex[server] ?? 0)));
      replicated.sort((left, right) => right - left);
      onQuorum = Math.min(onQuorum, replicated[Math.floor(voters.length / 2)] ?? 0);
    }
    if (onQuorum > this.commitIndex && this.mayCommit(onQuorum)) {
      this.commitIndex = onQuorum;
      this.applyCommitted();
      this.continueMembershipChange();
    }
  }

  /** An entry on a majority may be committed by counting only if it is of the current term. */
  protected mayCommit(index: number): boolean {
    return this.termAt(index) === this.currentTerm;
  }

  // Log compaction (section 7)

  /**
   * The service has folded every entry up to `index` into `data`: keep that as the snapshot and
   * discard the entries it covers. The snapshot is written first, then the shorter log: after a
   * crash between the two, the old log still holds every entry, and onStart drops those the
   * snapshot covers.
   */
  protected takeSnapshot(index: number, data: string): void {
    if (index <= this.snapshot.lastIncludedIndex || index > this.lastApplied) return;
    const lastIncludedTerm = this.termAt(index);
    const configuration = this.configurationAt(index)?.configuration;
    this.logEntries = this.logEntries.slice(index - this.snapshot.lastIncludedIndex);
    this.snapshot = { lastIncludedIndex: index, lastIncludedTerm, data, ...(configuration === undefined ? {} : { configuration }) };
    this.storage.set('snapshot', this.snapshot);
    this.persistLog();
  }

  /** InstallSnapshot RPC, receiver: replace the log's prefix (or all of it) with the leader's snapshot. */
  protected onInstallSnapshot(leader: NodeId, request: Extract<Raft['message'], { type: 'InstallSnapshot' }>): void {
    const { term } = request;
    const snapshot: Snapshot = request.snapshot;
    if (term < this.currentTerm) {
      this.send(leader, { type: 'InstallSnapshotReply', term: this.currentTerm, lastIncludedIndex: snapshot.lastIncludedIndex });
      return;
    }
    this.recognizeLeader(request);
    // A snapshot of entries already applied would take the service back in time: it is not needed.
    if (snapshot.lastIncludedIndex > this.lastApplied) {
      // Keep the entries after the snapshot if our log has its last entry; else the log is wrong from there on.
      const keepsLog = snapshot.lastIncludedIndex < this.lastLogIndex() && this.termAt(snapshot.lastIncludedIndex) === snapshot.lastIncludedTerm;
      this.logEntries = keepsLog ? this.logEntries.slice(snapshot.lastIncludedIndex - this.snapshot.lastIncludedIndex) : [];
      const { configuration } = snapshot;
      this.snapshot = {
        lastIncludedIndex: snapshot.lastIncludedIndex,
        lastIncludedTerm: snapshot.lastIncludedTerm,
        data: snapshot.data,
        ...(configuration === undefined ? {} : { configuration }),
      };
      this.storage.set('snapshot', this.snapshot);
      this.persistLog();
      this.commitIndex = Math.max(this.commitIndex, snapshot.lastIncludedIndex);
      this.lastApplied = snapshot.lastIncludedIndex;
      this.output({ type: 'SnapshotInstalled', snapshot: this.snapshot });
    }
    this.send(leader, { type: 'InstallSnapshotReply', term: this.currentTerm, lastIncludedIndex: snapshot.lastIncludedIndex });
    this.applyCommitted();
  }

  /** The follower holds everything up to the snapshot: continue after it. */
  protected onInstallSnapshotReply(follower: NodeId, term: number, lastIncludedIndex: number): void {
    if (this.role !== 'leader' || term !== this.currentTerm) return;
    if (lastIncludedIndex > this.matchIndex[follower]!) this.matchIndex[follower] = lastIncludedIndex;
    this.nextIndex[follower] = Math.max(this.nextIndex[follower]!, this.matchIndex[follower]! + 1);
    this.inSync[follower] = true;
    this.advanceCommitIndex();
    this.continueMembershipChange();
    if (this.role === 'leader' && this.isIdle(follower) && this.nextIndex[follower]! <= this.lastLogIndex() && this.replicatesTo(follower)) this.sendAppendEntries(follower);
  }

  // The log, across the snapshot

  /** Stored entries, without those the snapshot covers, and without any that cannot follow it. */
  protected entriesAfterSnapshot(stored: readonly LogEntry[]): LogEntry[] {
    const { lastIncludedIndex, lastIncludedTerm } = this.snapshot;
    const atSnapshot = stored.find((entry) => entry.index === lastIncludedIndex);
    // An entry at the snapshot's index with another term starts a history the snapshot replaced.
    if (atSnapshot !== undefined && atSnapshot.term !== lastIncludedTerm) return [];
    const after = stored.filter((entry) => entry.index > lastIncludedIndex);
    return after.length > 0 && after[0]!.index !== lastIncludedIndex + 1 ? [] : after;
  }

  protected lastLogIndex(): number {
    return this.snapshot.lastIncludedIndex + this.logEntries.length;
  }

  protected lastLogTerm(): number {
    return this.logEntries.length > 0 ? this.logEntries[this.logEntries.length - 1]!.term : this.snapshot.lastIncludedTerm;
  }

  /** The term of the entry at `index` (from the snapshot's index to the last entry). */
  protected termAt(index: number): number {
    if (index === this.snapshot.lastIncludedIndex) return this.snapshot.lastIncludedTerm;
    return this.entryAt(index).term;
  }

  protected entryAt(index: number): LogEntry {
    const entry = this.logEntries[index - this.snapshot.lastIncludedIndex - 1];
    if (entry === undefined) throw new Error(`no entry at index ${index} (the log holds ${this.snapshot.lastIncludedIndex + 1} to ${this.lastLogIndex()})`);
    return entry;
  }

  /** The first index of the log (after the snapshot) whose entry has `term`; terms never decrease along a log. */
  protected firstIndexOfTerm(term: number): number {
    let low = 0;
    let high = this.logEntries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.logEntries[middle]!.term < term) low = middle + 1;
      else high = middle;
    }
    return this.snapshot.lastIncludedIndex + 1 + low;
  }

  /** The last index whose entry has `term` (the snapshot's last entry included), or null if no entry has it. */
  protected lastIndexOfTerm(term: number): number | null {
    let low = 0;
    let high = this.logEntries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.logEntries[middle]!.term <= term) low = middle + 1;
      else high = middle;
    }
    if (low > 0) return this.logEntries[low - 1]!.term === term ? this.snapshot.lastIncludedIndex + low : null;
    return this.snapshot.lastIncludedIndex > 0 && this.snapshot.lastIncludedTerm === term ? this.snapshot.lastIncludedIndex : null;
  }

  /** A majority of all the servers (the quorum before any membership change, with config.initialVoters absent). */
  protected majority(): number {
    return Math.floor(this.servers.length / 2) + 1;
  }

  /** The log, to durable storage; the configuration in force may have changed with it. */
  protected persistLog(): void {
    this.storage.set('log', this.logEntries);
    this.updateConfiguration();
  }

  // Membership change (part F; the Raft thesis, section 4.3: joint consensus)

  /**
   * The configuration in force: that of the latest configuration entry in the log, from the
   * moment it is there, committed or not (a server that waited for the commit could count votes
   * with a configuration the leader has already left); else the one the snapshot remembers;
   * else config.initialVoters, by default every server.
   */
  protected updateConfiguration(): void {
    const latest = this.configurationAt(this.lastLogIndex());
    this.configuration = latest?.configuration ?? { voters: sortedIds(this.config.initialVoters ?? this.servers), newVoters: null };
    this.configurationIndex = latest?.index ?? 0;
  }

  /** The latest configuration entry at or before `index` (the snapshot's included), or undefined when there is none. */
  protected configurationAt(index: number): { readonly configuration: Configuration; readonly index: number } | undefined {
    for (let position = Math.min(index - this.snapshot.lastIncludedIndex, this.logEntries.length) - 1; position >= 0; position--) {
      const entry = this.logEntries[position]!;
      if (entry.configuration !== undefined) return { configuration: entry.configuration, index: entry.index };
    }
    const { configuration } = this.snapshot;
    return configuration === undefined ? undefined : { configuration, index: this.snapshot.lastIncludedIndex };
  }

  /** The sets whose majorities elect a leader and commit an entry: C_old alone, or during joint consensus C_old and C_new. */
  protected quorumSets(configuration: Configuration): readonly (readonly NodeId[])[] {
    return configuration.newVoters === null ? [configuration.voters] : [configuration.voters, configuration.newVoters];
  }

  /** `nodes` hold a majority of every set that decides. */
  protected isQuorum(nodes: readonly NodeId[]): boolean {
    return this.quorumSets(this.configuration).every((voters) => voters.filter((voter) => nodes.includes(voter)).length >= Math.floor(voters.length / 2) + 1);
  }

  /** This server votes in its latest configuration (in C_old or in C_new): only then may it stand for election. */
  protected isVoter(): boolean {
    return this.configuration.voters.includes(this.id) || (this.configuration.newVoters?.includes(this.id) ?? false);
  }

  /** Whom a candidate asks for votes: every other voter of its configuration, both sets during a change. */
  protected electorate(): NodeId[] {
    return sortedIds([...this.configuration.voters, ...(this.configuration.newVoters ?? [])]).filter((server) => server !== this.id);
  }

  /** Whom the leader replicates to: every other voter, and the learners of a change catching up. */
  protected replicationTargets(): NodeId[] {
    const learners = this.membershipChange?.newVoters ?? [];
    return sortedIds([...this.configuration.voters, ...(this.configuration.newVoters ?? []), ...learners]).filter((server) => server !== this.id);
  }

  protected replicatesTo(peer: NodeId): boolean {
    return this.replicationTargets().includes(peer);
  }

  /**
   * A RequestVote that comes within the minimum election timeout of hearing from a leader is
   * ignored: no term adopted, no vote (thesis, section 4.2.3). A server removed from the cluster
   * no longer hears from the leader, times out and stands for election with ever higher terms;
   * without this rule each of its candidacies would depose the leader.
   */
  protected ignoresRequestVote(): boolean {
    if (!this.membershipMayChange()) return false;
    if (this.role === 'leader') return true;
    return this.heardFromLeaderAtMs !== null && this.now() - this.heardFromLeaderAtMs < this.config.electionTimeoutMs[0];
  }

  /**
   * Whether servers may have been removed: a configuration entry is in the log (or the snapshot),
   * or the test chose the first voters. Until then every server votes, none can have been
   * removed, and the clock is not read: parts A to D are model-checked, and a search has no clock.
   */
  protected membershipMayChange(): boolean {
    return this.configurationIndex > 0 || this.config.initialVoters !== undefined;
  }

  /**
   * ChangeMembership, on the leader: the new servers are first caught up as learners (they are
   * sent the log but do not count), then the joint configuration is appended; the rest is
   * continueMembershipChange's. Refused while another change is in progress, or before this
   * leader has committed an entry of its own term; any other server refuses, naming the leader.
   */
  protected changeMembership(add: readonly NodeId[], remove: readonly NodeId[]): void {
    const refuse = (reason: string) => this.output({ type: 'MembershipRefused', add, remove, leader: this.leaderId, reason });
    if (this.role !== 'leader') {
      refuse('this server does not lead');
      return;
    }
    const unknown = add.filter((server) => !this.servers.includes(server));
    if (unknown.length > 0) {
      refuse(`no server has id ${unknown.join(', ')}`);
      return;
    }
    const reason = this.membershipRefusal();
    if (reason !== null) {
      refuse(reason);
      return;
    }
    // The voters once any change already in the log is done (outside a change: the voters).
    const current = this.configuration.newVoters ?? this.configuration.voters;
    const newVoters = sortedIds([...current, ...add]).filter((server) => !remove.includes(server));
    if (newVoters.length === 0) {
      refuse('the new configuration would have no voter');
      return;
    }
    this.membershipChange = { add: [...add], remove: [...remove], newVoters, catchUpIndex: this.lastLogIndex() };
    for (const learner of newVoters) {
      if (current.includes(learner)) continue;
      this.nextIndex[learner] = this.lastLogIndex() + 1;
      this.matchIndex[learner] = 0;
      this.inSync[learner] = false;
      this.matchIndexAtHeartbeat[learner] = -1;
      this.sendAppendEntries(learner);
    }
    this.continueMembershipChange();
  }

  /** Why the leader will not start a change now, or null. */
  protected membershipRefusal(): string | null {
    if (this.membershipChange !== null) return 'another change is in progress: its new servers are catching up';
    if (this.configuration.newVoters !== null) return 'another change is in progress: the joint configuration is in force';
    if (this.configurationIndex > this.commitIndex) return 'the latest configuration is not committed yet';
    // The fix to the single-server bug of 2015: an earlier leader's uncommitted change may still be in the logs of others.
    if (this.commitIndex === 0 || this.termAt(this.commitIndex) !== this.currentTerm) return 'this leader has not committed an entry of its own term yet';
    return null;
  }

  /** Every server the change adds has caught up (a server that votes already needs not). */
  protected learnersCaughtUp(change: MembershipChange): boolean {
    const current = this.configuration.newVoters ?? this.configuration.voters;
    return change.newVoters.every((server) => current.includes(server) || this.caughtUp(server, change));
  }

  /** A learner has caught up: it holds what the leader had when the change was asked for. */
  protected caughtUp(learner: NodeId, change: MembershipChange): boolean {
    const matchIndex = this.matchIndex[learner] ?? 0;
    return (this.inSync[learner] ?? false) && matchIndex >= change.catchUpIndex;
  }

  /**
   * The leader's next step of a change, after each acknowledgment and commit: once the learners
   * have caught up, append C_old,new; once that is committed, append C_new; once that is
   * committed (MembershipChanged is output as it is applied), a leader that is not in it steps down.
   */
  protected continueMembershipChange(): void {
    if (this.role !== 'leader') return;
    const change = this.membershipChange;
    if (change !== null) {
      if (!this.learnersCaughtUp(change)) return;
      const current = this.configuration.newVoters ?? this.configuration.voters;
      this.membershipChange = null;
      this.appendConfiguration({ voters: current, newVoters: change.newVoters });
      return;
    }
    if (this.configurationIndex > this.commitIndex) return;
    if (this.configuration.newVoters !== null) {
      this.appendConfiguration({ voters: this.configuration.newVoters, newVoters: null });
      return;
    }
    this.stepDownIfRemoved();
  }

  /**
   * A leader not in the committed C_new steps down: it tells the followers what is committed,
   * stops its heartbeats, and never stands for election while it is not a voter.
   */
  protected stepDownIfRemoved(): void {
    if (this.isVoter()) return;
    for (const peer of this.replicationTargets()) this.sendEntries(peer, Math.max(this.matchIndex[peer] ?? 0, this.snapshot.lastIncludedIndex), []);
    this.role = 'follower';
    this.leaderId = null;
    this.stopLeading();
  }
}

/** A copy of an entry the leader sent, with its configuration if it has one. */
function copyEntry(entry: LogEntry): LogEntry {
  const { index, term, command, configuration } = entry;
  return configuration === undefined ? { index, term, command } : { index, term, command, configuration };
}
