import { Node, unreachable, type NodeId } from 'distlab';
import type { LogEntry, Raft, Snapshot } from './protocol.ts';

/**
 * Raft: every server runs this class. It is a follower, a candidate or the leader of its
 * current term. Log indexes count from 1; index 0 with term 0 stands for "before the first
 * entry". Read the paper's Figure 2 next to this file: its sections are the sections below.
 *
 * What the tests watch: this.output({ type: 'BecameLeader', term }) when this node wins an
 * election; Started or NotLeader in answer to each Start; Applied for each committed entry, in
 * index order, exactly once; SnapshotInstalled (part D) when the service's state is replaced by
 * a snapshot. They also read the messages and this.storage (currentTerm, votedFor, log, snapshot).
 * Part F adds MembershipChanged and MembershipRefused (see changeMembership at the end), and
 * Applied outputs for configuration entries, with their `configuration`.
 */
export class RaftNode extends Node<Raft> {
  // State. Fields are this node's volatile memory (plain data only); a crash loses them.
  //
  // Persistent on all servers (keep a copy in this.storage under the same names, and write it
  // BEFORE sending any message that depends on it):
  //   currentTerm: the latest term this server has seen (0 at first, never decreases);
  //   votedFor: the candidate this server voted for in currentTerm, or null;
  //   the log: its entries, each { index, term, command } (the field cannot be called `log`:
  //     this.log() writes a line in the trace), and in part D the snapshot that replaced its prefix.
  // Volatile on all servers: commitIndex (highest index known committed), lastApplied (highest
  //   index applied), the role (follower, candidate, leader), who leads (for NotLeader), and
  //   for a candidate, who voted for it.
  // Volatile on the leader, reset after each election: nextIndex[server] (the next entry to send
  //   it) and matchIndex[server] (the highest entry known to be replicated on it).
  // Part F, derived from the log (recompute it whenever the log changes, and after a restart):
  //   the configuration in force, { voters, newVoters }: that of the LATEST configuration entry
  //   in the log, committed or not; else the one the snapshot replaced (a snapshot must remember
  //   it); else { voters: this.config.initialVoters ?? this.servers, newVoters: null }.

  /** The latest term this server has seen. */
  currentTerm = 0;
  /** Who this server voted for in currentTerm. */
  votedFor: NodeId | null = null;
  /** The log's entries (after the snapshot, in part D). */
  logEntries: LogEntry[] = [];
  /** Part D: the snapshot that replaced the log's prefix (index 0: none yet). */
  snapshot: Snapshot = { lastIncludedIndex: 0, lastIncludedTerm: 0, data: '' };
  commitIndex = 0;
  lastApplied = 0;
  role: 'follower' | 'candidate' | 'leader' = 'follower';

  override onStart(): void {
    this.restore();
    // TODO (election): every server starts as a follower, with an election timer drawn at random
    // in this.config.electionTimeoutMs: this.setTimer({ type: 'ElectionTimeout' }, this.config.electionTimeoutMs).
  }

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

  override onMessage(from: NodeId, message: Raft['message']): void {
    // TODO (every message): if its term is above currentTerm, this server is out of date: adopt
    // the term, forget its vote (votedFor = null), store both, and become a follower. A leader
    // that steps down stops its heartbeats and starts an election timer again.
    // TODO (part F, before the rule above): a server that heard from the leader of its term less
    // than this.config.electionTimeoutMs[0] ago (or that leads) ignores a RequestVote entirely: it
    // adopts no term and grants no vote. A removed server no longer hears from the leader and
    // stands for election again and again; without this rule its terms would depose the leader.
    // Measure with this.now(), but only once membership may change (a configuration entry in the
    // log, or this.config.initialVoters given): parts A to D are also model-checked, and under
    // search this.now() throws (a search has no clock).
    switch (message.type) {
      case 'RequestVote':
        this.onRequestVote(from, message);
        return;
      case 'RequestVoteReply':
        this.onRequestVoteReply(from, message);
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
        this.onInstallSnapshotReply(from, message);
        return;
      case 'ClientRequest':
      case 'ClientReply':
      case 'ClientRedirect':
        // Part E: the key-value service (KvServer, a subclass) answers clients before Raft sees them.
        return;
      default:
        unreachable(message);
    }
  }

  override onTimer(timer: Raft['timer']): void {
    switch (timer.type) {
      case 'ElectionTimeout':
        this.onElectionTimeout();
        return;
      case 'Heartbeat':
        this.onHeartbeat();
        return;
      default:
        unreachable(timer);
    }
  }

  // Election

