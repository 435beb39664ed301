// Lab 5's properties, each stated once and used by the randomized runs and by the model
// checker alike. They read only what can be observed from outside the nodes: the Start and
// Snapshot inputs, the BecameLeader, Started, Applied and SnapshotInstalled outputs, the
// terms, indexes and entries the messages carry, the durable storage (its keys are part of
// the protocol), crashes and restarts (by incarnation). Never a node's private fields.
//
// Memories hold what a property needs of the past and nothing else, as plain data: under
// search they are part of every state, copied and hashed with it, so they are kept small
// (terms and indexes, not whole messages) and hold no times, except in the properties that
// say they are for runs only.
import {
  always,
  budget,
  eventually,
  keepsTheDeclaredState,
  kvClientMessages,
  kvServerOutputs,
  nodeName,
  sometimes,
  speaksTheProtocol,
  type ClusterLayout,
  type ClusterView,
  type DeclaredMessage,
  type DeclaredShape,
  type DeclaredState,
  type NodeId,
  type Property,
} from 'distlab/testing';
import type { Command, LogEntry, Raft, Snapshot } from './src/protocol.ts';

/** The smallest majority of `count` servers. */
export function majority(count: number): number {
  return Math.floor(count / 2) + 1;
}

const quote = (value: string) => JSON.stringify(value);
/** `n0, n2`: nodes in id order. */
const names = (nodes: Iterable<NodeId>) => [...nodes].sort((left, right) => left - right).map(nodeName).join(', ');
/** One slot per node of the cluster, for memories indexed by node id. */
const perNode = <T>(cluster: ClusterLayout, empty: () => T): T[] => cluster.nodeIds.map(empty);
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

// The service's snapshots. The test plays the service: it folds each applied command into a
// digest and, every few entries, hands Raft `snapshotData(index, digest)`. The checks fold the
// committed commands the same way, so an installed snapshot's data can be verified.

/** The digest of an empty state machine. */
export const emptyDigest = '811c9dc5';

