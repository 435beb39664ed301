// Small Raft configurations for the model checker (the search tests). Only the cluster is
// built here: the properties are the suite's own, from checks.ts, the same objects the
// randomized runs check.
//
// The model checker gives inputs only in the initial state, before any server leads, so a
// Start there is declined (NotLeader) and never reaches a log. The logs a search begins with
// are left instead by earlier leaders, played by one client node (the last id). Each is
// elected as Raft elects, with the votes of a majority, so no server can lead its term too in
// any order of deliveries; then it sends the AppendEntries it sent. Breadth-first search lets no
// server stand for election until that history has been delivered (a state where one would is
// not explored further); random walks (probe) apply no such bound and may interleave the two,
// which is still a history Raft must survive, only a longer one.
import { Node, type ClusterView, type NodeClass, type NodeId, type SearchSettings } from 'distlab/testing';
import { leaderIsElected, safetyProperties, storedTerm } from './checks.ts';
import type { LogEntry, Raft } from './src/protocol.ts';

/**
 * What earlier leaders left in the servers' logs (n0, n1, n2 are the first three servers):
 *
 * - `none`: empty logs; the search is about elections alone.
 * - `committed`: the leader of term 1 (elected by n0 and n1) replicated ⟨1, term 1, "a"⟩ on n0
 *   and n1, then told them it is committed (they apply it); n2 heard only its heartbeat and
 *   holds nothing. A server that votes without the up-to-date check can make n2 the leader of
 *   term 2, without "a".
 * - `conflicting`: the leader of term 1 (elected by n0 and n2) put ⟨1, term 1, "a"⟩ on n0 only;
 *   the leader of term 2 (elected by n1 and n2) put ⟨1, term 2, "b"⟩ on n1 only; n0 and n2
 *   heard term 2's heartbeat, n2 holds nothing.
 *   This is the paper's Figure 8 on three servers: n0 can lead term 3 with n2's vote and copy
 *   "a" to n2, a majority, but "a" is not of term 3, so it is not committed; n1 can then lead
 *   term 4 with n2's vote and replace it with "b". A leader that counts replicas of "a" commits
 *   an entry that is then lost.
 */
export type EarlierHistory = 'none' | 'committed' | 'conflicting';

export interface RaftConfiguration {
  /** Servers (default 3). */
  readonly servers?: number;
  /** What the servers' logs hold when the search begins (default `none`). */
  readonly history?: EarlierHistory;
  /** The highest term a server may reach: a state where one has gone past it is checked but not explored further. */
  readonly maxTerm: number;
  /** Crashes (and restarts) of servers the search may add, in all. */
  readonly crashes?: number;
  /** With crashes: a server may also crash in the middle of a reaction, after 0..k-1 of its sends, writes and outputs. */
  readonly midReaction?: number;
  readonly drops?: boolean;
  /** May the network deliver a message again (the network is then a set)? */
  readonly duplicates?: boolean;
  /**
   * At most this many messages in flight on each link (from one node to another): a state with
   * more is checked but not explored further. A leader's heartbeats then wait for the one before
   * to arrive, which keeps the space small without hiding an order of deliveries that matters.
   */
  readonly linkCapacity?: number;
}

/** A configuration and the depth to which breadth-first search explores it. */
export interface SearchScenario {
  readonly description: string;
  readonly configuration: RaftConfiguration;
  readonly maxDepth: number;
}

/**
 * The bounded searches the tests use, each a few thousand states and under a second on the
 * reference: terms bounded, and one message in flight per link.
 */
export const searchScenarios = {
  elections: {
    description: 'elections alone, terms up to 2',
    configuration: { history: 'none', maxTerm: 2, linkCapacity: 1 },
    maxDepth: 14,
  },
  committedEntry: {
    description: 'a committed entry on n0 and n1, none on n2, terms up to 3',
    configuration: { history: 'committed', maxTerm: 3, linkCapacity: 1 },
    maxDepth: 20,
  },
  figureEight: {
    description: 'conflicting entries of terms 1 and 2 on n0 and n1 (Figure 8), terms up to 4',
    configuration: { history: 'conflicting', maxTerm: 4, linkCapacity: 1 },
    maxDepth: 32,
  },
} as const satisfies Record<string, SearchScenario>;

/** The config the searches use: the suggested defaults (timers keep their ranges under search; only their order matters). */
export const searchConfig: Raft['config'] = { electionTimeoutMs: [150, 300], heartbeatMs: 50 };

interface EarlierMessage {
  readonly to: NodeId;
  readonly entries: readonly LogEntry[];
}

/** One earlier leader: elected in `term` by `voters` (a majority), it sends `sent`, and commits entry 1 once `commitAfter` acknowledged it. */
interface EarlierLeader {
  readonly term: number;
  readonly voters: readonly NodeId[];
  readonly sent: readonly EarlierMessage[];
  readonly commitAfter: readonly NodeId[];
}

const entryA: LogEntry = { index: 1, term: 1, command: 'a' };
const entryB: LogEntry = { index: 1, term: 2, command: 'b' };