  protected onElectionTimeout(): void {
    // TODO: a follower or candidate that heard from no leader and granted no vote for a whole
    // timeout stands for election: currentTerm + 1, a vote for itself (store both first), the
    // candidate role, a new random timeout, and RequestVote to every other server with the
    // index and term of its last log entry (0 and 0 for an empty log).
    // TODO (part F): only a voter of its latest configuration (in voters or in newVoters) stands
    // for election; a learner or a removed server just waits for another timeout. RequestVote
    // goes to every other voter of the configuration, both sets during a change.
  }

  protected onRequestVote(candidate: NodeId, request: Extract<Raft['message'], { type: 'RequestVote' }>): void {
    // TODO: refuse a term below currentTerm. Grant the vote only if this server has not voted
    // for someone else in this term AND the candidate's log is at least as up-to-date as its
    // own: the candidate's last term is higher, or the last terms are equal and its log is at
    // least as long. Store votedFor before the reply goes out, and restart the election timer
    // when granting. Reply with currentTerm and whether the vote was granted.
  }

  protected onRequestVoteReply(voter: NodeId, reply: Extract<Raft['message'], { type: 'RequestVoteReply' }>): void {
    // TODO: a candidate counts the votes granted in its current term, each voter once, its own
    // vote included (once). With a majority of all the servers it becomes leader: output
    // BecameLeader, cancel its election timer, set nextIndex to its last index + 1 and
    // matchIndex to 0 for every server, send each an AppendEntries at once, and start the
    // Heartbeat timer (this.config.heartbeatMs).
    // TODO (part F): "a majority" is of the voters of the candidate's latest configuration; while
    // it is joint (newVoters not null), a majority of voters AND a majority of newVoters.
  }

  // Replication

  protected start(command: string): void {
    // TODO: only the leader takes commands. It appends { index: its last index + 1, term:
    // currentTerm, command } to its log (stored before anything that depends on it is sent),
    // answers Started with that index and term, and sends the entry to the followers. Any other
    // server answers NotLeader with the leader it knows of, or null.
  }

  protected onHeartbeat(): void {
    // TODO: every this.config.heartbeatMs, the leader sends each follower an AppendEntries: its
    // term, prevLogIndex = nextIndex - 1 and that entry's term, the entries from nextIndex on
    // (a bounded batch; none makes a heartbeat), and leaderCommit. Send each follower only what
    // it lacks, and each entry about once: while a batch to a follower is in flight, its
    // heartbeats carry no entries, and the batch goes again only if still unacknowledged after a
    // whole heartbeat period (the handout's "Sending entries, each about once"; the tests count
    // the entries sent).
    // TODO (part F): "each follower" is every other voter of the configuration (both sets during
    // a change) and the learners of a change in progress; a removed server is no longer sent anything.
  }

  protected onAppendEntries(leader: NodeId, request: Extract<Raft['message'], { type: 'AppendEntries' }>): void {
    // TODO: refuse a term below currentTerm. Otherwise the sender leads this term: a candidate
    // steps down, and the election timer restarts (that is what a heartbeat is for).
    // TODO (consistency check): refuse if the log has no entry at prevLogIndex whose term is
    // prevLogTerm, and help the leader skip back: conflictTerm is the term of your entry at
    // prevLogIndex and conflictIndex the first index you hold with that term; when your log is
    // too short, conflictTerm is null and conflictIndex is the index after your last entry.
    // TODO: where one of your entries has the same index as a new one but another term, delete
    // it and all that follow; append the new entries you do not have. Entries you already hold
    // stay, and so does what follows them: a delayed, older request must not cut the log short.
    // TODO (part F): copy each entry whole, its `configuration` included; a configuration entry
    // takes effect here as soon as it is in the log (and goes when a conflicting leader cuts it).
    // TODO: store the log, then reply success with matchIndex = prevLogIndex + entries.length.
    // If leaderCommit > commitIndex, commitIndex = min(leaderCommit, that matchIndex); apply.
  }

  protected onAppendEntriesReply(follower: NodeId, reply: Extract<Raft['message'], { type: 'AppendEntriesReply' }>): void {
    // TODO: the leader, for a reply of its current term. On success, raise the follower's
    // matchIndex and nextIndex, and send it the rest if it still lacks entries. On failure, move
    // nextIndex back a whole term at a time: to just after your own last entry of conflictTerm
    // if you have one, else to conflictIndex (never to matchIndex or below: the follower is
    // known to hold those); then send again. (One entry back per reply is too
    // slow for a follower 50 entries off: the tests count the messages.)
    // TODO (commit): commitIndex = N when a majority of the servers (the leader counts itself)
    // have matchIndex >= N AND the entry at N has the leader's current term. An entry of an
    // older term is never committed by counting its replicas (Figure 8): it is committed with
    // the first entry of the current term after it.
    // TODO (part F): count the voters of the leader's latest configuration (the leader itself only
    // if it is one); while it is joint, N needs a majority of voters AND a majority of newVoters.
    // A learner counts for nothing. After each acknowledgment and commit, take the next step of a
    // change in progress (see changeMembership).
  }