/** Folds one applied command into the digest of the state before it (32-bit FNV-1a, in hex). */
export function foldCommand(digest: string, command: Command): string {
  let hash = Number.parseInt(digest, 16) >>> 0;
  const text = `${command}\n`;
  for (let position = 0; position < text.length; position++) {
    hash ^= text.charCodeAt(position);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** `12:3fa2c91b`: the service's state after applying entries 1..index, as a snapshot holds it. */
export function snapshotData(index: number, digest: string): string {
  return `${index}:${digest}`;
}

/** The digest in a snapshot's data, or undefined when the data is not the service's. */
export function digestOf(data: string): string | undefined {
  const match = /^\d+:([0-9a-f]{8})$/.exec(data);
  return match?.[1];
}

// Durable storage, read with guards: a submission may store anything.

function isLogEntry(value: unknown): value is LogEntry {
  return (
    typeof value === 'object' &&
    value !== null &&
    'index' in value &&
    'term' in value &&
    'command' in value &&
    typeof value.index === 'number' &&
    typeof value.term === 'number' &&
    typeof value.command === 'string'
  );
}

function isSnapshot(value: unknown): value is Snapshot {
  return (
    typeof value === 'object' &&
    value !== null &&
    'lastIncludedIndex' in value &&
    'lastIncludedTerm' in value &&
    'data' in value &&
    typeof value.lastIncludedIndex === 'number' &&
    typeof value.lastIncludedTerm === 'number' &&
    typeof value.data === 'string'
  );
}

const emptySnapshot: Snapshot = { lastIncludedIndex: 0, lastIncludedTerm: 0, data: '' };

/** The entries of each stored log value: stored values are frozen, and checks read the same log after every event. */
const storedEntries = new WeakMap<readonly unknown[], readonly LogEntry[]>();

/** The stored log (entries after the snapshot); the entries that are not entries are left out. */
export function storedLog(cluster: ClusterView<Raft>, node: NodeId): readonly LogEntry[] {
  const value: unknown = cluster.storage(node).get('log');
  if (!Array.isArray(value)) return [];
  let entries = storedEntries.get(value);
  if (entries === undefined) {
    entries = Object.freeze(value.filter(isLogEntry));
    storedEntries.set(value, entries);
  }
  return entries;
}

export function storedSnapshot(cluster: ClusterView<Raft>, node: NodeId): Snapshot {
  const value = cluster.storage(node).get('snapshot');
  return isSnapshot(value) ? value : emptySnapshot;
}

export function storedTerm(cluster: ClusterView<Raft>, node: NodeId): number {
  const value = cluster.storage(node).get('currentTerm');
  return typeof value === 'number' ? value : 0;
}

function storedVote(cluster: ClusterView<Raft>, node: NodeId): NodeId | null {
  const value = cluster.storage(node).get('votedFor');
  return typeof value === 'number' ? value : null;
}

/** The term of the entry at `index` in a node's storage (the snapshot's last one included); undefined when it holds none there. */
export function storedTermAt(cluster: ClusterView<Raft>, node: NodeId, index: number): number | undefined {
  const snapshot = storedSnapshot(cluster, node);
  if (index === snapshot.lastIncludedIndex) return snapshot.lastIncludedTerm;
  const log = cluster.storage(node).get('log');
  if (!Array.isArray(log)) return undefined;
  const first: unknown = log[0];
  if (!isLogEntry(first)) return undefined;
  // Logs hold consecutive indexes (log matching checks it): look where the entry should be first.
  const entry: unknown = log[index - first.index];
  if (isLogEntry(entry) && entry.index === index) return entry.term;
  const found: unknown = log.find((candidate: unknown) => isLogEntry(candidate) && candidate.index === index);
  return isLogEntry(found) ? found.term : undefined;
}

/** The last index a node's storage covers: its last log entry, or its snapshot's last one. */
function lastStoredIndex(cluster: ClusterView<Raft>, node: NodeId): number {
  const log = storedLog(cluster, node);
  return Math.max(log.at(-1)?.index ?? 0, storedSnapshot(cluster, node).lastIncludedIndex);
}

/** Whether a node's storage holds entry ⟨index, term⟩, or a snapshot that covers it. */
function storesEntry(cluster: ClusterView<Raft>, node: NodeId, index: number, term: number): boolean {
  if (storedSnapshot(cluster, node).lastIncludedIndex > index) return true;
  return storedTermAt(cluster, node, index) === term;
}

/** `log [1:t1 "c0", 2:t2 "c1"] after a snapshot up to 0`: a node's stored log, as failures show it (its tail when long). */
function describeStoredLog(cluster: ClusterView<Raft>, node: NodeId): string {
  const log = storedLog(cluster, node);
  const snapshot = storedSnapshot(cluster, node);
  const shown = log.length > 6 ? log.slice(-6) : log;
  const entries = shown.map((entry) => `${entry.index}:t${entry.term} ${quote(entry.command)}`).join(', ');
  const after = snapshot.lastIncludedIndex > 0 ? ` after a snapshot up to ${snapshot.lastIncludedIndex} (term ${snapshot.lastIncludedTerm})` : '';
  return log.length === 0 ? `an empty log${after}` : `log [${log.length > 6 ? '…, ' : ''}${entries}]${after}`;
}

// Election safety.

interface Candidacy {
  term: number;
  /** Who granted this node its vote in `term` (replies delivered to it). */
  voters: NodeId[];
}

interface Elections {
  /** Who became leader of each term. */
  readonly leaders: Map<number, NodeId>;
  readonly candidacies: Candidacy[];
}

/**
 * Election safety: at most one leader per term, and a leader only with the votes of a majority
 * (its own and the RequestVoteReplies granted to it in that term).
 */
export function electionSafety(servers: readonly NodeId[]): Property<Raft, Elections> {
  const needed = majority(servers.length);
  return always<Raft, Elections>('election safety', {
    memory: (cluster) => ({ leaders: new Map(), candidacies: perNode(cluster, () => ({ term: 0, voters: [] })) }),
    records: ['output:BecameLeader', 'deliver:RequestVoteReply'],
    record(elections, event) {
      if (event.kind === 'deliver') {
        const message = event.message;
        // Only servers vote; a candidate's own vote is counted once, below, not by a reply to itself.
        if (message.type !== 'RequestVoteReply' || !message.voteGranted || event.local || !servers.includes(event.from)) return undefined;
        const candidacy = elections.candidacies[event.to];
        if (candidacy === undefined || message.term < candidacy.term) return undefined;
        if (message.term > candidacy.term) {
          candidacy.term = message.term;
          candidacy.voters = [];
        }
        if (!candidacy.voters.includes(event.from)) candidacy.voters.push(event.from);
        return undefined;
      }
      if (event.kind !== 'output' || event.output.type !== 'BecameLeader') return undefined;
      const { term } = event.output;
      const leader = nodeName(event.node);
      const other = elections.leaders.get(term);
      if (other !== undefined && other !== event.node) {
        return `${nodeName(other)} and ${leader} both became leader of term ${term}: at most one leader per term (a server votes once per term, and a leader needs a majority)`;
      }
      elections.leaders.set(term, event.node);
      const candidacy = elections.candidacies[event.node];
      const voters = new Set(candidacy !== undefined && candidacy.term === term ? candidacy.voters : []);
      voters.add(event.node);
      if (voters.size >= needed) return undefined;
      return (
        `${leader} became leader of term ${term} with the votes of ${names(voters)} only (${voters.size} of ${servers.length}; ` +
        `a majority is ${needed}): a candidate wins with votes from a majority, its own counted once, and only votes of the term it stands in ` +
        '(a RequestVoteReply of an earlier term, or one that does not grant the vote, is no vote)'
      );
    },
  });
}

// Log matching.

/** Per entry ⟨index, term⟩ (keyed `index/term`): its command, and the term of the entry before it where known. */
type Entries = Map<string, { command: Command; previousTerm: number | null }>;

/** Records one entry seen; returns what it contradicts. */
function recordEntry(entries: Entries, entry: LogEntry, previousTerm: number | null, where: string): string | undefined {
  const key = `${entry.index}/${entry.term}`;
  const known = entries.get(key);
  if (known === undefined) {
    entries.set(key, { command: entry.command, previousTerm });
    return undefined;
  }
  if (known.command !== entry.command) {
    return (
      `${where} holds entry ${entry.index} of term ${entry.term} as ${quote(entry.command)}, but that index and term carried ` +
      `${quote(known.command)} before: entries with the same index and term hold the same command (one leader per term, which never changes an entry it created)`
    );
  }
  if (previousTerm !== null && known.previousTerm !== null && previousTerm !== known.previousTerm) {
    return (
      `${where} holds entry ${entry.index} of term ${entry.term} after an entry of term ${previousTerm}, but elsewhere it follows one of term ` +
      `${known.previousTerm}: logs that agree on an entry agree on every entry before it (the consistency check on prevLogIndex and prevLogTerm)`
    );
  }
  if (known.previousTerm === null && previousTerm !== null) known.previousTerm = previousTerm;
  return undefined;
}

/** Checks that `entries` follow ⟨prevIndex, prevTerm⟩ with consecutive indexes and terms that never decrease; records them. */
function recordRun(memory: Entries, entries: readonly LogEntry[], previous: { index: number; term: number } | null, where: string): string | undefined {
  let before = previous;
  for (const entry of entries) {
    if (before !== null && entry.index !== before.index + 1) {
      return `${where} has entry ${entry.index} right after index ${before.index}: a log holds consecutive indexes, in order`;
    }
    if (before !== null && entry.term < before.term) {
      return `${where} has entry ${entry.index} of term ${entry.term} after an entry of term ${before.term}: the terms in a log never decrease`;
    }
    const problem = recordEntry(memory, entry, before === null ? null : before.term, where);
    if (problem !== undefined) return problem;
    before = { index: entry.index, term: entry.term };
  }
  return undefined;
}

/**
 * What is wrong with a server's stored log right after its stored snapshot: its first entry is
 * of an older term than the snapshot's last. Judged only where the two fit (the log starts just
 * after the snapshot), so that a reaction may write them in either order.
 */
function entriesAfterSnapshotProblem(cluster: ClusterView<Raft>, node: NodeId): string | undefined {
  const snapshot = storedSnapshot(cluster, node);
  const [first] = storedLog(cluster, node);
  if (snapshot.lastIncludedIndex === 0 || first === undefined || first.index !== snapshot.lastIncludedIndex + 1 || first.term >= snapshot.lastIncludedTerm) return undefined;
  return (
    `${nodeName(node)}'s storage holds a snapshot up to index ${snapshot.lastIncludedIndex} of term ${snapshot.lastIncludedTerm}, then entry ${first.index} of term ${first.term}: ` +
    "the terms in a log never decrease, the snapshot's last one included. A server that installs a snapshot keeps the entries after it only if " +
    "its log holds the snapshot's last entry with that term; otherwise it discards its whole log"
  );
}

/**
 * Log matching: two entries with the same index and term hold the same command and follow the
 * same prefix — over every entry carried in an AppendEntries and every log written to storage;
 * and a stored log goes on from its stored snapshot with terms that never decrease.
 */
export function logMatching(): Property<Raft, Entries> {
  return always<Raft, Entries>('log matching', {
    memory: () => new Map(),
    records: ['send:AppendEntries', 'storage:log', 'storage:snapshot'],
    record(entries, event, cluster) {
      if (event.kind === 'storage') {
        const problem = entriesAfterSnapshotProblem(cluster, event.node);
        if (problem !== undefined) return problem;
        if (event.key === 'snapshot') return undefined;
      }
      if (event.kind === 'send' && event.message.type === 'AppendEntries') {
        const message = event.message;
        const where = `the AppendEntries ${nodeName(event.from)} sent to ${nodeName(event.to)} (term ${message.term})`;
        const previous = message.prevLogIndex === 0 ? { index: 0, term: 0 } : { index: message.prevLogIndex, term: message.prevLogTerm };
        return recordRun(entries, message.entries, previous, where);
      }
      if (event.kind !== 'storage' || !Array.isArray(event.value)) return undefined;
      const log = (event.value as unknown[]).filter(isLogEntry);
      const first = log[0];
      const previous = first !== undefined && first.index === 1 ? { index: 0, term: 0 } : null;
      return recordRun(entries, log, previous, `${nodeName(event.node)}'s stored log`);
    },
  });
}

// Leader completeness and state machine safety: over what was applied.

interface CommittedEntry {
  readonly term: number;
  /** The highest term anyone had become leader of when the entry was first seen applied: it was committed in that term or before. */
  readonly committedBy: number;
  /** Who applied it first (the message names them). */
  readonly node: NodeId;
}

interface Completeness {
  highestLeaderTerm: number;
  readonly committed: Map<number, CommittedEntry>;
}

/**
 * Leader completeness: an entry applied anywhere (so committed) is in the log of every leader of
 * a later term, from the moment it becomes leader — its stored log, or its snapshot covers it.
 */
export function leaderCompleteness(): Property<Raft, Completeness> {
  return always<Raft, Completeness>('leader completeness', {
    memory: () => ({ highestLeaderTerm: 0, committed: new Map() }),
    records: ['output:BecameLeader', 'output:Applied', 'output:SnapshotInstalled'],
    record(memory, event, cluster) {
      if (event.kind !== 'output') return undefined;
      const output = event.output;
      if (output.type === 'Applied' || output.type === 'SnapshotInstalled') {
        const [index, term] = output.type === 'Applied' ? [output.index, output.term] : [output.snapshot.lastIncludedIndex, output.snapshot.lastIncludedTerm];
        if (index > 0 && !memory.committed.has(index)) memory.committed.set(index, { term, committedBy: memory.highestLeaderTerm, node: event.node });
        return undefined;
      }
      if (output.type !== 'BecameLeader') return undefined;
      const term = output.term;
      memory.highestLeaderTerm = Math.max(memory.highestLeaderTerm, term);
      // Lowest index first: the first entry missing is the one to show.
      const indexes = [...memory.committed.keys()].sort((left, right) => left - right);
      for (const index of indexes) {
        const entry = memory.committed.get(index) as CommittedEntry;
        if (entry.committedBy >= term || storesEntry(cluster, event.node, index, entry.term)) continue;
        const holds = storedTermAt(cluster, event.node, index);
        const instead = holds === undefined ? `its log has no entry at index ${index}` : `its log has an entry of term ${holds} at index ${index}`;
        return (
          `${nodeName(event.node)} became leader of term ${term}, but entry ${index} of term ${entry.term} was committed (${nodeName(entry.node)} applied it ` +
          `while the highest leader's term was ${entry.committedBy}) and ${instead}: a committed entry is in the log of every later leader. ` +
          `Its storage holds ${describeStoredLog(cluster, event.node)}. Check the up-to-date rule of RequestVote, and that a leader commits by counting replicas only of entries of its own term (Figure 8)`
        );
      }
      return undefined;
    },
  });
}

type Applications = Map<number, { term: number; command: Command; node: NodeId }>;

/** The service's digest after entries 1..index, where every one of them is known. */
function digestUpTo(applied: Applications, index: number): string | undefined {
  let digest = emptyDigest;
  for (let position = 1; position <= index; position++) {
    const entry = applied.get(position);
    if (entry === undefined) return undefined;
    digest = foldCommand(digest, entry.command);
  }
  return digest;
}

/**
 * What is wrong with a SnapshotInstalled, if anything, judged against the entries applied
 * anywhere so far: a snapshot replaces entries that were committed and applied, so its last
 * index is one some server applied, with that entry's term. Every snapshot a server can hold
 * was made by a service from what it applied, so a correct server never installs another.
 */
export function installedSnapshotProblem(who: string, snapshot: { readonly lastIncludedIndex: number; readonly lastIncludedTerm: number }, applied: ReadonlyMap<number, { readonly term: number; readonly command: string }>): string | undefined {
  const { lastIncludedIndex: index, lastIncludedTerm: term } = snapshot;
  if (index === 0) return undefined;
  const known = applied.get(index);
  if (known === undefined) {
    return (
      `${who} installed a snapshot up to index ${index} of term ${term}, but no server has applied an entry at index ${index}: ` +
      'a snapshot replaces entries that were committed and applied, and a server installs only a snapshot the leader sent it, or the one it stored'
    );
  }
  if (known.term !== term) return `${who} installed a snapshot up to index ${index} of term ${term}, but the entry committed there is of term ${known.term} (${quote(known.command)})`;
  return undefined;
}

/**
 * State machine safety: no two servers apply different commands (or terms) at one index; a
 * server applies only a committed entry (stored on a majority of servers); an installed
 * snapshot holds the state after exactly the entries committed up to its index. With
 * `serviceSnapshots` (the kit's service, parts A to D), a snapshot's data must be in the
 * service's form, which tells the state it holds.
 */
export function stateMachineSafety(servers: readonly NodeId[], options: { readonly serviceSnapshots?: boolean } = {}): Property<Raft, Applications> {
  const needed = majority(servers.length);
  return always<Raft, Applications>('state machine safety', {
    memory: () => new Map(),
    records: ['output:Applied', 'output:SnapshotInstalled'],
    record(applied, event, cluster) {
      if (event.kind !== 'output') return undefined;
      const output = event.output;
      const who = nodeName(event.node);
      if (output.type === 'Applied') {
        const known = applied.get(output.index);
        if (known !== undefined && (known.command !== output.command || known.term !== output.term)) {
          return (
            `${who} applied ${quote(output.command)} (term ${output.term}) at index ${output.index}, but ${nodeName(known.node)} applied ` +
            `${quote(known.command)} (term ${known.term}) there: no two servers apply different entries (command or term) at one index. ` +
            'Two common causes: a follower that commits past what an AppendEntries showed it matches (it commits at most ' +
            'min(leaderCommit, prevLogIndex + entries.length), not to the end of its log), and a leader that commits an entry of an ' +
            'earlier term by counting replicas (Figure 8)'
          );
        }
        if (known === undefined) {
          const holders = servers.filter((server) => storesEntry(cluster, server, output.index, output.term));
          if (holders.length < needed) {
            const held = holders.length === 0 ? 'no server stores it' : `only ${names(holders)} store it`;
            return (
              `${who} applied entry ${output.index} of term ${output.term} (${quote(output.command)}) while ${held} (${holders.length} of ${servers.length}; ` +
              `a majority is ${needed}): an entry is applied only once committed, that is, stored on a majority by the leader of its term`
            );
          }
          applied.set(output.index, { term: output.term, command: output.command, node: event.node });
        }
        return undefined;
      }
      if (output.type !== 'SnapshotInstalled') return undefined;
      const { lastIncludedIndex: index, data } = output.snapshot;
      const problem = installedSnapshotProblem(who, output.snapshot, applied);
      if (problem !== undefined) return problem;
      if (options.serviceSnapshots === true && index > 0 && digestOf(data) === undefined) {
        return `${who} installed a snapshot up to index ${index} with data ${quote(data)}, which is not a snapshot the service made: a server installs the data of a Snapshot input, its own or the leader's, as it was given`;
      }
      const digest = digestUpTo(applied, index);
      if (digest !== undefined && digestOf(data) !== undefined && data !== snapshotData(index, digest)) {
        return (
          `${who} installed a snapshot up to index ${index} with data ${quote(data)}, but the entries committed up to there give ${quote(snapshotData(index, digest))}: ` +
          'a snapshot is the state after exactly the entries it replaces (is it the snapshot the service gave for that index?)'
        );
      }
      return undefined;
    },
  });
}

// In-order apply.

interface ApplyPosition {
  incarnation: number;
  lastApplied: number;
}

/**
 * In-order apply: each server applies indexes 1, 2, 3, ... exactly once per incarnation, with no
 * gaps; after a SnapshotInstalled up to k it continues at k + 1, and a snapshot never takes the
 * service back to before what it applied.
 */
export function inOrderApply(): Property<Raft, ApplyPosition[]> {
  return always<Raft, ApplyPosition[]>('in-order apply', {
    memory: (cluster) => perNode(cluster, () => ({ incarnation: 0, lastApplied: 0 })),
    records: ['output:Applied', 'output:SnapshotInstalled'],
    record(positions, event) {
      if (event.kind !== 'output') return undefined;
      const position = positions[event.node];
      if (position === undefined) return undefined;
      const restarted = position.incarnation !== event.incarnation;
      if (restarted) {
        position.incarnation = event.incarnation;
        position.lastApplied = 0;
      }
      const who = nodeName(event.node);
      const output = event.output;
      if (output.type === 'SnapshotInstalled') {
        const index = output.snapshot.lastIncludedIndex;
        if (index < position.lastApplied) {
          return (
            `${who} installed a snapshot up to index ${index} after it had applied up to ${position.lastApplied}: the service would go back. ` +
            'A server ignores a snapshot that covers less than what it has applied'
          );
        }
        position.lastApplied = index;
        return undefined;
      }
      if (output.type !== 'Applied') return undefined;
      const expected = position.lastApplied + 1;
      if (output.index === expected) {
        position.lastApplied = output.index;
        return undefined;
      }
      if (output.index <= position.lastApplied) {
        return `${who} applied index ${output.index} again, after it had applied up to ${position.lastApplied} without a restart: each index is applied once`;
      }
      if (position.lastApplied === 0) {
        return (
          `${who} applied index ${output.index} first${restarted || event.incarnation > 0 ? ' after its restart' : ''}: a server applies from index 1, ` +
          'or after a SnapshotInstalled up to k, from k + 1 (a restarted server outputs its stored snapshot first)'
        );
      }
      return `${who} applied index ${output.index} after index ${position.lastApplied}: entries are applied in index order, with no gaps (index ${expected} was skipped)`;
    },
  });
}

// Durability.

interface DurableRecord {
  /** Granted votes: term → candidate, across restarts. */
  readonly votes: Map<number, NodeId>;
  /** The incarnation in which each vote was granted, keyed like `votes`. */
  readonly votedIn: Map<number, number>;
  /** The highest term in a message it sent. */
  termSent: number;
  /** The highest term in a message it sent or was given. */
  termSeen: number;
  /** The highest index it acknowledged (a successful AppendEntriesReply) in the term `ackTerm`. */
  ackTerm: number;
  ackIndex: number;
  /** What its storage held last: currentTerm and snapshot index. */
  storedTerm: number;
  storedSnapshotIndex: number;
}

const freshDurableRecord = (): DurableRecord => ({
  votes: new Map(),
  votedIn: new Map(),
  termSent: 0,
  termSeen: 0,
  ackTerm: 0,
  ackIndex: 0,
  storedTerm: 0,
  storedSnapshotIndex: 0,
});

/** The term a message carries; 0 for a client's request or a reply to one (part E), which carry none. */
export const termOf = (message: Raft['message']): number => ('term' in message ? message.term : 0);

/** What a node's storage shows at a crash, or after a log write, that contradicts what it already answered. */
function durabilityProblem(record: DurableRecord, cluster: ClusterView<Raft>, node: NodeId, when: string): string | undefined {
  const who = nodeName(node);
  const term = storedTerm(cluster, node);
  if (when !== 'wrote its log') {
    if (term < record.termSent) {
      return (
        `${who} sent messages of term ${record.termSent} but ${when} with currentTerm ${term} in its storage: ` +
        'currentTerm is written to durable storage before any message that carries it is sent'
      );
    }
    const first = storedLog(cluster, node)[0];
    const snapshot = storedSnapshot(cluster, node);
    if (first !== undefined && first.index > snapshot.lastIncludedIndex + 1) {
      return (
        `${who} ${when} with a stored log that starts at index ${first.index} and a stored snapshot that ends at ${snapshot.lastIncludedIndex}: ` +
        'the entries between them are lost. A snapshot is written to durable storage before the log it shortens'
      );
    }
    const vote = record.votes.get(term);
    const stored = storedVote(cluster, node);
    if (vote !== undefined && stored !== vote) {
      if (vote === node) {
        return (
          `${who} stood for election in term ${term}, voting for itself, but ${when} with votedFor ${stored === null ? 'null' : nodeName(stored)} in its storage: ` +
          'a candidate stores votedFor = its own id, with currentTerm, before its RequestVotes go out, or a restart may vote for another candidate in the same term'
        );
      }
      return (
        `${who} granted its vote in term ${term} to ${nodeName(vote)} but ${when} with votedFor ${stored === null ? 'null' : nodeName(stored)} in its storage: ` +
        'votedFor is written to durable storage before the vote is sent, or a restart may vote again in the same term'
      );
    }
  }
  // Entries acknowledged in a term stay until a newer term reaches the node: only a newer leader may replace them.
  // A write that empties the log is a snapshot's (compaction or InstallSnapshot): the crash check judges it with the snapshot.
  const emptied = when === 'wrote its log' && storedLog(cluster, node).length === 0;
  if (record.ackIndex > 0 && record.ackTerm === record.termSeen && !emptied) {
    const last = lastStoredIndex(cluster, node);
    if (last < record.ackIndex) {
      return (
        `${who} acknowledged entries up to index ${record.ackIndex} in term ${record.ackTerm} but ${when} with ${describeStoredLog(cluster, node)}, and no newer term had reached it: ` +
        (when === 'wrote its log'
          ? 'a follower deletes entries only where they conflict with the leader\'s (a late AppendEntries whose entries already match truncates nothing)'
          : 'the log is written to durable storage before AppendEntries is acknowledged')
      );
    }
  }
  return undefined;
}

/**
 * Durability: what a server answered is in its durable storage whenever it crashes — the term
 * of every message it sent, the vote it granted in its current term, the entries it
 * acknowledged — so that a restart never votes twice in a term, never forgets a term, and
 * never loses an acknowledged entry. Stored currentTerm and snapshots never go back, a stored
 * log always joins its snapshot, and no server grants two votes in one term, across restarts.
 */
export function durability(): Property<Raft, DurableRecord[]> {
  return always<Raft, DurableRecord[]>('durability', {
    memory: (cluster) => perNode(cluster, freshDurableRecord),
    records: ['send', 'deliver', 'storage:currentTerm', 'storage:snapshot', 'storage:log', 'crash'],
    record(records, event, cluster) {
      if (event.kind === 'deliver') {
        const record = records[event.to];
        if (record !== undefined) record.termSeen = Math.max(record.termSeen, termOf(event.message));
        return undefined;
      }
      if (event.kind === 'send') {
        const record = records[event.from];
        if (record === undefined) return undefined;
        const message = event.message;
        if (!('term' in message)) return undefined;
        record.termSent = Math.max(record.termSent, message.term);
        record.termSeen = Math.max(record.termSeen, message.term);
        // A successful AppendEntriesReply answers the sender's own term. (An InstallSnapshotReply is not counted: a server may
        // answer one it ignored, from a stale leader; what it installs is judged by the snapshot checks.)
        const acknowledged = message.type === 'AppendEntriesReply' && message.success ? message.matchIndex : undefined;
        if (acknowledged !== undefined) {
          if (message.term > record.ackTerm) {
            record.ackTerm = message.term;
            record.ackIndex = acknowledged;
          } else if (message.term === record.ackTerm) record.ackIndex = Math.max(record.ackIndex, acknowledged);
        }
        // A candidate votes for itself in the term it stands in: its RequestVote says so.
        if (message.type === 'RequestVote' && event.to !== event.from && !record.votes.has(message.term)) {
          record.votes.set(message.term, event.from);
          record.votedIn.set(message.term, event.incarnation);
          return undefined;
        }
        if (message.type !== 'RequestVoteReply' || !message.voteGranted) return undefined;
        const before = record.votes.get(message.term);
        if (before !== undefined && before !== event.to) {
          const restarted = record.votedIn.get(message.term) !== event.incarnation;
          return (
            `${nodeName(event.from)} granted its vote in term ${message.term} to ${nodeName(before)}, then to ${nodeName(event.to)}: a server votes at most once per term` +
            (restarted ? '; it restarted in between, so votedFor (with currentTerm) must be in durable storage before the vote is sent' : '')
          );
        }
        record.votes.set(message.term, event.to);
        record.votedIn.set(message.term, event.incarnation);
        return undefined;
      }
      if (event.kind === 'crash') {
        const record = records[event.node];
        if (record === undefined) return undefined;
        return durabilityProblem(record, cluster, event.node, event.midReaction ? 'crashed in the middle of a reaction' : 'crashed');
      }
      if (event.kind !== 'storage') return undefined;
      const record = records[event.node];
      if (record === undefined) return undefined;
      const who = nodeName(event.node);
      if (event.key === 'currentTerm' && typeof event.value === 'number') {
        if (event.value < record.storedTerm) return `${who} wrote currentTerm ${event.value} after ${record.storedTerm}: a server's term never goes back`;
        record.storedTerm = event.value;
        return undefined;
      }
      if (event.key === 'snapshot' && isSnapshot(event.value)) {
        if (event.value.lastIncludedIndex < record.storedSnapshotIndex) {
          return `${who} wrote a snapshot up to index ${event.value.lastIncludedIndex} over one up to ${record.storedSnapshotIndex}: a stored snapshot never goes back`;
        }
        record.storedSnapshotIndex = event.value.lastIncludedIndex;
        return undefined;
      }
      if (event.key === 'log') return durabilityProblem(record, cluster, event.node, 'wrote its log');
      return undefined;
    },
  });
}

/** The safety properties every test checks, runs and searches alike. */
export function safetyProperties(servers: readonly NodeId[], options: { readonly serviceSnapshots?: boolean } = {}): Property<Raft>[] {
  // The protocol's types first: the properties after them then read only values of the declared kinds.
  return [
    speaksTheProtocol<Raft>(raftMessages) as Property<Raft>,
    keepsTheDeclaredState<Raft>(raftState) as Property<Raft>,
    electionSafety(servers),
    logMatching(),
    leaderCompleteness(),
    stateMachineSafety(servers, options),
    inOrderApply(),
    durability(),
  ];
}

/** The messages src/protocol.ts declares: "messages are as protocol.ts declares". */
const configurationShape: DeclaredShape = { fields: ['voters', 'newVoters'], kinds: { voters: 'node[]', newVoters: 'node[]|null' }, optional: true };
const entryShape: DeclaredShape = { fields: ['index', 'term', 'command', 'configuration'], shapes: { configuration: configurationShape }, kinds: { index: 'integer', term: 'integer', command: 'string' } };
const snapshotShape: DeclaredShape = {
  fields: ['lastIncludedIndex', 'lastIncludedTerm', 'data', 'configuration'],
  shapes: { configuration: configurationShape },
  kinds: { lastIncludedIndex: 'integer', lastIncludedTerm: 'integer', data: 'string' },
};

export const raftMessages: Readonly<Record<string, DeclaredMessage>> = {
  RequestVote: {
    fields: ['term', 'candidateId', 'lastLogIndex', 'lastLogTerm'],
    route: 'server-to-server',
    kinds: { term: 'integer', candidateId: 'node', lastLogIndex: 'integer', lastLogTerm: 'integer' },
  },
  RequestVoteReply: { fields: ['term', 'voteGranted'], route: 'server-to-server', kinds: { term: 'integer', voteGranted: 'boolean' } },
  AppendEntries: {
    fields: ['term', 'leaderId', 'prevLogIndex', 'prevLogTerm', 'entries', 'leaderCommit'],
    route: 'server-to-server',
    shapes: {
      entries: { ...entryShape, list: true },
    },
    kinds: { term: 'integer', leaderId: 'node', prevLogIndex: 'integer', prevLogTerm: 'integer', leaderCommit: 'integer' },
  },
  AppendEntriesReply: {
    fields: ['term', 'success', 'matchIndex', 'conflictTerm', 'conflictIndex'],
    route: 'server-to-server',
    kinds: { term: 'integer', success: 'boolean', matchIndex: 'integer', conflictTerm: 'integer|null', conflictIndex: 'integer' },
  },
  InstallSnapshot: {
    fields: ['term', 'leaderId', 'snapshot'],
    route: 'server-to-server',
    shapes: { snapshot: snapshotShape },
    kinds: { term: 'integer', leaderId: 'node' },
  },
  InstallSnapshotReply: { fields: ['term', 'lastIncludedIndex'], route: 'server-to-server', kinds: { term: 'integer', lastIncludedIndex: 'integer' } },
  ...kvClientMessages,
};

/**
 * A server's storage and outputs, as src/protocol.ts declares them ("storage and outputs are as
 * protocol.ts declares"). A vote is any integer or null (a number no server has is no vote); a
 * snapshot of null is taken as none.
 */
export const raftState: DeclaredState = {
  storage: { currentTerm: 'integer', votedFor: 'integer|null', log: { ...entryShape, list: true }, snapshot: { ...snapshotShape, nullable: true } },
  outputs: {
    BecameLeader: { fields: ['term'], kinds: { term: 'integer' } },
    Started: { fields: ['command', 'index', 'term'], kinds: { command: 'string', index: 'integer', term: 'integer' } },
    NotLeader: { fields: ['command', 'leader'], kinds: { command: 'string', leader: 'node|null' } },
    Applied: { fields: ['index', 'term', 'command', 'configuration'], shapes: { configuration: configurationShape }, kinds: { index: 'integer', term: 'integer', command: 'string' } },
    SnapshotInstalled: { fields: ['snapshot'], shapes: { snapshot: snapshotShape } },
    MembershipChanged: { fields: ['voters'], kinds: { voters: 'node[]' } },
    MembershipRefused: { fields: ['add', 'remove', 'leader', 'reason'], kinds: { add: 'node[]', remove: 'node[]', leader: 'node|null', reason: 'string' } },
    ...kvServerOutputs(),
  },
};

// Goals for search.

/** The search's goal: some server becomes leader. */
export function leaderIsElected(): Property<Raft, { elected: boolean }> {
  return sometimes<Raft, { elected: boolean }>('a leader is elected', {
    memory: () => ({ elected: false }),
    records: ['output:BecameLeader'],
    record(memory) {
      memory.elected = true;
      return undefined;
    },
    check: (_cluster, memory) => (memory.elected ? undefined : 'no server has become leader'),
  });
}

/**
 * A goal of its own for each server: `node` becomes leader on some path. Any server's
 * election timeout can fire first, so in a correct Raft each can lead; a cluster where only
 * one server ever stands reaches "a leader is elected" but not these.
 */
export function serverBecomesLeader(node: NodeId): Property<Raft, { led: boolean }> {
  return sometimes<Raft, { led: boolean }>(`${nodeName(node)} becomes leader`, {
    memory: () => ({ led: false }),
    records: ['output:BecameLeader'],
    record(memory, event) {
      if (event.kind === 'output' && event.node === node) memory.led = true;
      return undefined;
    },
    check: (_cluster, memory) => (memory.led ? undefined : `${nodeName(node)} never became leader`),
  });
}

/** The search's goal: some entry is committed (a server applies it). */
export function entryIsCommitted(): Property<Raft, { committed: boolean }> {
  return sometimes<Raft, { committed: boolean }>('an entry is committed', {
    memory: () => ({ committed: false }),
    records: ['output:Applied'],
    record(memory) {
      memory.committed = true;
      return undefined;
    },
    check: (_cluster, memory) => (memory.committed ? undefined : 'no server has applied an entry'),
  });
}

// Progress: every test asks for some, so a stub that does nothing fails.

interface LeaderRecord {
  readonly term: number;
  readonly incarnation: number;
}

interface Leadership {
  /** Per node: its last BecameLeader, in which incarnation. */
  readonly leaders: (LeaderRecord | null)[];
  /** Per node: the highest term in a message it sent. */
  readonly termSent: number[];
}

/** A server's term as far as can be seen: what it stored, or sent, whichever is higher. */
const seenTerm = (cluster: ClusterView<Raft>, leadership: Leadership, node: NodeId) => Math.max(storedTerm(cluster, node), leadership.termSent[node] ?? 0);

/**
 * A leader now: a live server that became leader of term t in its current incarnation, has not
 * moved on from t, and a majority of servers are in term t (they know of no later one).
 */
function currentLeader(cluster: ClusterView<Raft>, servers: readonly NodeId[], leadership: Leadership): { node: NodeId; term: number } | undefined {
  const needed = majority(servers.length);
  for (const node of servers) {
    const record = leadership.leaders[node] ?? null;
    if (record === null || cluster.isCrashed(node) || cluster.incarnation(node) !== record.incarnation) continue;
    if (seenTerm(cluster, leadership, node) !== record.term) continue;
    if (servers.filter((server) => seenTerm(cluster, leadership, server) === record.term).length >= needed) return { node, term: record.term };
  }
  return undefined;
}

/**
 * Progress: a leader exists (judged at the end of the run, or within `withinMs` of the last
 * fault): a live server leads the term that a majority of servers are in. `deadline` says
 * how the bound was set.
 */
export function leaderElected(
  servers: readonly NodeId[],
  deadline: string,
  options: { readonly withinMs?: number; readonly everyone?: boolean } = {},
): Property<Raft, Leadership> {
  return eventually<Raft, Leadership>(
    'a leader is elected',
    {
      memory: (cluster) => ({ leaders: perNode(cluster, () => null), termSent: perNode(cluster, () => 0) }),
      records: ['output:BecameLeader', 'send'],
      record(leadership, event) {
        if (event.kind === 'send') leadership.termSent[event.from] = Math.max(leadership.termSent[event.from] ?? 0, termOf(event.message));
        else if (event.kind === 'output' && event.output.type === 'BecameLeader') leadership.leaders[event.node] = { term: event.output.term, incarnation: event.incarnation };
        return undefined;
      },
      check(cluster, leadership) {
        const leader = currentLeader(cluster, servers, leadership);
        if (leader !== undefined && !options.everyone) return undefined;
        if (leader !== undefined) {
          const behind = servers.filter((node) => !cluster.isCrashed(node) && seenTerm(cluster, leadership, node) !== leader.term);
          if (behind.length === 0) return undefined;
          const terms = behind.map((node) => `${nodeName(node)} is in term ${seenTerm(cluster, leadership, node)}`).join(', ');
          return `${nodeName(leader.node)} leads term ${leader.term}, but not every server agrees on the term: ${terms} ${deadline}`;
        }
        const ever = servers.filter((node) => (leadership.leaders[node] ?? null) !== null);
        if (ever.length === 0) return `no progress: no server became leader by ${cluster.nowMs} ms ${deadline}`;
        const terms = servers.map((node) => `${nodeName(node)} ${cluster.isCrashed(node) ? 'down' : `term ${seenTerm(cluster, leadership, node)}`}`).join(', ');
        return `no leader at ${cluster.nowMs} ms: no live server leads the term a majority of servers are in (${terms}) ${deadline}`;
      },
    },
    options.withinMs === undefined ? {} : { withinMs: options.withinMs },
  );
}

interface CommandProgress {
  /** Commands given as Start inputs that must be applied, in the order first given. */
  readonly required: Command[];
  /** Where each command was first applied. */
  readonly indexOf: Map<Command, number>;
  /** Per node: how far it applied in its current incarnation. */
  readonly applied: ApplyPosition[];
  started: number;
}

/**
 * Progress: every command given in a Start input (those `required` picks) is applied, by the
 * end of the run, on every live server — in its current incarnation, or through the snapshot
 * it installed. `deadline` says how the bound was set.
 */
export function commandsApplied(
  servers: readonly NodeId[],
  deadline: string,
  options: { readonly required?: (command: Command) => boolean } = {},
): Property<Raft, CommandProgress> {
  const isRequired = options.required ?? (() => true);
  return eventually<Raft, CommandProgress>('every command is applied everywhere', {
    memory: (cluster) => ({ required: [], indexOf: new Map(), applied: perNode(cluster, () => ({ incarnation: 0, lastApplied: 0 })), started: 0 }),
    records: ['input:Start', 'output:Applied', 'output:SnapshotInstalled', 'output:Started'],
    record(progress, event) {
      if (event.kind === 'input') {
        if (event.input.type === 'Start' && isRequired(event.input.command) && !progress.required.includes(event.input.command)) progress.required.push(event.input.command);
        return undefined;
      }
      if (event.kind !== 'output') return undefined;
      const output = event.output;
      if (output.type === 'Started') progress.started++;
      if (output.type !== 'Applied' && output.type !== 'SnapshotInstalled') return undefined;
      const position = progress.applied[event.node];
      if (position === undefined) return undefined;
      if (position.incarnation !== event.incarnation) {
        position.incarnation = event.incarnation;
        position.lastApplied = 0;
      }
      if (output.type === 'Applied') {
        position.lastApplied = Math.max(position.lastApplied, output.index);
        if (!progress.indexOf.has(output.command)) progress.indexOf.set(output.command, output.index);
      } else position.lastApplied = Math.max(position.lastApplied, output.snapshot.lastIncludedIndex);
      return undefined;
    },
    check(cluster, progress) {
      const given = progress.required.length;
      if (given === 0) return undefined;
      const missing = progress.required.filter((command) => !progress.indexOf.has(command));
      const appliedCount = given - missing.length;
      if (appliedCount === 0) {
        const started = progress.started === 0 ? 'no leader ever answered Started' : `leaders answered Started ${plural(progress.started, 'time')}`;
        return `no progress: none of the ${plural(given, 'command')} given was applied by ${cluster.nowMs} ms (${started}) ${deadline}`;
      }
      if (missing.length > 0) {
        const shown = missing.slice(0, 5).map(quote).join(', ');
        return `${plural(missing.length, 'command')} of ${given} never applied by ${cluster.nowMs} ms (${shown}${missing.length > 5 ? ', …' : ''}) ${deadline}`;
      }
      const highest = Math.max(...progress.required.map((command) => progress.indexOf.get(command) ?? 0));
      const behind = servers.filter((node) => !cluster.isCrashed(node) && (progress.applied[node]?.incarnation !== cluster.incarnation(node) || (progress.applied[node]?.lastApplied ?? 0) < highest));
      const [first] = behind;
      if (first === undefined) return undefined;
      const position = progress.applied[first];
      const reached = position === undefined || position.incarnation !== cluster.incarnation(first) ? 0 : position.lastApplied;
      const others = behind.length > 1 ? ` (nor did ${names(behind.slice(1))})` : '';
      return `${nodeName(first)} applied only up to index ${reached} by ${cluster.nowMs} ms, while the commands given were committed up to index ${highest}${others} ${deadline}`;
    },
  });
}

interface LeaderWithoutFaults {
  leader: NodeId | null;
  term: number;
  atMs: number;
  /** A candidacy above the leader's term that came within the grace period, excused (it may have ended that term). */
  excused: { node: NodeId; term: number; atMs: number } | null;
  /** When the leader last sent AppendEntries of its term, to each server: whether it still led is then plain in a failure. */
  heartbeats: Record<NodeId, number>;
}

/** Runs only: once a server leads (for `graceMs`, the time its first AppendEntries takes), nobody stands for election: with no faults, heartbeats keep the leader. */
export function noElectionWithoutFaults(graceMs: number): Property<Raft, LeaderWithoutFaults> {
  return always<Raft, LeaderWithoutFaults>('one leader while nothing fails', {
    memory: () => ({ leader: null, term: 0, atMs: 0, excused: null, heartbeats: {} }),
    records: ['output:BecameLeader', 'send:RequestVote', 'send:AppendEntries'],
    record(memory, event) {
      if (event.kind === 'output' && event.output.type === 'BecameLeader') {
        // The latest leader: a candidacy that the grace period excused may have made a newer one.
        if (event.output.term > memory.term) Object.assign(memory, { leader: event.node, term: event.output.term, atMs: event.timeMs, excused: null, heartbeats: {} });
        return undefined;
      }
      if (event.kind === 'send' && event.message.type === 'AppendEntries') {
        if (event.from === memory.leader && event.message.term === memory.term) memory.heartbeats[event.to] = event.timeMs;
        return undefined;
      }
      if (event.kind !== 'send' || event.message.type !== 'RequestVote' || memory.leader === null || event.message.term <= memory.term) return undefined;
      if (event.timeMs <= memory.atMs + graceMs) {
        memory.excused ??= { node: event.from, term: event.message.term, atMs: event.timeMs };
        return undefined;
      }
      const excused = memory.excused;
      // The candidacy the grace excused is most often the cause: it ended the leader's term, and this one followed.
      const before =
        excused === null
          ? `while ${nodeName(memory.leader)} led term ${memory.term} (since ${memory.atMs} ms)`
          : `after ${nodeName(memory.leader)} was elected leader of term ${memory.term} at ${memory.atMs} ms and ${nodeName(excused.node)} stood in term ${excused.term} ` +
            `${excused.atMs - memory.atMs} ms later, before the leader's first heartbeat could reach it`;
      const lastToCandidate = memory.heartbeats[event.from];
      const lastToAnyone = Math.max(-1, ...Object.values(memory.heartbeats));
      const heard =
        lastToAnyone < 0
          ? `${nodeName(memory.leader)} sent no AppendEntries of term ${memory.term} at all`
          : lastToCandidate === undefined
            ? `${nodeName(memory.leader)} last sent AppendEntries of term ${memory.term} at ${lastToAnyone} ms, and never to ${nodeName(event.from)}`
            : `${nodeName(memory.leader)} last sent AppendEntries of term ${memory.term} to ${nodeName(event.from)} at ${lastToCandidate} ms, and to any server at ${lastToAnyone} ms`;
      return (
        `${nodeName(event.from)} stood for election in term ${event.message.term} at ${event.timeMs} ms, ${before}, and nothing had failed (${heard}): ` +
        'a leader goes on sending heartbeats until it sees a higher term, and a follower restarts its election timer on every AppendEntries ' +
        'from the current leader, heartbeats included, and when it grants its vote'
      );
    },
  });
}

/** Runs only: no server stands for election (sends a RequestVote) after `fromMs` and before `untilMs`, because `why`. */
export function nobodyStandsBetween(fromMs: number, untilMs: number, why: string): Property<Raft, null> {
  return always<Raft, null>('nobody stands while the leader reaches everyone', {
    memory: () => null,
    records: ['send:RequestVote'],
    record(_memory, event) {
      if (event.kind !== 'send' || event.local || event.timeMs <= fromMs || event.timeMs >= untilMs) return undefined;
      const term = event.message.type === 'RequestVote' ? event.message.term : 0;
      return `${nodeName(event.from)} stood for election in term ${term} at ${event.timeMs} ms, while ${why}`;
    },
  });
}

/** Runs only: no server becomes leader after `fromMs` and before `untilMs`, because `why`. */
export function noLeaderBetween(fromMs: number, untilMs: number, why: string): Property<Raft, null> {
  return always<Raft, null>('no leader without a majority', {
    memory: () => null,
    records: ['output:BecameLeader'],
    record(_memory, event) {
      if (event.kind !== 'output' || event.output.type !== 'BecameLeader' || event.timeMs <= fromMs || event.timeMs >= untilMs) return undefined;
      return `${nodeName(event.node)} became leader of term ${event.output.term} at ${event.timeMs} ms, while ${why}`;
    },
  });
}

/** The highest term a node has seen in its current incarnation, from whom and when. */
interface TermSeen {
  incarnation: number;
  term: number;
  from: NodeId;
  type: string;
  atMs: number;
}

/** Which senders' terms a server must take up (part F: the members of its latest configuration); all when omitted. */
export type TermSenders = (cluster: ClusterView<Raft>, receiver: NodeId) => readonly NodeId[];

/**
 * Runs only: "a higher term ends a leadership". Figure 2's rule for all servers: a term in any
 * request or reply above the server's own is taken up at once, as a follower. Once a server has
 * been handed an AppendEntries, an InstallSnapshot or a reply of a higher term, it sends no
 * AppendEntries or InstallSnapshot of a lower term in that incarnation: a leader that reads the
 * reply of a follower with a higher term as a mere log mismatch goes on leading a term the
 * cluster has left. RequestVote is not counted: part F lets a server that hears from its leader
 * ignore one, term and all.
 */
export function higherTermEndsLeadership(sendersCounted?: TermSenders): Property<Raft, (TermSeen | null)[]> {
  const counted = new Set(['AppendEntries', 'AppendEntriesReply', 'InstallSnapshot', 'InstallSnapshotReply', 'RequestVoteReply']);
  return always<Raft, (TermSeen | null)[]>('a higher term ends a leadership', {
    memory: (cluster) => cluster.nodeIds.map(() => null),
    records: ['deliver', 'send'],
    record(seen, event, cluster) {
      if (event.kind === 'deliver') {
        const message = event.message;
        if (!counted.has(message.type) || !('term' in message)) return undefined;
        const before = seen[event.to];
        if (before !== null && before !== undefined && before.incarnation === event.incarnation && before.term >= message.term) return undefined;
        if (sendersCounted !== undefined && !sendersCounted(cluster, event.to).includes(event.from)) return undefined;
        seen[event.to] = { incarnation: event.incarnation, term: message.term, from: event.from, type: message.type, atMs: event.timeMs };
        return undefined;
      }
      if (event.kind !== 'send' || (event.message.type !== 'AppendEntries' && event.message.type !== 'InstallSnapshot')) return undefined;
      const higher = seen[event.from];
      if (higher === null || higher === undefined || higher.incarnation !== event.incarnation || event.message.term >= higher.term) return undefined;
      return (
        `${nodeName(event.from)} sent ${event.message.type} of term ${event.message.term} to ${nodeName(event.to)} at ${event.timeMs} ms, after ${higher.type} of term ${higher.term} ` +
        `from ${nodeName(higher.from)} reached it at ${higher.atMs} ms: a term above a server's own, in any request or reply, is taken up at once and ends its leadership`
      );
    },
  });
}

/**
 * Runs only: when `node` is cut off at `cutMs` while it leads (it became leader in the highest
 * term any server led before then), another server becomes leader (BecameLeader, whose votes
 * election safety checks) within `withinMs`: the others do not wait for it to come back.
 */
export function newLeaderWhileCutOff(node: NodeId, cutMs: number, withinMs: number): Property<Raft, CutOffLeadership> {
  return always<Raft, CutOffLeadership>(
    'the others elect a new leader',
    {
      memory: () => ({ leaderAtCut: null, termAtCut: 0, electedAtMs: null }),
      records: ['output:BecameLeader'],
      record(memory, event) {
        if (event.kind !== 'output' || event.output.type !== 'BecameLeader') return undefined;
        if (event.timeMs < cutMs) {
          if (event.output.term > memory.termAtCut) Object.assign(memory, { leaderAtCut: event.node, termAtCut: event.output.term });
        } else if (event.node !== node && memory.electedAtMs === null) {
          memory.electedAtMs = event.timeMs;
        }
        return undefined;
      },
      check(_cluster, memory) {
        if (memory.leaderAtCut !== node) return undefined;
        if (memory.electedAtMs !== null && memory.electedAtMs <= cutMs + withinMs) return undefined;
        return (
          `${nodeName(node)}, the leader of term ${memory.termAtCut}, was cut off at ${cutMs} ms, but ` +
          `${memory.electedAtMs === null ? 'no other server became leader after that' : `no other server became leader before ${memory.electedAtMs} ms`}, ` +
          `where the bound is ${withinMs} ms: every server's election timer runs, and the servers a leader no longer reaches elect one of their own`
        );
      },
    },
    { atEnd: true },
  );
}

interface CutOffLeadership {
  /** Who led the highest term before the cut (null: nobody yet). */
  leaderAtCut: NodeId | null;
  termAtCut: number;
  /** When another server first became leader after the cut. */
  electedAtMs: number | null;
}

/** Runs only: after the old leader rejoins at `rejoinMs`, nobody stands for election before `untilMs`. */
export function rejoinDisturbsNobody(oldLeader: NodeId, rejoinMs: number, untilMs: number): Property<Raft, null> {
  return always<Raft, null>('a rejoining leader disturbs nobody', {
    memory: () => null,
    records: ['send:RequestVote'],
    record(_memory, event) {
      if (event.kind !== 'send' || event.message.type !== 'RequestVote' || event.timeMs <= rejoinMs || event.timeMs >= untilMs) return undefined;
      return (
        `${nodeName(event.from)} stood for election in term ${event.message.term} at ${event.timeMs} ms, after ${nodeName(oldLeader)}, the old leader, rejoined at ${rejoinMs} ms: ` +
        'an old leader learns the newer term from the first reply, steps down and follows the new leader; nobody needs a new election'
      );
    },
  });
}

/** Runs only: no entry (of the commands `which` picks) is applied before `untilMs`, because `why`. */
export function nothingCommittedBefore(untilMs: number, why: string, which: (command: Command) => boolean = () => true): Property<Raft, null> {
  return always<Raft, null>('no commit without a majority', {
    memory: () => null,
    records: ['output:Applied'],
    record(_memory, event) {
      if (event.kind !== 'output' || event.output.type !== 'Applied' || event.timeMs >= untilMs || !which(event.output.command)) return undefined;
      return `${nodeName(event.node)} applied entry ${event.output.index} (${quote(event.output.command)}) at ${event.timeMs} ms, while ${why}`;
    },
  });
}

/** Every Started answer puts the command at the index the test expects (fault-free runs with one command at a time). */
export function startedAt(expectedIndex: (command: Command) => number | undefined): Property<Raft, null> {
  return always<Raft, null>('entries at the expected indexes', {
    memory: () => null,
    records: ['output:Started', 'output:Applied'],
    record(_memory, event) {
      if (event.kind !== 'output') return undefined;
      const output = event.output;
      if (output.type !== 'Started' && output.type !== 'Applied') return undefined;
      const expected = expectedIndex(output.command);
      if (expected === undefined || output.index === expected) return undefined;
      const verb = output.type === 'Started' ? 'put' : 'applied';
      return `${nodeName(event.node)} ${verb} ${quote(output.command)} at index ${output.index}; with one command at a time and no faults it belongs at index ${expected}`;
    },
  });
}

// Budgets (runs only: they read times and counters).

/** What the heartbeat budget keeps: empty AppendEntries per follower and second, and the last failed check a leader heard. */
interface HeartbeatCounts {
  readonly counts: Map<string, number>;
  /** A failed consistency check just delivered to a leader: the one probe it sends back at once is not a heartbeat. */
  failedCheck: { readonly leader: NodeId; readonly follower: NodeId; readonly timeMs: number } | null;
  /** Per `follower/leader`: the AppendEntries last handed to the follower from that leader, to judge its refusal by. */
  readonly lastAppend: Map<string, { readonly prevLogIndex: number; readonly prevLogTerm: number; readonly term: number }>;
  /** Per `follower/leader`: refusals sent although the follower's stored log held prevLogIndex with prevLogTerm, not yet delivered. */
  readonly falseRefusals: Map<string, number>;
  /** Per `leader/follower`: the highest matchIndex the follower acknowledged to that leader, and in which term. */
  readonly acknowledged: Map<string, { readonly term: number; readonly index: number }>;
}

/**
 * Heartbeats: at most `perSecond` empty AppendEntries reach any one follower in any second of
 * the run (seconds counted from 0 ms), or only in the seconds from `fromSecond` on (the seconds
 * before can hold the heartbeats of two leaders, an old one not yet told of the new). The probe
 * a leader sends at once to a follower whose reply failed the consistency check is not counted:
 * the handout asks for it ("send again"), and it happens without faults too, when a heartbeat
 * overtakes the entries before it. Counted as heartbeats too: an AppendEntries that carries only
 * entries the follower has acknowledged to that leader in its term (it tells the follower nothing
 * new), and the probe that answers a refusal the follower's log did not warrant (it held the
 * entry at prevLogIndex with prevLogTerm): neither is a step of the repair the handout asks for.
 */
export function heartbeatBudget(perSecond: number, heartbeatMs: number, fromSecond = 0): Property<Raft, HeartbeatCounts> {
  return budget<Raft, HeartbeatCounts>('heartbeats per second', {
    memory: () => ({ counts: new Map(), failedCheck: null, lastAppend: new Map(), falseRefusals: new Map(), acknowledged: new Map() }),
    records: ['send:AppendEntries', 'send:AppendEntriesReply', 'deliver'],
    record(memory, event, cluster) {
      if (event.kind === 'deliver') {
        const message = event.message;
        memory.failedCheck = null;
        if (message.type === 'AppendEntries') {
          memory.lastAppend.set(`${event.to}/${event.from}`, { prevLogIndex: message.prevLogIndex, prevLogTerm: message.prevLogTerm, term: message.term });
        } else if (message.type === 'AppendEntriesReply' && message.success) {
          const key = `${event.to}/${event.from}`;
          const before = memory.acknowledged.get(key);
          if (before === undefined || message.term > before.term) memory.acknowledged.set(key, { term: message.term, index: message.matchIndex });
          else if (message.term === before.term && message.matchIndex > before.index) memory.acknowledged.set(key, { term: message.term, index: message.matchIndex });
        } else if (message.type === 'AppendEntriesReply') {
          const key = `${event.from}/${event.to}`;
          const unwarranted = memory.falseRefusals.get(key) ?? 0;
          if (unwarranted > 0) memory.falseRefusals.set(key, unwarranted - 1);
          else memory.failedCheck = { leader: event.to, follower: event.from, timeMs: event.timeMs };
        }
        return undefined;
      }
      if (event.kind !== 'send') return undefined;
      const message = event.message;
      if (message.type === 'AppendEntriesReply') {
        const key = `${event.from}/${event.to}`;
        const answered = memory.lastAppend.get(key);
        // A refusal of the leader's own term (not of an older one) whose prevLogIndex the follower's stored log holds with prevLogTerm.
        if (message.success || answered === undefined || answered.term !== message.term) return undefined;
        const held = answered.prevLogIndex === 0 || storedTermAt(cluster, event.from, answered.prevLogIndex) === answered.prevLogTerm;
        if (held) memory.falseRefusals.set(key, (memory.falseRefusals.get(key) ?? 0) + 1);
        return undefined;
      }
      if (message.type !== 'AppendEntries' || event.local) return undefined;
      if (message.entries.length > 0) {
        const acknowledged = memory.acknowledged.get(`${event.from}/${event.to}`);
        const last = message.prevLogIndex + message.entries.length;
        if (acknowledged === undefined || acknowledged.term !== message.term || last > acknowledged.index) return undefined;
      }
      if (event.timeMs < fromSecond * 1_000) return undefined;
      const failed = memory.failedCheck;
      if (failed !== null && failed.leader === event.from && failed.follower === event.to && failed.timeMs === event.timeMs) {
        memory.failedCheck = null;
        return undefined;
      }
      const key = `${event.to}/${Math.floor(event.timeMs / 1_000)}`;
      memory.counts.set(key, (memory.counts.get(key) ?? 0) + 1);
      return undefined;
    },
    check(_cluster, memory) {
      const counts = memory.counts;
      if (counts.size === 0) return `no progress: no heartbeat (AppendEntries without entries) was sent${fromSecond > 0 ? ` from ${fromSecond * 1_000} ms on` : ''}`;
      let worst: { key: string; count: number } = { key: '', count: 0 };
      for (const [key, count] of counts) if (count > worst.count) worst = { key, count };
      if (worst.count <= perSecond) return undefined;
      const [node, second] = worst.key.split('/').map(Number) as [number, number];
      return (
        `${nodeName(node)} was sent ${worst.count} empty AppendEntries (or ones carrying only entries it had acknowledged) between ${second * 1_000} and ${(second + 1) * 1_000} ms: ` +
        `at most ${perSecond} heartbeats per second per follower (one every heartbeatMs = ${heartbeatMs} ms, and none more on replies but the probe that answers ` +
        'a failed consistency check, which a follower sends only when its log lacks prevLogIndex with prevLogTerm)'
      );
    },
    measure(memory) {
      return { heartbeatsPerSecondMax: Math.max(0, ...memory.counts.values()) };
    },
  });
}

interface Grant {
  readonly atMs: number;
  readonly term: number;
}

/**
 * Runs only: "a vote is granted in the candidate's term" (Figure 2's RequestVote: "reply false
 * if term < currentTerm"). A `RequestVoteReply` that grants a vote carries the voter's term, which
 * is the candidate's own once the voter has taken it up; so it answers a `RequestVote` of that
 * very term, from that candidate, delivered to the voter. A voter that grants a stale candidate
 * spends its vote of a newer term on a candidate that cannot win it, and a candidate that
 * counts such a reply counts a vote of another term.
 */
export function votesInTheCandidatesTerm(): Property<Raft, Record<string, true>[]> {
  return always<Raft, Record<string, true>[]>("a vote is granted in the candidate's term", {
    // Per voter: `candidate:term` of each RequestVote delivered to it.
    memory: (cluster) => cluster.nodeIds.map(() => ({})),
    records: ['deliver:RequestVote', 'send:RequestVoteReply'],
    record(asked, event) {
      if (event.kind === 'deliver' && event.message.type === 'RequestVote') {
        const requests = asked[event.to];
        if (requests !== undefined) requests[`${event.from}:${event.message.term}`] = true;
        return undefined;
      }
      if (event.kind !== 'send' || event.message.type !== 'RequestVoteReply' || !event.message.voteGranted) return undefined;
      const requests = asked[event.from] ?? {};
      if (Object.hasOwn(requests, `${event.to}:${event.message.term}`)) return undefined;
      const terms = Object.keys(requests)
        .filter((key) => key.startsWith(`${event.to}:`))
        .map((key) => Number(key.slice(key.indexOf(':') + 1)));
      const heard = terms.length === 0 ? `no RequestVote from ${nodeName(event.to)} reached it` : `the RequestVotes of ${nodeName(event.to)} that reached it were of term ${terms.sort((a, b) => a - b).join(', ')}`;
      return (
        `${nodeName(event.from)} granted its vote to ${nodeName(event.to)} in term ${event.message.term} at ${event.timeMs} ms, but ${heard}: ` +
        "a vote goes only to a candidate of the voter's own term (Figure 2: reply false if term < currentTerm), or the voter spends its vote of a newer term on a candidate that cannot win it"
      );
    },
  });
}

interface AppendEntriesHeard {
  readonly leader: NodeId;
  readonly term: number;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly atMs: number;
}

/**
 * Runs only: "a refusal names the conflict" (fast backup). A follower that refuses an
 * `AppendEntries` of its own term for lack of (prevLogIndex, prevLogTerm) says where its log
 * parts from the leader's: `conflictTerm` null and `conflictIndex` just after its last entry when
 * its log ends before prevLogIndex; else `conflictTerm`, the term of its entry at prevLogIndex,
 * and `conflictIndex`, the first index of its log holding that term. Judged against the
 * follower's stored log, for the reply sent to the leader in the reaction to its request (the
 * same ms, the first reply to it since); a refusal of an older term's request is not judged (its
 * hint means nothing). A hint that points elsewhere makes a leader resend what the follower
 * holds, or skip back further than the conflict: the budget of refusals alone cannot tell.
 */
export function refusalNamesTheConflict(): Property<Raft, Map<NodeId, AppendEntriesHeard>> {
  return always<Raft, Map<NodeId, AppendEntriesHeard>>('a refusal names the conflict', {
    memory: () => new Map(),
    records: ['deliver:AppendEntries', 'send:AppendEntriesReply'],
    record(heard, event, cluster) {
      if (event.kind === 'deliver' && event.message.type === 'AppendEntries') {
        const request = event.message;
        heard.set(event.to, { leader: event.from, term: request.term, prevLogIndex: request.prevLogIndex, prevLogTerm: request.prevLogTerm, atMs: event.timeMs });
        return undefined;
      }
      if (event.kind !== 'send' || event.message.type !== 'AppendEntriesReply') return undefined;
      const reply = event.message;
      const request = heard.get(event.from);
      if (request === undefined || request.leader !== event.to || request.atMs !== event.timeMs) return undefined;
      heard.delete(event.from);
      if (reply.success || reply.term !== request.term) return undefined;
      const follower = event.from;
      const snapshot = storedSnapshot(cluster, follower);
      const log = storedLog(cluster, follower).filter((entry) => entry.index > snapshot.lastIncludedIndex);
      const lastIndex = Math.max(snapshot.lastIncludedIndex, log.at(-1)?.index ?? 0);
      // The snapshot holds committed entries, which match the leader's: a refusal there is judged by the other rules.
      if (request.prevLogIndex <= snapshot.lastIncludedIndex) return undefined;
      const refused = `${nodeName(follower)} refused ${nodeName(event.to)}'s AppendEntries (term ${request.term}, prevLogIndex ${request.prevLogIndex}, prevLogTerm ${request.prevLogTerm}) at ${event.timeMs} ms`;
      const hint = `conflictTerm ${reply.conflictTerm === null ? 'null' : reply.conflictTerm}, conflictIndex ${reply.conflictIndex}`;
      const fastBackup = 'a refusal tells the leader where the conflicting term starts (Fast backup), so that it skips a whole term per round trip';
      if (request.prevLogIndex > lastIndex) {
        if (reply.conflictTerm === null && reply.conflictIndex === lastIndex + 1) return undefined;
        return `${refused} with ${hint}, but its stored log ends at index ${lastIndex}: a log shorter than prevLogIndex answers conflictTerm null, conflictIndex ${lastIndex + 1} (the index just after its last entry); ${fastBackup}`;
      }
      const position = log.findIndex((entry) => entry.index === request.prevLogIndex);
      const entry = log[position];
      // A stored log that does not hold its indexes in a row is for "log matching" to judge.
      if (entry === undefined || entry.term === request.prevLogTerm) return undefined;
      let first = position;
      while (first > 0 && (log[first - 1] as LogEntry).term === entry.term) first--;
      const firstIndex = (log[first] as LogEntry).index;
      // The term's first entries may lie inside the snapshot: any index up to the first one kept is then right.
      const startsInSnapshot = first === 0 && snapshot.lastIncludedTerm === entry.term;
      const indexRight = startsInSnapshot ? reply.conflictIndex >= 1 && reply.conflictIndex <= firstIndex : reply.conflictIndex === firstIndex;
      if (reply.conflictTerm === entry.term && indexRight) return undefined;
      return (
        `${refused} with ${hint}, but its stored entry at ${request.prevLogIndex} is of term ${entry.term}, first held at index ${firstIndex}: ` +
        `it answers conflictTerm ${entry.term}, conflictIndex ${firstIndex}; ${fastBackup}`
      );
    },
  });
}

/**
 * A voter waits: a server that grants its vote resets its election timer ("to grant: ... it
 * resets its election timer"), to a new time of at least `minTimeoutMs`, so it stands for
 * election no sooner than that after granting. One that keeps its old timer stands right after
 * voting whenever the new leader's first heartbeat is late, and deposes the leader it just
 * helped elect: runs show that only as slower elections. A restart starts a new timer anyway.
 */
export function voterWaitsAfterGranting(minTimeoutMs: number): Property<Raft, Map<NodeId, Grant>> {
  return always<Raft, Map<NodeId, Grant>>('a server that grants its vote waits before it stands', {
    memory: () => new Map(),
    records: ['send:RequestVoteReply', 'send:RequestVote', 'restart'],
    record(grants, event) {
      if (event.kind === 'restart') {
        grants.delete(event.node);
        return undefined;
      }
      if (event.kind !== 'send' || event.local) return undefined;
      const message = event.message;
      if (message.type === 'RequestVoteReply') {
        if (message.voteGranted) grants.set(event.from, { atMs: event.timeMs, term: message.term });
        return undefined;
      }
      if (message.type !== 'RequestVote') return undefined;
      const grant = grants.get(event.from);
      if (grant === undefined || message.term <= grant.term || event.timeMs >= grant.atMs + minTimeoutMs) return undefined;
      return (
        `${nodeName(event.from)} granted its vote in term ${grant.term} at ${grant.atMs} ms and stood for term ${message.term} at ${event.timeMs} ms, ` +
        `${event.timeMs - grant.atMs} ms later: granting a vote resets the election timer (a new time of at least ${minTimeoutMs} ms), ` +
        'so that a voter gives the candidate it helped time to lead'
      );
    },
  });
}

/** A leader just elected, within 1 ms of its election: whom it has sent AppendEntries or InstallSnapshot. */
interface NewLeader {
  readonly node: NodeId;
  readonly term: number;
  readonly incarnation: number;
  readonly atMs: number;
  readonly reached: NodeId[];
}

/**
 * A new leader announces itself at once: within 1 ms of the moment it outputs `BecameLeader`
 * (in that reaction, before or after the output, or in one a timer of the shortest delay, 1 ms,
 * starts) it sends `AppendEntries` (or `InstallSnapshot`) of its term to every other server
 * ("sends AppendEntries to every other server at once, so that nobody else stands"). One that
 * waits for its first heartbeat leaves the others' election timers running for up to
 * `heartbeatMs`. Parts A to D (every server is in the configuration). A crash within that time
 * excuses it, and so does a message of a higher term handed to it within that time: it then
 * steps down, and may send nothing more of its term.
 */
export function newLeaderAnnouncesAtOnce(servers: readonly NodeId[]): Property<Raft, AnnouncementMemory> {
  /** Judges one new leader whose time is up (or whose run ended), unless it was excused. */
  const judge = (memory: AnnouncementMemory, pending: NewLeader, cluster: ClusterView<Raft>): void => {
    if (memory.late !== null || cluster.isCrashed(pending.node) || cluster.incarnation(pending.node) !== pending.incarnation) return;
    const missing = servers.filter((server) => server !== pending.node && !pending.reached.includes(server));
    if (missing.length === 0) return;
    memory.late =
      `${nodeName(pending.node)} became leader of term ${pending.term} at ${pending.atMs} ms and sent no AppendEntries to ` +
      `${missing.map(nodeName).join(', ')} by ${pending.atMs + 1} ms: a new leader sends AppendEntries to every other server at once, so that nobody else stands`;
  };
  // Several servers can become leader within the same millisecond (of different terms, one
  // of them about to step down): each is waited on for its own 1 ms.
  const judgeWhere = (memory: AnnouncementMemory, cluster: ClusterView<Raft>, due: (pending: NewLeader) => boolean): void => {
    const kept: NewLeader[] = [];
    for (const pending of memory.pending) {
      if (due(pending)) judge(memory, pending, cluster);
      else kept.push(pending);
    }
    memory.pending = kept;
  };
  return always<Raft, AnnouncementMemory>(
    'a new leader announces itself at once',
    {
      memory: () => ({ pending: [], late: null, sentBefore: [] }),
      // Every delivery: a higher term handed to a new leader excuses it, and the first event after its 1 ms closes the wait then, not at some later send.
      records: ['output:BecameLeader', 'send:AppendEntries', 'send:InstallSnapshot', 'crash', 'deliver'],
      record(memory, event, cluster) {
        if (memory.pending.length > 0) {
          judgeWhere(memory, cluster, (pending) => event.timeMs > pending.atMs + 1);
          if (event.kind === 'crash') memory.pending = memory.pending.filter((pending) => pending.node !== event.node);
          else if (event.kind === 'deliver') memory.pending = memory.pending.filter((pending) => event.to !== pending.node || termOf(event.message) <= pending.term);
        }
        if (memory.late !== null) return memory.late;
        if (event.kind === 'output' && event.output.type === 'BecameLeader') {
          const node = event.node;
          const term = event.output.term;
          // A server leading again within the millisecond (it stepped down meanwhile) is judged on its earlier term first.
          judgeWhere(memory, cluster, (pending) => pending.node === node);
          if (memory.late !== null) return memory.late;
          // What it sent of its term in the same moment, before the output, counts too.
          const before = memory.sentBefore.find((sent) => sent.node === node && sent.term === term && sent.atMs === event.timeMs);
          memory.pending.push({ node, term, incarnation: event.incarnation, atMs: event.timeMs, reached: before === undefined ? [] : [...before.reached] });
          memory.sentBefore = memory.sentBefore.filter((sent) => sent.node !== node);
          return undefined;
        }
        if (event.kind !== 'send') return undefined;
        const message = event.message;
        if (message.type !== 'AppendEntries' && message.type !== 'InstallSnapshot') return undefined;
        const current = memory.pending.find((pending) => pending.node === event.from && pending.term === message.term);
        if (current !== undefined) {
          if (!current.reached.includes(event.to)) current.reached.push(event.to);
          return undefined;
        }
        // Only this moment's sends can precede an output in the same reaction: older ones are dropped.
        memory.sentBefore = memory.sentBefore.filter((sent) => sent.atMs === event.timeMs);
        let before = memory.sentBefore.find((sent) => sent.node === event.from && sent.term === message.term);
        if (before === undefined) {
          before = { node: event.from, term: message.term, atMs: event.timeMs, reached: [] };
          memory.sentBefore.push(before);
        }
        if (!before.reached.includes(event.to)) before.reached.push(event.to);
        return undefined;
      },
      check(cluster, memory) {
        judgeWhere(memory, cluster, () => true);
        return memory.late ?? undefined;
      },
    },
    { atEnd: true },
  );
}

/** What {@link newLeaderAnnouncesAtOnce} keeps: the new leaders it waits on, and what each server sent of one term at this moment. */
interface AnnouncementMemory {
  pending: NewLeader[];
  late: string | null;
  sentBefore: { readonly node: NodeId; readonly term: number; readonly atMs: number; readonly reached: NodeId[] }[];
}

/**
 * Split votes end: candidates stand in at most `most` terms in a row with no leader elected.
 * A cluster that never stands (a stub) keeps it; only repeated split votes break it, which is
 * what the split-vote demonstration shows.
 */
export function splitVotesEnd(most: number): Property<Raft, { lastTerm: number; firstTerm: number; terms: number }> {
  return always<Raft, { lastTerm: number; firstTerm: number; terms: number }>('split votes resolve', {
    memory: () => ({ lastTerm: 0, firstTerm: 0, terms: 0 }),
    records: ['output:BecameLeader', 'send:RequestVote'],
    record(memory, event) {
      if (event.kind === 'output') {
        memory.terms = 0;
        return undefined;
      }
      if (event.kind !== 'send' || event.message.type !== 'RequestVote' || event.message.term <= memory.lastTerm) return undefined;
      memory.lastTerm = event.message.term;
      if (memory.terms === 0) memory.firstTerm = event.message.term;
      memory.terms++;
      if (memory.terms <= most) return undefined;
      return (
        `candidates stood in ${memory.terms} terms in a row (terms ${memory.firstTerm} to ${memory.lastTerm}) and no server was elected: ` +
        'the votes split again and again'
      );
    },
  });
}

/** Election messages: RequestVote and RequestVoteReply sent to other servers, at most `most` in the run. */
export function electionMessageBudget(most: number, why: string): Property<Raft, { leaders: number; sent: number }> {
  return budget<Raft, { leaders: number; sent: number }>('election messages', {
    memory: () => ({ leaders: 0, sent: 0 }),
    records: ['output:BecameLeader', 'send:RequestVote', 'send:RequestVoteReply'],
    record(memory, event) {
      if (event.kind === 'output') memory.leaders++;
      else if (event.kind === 'send' && !event.local) memory.sent++;
      return undefined;
    },
    check(_cluster, memory) {
      if (memory.leaders === 0) return 'no progress: no server became leader, so there is no cost to measure';
      if (memory.sent <= most) return undefined;
      return `${memory.sent} RequestVote and RequestVoteReply messages for ${plural(memory.leaders, 'election')} won, at most ${most} allowed (${why}): are election timeouts drawn at random in [T, 2T], anew each time?`;
    },
    measure: (memory) => ({ electionMessages: memory.sent }),
  });
}

interface Phase {
  /** Messages sent so far in the phase, or null before it begins. */
  sent: number | null;
  done: boolean;
}

/** Messages until the first server becomes leader: at most `most`. */
export function messagesToElect(most: number): Property<Raft, Phase> {
  return budget<Raft, Phase>('messages to elect a leader', {
    memory: () => ({ sent: 0, done: false }),
    records: ['send', 'output:BecameLeader'],
    record(phase, event) {
      if (phase.done) return undefined;
      if (event.kind === 'output') phase.done = true;
      else if (event.kind === 'send' && !event.local) phase.sent = (phase.sent ?? 0) + 1;
      return undefined;
    },
    check(_cluster, phase) {
      if (!phase.done) return 'no progress: no server became leader, so there is no cost to measure';
      if ((phase.sent ?? 0) <= most) return undefined;
      return `${phase.sent ?? 0} messages were sent before the first leader was elected, at most ${most} allowed`;
    },
    measure: (phase) => ({ messagesToElect: phase.sent ?? 0 }),
  });
}

/**
 * Messages from the first Start until every server applied `entries` entries: at most `most`
 * (each entry reaches each follower about once, and heartbeats carry the commit index).
 */
export function messagesToCommit(servers: readonly NodeId[], entries: number, most: number): Property<Raft, Phase & { applied: number[] }> {
  return budget<Raft, Phase & { applied: number[] }>('messages to commit', {
    memory: (cluster) => ({ sent: null, done: false, applied: perNode(cluster, () => 0) }),
    records: ['send', 'input:Start', 'output:Applied'],
    record(phase, event) {
      if (phase.done) return undefined;
      if (event.kind === 'input') phase.sent ??= 0;
      else if (event.kind === 'send' && phase.sent !== null && !event.local) phase.sent++;
      else if (event.kind === 'output' && event.output.type === 'Applied') {
        phase.applied[event.node] = Math.max(phase.applied[event.node] ?? 0, event.output.index);
        if (servers.every((server) => (phase.applied[server] ?? 0) >= entries)) phase.done = true;
      }
      return undefined;
    },
    check(_cluster, phase) {
      if (!phase.done) return `no progress: the ${entries} entries were not applied on every server, so there is no cost to measure`;
      if ((phase.sent ?? 0) <= most) return undefined;
      return `${phase.sent ?? 0} messages were sent from the first Start until every server applied ${entries} entries, at most ${most} allowed`;
    },
    measure: (phase) => ({ messagesToCommit: phase.sent ?? 0 }),
  });
}

/** Messages sent between `fromMs` and `toMs` while nothing is asked: at most `most`. */
export function idleMessages(fromMs: number, toMs: number, most: number, why: string): Property<Raft, { sent: number; leaders: number }> {
  return budget<Raft, { sent: number; leaders: number }>('messages while idle', {
    memory: () => ({ sent: 0, leaders: 0 }),
    records: ['send', 'output:BecameLeader'],
    record(memory, event) {
      if (event.kind === 'output') memory.leaders++;
      else if (event.kind === 'send' && !event.local && event.timeMs >= fromMs && event.timeMs < toMs) memory.sent++;
      return undefined;
    },
    check(_cluster, memory) {
      if (memory.leaders === 0) return 'no progress: no server became leader, so there is no cost to measure';
      if (memory.sent <= most) return undefined;
      return `${memory.sent} messages were sent between ${fromMs} and ${toMs} ms while nothing was asked, at most ${most} allowed (${why})`;
    },
    measure: (memory) => ({ idleMessages: memory.sent }),
  });
}

/** Entries carried by AppendEntries: each command reaches each follower about once (at most `factor` times on average). */
export function entriesSentBudget(followers: number, factor: number): Property<Raft, { carried: number; applied: Command[] }> {
  return budget<Raft, { carried: number; applied: Command[] }>('entries sent per command', {
    memory: () => ({ carried: 0, applied: [] }),
    records: ['send:AppendEntries', 'output:Applied'],
    record(memory, event) {
      if (event.kind === 'send' && event.message.type === 'AppendEntries' && !event.local) memory.carried += event.message.entries.length;
      else if (event.kind === 'output' && event.output.type === 'Applied' && !memory.applied.includes(event.output.command)) memory.applied.push(event.output.command);
      return undefined;
    },
    check(_cluster, memory) {
      const commands = memory.applied.length;
      if (commands === 0) return 'no progress: nothing was applied, so there is no cost to measure';
      const most = Math.ceil(factor * commands * followers);
      if (memory.carried <= most) return undefined;
      return (
        `AppendEntries carried ${memory.carried} entries for ${plural(commands, 'command')} and ${plural(followers, 'follower')}, at most ${most} allowed ` +
        `(${factor} × commands × followers): send a follower the entries from its nextIndex on, and move nextIndex past what it acknowledged; ` +
        'while a batch is in flight, send that follower no entries with Starts and heartbeats, and send the batch again only after a whole heartbeat period without its reply'
      );
    },
    measure: (memory) => ({ entriesPerCommandPerFollower: memory.applied.length === 0 ? 0 : memory.carried / (memory.applied.length * followers) }),
  });
}

interface Rejections {
  /** Per node: the AppendEntries from another node it is reacting to, if any: the step it was delivered in, its sender, term and prevLogIndex. */
  readonly reactingTo: ({ readonly step: number; readonly leader: NodeId; readonly term: number; readonly prevLogIndex: number } | null)[];
  /** Per node: the last AppendEntries it refused, as above (without the step). */
  readonly lastRefused: ({ readonly leader: NodeId; readonly term: number; readonly prevLogIndex: number } | null)[];
  rejected: number;
  applied: boolean;
}

/**
 * Fast backup: at most `most` AppendEntries fail the consistency check in the whole run: a
 * conflicting term is skipped in one round trip, not one entry at a time. Not counted:
 * - a rejection for a stale term: the answer, in the same reaction, to an AppendEntries from
 *   another node of a lower term;
 * - a refused AppendEntries that overtook the entries sent before it: one whose prevLogIndex is
 *   above that of the last one the same follower refused from the same leader in the same term.
 *   A leader repairing a log moves back; one that sends entries before earlier ones are
 *   answered (pipelining, which the handout allows) has some overtaken on the way.
 * Any other failed reply to another node counts, so that a follower cannot hide its rejections
 * behind a message to itself or a reply put off to a later reaction.
 */
export function rejectionBudget(most: number, conflicting: string): Property<Raft, Rejections> {
  return budget<Raft, Rejections>('round trips to repair a log', {
    memory: (cluster) => ({ reactingTo: perNode(cluster, () => null), lastRefused: perNode(cluster, () => null), rejected: 0, applied: false }),
    records: ['deliver:AppendEntries', 'send:AppendEntriesReply', 'output:Applied'],
    record(memory, event, cluster) {
      if (event.kind === 'deliver' && event.message.type === 'AppendEntries') {
        const { term, prevLogIndex } = event.message;
        memory.reactingTo[event.to] = event.local ? null : { step: cluster.step, leader: event.from, term, prevLogIndex };
      } else if (event.kind === 'send' && event.message.type === 'AppendEntriesReply' && !event.message.success && !event.local) {
        const answered = memory.reactingTo[event.from];
        if (answered === null || answered === undefined || answered.step !== cluster.step || answered.leader !== event.to) {
          memory.rejected++;
          return undefined;
        }
        if (answered.term < event.message.term) return undefined;
        const last = memory.lastRefused[event.from];
        const overtaken = last !== null && last !== undefined && last.leader === answered.leader && last.term === answered.term && answered.prevLogIndex > last.prevLogIndex;
        memory.lastRefused[event.from] = { leader: answered.leader, term: answered.term, prevLogIndex: answered.prevLogIndex };
        if (!overtaken) memory.rejected++;
      } else if (event.kind === 'output') memory.applied = true;
      return undefined;
    },
    check(_cluster, memory) {
      if (!memory.applied) return 'no progress: nothing was applied, so there is no cost to measure';
      if (memory.rejected <= most) return undefined;
      return (
        `${memory.rejected} AppendEntries failed the consistency check while repairing ${conflicting}, at most ${most} allowed: with conflictTerm and conflictIndex ` +
        'the leader skips a whole conflicting term per round trip instead of one entry'
      );
    },
    measure: (memory) => ({ rejectedAppendEntries: memory.rejected }),
  });
}

/** Part D: a stored log never holds more than `most` entries (the service snapshots every few entries, and Raft discards what a snapshot covers). */
export function storedLogBound(most: number, why: string): Property<Raft, null> {
  return always<Raft, null>('log size bounded by snapshots', {
    memory: () => null,
    records: ['storage:log'],
    record(_memory, event) {
      if (event.kind !== 'storage' || !Array.isArray(event.value) || event.value.length <= most) return undefined;
      return `${nodeName(event.node)} wrote a log of ${event.value.length} entries, at most ${most} allowed (${why}): discard the entries a snapshot covers, in storage too`;
    },
  });
}

/** Per node: whether it was handed a Snapshot input, the index its stored snapshot ended at when it crashed, and whether its restart has yet to output SnapshotInstalled. */
interface RestartFromSnapshot {
  handed: boolean;
  snapshotAtCrash: number | null;
  waiting: boolean;
}

/**
 * Part D, runs only: "each restarts from its snapshot". Every server that crashes, once handed a
 * Snapshot input, holds a stored snapshot by then (`why` says why it should), and after its restart outputs SnapshotInstalled
 * with that snapshot before it applies anything: the service's state comes back from the
 * snapshot, and the log only holds what came after it.
 */
export function restartsFromStoredSnapshot(why: string): Property<Raft, RestartFromSnapshot[]> {
  return always<Raft, RestartFromSnapshot[]>(
    'a restart starts from the stored snapshot',
    {
      memory: (cluster) => perNode(cluster, () => ({ handed: false, snapshotAtCrash: null, waiting: false })),
      records: ['input:Snapshot', 'crash', 'restart', 'output:SnapshotInstalled', 'output:Applied'],
      record(memory, event, cluster) {
        if (event.kind === 'input') {
          const node = memory[event.node];
          if (node !== undefined) node.handed = true;
          return undefined;
        }
        if (event.kind === 'crash' || event.kind === 'restart') {
          const node = memory[event.node];
          if (node === undefined) return undefined;
          // A server never handed a Snapshot input (nothing applied yet) is not judged: the progress checks report that.
          if (event.kind === 'crash') node.snapshotAtCrash = node.handed ? storedSnapshot(cluster, event.node).lastIncludedIndex : null;
          else node.waiting = (node.snapshotAtCrash ?? 0) > 0;
          return undefined;
        }
        if (event.kind !== 'output') return undefined;
        const node = memory[event.node];
        if (node === undefined || !node.waiting) return undefined;
        const who = nodeName(event.node);
        node.waiting = false;
        if (event.output.type === 'Applied') {
          return `${who} restarted with a stored snapshot up to index ${node.snapshotAtCrash ?? 0} and output Applied at ${event.timeMs} ms before any SnapshotInstalled: a restarted server outputs SnapshotInstalled with its stored snapshot before anything else`;
        }
        if (event.output.type !== 'SnapshotInstalled') return undefined;
        const index = isSnapshot(event.output.snapshot) ? event.output.snapshot.lastIncludedIndex : undefined;
        if (index === node.snapshotAtCrash) return undefined;
        return `${who} restarted with a stored snapshot up to index ${node.snapshotAtCrash ?? 0} and output SnapshotInstalled up to ${index ?? 'a malformed snapshot'} at ${event.timeMs} ms: a restarted server reads its snapshot back, and the service starts from it`;
      },
      check(_cluster, memory) {
        for (const [node, restart] of memory.entries()) {
          if (restart.snapshotAtCrash === 0) return `${nodeName(node)} crashed with no snapshot in its storage (${why}): Raft stores each snapshot the service hands it`;
          if (restart.waiting) return `${nodeName(node)} restarted with a stored snapshot up to index ${restart.snapshotAtCrash ?? 0} and never output SnapshotInstalled: a restarted server reads its snapshot back and outputs SnapshotInstalled with it first`;
        }
        return undefined;
      },
    },
    { atEnd: true },
  );
}

/**
 * Part D, runs only: "Raft keeps it as its snapshot". By the end, every server that was handed a
 * Snapshot input holds a stored snapshot: whatever crashes cut short, the service hands it more.
 */
export function snapshotsStored(): Property<Raft, boolean[]> {
  return always<Raft, boolean[]>(
    'snapshots are stored',
    {
      memory: (cluster) => perNode(cluster, () => false),
      records: ['input:Snapshot'],
      record(handed, event) {
        if (event.kind === 'input' && event.node in handed) handed[event.node] = true;
        return undefined;
      },
      check(cluster, handed) {
        for (const [node, given] of handed.entries()) {
          if (given && storedSnapshot(cluster, node).lastIncludedIndex === 0) {
            return `${nodeName(node)} was handed Snapshot inputs but holds no snapshot in its storage at the end: Raft keeps each snapshot the service hands it, in durable storage, and discards the entries it covers`;
          }
        }
        return undefined;
      },
    },
    { atEnd: true },
  );
}

/** Part D: `node` installs a snapshot from the leader (not read back from its own storage): SnapshotInstalled while no restart gave it one. */
export function snapshotInstalledFromLeader(node: NodeId): Property<Raft, { installed: boolean; led: boolean }> {
  return sometimes<Raft, { installed: boolean; led: boolean }>('a lagging server installs the leader\'s snapshot', {
    memory: () => ({ installed: false, led: false }),
    records: ['send:InstallSnapshotReply', 'output:BecameLeader'],
    record(memory, event) {
      if (event.kind === 'output') memory.led = true;
      else if (event.kind === 'send' && event.from === node) memory.installed = true;
      return undefined;
    },
    check(_cluster, memory) {
      if (memory.installed) return undefined;
      if (!memory.led) return 'no progress: no server became leader, so there was no snapshot to install';
      return `${nodeName(node)} never answered an InstallSnapshot: a server that lacks entries the leader has discarded gets the leader's snapshot`;
    },
  });
}

/**
 * Whether `leader`, just elected, stands in Figure 8's dangerous state: an entry of another
 * term than its own, at an index of its log, is stored on a majority of the servers.
 */
function inFigureEight(cluster: ClusterView<Raft>, leader: NodeId, servers: readonly NodeId[]): boolean {
  const needed = majority(servers.length);
  for (const entry of storedLog(cluster, leader)) {
    for (const other of servers) {
      if (other === leader) continue;
      const term = storedTermAt(cluster, other, entry.index);
      if (term === undefined || term === entry.term) continue;
      if (servers.filter((server) => storedTermAt(cluster, server, entry.index) === term).length >= needed) return true;
    }
  }
  return false;
}

/**
 * Runs only, a figure for the report: how often the run reached Figure 8's dangerous state — a
 * server becomes leader while an entry of another term, at an index where its own log differs,
 * is stored on a majority of servers.
 */
export function figureEightReached(servers: readonly NodeId[]): Property<Raft, { reached: number }> {
  return always<Raft, { reached: number }>('Figure 8 reached', {
    memory: () => ({ reached: 0 }),
    records: ['output:BecameLeader'],
    record(memory, event, cluster) {
      if (event.kind === 'output' && inFigureEight(cluster, event.node, servers)) memory.reached++;
      return undefined;
    },
    measure: (memory) => ({ figureEightReached: memory.reached > 0 ? 1 : 0 }),
  });
}

/**
 * A search's goal: `node`, which the earlier leaders left with an empty log, stores an entry
 * on some path. A correct Raft's next leader copies its log there; a cluster that never
 * replicates elects leaders all the same, and is never put to the test.
 */
export function serverStoresAnEntry(node: NodeId): Property<Raft> {
  return sometimes<Raft>(`${nodeName(node)} stores an entry`, (cluster) => (storedLog(cluster, node).length > 0 ? undefined : `${nodeName(node)} stores no entry`));
}