function historyOf(history: EarlierHistory): readonly EarlierLeader[] {
  switch (history) {
    case 'none':
      return [];
    case 'committed':
      return [
        {
          term: 1,
          voters: [0, 1],
          sent: [
            { to: 0, entries: [entryA] },
            { to: 1, entries: [entryA] },
            { to: 2, entries: [] },
          ],
          commitAfter: [0, 1],
        },
      ];
    case 'conflicting':
      return [
        { term: 1, voters: [0, 2], sent: [{ to: 0, entries: [entryA] }], commitAfter: [] },
        {
          term: 2,
          voters: [1, 2],
          sent: [
            { to: 1, entries: [entryB] },
            { to: 0, entries: [] },
            { to: 2, entries: [] },
          ],
          commitAfter: [],
        },
      ];
  }
}

/**
 * The earlier leaders, as one client node. Each is elected as Raft elects: it asks its voters
 * for their votes in its term (with an empty log) and acts only with all of them, a majority;
 * so no server can lead that term too, in any order of deliveries. Then it sends its
 * AppendEntries and, where the history says so, the commit of entry 1 once the servers that
 * must store it said they do; then the next one stands. A refusal, or any higher term in an
 * answer, ends the history there.
 */
function earlierLeaders(history: EarlierHistory): NodeClass<Raft> {
  const leaders = historyOf(history);
  return class EarlierLeaders extends Node<Raft> {
    /** The earlier leader acting now (leaders.length: the history is over). */
    current = 0;
    /** Its voters that granted their vote, in id order; null once it leads. */
    granted: NodeId[] | null = [];
    /** The servers that acknowledged entry 1, in id order, while it waits to commit it. */
    acknowledged: NodeId[] = [];

    override onStart(): void {
      this.stand();
    }

    stand(): void {
      const leader = leaders[this.current];
      if (leader === undefined) return;
      this.granted = [];
      this.acknowledged = [];
      for (const voter of leader.voters) this.send(voter, { type: 'RequestVote', term: leader.term, candidateId: this.id, lastLogIndex: 0, lastLogTerm: 0 });
    }

    lead(leader: EarlierLeader): void {
      this.granted = null;
      for (const message of leader.sent) {
        this.send(message.to, { type: 'AppendEntries', term: leader.term, leaderId: this.id, prevLogIndex: 0, prevLogTerm: 0, entries: [...message.entries], leaderCommit: 0 });
      }
      if (leader.commitAfter.length === 0) this.next();
    }

    next(): void {
      this.current += 1;
      this.stand();
    }

    override onMessage(from: NodeId, message: Raft['message']): void {
      const leader = leaders[this.current];
      if (leader === undefined) return;
      if ('term' in message && message.term > leader.term) {
        this.current = leaders.length;
        return;
      }
      if (message.type === 'RequestVoteReply' && message.term === leader.term && this.granted !== null) {
        if (!message.voteGranted) {
          this.current = leaders.length;
          return;
        }
        if (!this.granted.includes(from)) this.granted = [...this.granted, from].sort((left, right) => left - right);
        if (this.granted.length === leader.voters.length) this.lead(leader);
        return;
      }
      if (message.type !== 'AppendEntriesReply' || this.granted !== null || !message.success || message.matchIndex < 1) return;
      if (!leader.commitAfter.includes(from) || this.acknowledged.includes(from)) return;
      this.acknowledged = [...this.acknowledged, from].sort((left, right) => left - right);
      if (this.acknowledged.length < leader.commitAfter.length) return;
      for (const server of leader.commitAfter) {
        this.send(server, { type: 'AppendEntries', term: leader.term, leaderId: this.id, prevLogIndex: 1, prevLogTerm: 1, entries: [], leaderCommit: 1 });
      }
      this.next();
    }
  };
}

/**
 * Servers n0.. and, with a history, the earlier leaders after them. Properties: every safety
 * property, and the goal "a leader is elected".
 */
export function raftSearch(node: NodeClass<Raft>, configuration: RaftConfiguration): SearchSettings<Raft> {
  const servers: NodeId[] = Array.from({ length: configuration.servers ?? 3 }, (_unused, index) => index);
  const history = configuration.history ?? 'none';
  const earlier = servers.length;
  const crashes = configuration.crashes ?? 0;
  const outside = (view: ClusterView<Raft>): boolean => {
    if (servers.some((server) => storedTerm(view, server) > configuration.maxTerm)) return true;
    const capacity = configuration.linkCapacity;
    if (capacity !== undefined) {
      const onLink = new Map<number, number>();
      for (const { from, to } of view.inFlight()) {
        const link = from * 1024 + to;
        const count = (onLink.get(link) ?? 0) + 1;
        if (count > capacity) return true;
        onLink.set(link, count);
      }
    }
    if (history === 'none') return false;
    // Elections wait until the earlier leaders' messages, and the answers to them, are delivered.
    let historyPending = false;
    let electing = false;
    for (const { from, to, message } of view.inFlight()) {
      if (from === earlier || to === earlier) historyPending = true;
      else if (message.type === 'RequestVote') electing = true;
    }
    return historyPending && electing;
  };
  return {
    nodes: [...servers.map(() => ({ role: 'server' as const, node })), ...(history === 'none' ? [] : [{ role: 'client' as const, node: earlierLeaders(history) }])],
    config: searchConfig,
    timers: true,
    drops: configuration.drops ?? false,
    ...(configuration.duplicates ? { duplicates: true } : {}),
    ...(crashes > 0 ? { crashes: { nodes: servers, max: crashes, restart: true, ...(configuration.midReaction ? { midReaction: configuration.midReaction } : {}) } } : {}),
    prune: outside,
    properties: [...safetyProperties(servers), leaderIsElected()],
  };
}