  protected applyCommitted(): void {
    // TODO: while lastApplied < commitIndex, apply the entry after lastApplied: output
    // Applied { index, term, command }. In index order, each index once, never an entry that is
    // not committed.
    // TODO (part F): a configuration entry's Applied carries its `configuration` too. The leader
    // that commits the configuration ending a change (newVoters null) outputs MembershipChanged.
  }

  // Persistence

  protected restore(): void {
    // TODO: after a restart, this.storage is all a server remembers. Read currentTerm, votedFor
    // and the log back (a key never written: term 0, no vote, an empty log).
    // Everything above writes with this.storage.set BEFORE it sends the message that depends on
    // it: the vote before the RequestVoteReply, the new term before any message of that term,
    // the log before the AppendEntriesReply. The tests crash servers between the two.
  }

  // Snapshots (part D)

  protected takeSnapshot(index: number, data: string): void {
    // TODO: the service has applied every entry up to index and folded them into data. Keep
    // { lastIncludedIndex: index, lastIncludedTerm: the term of that entry, data } as the
    // snapshot and discard the entries it covers. Store the snapshot first, then the shorter
    // log: after a crash between the two writes, the old log still holds every entry. Ignore a
    // snapshot no newer than the one you have.
    // TODO (part F): the snapshot replaces the entries that may hold the latest configuration: keep
    // the configuration in force at `index` in the snapshot's `configuration` field (stored, and
    // sent with InstallSnapshot).
    // TODO (restore): with a stored snapshot, drop the log entries it covers, output
    // SnapshotInstalled with it (the service lost its state in the crash), and take its
    // lastIncludedIndex as commitIndex and lastApplied: applying resumes at the entry after it.
    // TODO (leader): a follower whose nextIndex is at or below the snapshot's lastIncludedIndex
    // needs entries you no longer have: send it InstallSnapshot instead of AppendEntries.
  }

  protected onInstallSnapshot(leader: NodeId, request: Extract<Raft['message'], { type: 'InstallSnapshot' }>): void {
    // TODO: as for AppendEntries, refuse an old term, else recognize the leader and restart the
    // election timer. A snapshot past lastApplied replaces the log's prefix: keep your entries
    // after it only if your entry at its lastIncludedIndex has its lastIncludedTerm, else drop
    // the whole log. Store the snapshot, then the log; output SnapshotInstalled; commitIndex and
    // lastApplied become at least its lastIncludedIndex. Reply with its lastIncludedIndex.
  }

  protected onInstallSnapshotReply(follower: NodeId, reply: Extract<Raft['message'], { type: 'InstallSnapshotReply' }>): void {
    // TODO: the follower holds everything up to lastIncludedIndex: raise its matchIndex and
    // nextIndex, and continue with AppendEntries from there.
  }

  // Membership change (part F)

  protected changeMembership(add: readonly NodeId[], remove: readonly NodeId[]): void {
    // TODO: only the leader changes the membership; any other server answers MembershipRefused
    // with the leader it knows of (null if none) and a reason.
    // TODO (refuse, or queue): while another change is in progress (new servers still catching
    // up, the latest configuration joint, or the latest configuration entry not yet committed),
    // and until this leader has committed an entry of its own term: an earlier leader's
    // uncommitted change may still be in other servers' logs (the handout's 2015 bug).
    // TODO (learners): new voters = the voters, plus add, minus remove. Each added server first
    // joins as a learner: the leader sends it the log (AppendEntries or InstallSnapshot) but it
    // counts in no majority, until it holds what the leader had when the change was asked for.
    // TODO (joint consensus): then append the configuration entry { index, term, command: '',
    // configuration: { voters: old, newVoters: new } } (it takes effect at once, on the leader
    // too); once it is committed, append { voters: new, newVoters: null }; once that one is
    // committed, output MembershipChanged { voters: new }. A new leader that finds a committed
    // joint configuration at the end of its log finishes the change itself.
    // TODO (removed leader): a leader that is not in the new voters steps down once the last
    // configuration is committed: it stops its heartbeats and, not being a voter, never stands
    // for election again.
    void add;
    void remove;
  }
}
