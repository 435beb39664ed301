// Lab 5, part F: the properties of membership change, and the driver that asks for the changes.
// Like checks.ts they read only what can be observed: inputs, outputs, messages, and durable
// storage. A server's configuration is the latest configuration entry in its stored log; with
// none, the configuration its stored snapshot keeps; with neither, config.initialVoters.
//
// What "committed" means here. A leader reveals how far it has committed in two ways: the
// leaderCommit of every AppendEntries it sends (its commitIndex, exactly) and its Applied
// outputs. An entry is first known committed at its first such reveal, anywhere. The leader's
// decision to commit it came after its previous AppendEntries, whose leaderCommit was lower; so
// the configuration in force at that decision is one of those the leader held since that send.
// Judging against each of them, and failing only when none fits, keeps the properties sound
// for a leader that changes its configuration and commits in the same reaction.
import {
  always,
  eventually,
  keepsTheDeclaredState,
  nodeName,
  speaksTheProtocol,
  type ClusterLayout,
  type ClusterView,
  type NodeId,
  type Property,
  type KvClientInput,
  type Tagged,
  type Workload,
  type WorkloadContext,
} from 'distlab/testing';
import {
  durability,
  inOrderApply,
  installedSnapshotProblem,
  leaderCompleteness,
  logMatching,
  majority,
  raftMessages,
  raftState,
  storedLog,
  storedSnapshot,
  storedTerm,
  storedTermAt as termStoredAt,
} from './checks.ts';
import type { Configuration, LogEntry, Raft } from './src/protocol.ts';

/** `n0, n2`: nodes in id order. */
const names = (nodes: Iterable<NodeId>) => [...nodes].sort((left, right) => left - right).map(nodeName).join(', ');
const perNode = <T>(cluster: ClusterLayout, empty: () => T): T[] => cluster.nodeIds.map(empty);
const quote = (value: string) => JSON.stringify(value);

// Configurations.

/** The configuration before any configuration entry: every server of `initialVoters` votes. */
export const initialConfiguration = (initialVoters: readonly NodeId[]): Configuration => ({ voters: [...initialVoters], newVoters: null });

interface ConfigurationEntry {
  readonly index: number;
  readonly configuration: Configuration;
}

/** The latest configuration entry of each stored log: stored logs are frozen, and several checks read them after every event. */
const latestConfigurations = new WeakMap<readonly LogEntry[], ConfigurationEntry | null>();

/** The latest configuration entry of `log`, or undefined when it holds none. */
export function latestConfigurationIn(log: readonly LogEntry[]): ConfigurationEntry | undefined {
  const known = Object.isFrozen(log) ? latestConfigurations.get(log) : undefined;
  if (known !== undefined) return known ?? undefined;
  let latest: ConfigurationEntry | undefined;
  for (let position = log.length - 1; position >= 0 && latest === undefined; position--) {
    const entry = log[position];
    const configuration = entry?.configuration;
    if (entry !== undefined && isConfiguration(configuration)) latest = { index: entry.index, configuration };
  }
  if (Object.isFrozen(log)) latestConfigurations.set(log, latest ?? null);
  return latest;
}

function isConfiguration(value: unknown): value is Configuration {
  if (typeof value !== 'object' || value === null || !('voters' in value) || !('newVoters' in value)) return false;
  const isIds = (ids: unknown) => Array.isArray(ids) && ids.every((id) => typeof id === 'number');
  return isIds(value.voters) && (value.newVoters === null || isIds(value.newVoters));
}

/** A server's configuration: the latest in its stored log, committed or not; with none, the initial one. */
export function configurationOf(cluster: ClusterView<Raft>, node: NodeId, initialVoters: readonly NodeId[]): Configuration {
  const latest = latestConfigurationIn(storedLog(cluster, node));
  if (latest !== undefined) return latest.configuration;
  // The snapshot remembers the configuration of the entries it replaced (read as untrusted data: a submission wrote it).
  const snapshot: object = storedSnapshot(cluster, node);
  const remembered = 'configuration' in snapshot ? snapshot.configuration : undefined;
  return isConfiguration(remembered) ? remembered : initialConfiguration(initialVoters);
}

/** The sets that vote: C_old alone, or C_old and C_new during a change. */
export const voterSets = (configuration: Configuration): (readonly NodeId[])[] =>
  configuration.newVoters === null ? [configuration.voters] : [configuration.voters, configuration.newVoters];

/** Every server that votes in either set. */
export const membersOf = (configuration: Configuration): NodeId[] => [...new Set(voterSets(configuration).flat())].sort((left, right) => left - right);

export const sameConfiguration = (left: Configuration, right: Configuration) => describeConfiguration(left) === describeConfiguration(right);

/** `{n0, n1, n2}`, or `joint {n0, n1, n2} + {n1, n2, n3}`. */
export function describeConfiguration(configuration: Configuration): string {
  if (configuration.newVoters === null) return `{${names(configuration.voters)}}`;
  return `joint {${names(configuration.voters)}} + {${names(configuration.newVoters)}}`;
}

/** Whether `holders` include a majority of every voter set of `configuration`. */
export function quorumOf(holders: ReadonlySet<NodeId>, configuration: Configuration): boolean {
  return voterSets(configuration).every((voters) => voters.filter((node) => holders.has(node)).length >= majority(voters.length));
}

/** Why `holders` are not a quorum of `configuration`: each voter set they lack a majority of. */
function describeShortfall(holders: ReadonlySet<NodeId>, configuration: Configuration): string {
  return voterSets(configuration)
    .map((voters, position) => {
      const present = voters.filter((node) => holders.has(node)).length;
      const label = configuration.newVoters === null ? 'voters' : position === 0 ? 'old voters' : 'new voters';
      const verdict = present >= majority(voters.length) ? 'a majority' : `not a majority (a majority is ${majority(voters.length)})`;
      return `${present} of the ${voters.length} ${label}, ${verdict}`;
    })
    .join('; ');
}

// Durable storage.

/**
 * The term of the entry at `index` in a server's storage (the snapshot's last one included),
 * or undefined. Index 0 is no entry a snapshot ends at: only a log entry of that index answers.
 */
function storedTermAt(cluster: ClusterView<Raft>, node: NodeId, index: number): number | undefined {
  if (index === 0) return storedLog(cluster, node).find((entry) => entry.index === 0)?.term;
  return termStoredAt(cluster, node, index);
}

/** Whether a server's storage holds entry ⟨index, term⟩, or a snapshot that covers it. */
function storesEntry(cluster: ClusterView<Raft>, node: NodeId, index: number, term: number): boolean {
  if (storedSnapshot(cluster, node).lastIncludedIndex > index) return true;
  return storedTermAt(cluster, node, index) === term;
}

/** The servers whose storage holds entry ⟨index, term⟩. */
const holdersOf = (cluster: ClusterView<Raft>, index: number, term: number) => new Set(cluster.servers.filter((node) => storesEntry(cluster, node, index, term)));

// Who leads.

interface Leadership {
  readonly term: number;
  readonly incarnation: number;
}

/** Whether `node` leads now: it became leader of `record.term` in this incarnation and has seen no later term. */
function leadsNow(cluster: ClusterView<Raft>, node: NodeId, record: Leadership | null | undefined): record is Leadership {
  return record !== null && record !== undefined && !cluster.isCrashed(node) && cluster.incarnation(node) === record.incarnation && storedTerm(cluster, node) === record.term;
}

// At most one leader per term, across configurations.

interface Candidacy {
  term: number;
  /** Who granted this node its vote in `term` (replies delivered to it). */
  granted: NodeId[];
  /** The configurations it held while it stood in `term`. */
  configurations: Configuration[];
}

interface Elections {
  readonly leaders: Map<number, NodeId>;
  readonly candidacies: Candidacy[];
}

/**
 * "at most one leader per term", across configurations: no two servers become leader of one
 * term, and a leader wins with the votes (its own and the RequestVoteReplies granted to it in
 * its term) of a majority of every voter set of its configuration — of C_old and of C_new
 * while a joint configuration is its latest. The configuration is the one it held when it
 * asked for votes, or when it won. It replaces checks.ts's election safety in part F, whose
 * majority is of every server of the cluster.
 */
export function atMostOneLeaderPerTerm(initialVoters: readonly NodeId[]): Property<Raft, Elections> {
  return always<Raft, Elections>('at most one leader per term', {
    memory: (cluster) => ({ leaders: new Map(), candidacies: perNode(cluster, () => ({ term: 0, granted: [], configurations: [] })) }),
    records: ['output:BecameLeader', 'deliver:RequestVoteReply', 'send:RequestVote'],
    record(elections, event, cluster) {
      if (event.kind === 'send') {
        if (event.message.type !== 'RequestVote') return undefined;
        const candidacy = elections.candidacies[event.from];
        if (candidacy === undefined || event.message.term < candidacy.term) return undefined;
        const configuration = configurationOf(cluster, event.from, initialVoters);
        if (event.message.term > candidacy.term) Object.assign(candidacy, { term: event.message.term, granted: [], configurations: [configuration] });
        else if (!candidacy.configurations.some((known) => sameConfiguration(known, configuration))) candidacy.configurations.push(configuration);
        return undefined;
      }
      if (event.kind === 'deliver') {
        const message = event.message;
        if (message.type !== 'RequestVoteReply' || !message.voteGranted) return undefined;
        const candidacy = elections.candidacies[event.to];
        if (candidacy === undefined || message.term !== candidacy.term) return undefined;
        if (!candidacy.granted.includes(event.from)) candidacy.granted.push(event.from);
        return undefined;
      }
      if (event.kind !== 'output' || event.output.type !== 'BecameLeader') return undefined;
      const { term } = event.output;
      const leader = nodeName(event.node);
      const other = elections.leaders.get(term);
      if (other !== undefined && other !== event.node) {
        return `${nodeName(other)} and ${leader} both became leader of term ${term}: at most one leader per term, whatever the configuration (a server votes once per term, and a leader needs a majority of every voter set)`;
      }
      elections.leaders.set(term, event.node);
      const candidacy = elections.candidacies[event.node];
      const standing = candidacy !== undefined && candidacy.term === term;
      const votes = new Set<NodeId>([event.node, ...(standing ? candidacy.granted : [])]);
      const now = configurationOf(cluster, event.node, initialVoters);
      const configurations = [...(standing ? candidacy.configurations : []), now];
      if (configurations.some((configuration) => quorumOf(votes, configuration))) return undefined;
      return (
        `${leader} became leader of term ${term} with the votes of ${names(votes)} only, but its configuration is ${describeConfiguration(now)}: ` +
        `${describeShortfall(votes, now)}. A candidate wins with the votes of a majority of every voter set of its latest configuration ` +
        '(its own vote counts only where it is a voter)'
      );
    },
  });
}

// Applied entries agree.

/**
 * "state machine safety" for part F: no two servers apply different commands (or terms) at one
 * index, and a server installs a snapshot only of entries applied somewhere. Whether an applied
 * entry was committed by a quorum is judged per configuration by
 * {@link noDecisionByOneConfigurationAlone}; checks.ts's version counts a majority of every server.
 */
export function appliedEntriesAgree(): Property<Raft, Map<number, { term: number; command: string; node: NodeId }>> {
  return always<Raft, Map<number, { term: number; command: string; node: NodeId }>>('state machine safety', {
    memory: () => new Map(),
    records: ['output:Applied', 'output:SnapshotInstalled'],
    record(applied, event) {
      if (event.kind !== 'output') return undefined;
      if (event.output.type === 'SnapshotInstalled') return installedSnapshotProblem(nodeName(event.node), event.output.snapshot, applied);
      if (event.output.type !== 'Applied') return undefined;
      const output = event.output;
      const known = applied.get(output.index);
      if (known === undefined) {
        applied.set(output.index, { term: output.term, command: output.command, node: event.node });
        return undefined;
      }
      if (known.term === output.term && known.command === output.command) return undefined;
      return (
        `${nodeName(event.node)} applied ${quote(output.command)} (term ${output.term}) at index ${output.index}, but ${nodeName(known.node)} applied ` +
        `${quote(known.command)} (term ${known.term}) there: no two servers apply different entries at one index, whatever the configuration`
      );
    },
  });
}

// Snapshots keep the configuration of the entries they replace.

interface SnapshotConfigurations {
  /** The configuration entries applied anywhere, by index (committed entries agree everywhere). */
  readonly applied: Map<number, Configuration>;
  /** The highest index applied anywhere. */
  appliedUpTo: number;
}

/**
 * "a snapshot keeps the configuration in force at its last index": a stored snapshot's
 * `configuration` is the latest configuration entry at or below its lastIncludedIndex, or absent
 * (or the initial configuration) when there is none. A snapshot that leaves it out, or keeps a
 * later, uncommitted configuration, makes a server restored from it (or one that catches up from
 * it) count majorities of the wrong servers. Judged when the snapshot is stored, once every
 * entry it covers has been applied somewhere, so that the configurations up to its index are known.
 */
export function snapshotsKeepTheirConfiguration(initialVoters: readonly NodeId[]): Property<Raft, SnapshotConfigurations> {
  return always<Raft, SnapshotConfigurations>('a snapshot keeps the configuration in force at its last index', {
    memory: () => ({ applied: new Map(), appliedUpTo: 0 }),
    records: ['output:Applied', 'storage:snapshot'],
    record(memory, event) {
      if (event.kind === 'output') {
        if (event.output.type !== 'Applied') return undefined;
        const { index, configuration } = event.output;
        memory.appliedUpTo = Math.max(memory.appliedUpTo, index);
        if (configuration !== undefined && !memory.applied.has(index)) memory.applied.set(index, configuration);
        return undefined;
      }
      if (event.kind !== 'storage' || event.key !== 'snapshot') return undefined;
      // Read as untrusted data: the submission wrote it.
      const snapshot: unknown = event.value;
      if (typeof snapshot !== 'object' || snapshot === null || !('lastIncludedIndex' in snapshot) || typeof snapshot.lastIncludedIndex !== 'number') return undefined;
      const lastIndex = snapshot.lastIncludedIndex;
      if (lastIndex > memory.appliedUpTo) return undefined;
      let inForce: { index: number; configuration: Configuration } | undefined;
      for (const [index, configuration] of memory.applied) {
        if (index <= lastIndex && (inForce === undefined || index > inForce.index)) inForce = { index, configuration };
      }
      const kept = 'configuration' in snapshot && isConfiguration(snapshot.configuration) ? snapshot.configuration : undefined;
      const expected = inForce?.configuration ?? initialConfiguration(initialVoters);
      if (kept === undefined ? inForce === undefined : sameConfiguration(kept, expected)) return undefined;
      return (
        `${nodeName(event.node)} stored a snapshot up to index ${lastIndex} that keeps ${kept === undefined ? 'no configuration' : `the configuration ${describeConfiguration(kept)}`}, ` +
        `but the configuration in force at index ${lastIndex} is ${describeConfiguration(expected)} ` +
        `(${inForce === undefined ? 'no configuration entry comes before it' : `the entry at index ${inForce.index}`}): a snapshot keeps the configuration of the entries it ` +
        'replaces, so that a server restored from it, or one that catches up from it, knows who votes'
      );
    },
  });
}

// Commitment needs a quorum of the configuration in force.

interface Decisions {
  /** Per server: the leadership it holds, as seen from BecameLeader. */
  readonly leaders: (Leadership | null)[];
  /** Per server, while it leads: the configurations that may be in force at its next decision (since its last AppendEntries). */
  readonly inForce: Configuration[][];
  /** The highest index known committed, anywhere. */
  revealed: number;
}

/**
 * "no decision by one configuration alone while a joint configuration is in force": when an
 * entry is first known committed (a leader sends it as leaderCommit, or applies it), the servers
 * whose durable storage holds it include a majority of every voter set of the configuration in
 * force at that leader — of C_old and of C_new while the joint configuration C_old,new is its
 * latest, of its one set otherwise. The configuration in force is any the leader held since its
 * previous AppendEntries (whose leaderCommit was still lower): the entry fails only when the
 * holders are a quorum of none of them.
 */
export function noDecisionByOneConfigurationAlone(initialVoters: readonly NodeId[]): Property<Raft, Decisions> {
  const judge = (decisions: Decisions, cluster: ClusterView<Raft>, leader: NodeId, upTo: number, how: string): string | undefined => {
    const inForce = decisions.inForce[leader] ?? [];
    for (let index = decisions.revealed + 1; index <= upTo; index++) {
      const term = storedTermAt(cluster, leader, index);
      if (term === undefined) continue;
      const holders = holdersOf(cluster, index, term);
      if (inForce.length === 0 || inForce.some((configuration) => quorumOf(holders, configuration))) continue;
      const configuration = inForce.at(-1) as Configuration;
      const joint = inForce.find((candidate) => candidate.newVoters !== null);
      const shown = joint ?? configuration;
      const rule =
        joint === undefined
          ? 'an entry is committed only once a majority of the voters of the configuration in force store it'
          : 'while C_old,new is in force, an entry is committed only once a majority of C_old AND a majority of C_new store it: one configuration alone decides nothing';
      decisions.revealed = upTo;
      return (
        `${nodeName(leader)}, leader of term ${decisions.leaders[leader]?.term ?? '?'}, ${how} entry ${index} (term ${term}) committed at ${cluster.nowMs} ms with the configuration ` +
        `${describeConfiguration(shown)} in force, but only ${holders.size === 0 ? 'no server' : names(holders)} store${holders.size === 1 ? 's' : ''} it: ` +
        `${describeShortfall(holders, shown)}. ${rule}`
      );
    }
    decisions.revealed = Math.max(decisions.revealed, upTo);
    return undefined;
  };
  return always<Raft, Decisions>('no decision by one configuration alone while a joint configuration is in force', {
    memory: (cluster) => ({ leaders: perNode(cluster, () => null), inForce: perNode(cluster, () => []), revealed: 0 }),
    records: ['output:BecameLeader', 'output:Applied', 'send:AppendEntries', 'storage:log'],
    record(decisions, event, cluster) {
      if (event.kind === 'output' && event.output.type === 'BecameLeader') {
        decisions.leaders[event.node] = { term: event.output.term, incarnation: event.incarnation };
        decisions.inForce[event.node] = [configurationOf(cluster, event.node, initialVoters)];
        return undefined;
      }
      if (event.kind === 'storage') {
        if (!leadsNow(cluster, event.node, decisions.leaders[event.node])) return undefined;
        const inForce = decisions.inForce[event.node] ?? [];
        const configuration = configurationOf(cluster, event.node, initialVoters);
        const last = inForce.at(-1);
        if (last === undefined || !sameConfiguration(last, configuration)) inForce.push(configuration);
        decisions.inForce[event.node] = inForce;
        return undefined;
      }
      if (event.kind === 'send' && event.message.type === 'AppendEntries') {
        const leader = event.from;
        const record = decisions.leaders[leader];
        if (!leadsNow(cluster, leader, record) || event.message.term !== record.term) return undefined;
        const problem = event.message.leaderCommit > decisions.revealed ? judge(decisions, cluster, leader, event.message.leaderCommit, 'sent') : undefined;
        // From now on its commitIndex is at least leaderCommit: its next decisions fall under the configurations it holds from here.
        decisions.inForce[leader] = [configurationOf(cluster, leader, initialVoters)];
        return problem;
      }
      if (event.kind === 'output' && event.output.type === 'Applied') {
        if (event.output.index <= decisions.revealed) return undefined;
        if (!leadsNow(cluster, event.node, decisions.leaders[event.node])) {
          // A follower applies only what a leader sent as committed; other properties judge one that does not.
          decisions.revealed = event.output.index;
          return undefined;
        }
        return judge(decisions, cluster, event.node, event.output.index, 'applied');
      }
      return undefined;
    },
  });
}

// Only voters stand for election.

/**
 * "only voters stand for election": a server sends RequestVote only while it is a voter (of
 * C_old or C_new) of its latest configuration. A server outside the initial configuration,
 * not yet added, never campaigns.
 */
export function onlyVotersStandForElection(initialVoters: readonly NodeId[]): Property<Raft, null> {
  return always<Raft, null>('only voters stand for election', {
    memory: () => null,
    records: ['send:RequestVote'],
    record(_memory, event, cluster) {
      if (event.kind !== 'send' || event.message.type !== 'RequestVote') return undefined;
      const configuration = configurationOf(cluster, event.from, initialVoters);
      if (membersOf(configuration).includes(event.from)) return undefined;
      return (
        `${nodeName(event.from)} asked for votes in term ${event.message.term}, but it is no voter of its configuration ${describeConfiguration(configuration)}: ` +
        'a server stands for election only when it is a voter of the latest configuration in its log (a new server is a non-voting learner until a configuration names it)'
      );
    },
  });
}

// A candidate asks every voter.

interface Candidacies {
  /** The candidacy begun in the step being judged: who stands, in which term and configuration, and whom it asked. */
  pending: { readonly step: number; readonly node: NodeId; readonly term: number; readonly configuration: Configuration; readonly asked: NodeId[] }[];
  /** Per server: the last term it asked for votes in. */
  readonly lastTerm: number[];
}

export const asksEveryVoterName = 'a candidate asks every voter';

/**
 * "a candidate asks every voter": in the reaction in which a server stands for election (its
 * first RequestVote of a term), it sends RequestVote to every other voter of its latest
 * configuration, those of C_new as well as those of C_old. A candidate that asks only the old
 * voters cannot win while the joint configuration is in force and a majority of C_new needs a
 * new server's vote.
 */
export function candidatesAskEveryVoter(initialVoters: readonly NodeId[]): Property<Raft, Candidacies> {
  return always<Raft, Candidacies>(asksEveryVoterName, {
    memory: (cluster) => ({ pending: [], lastTerm: perNode(cluster, () => 0) }),
    records: ['send:RequestVote'],
    record(memory, event, cluster) {
      if (event.kind !== 'send' || event.message.type !== 'RequestVote') return undefined;
      const node = event.from;
      const term = event.message.term;
      const current = memory.pending.find((candidacy) => candidacy.node === node && candidacy.step === cluster.step && candidacy.term === term);
      if (current !== undefined) {
        current.asked.push(event.to);
        return undefined;
      }
      // A RequestVote sent again later in the same term is a retry, not a new candidacy.
      if ((memory.lastTerm[node] ?? 0) >= term) return undefined;
      memory.lastTerm[node] = term;
      memory.pending.push({ step: cluster.step, node, term, configuration: configurationOf(cluster, node, initialVoters), asked: [event.to] });
      return undefined;
    },
    // After every event: a candidacy begun in an earlier step is complete.
    check(cluster, memory) {
      const over = memory.pending.filter((candidacy) => candidacy.step < cluster.step);
      if (over.length === 0) return undefined;
      memory.pending = memory.pending.filter((candidacy) => candidacy.step >= cluster.step);
      for (const candidacy of over) {
        const missing = membersOf(candidacy.configuration).filter((voter) => voter !== candidacy.node && !candidacy.asked.includes(voter));
        if (missing.length === 0) continue;
        return (
          `${nodeName(candidacy.node)} stood for election in term ${candidacy.term} without asking ${names(missing)} for a vote, in configuration ` +
          `${describeConfiguration(candidacy.configuration)}: a candidate sends RequestVote to every other voter, of C_old and of C_new alike`
        );
      }
      return undefined;
    },
  });
}

// New servers catch up before they count.

interface CatchUp {
  readonly leaders: (Leadership | null)[];
  /** Per server: the highest commit index it revealed (leaderCommit sent, or applied) as leader of its current term. */
  readonly committed: number[];
  /** Per server: the members of the latest configuration in its log, as last seen. */
  readonly members: NodeId[][];
  /** Per leader: for each server it was asked to add, what it had committed when first asked (in this leadership). */
  readonly asked: Record<string, number>[];
}

/**
 * "new servers catch up before they count": when a leader appends a configuration entry that
 * makes a server a voter it was not before, that server's durable storage already holds every
 * entry the leader had committed when it was asked (ChangeMembership) to add it. A new server
 * joins as a non-voting learner first; counted at once, an empty server can stall commitment,
 * or, with an old member down, let a minority of up-to-date servers decide.
 */
export function newServersCatchUpFirst(initialVoters: readonly NodeId[]): Property<Raft, CatchUp> {
  const reveal = (catchUp: CatchUp, node: NodeId, index: number) => {
    catchUp.committed[node] = Math.max(catchUp.committed[node] ?? 0, index);
  };
  return always<Raft, CatchUp>('new servers catch up before they count', {
    memory: (cluster) => ({
      leaders: perNode(cluster, () => null),
      committed: perNode(cluster, () => 0),
      members: perNode(cluster, () => [...initialVoters]),
      asked: perNode(cluster, () => ({})),
    }),
    records: ['output:BecameLeader', 'output:Applied', 'send:AppendEntries', 'storage:log', 'input:ChangeMembership'],
    record(catchUp, event, cluster) {
      if (event.kind === 'output' && event.output.type === 'BecameLeader') {
        catchUp.leaders[event.node] = { term: event.output.term, incarnation: event.incarnation };
        catchUp.committed[event.node] = 0;
        catchUp.asked[event.node] = {};
        return undefined;
      }
      if (event.kind === 'send' && event.message.type === 'AppendEntries') {
        const record = catchUp.leaders[event.from];
        if (leadsNow(cluster, event.from, record) && event.message.term === record.term) reveal(catchUp, event.from, event.message.leaderCommit);
        return undefined;
      }
      if (event.kind === 'output' && event.output.type === 'Applied') {
        if (leadsNow(cluster, event.node, catchUp.leaders[event.node])) reveal(catchUp, event.node, event.output.index);
        return undefined;
      }
      if (event.kind === 'input' && event.input.type === 'ChangeMembership') {
        if (!leadsNow(cluster, event.node, catchUp.leaders[event.node])) return undefined;
        const asked = catchUp.asked[event.node] ?? {};
        for (const server of event.input.add) if (!Object.hasOwn(asked, String(server))) asked[String(server)] = catchUp.committed[event.node] ?? 0;
        catchUp.asked[event.node] = asked;
        return undefined;
      }
      if (event.kind !== 'storage') return undefined;
      const leader = event.node;
      const before = catchUp.members[leader] ?? [];
      const configuration = configurationOf(cluster, leader, initialVoters);
      const after = membersOf(configuration);
      catchUp.members[leader] = after;
      if (!leadsNow(cluster, leader, catchUp.leaders[leader])) return undefined;
      const asked = catchUp.asked[leader] ?? {};
      for (const server of after.filter((member) => !before.includes(member))) {
        const needed = asked[String(server)] ?? 0;
        if (needed === 0) continue;
        const term = storedTermAt(cluster, leader, needed);
        if (term === undefined || storesEntry(cluster, server, needed, term)) continue;
        const log = storedLog(cluster, server);
        const holds = log.length === 0 ? 'an empty log' : `a log up to index ${log.at(-1)?.index ?? 0}`;
        return (
          `${nodeName(leader)}, leader of term ${catchUp.leaders[leader]?.term ?? '?'}, appended the configuration ${describeConfiguration(configuration)}, which makes ${nodeName(server)} a voter, ` +
          `while ${nodeName(server)} stores ${holds} and not entry ${needed} (term ${term}), committed when the leader was asked to add it: a new server ` +
          'joins as a non-voting learner and is caught up (its matchIndex near the leader\'s log) before a configuration counts it'
        );
      }
      return undefined;
    },
  });
}

// A change waits for an entry of the leader's term.

interface OwnTerm {
  readonly leaders: (Leadership | null)[];
  /** Per server, while it leads: whether it has committed (sent as leaderCommit, or applied) an entry of its term. */
  readonly committedOwn: boolean[];
  /** Per server: whether the latest configuration in its log is a joint one, as last seen. */
  readonly joint: boolean[];
}

/**
 * "a change waits for an entry of the leader's term": a leader appends a joint configuration
 * (begins a change) only once it has committed an entry of its own term. Until then its log
 * may end with entries of earlier leaders, a configuration among them, that are not committed
 * and may never be: the fix to the 2015 bug of single-server changes, where two leaders of
 * successive terms each made a change from the same old configuration.
 */
export function changeWaitsForOwnTermCommit(): Property<Raft, OwnTerm> {
  const reveal = (ownTerm: OwnTerm, cluster: ClusterView<Raft>, node: NodeId, record: Leadership, index: number) => {
    if (index > 0 && storedTermAt(cluster, node, index) === record.term) ownTerm.committedOwn[node] = true;
  };
  return always<Raft, OwnTerm>("a change waits for an entry of the leader's term", {
    memory: (cluster) => ({ leaders: perNode(cluster, () => null), committedOwn: perNode(cluster, () => false), joint: perNode(cluster, () => false) }),
    records: ['output:BecameLeader', 'output:Applied', 'send:AppendEntries', 'storage:log'],
    record(ownTerm, event, cluster) {
      if (event.kind === 'output' && event.output.type === 'BecameLeader') {
        ownTerm.leaders[event.node] = { term: event.output.term, incarnation: event.incarnation };
        ownTerm.committedOwn[event.node] = false;
        return undefined;
      }
      const node = event.kind === 'send' ? event.from : event.kind === 'output' || event.kind === 'storage' ? event.node : null;
      if (node === null) return undefined;
      const record = ownTerm.leaders[node];
      if (event.kind === 'storage') {
        const latest = latestConfigurationIn(storedLog(cluster, node));
        const wasJoint = ownTerm.joint[node] ?? false;
        const isJoint = latest !== undefined && latest.configuration.newVoters !== null;
        ownTerm.joint[node] = isJoint;
        if (wasJoint || !isJoint || !leadsNow(cluster, node, record) || (ownTerm.committedOwn[node] ?? false)) return undefined;
        return (
          `${nodeName(node)}, leader of term ${record.term}, appended the joint configuration ${describeConfiguration(latest.configuration)} at index ${latest.index} ` +
          `before it had committed any entry of term ${record.term}: a leader begins a change only after it has committed an entry of its own term ` +
          '(its log may end with an earlier leader\'s uncommitted change; this is the fix to the 2015 bug of single-server changes)'
        );
      }
      if (!leadsNow(cluster, node, record)) return undefined;
      if (event.kind === 'send' && event.message.type === 'AppendEntries' && event.message.term === record.term) reveal(ownTerm, cluster, node, record, event.message.leaderCommit);
      else if (event.kind === 'output' && event.output.type === 'Applied') reveal(ownTerm, cluster, node, record, event.output.index);
      return undefined;
    },
  });
}

// A removed leader steps down.

interface Removal {
  readonly leaders: (Leadership | null)[];
  /** Per server, while it leads: the index of the latest configuration in its log that leaves it out (newVoters null), 0 if none. */
  readonly leavesOut: number[];
  /** Per server: when it revealed that such a configuration was committed, in which term (null: not yet). */
  readonly removed: ({ term: number; atMs: number; index: number } | null)[];
}

/**
 * "a removed leader steps down": once a leader has committed (sent as leaderCommit, or applied)
 * a configuration C_new that leaves it out, it leads no more: within `graceMs` (a heartbeat: time
 * to tell the followers that C_new is committed) it stops sending AppendEntries of its term, and
 * it accepts no command (Started) after that. Runs only (it keeps times).
 */
export function removedLeaderStepsDown(graceMs: number): Property<Raft, Removal> {
  const noteReveal = (removal: Removal, node: NodeId, index: number, term: number, atMs: number) => {
    const leavesOut = removal.leavesOut[node] ?? 0;
    if (leavesOut > 0 && index >= leavesOut && (removal.removed[node] ?? null) === null) removal.removed[node] = { term, atMs, index: leavesOut };
  };
  const stillLeading = (removal: Removal, node: NodeId, term: number, atMs: number, what: string): string | undefined => {
    const removed = removal.removed[node] ?? null;
    if (removed === null || removed.term !== term || atMs <= removed.atMs + graceMs) return undefined;
    return (
      `${nodeName(node)} ${what} at ${atMs} ms as leader of term ${term}, but it had committed the configuration at index ${removed.index}, which leaves it out, ` +
      `at ${removed.atMs} ms: a leader that is no voter of C_new steps down once C_new is committed (it may tell the followers first, within ${graceMs} ms)`
    );
  };
  return always<Raft, Removal>('a removed leader steps down', {
    memory: (cluster) => ({ leaders: perNode(cluster, () => null), leavesOut: perNode(cluster, () => 0), removed: perNode(cluster, () => null) }),
    records: ['output:BecameLeader', 'output:Applied', 'output:Started', 'send:AppendEntries', 'storage:log'],
    record(removal, event, cluster) {
      if (event.kind === 'output' && event.output.type === 'BecameLeader') {
        removal.leaders[event.node] = { term: event.output.term, incarnation: event.incarnation };
        removal.removed[event.node] = null;
        removal.leavesOut[event.node] = 0;
      }
      const node = event.kind === 'send' ? event.from : event.kind === 'output' || event.kind === 'storage' ? event.node : null;
      if (node === null) return undefined;
      const record = removal.leaders[node];
      if (!leadsNow(cluster, node, record)) return undefined;
      if (event.kind === 'storage' || (event.kind === 'output' && event.output.type === 'BecameLeader')) {
        const latest = latestConfigurationIn(storedLog(cluster, node));
        const leftOut = latest !== undefined && latest.configuration.newVoters === null && !latest.configuration.voters.includes(node);
        removal.leavesOut[node] = leftOut ? latest.index : 0;
        return undefined;
      }
      if (event.kind === 'send' && event.message.type === 'AppendEntries') {
        if (event.message.term !== record.term) return undefined;
        const problem = stillLeading(removal, node, record.term, event.timeMs, `sent AppendEntries to ${nodeName(event.to)}`);
        noteReveal(removal, node, event.message.leaderCommit, record.term, event.timeMs);
        return problem;
      }
      if (event.kind === 'output' && event.output.type === 'Applied') {
        noteReveal(removal, node, event.output.index, record.term, event.timeMs);
        return undefined;
      }
      if (event.kind === 'output' && event.output.type === 'Started') {
        return stillLeading(removal, node, record.term, event.timeMs, `accepted command ${quote(event.output.command)} (Started)`);
      }
      return undefined;
    },
  });
}

// Removed servers do not disrupt the cluster.

interface Disruption {
  readonly leaders: (Leadership | null)[];
  /** The latest configuration known committed (from Applied outputs): its index and members. */
  committed: { index: number; members: NodeId[] };
  /** Per server: when it last got an AppendEntries from a leader of its term or a later one (-1: never). */
  readonly heardFromLeaderMs: number[];
  /** A RequestVote from a server outside the configuration, just delivered to a member that must ignore it. */
  pending: { member: NodeId; from: NodeId; term: number; termBefore: number; atMs: number; heardMs: number } | null;
}

/**
 * "removed servers do not disrupt the cluster": a RequestVote from a server that is no member of
 * the latest committed configuration (removed, or never added), delivered to a member that has
 * heard from a current leader within the minimum election timeout (or leads itself), does not
 * raise that member's term. Such a member ignores it: a removed server, which no longer gets
 * heartbeats, times out and stands again and again, and would otherwise depose a healthy leader
 * each time. Runs only (it keeps times).
 */
export function removedServersDoNotDisrupt(initialVoters: readonly NodeId[], minimumElectionTimeoutMs: number): Property<Raft, Disruption> {
  return always<Raft, Disruption>('removed servers do not disrupt the cluster', {
    memory: (cluster) => ({
      leaders: perNode(cluster, () => null),
      committed: { index: 0, members: [...initialVoters] },
      heardFromLeaderMs: perNode(cluster, () => -1),
      pending: null,
    }),
    records: ['output:BecameLeader', 'output:Applied', 'deliver', 'send', 'storage:currentTerm'],
    record(disruption, event, cluster) {
      const pending = disruption.pending;
      if (event.kind === 'storage' && pending !== null && event.node === pending.member && event.timeMs === pending.atMs) {
        if (typeof event.value === 'number' && event.value > pending.termBefore) {
          disruption.pending = null;
          const heard = pending.heardMs < 0 ? 'it leads' : `it heard from the leader at ${pending.heardMs} ms`;
          return (
            `${nodeName(pending.member)} moved from term ${pending.termBefore} to term ${event.value} on a RequestVote from ${nodeName(pending.from)} at ${pending.atMs} ms, ` +
            `but ${nodeName(pending.from)} is no voter of the committed configuration {${names(disruption.committed.members)}} and ${heard}: ` +
            `a server ignores a RequestVote that arrives within the minimum election timeout (${minimumElectionTimeoutMs} ms) of hearing from a current leader, ` +
            'so that a removed server cannot depose the leader again and again'
          );
        }
        return undefined;
      }
      // The member's reaction to the RequestVote is over once anything else happens.
      if (pending !== null && !(event.kind === 'storage' && event.node === pending.member)) disruption.pending = null;
      if (event.kind === 'output') {
        if (event.output.type === 'BecameLeader') disruption.leaders[event.node] = { term: event.output.term, incarnation: event.incarnation };
        else if (event.output.type === 'Applied' && event.output.configuration !== undefined && event.output.index > disruption.committed.index) {
          disruption.committed = { index: event.output.index, members: membersOf(event.output.configuration) };
        }
        return undefined;
      }
      if (event.kind !== 'deliver') return undefined;
      const member = event.to;
      const message = event.message;
      if (message.type === 'AppendEntries' || message.type === 'InstallSnapshot') {
        if (message.term >= storedTerm(cluster, member)) disruption.heardFromLeaderMs[member] = event.timeMs;
        return undefined;
      }
      if (message.type !== 'RequestVote') return undefined;
      const { members } = disruption.committed;
      if (members.includes(event.from) || !members.includes(member)) return undefined;
      const termBefore = storedTerm(cluster, member);
      if (message.term <= termBefore) return undefined;
      const leads = leadsNow(cluster, member, disruption.leaders[member]);
      const heardMs = disruption.heardFromLeaderMs[member] ?? -1;
      const recently = heardMs >= 0 && event.timeMs - heardMs < minimumElectionTimeoutMs;
      if (leads || recently) disruption.pending = { member, from: event.from, term: message.term, termBefore, atMs: event.timeMs, heardMs: leads ? -1 : heardMs };
      return undefined;
    },
  });
}

// Test-specific rules.

interface LeaderConfigurations {
  readonly leaders: (Leadership | null)[];
  /** Per server: the latest configuration in its stored log (its snapshot's, when none is left), as last seen. */
  readonly latest: Configuration[];
}

/** A configuration entry a leader appended in its own term, as its storage shows it. */
interface AppendedConfiguration {
  readonly leader: NodeId;
  readonly term: number;
  /** The configuration before it, and the one appended, at `index` of `log`. */
  readonly before: Configuration;
  readonly after: Configuration;
  readonly index: number;
  readonly log: readonly LogEntry[];
}

/** A rule on each configuration entry a leader appends in its own term: `judge` says what is wrong with it, if anything. */
function appendedConfigurationRule(
  name: string,
  initialVoters: readonly NodeId[],
  judge: (appended: AppendedConfiguration, cluster: ClusterView<Raft>) => string | undefined,
): Property<Raft, LeaderConfigurations> {
  return always<Raft, LeaderConfigurations>(name, {
    memory: (cluster) => ({ leaders: perNode(cluster, () => null), latest: perNode(cluster, () => initialConfiguration(initialVoters)) }),
    records: ['output:BecameLeader', 'storage:log'],
    record(memory, event, cluster) {
      if (event.kind === 'output' && event.output.type === 'BecameLeader') {
        memory.leaders[event.node] = { term: event.output.term, incarnation: event.incarnation };
        return undefined;
      }
      if (event.kind !== 'storage') return undefined;
      const node = event.node;
      const before = memory.latest[node] ?? initialConfiguration(initialVoters);
      const log = storedLog(cluster, node);
      const latest = latestConfigurationIn(log);
      // A log whose configuration entries a snapshot replaced: the snapshot's configuration.
      const after = latest?.configuration ?? configurationOf(cluster, node, initialVoters);
      memory.latest[node] = after;
      const record = memory.leaders[node];
      if (latest === undefined || sameConfiguration(before, after) || !leadsNow(cluster, node, record)) return undefined;
      if (storedTermAt(cluster, node, latest.index) !== record.term) return undefined;
      return judge({ leader: node, term: record.term, before, after, index: latest.index, log }, cluster);
    },
  });
}

/**
 * "one change at a time": the configurations a leader appends go C, then C_old,new with C_old
 * = C, then C_new alone; never a change straight from C to another C', never a second change
 * while a joint configuration is the latest.
 */
export function oneChangeAtATime(initialVoters: readonly NodeId[]): Property<Raft, LeaderConfigurations> {
  const sameSet = (left: readonly NodeId[], right: readonly NodeId[]) => names(new Set(left)) === names(new Set(right));
  return appendedConfigurationRule('one change at a time', initialVoters, ({ leader, term, before, after, index }) => {
    const follows =
      before.newVoters === null
        ? after.newVoters !== null && sameSet(after.voters, before.voters)
        : after.newVoters === null && sameSet(after.voters, before.newVoters);
    if (follows) return undefined;
    const expected =
      before.newVoters === null
        ? `C_old,new with C_old = {${names(before.voters)}}`
        : `C_new = {${names(before.newVoters)}} alone, which ends the change in progress`;
    return (
      `${nodeName(leader)}, leader of term ${term}, appended the configuration ${describeConfiguration(after)} at index ${index} after ${describeConfiguration(before)}: ` +
      `the next configuration could only be ${expected}. A change asked for while another is in flight is refused or waits its turn`
    );
  });
}

export const newAfterJointName = 'C_new only once C_old,new is committed';

/**
 * "C_new only once C_old,new is committed": when a leader appends C_new, ending a change, the
 * C_old,new entry before it in its log is stored by a majority of the old voters and a majority
 * of the new ones (or covered by its snapshot, which holds only committed entries). A leader
 * that appends C_new at once decides by C_new alone entries that C_old's majority may never
 * have seen, and a leader elected by C_old can overwrite them.
 */
export function newConfigurationAfterJointCommits(initialVoters: readonly NodeId[]): Property<Raft, LeaderConfigurations> {
  return appendedConfigurationRule(newAfterJointName, initialVoters, ({ leader, term, before, after, index, log }, cluster) => {
    if (after.newVoters !== null || before.newVoters === null) return undefined;
    const joint = latestConfigurationIn(log.filter((entry) => entry.index < index));
    // No joint entry left in the log: the snapshot that replaced it holds only committed entries.
    if (joint === undefined || joint.configuration.newVoters === null) return undefined;
    const jointTerm = storedTermAt(cluster, leader, joint.index);
    if (jointTerm === undefined) return undefined;
    const holders = holdersOf(cluster, joint.index, jointTerm);
    if (quorumOf(holders, joint.configuration)) return undefined;
    return (
      `${nodeName(leader)}, leader of term ${term}, appended C_new ${describeConfiguration(after)} at index ${index} while C_old,new ` +
      `at index ${joint.index} was stored by ${names(holders)} only (${describeShortfall(holders, joint.configuration)}): append C_new once C_old,new is committed, ` +
      'by a majority of both'
    );
  });
}

/**
 * "the remaining voters keep their term": once a change has completed (the first
 * MembershipChanged), none of its voters changes term for the rest of the run. For a test
 * without faults after the change, where only a removed server could make them.
 */
export function votersKeepTheirTerm(): Property<Raft, { after: { voters: NodeId[]; atMs: number; terms: number[] } | null }> {
  return always<Raft, { after: { voters: NodeId[]; atMs: number; terms: number[] } | null }>('the remaining voters keep their term', {
    memory: () => ({ after: null }),
    records: ['output:MembershipChanged', 'storage:currentTerm'],
    record(memory, event, cluster) {
      if (event.kind === 'output' && event.output.type === 'MembershipChanged') {
        const voters = [...event.output.voters];
        memory.after ??= { voters, atMs: event.timeMs, terms: voters.map((voter) => storedTerm(cluster, voter)) };
        return undefined;
      }
      const after = memory.after;
      if (event.kind !== 'storage' || after === null || typeof event.value !== 'number') return undefined;
      const position = after.voters.indexOf(event.node);
      const before = after.terms[position];
      if (before === undefined || before === event.value) return undefined;
      after.terms[position] = event.value;
      return (
        `${nodeName(event.node)}, a voter of {${names(after.voters)}} since ${after.atMs} ms, moved from term ${before} to term ${event.value} at ${event.timeMs} ms ` +
        'with nothing failing: only a removed server asking for votes could have caused it (a server ignores a RequestVote within the ' +
        'minimum election timeout of hearing from its leader, and a removed leader does not stand)'
      );
    },
  });
}

// Progress: the change completes.

interface ChangeProgress {
  /** Per target: its configuration entry (C_new alone, with exactly its voters) was applied somewhere, so committed. */
  readonly committed: boolean[];
  /** Per target: a leader output MembershipChanged with exactly its voters. */
  readonly announced: boolean[];
}

/**
 * "the membership change completes": every target configuration is committed — some server
 * applies a configuration entry with exactly its voters and no newVoters — and, for the last
 * one, a leader outputs MembershipChanged with those voters (an announcement alone, with no
 * configuration in the log, changes nothing); by the end of the run, or within `withinMs` of the
 * last fault.
 */
export function membershipChangeCompletes(targets: readonly (readonly NodeId[])[], withinMs?: number): Property<Raft, ChangeProgress> {
  const key = (voters: readonly NodeId[]) => names(new Set(voters));
  const keys = targets.map(key);
  const mark = (flags: boolean[], voters: readonly NodeId[]) => {
    const reached = key(voters);
    keys.forEach((target, position) => {
      if (target === reached) flags[position] = true;
    });
  };
  return eventually<Raft, ChangeProgress>(
    'the membership change completes',
    {
      memory: () => ({ committed: targets.map(() => false), announced: targets.map(() => false) }),
      records: ['output:MembershipChanged', 'output:Applied'],
      record(progress, event) {
        if (event.kind !== 'output') return undefined;
        const output = event.output;
        if (output.type === 'MembershipChanged') mark(progress.announced, output.voters);
        else if (output.type === 'Applied' && output.configuration !== undefined && output.configuration.newVoters === null) {
          mark(progress.committed, output.configuration.voters);
        }
        return undefined;
      },
      check(cluster, progress) {
        const last = targets.length - 1;
        const missing = progress.committed.findIndex((committed, position) => !committed || (position === last && !(progress.announced[position] ?? false)));
        if (missing < 0) return undefined;
        const target = `{${keys[missing] ?? ''}}`;
        const step = targets.length > 1 ? ` (change ${missing + 1} of ${targets.length})` : '';
        if (progress.committed[missing] ?? false) {
          return `the configuration ${target} is committed, but no leader output MembershipChanged with those voters by ${cluster.nowMs} ms${step}`;
        }
        const announced = progress.announced[missing] ?? false;
        const why = announced
          ? `a leader output MembershipChanged with those voters, but no server applied a configuration entry ${target}: a change is made in the log (C_old,new, then C_new), not announced`
          : 'no server applied a configuration entry with those voters';
        const start = missing === 0 && !progress.committed.some(Boolean) && !progress.announced.some(Boolean) ? 'no progress: ' : '';
        return `${start}the change to ${target}${step} did not complete by ${cluster.nowMs} ms: ${why}`;
      },
    },
    withinMs === undefined ? {} : { withinMs },
  );
}

/** Whether the removed leader has announced the change yet. */
interface RemovedLeaderChange {
  announced: boolean;
}

/**
 * "a removed leader finishes its change": in a run without faults, where `leader` leads and is
 * asked to leave, no other server becomes leader before `leader` has output MembershipChanged
 * with `voters`. The handout: "It goes on leading through the change — appending C_new,
 * replicating it, counting majorities of C_new without itself — and steps down once C_new is
 * committed". A leader that leaves as soon as it appends C_new leaves the cluster without one.
 */
export function removedLeaderFinishesItsChange(leader: NodeId, voters: readonly NodeId[]): Property<Raft, RemovedLeaderChange> {
  const target = names(new Set(voters));
  return always<Raft, RemovedLeaderChange>('a removed leader finishes its change', {
    memory: () => ({ announced: false }),
    records: ['output:MembershipChanged', 'output:BecameLeader'],
    record(change, event) {
      if (event.kind !== 'output' || change.announced) return undefined;
      const output = event.output;
      if (output.type === 'MembershipChanged' && event.node === leader && names(new Set(output.voters)) === target) {
        change.announced = true;
        return undefined;
      }
      if (output.type !== 'BecameLeader' || event.node === leader) return undefined;
      return (
        `${nodeName(event.node)} became leader of term ${output.term} at ${event.timeMs} ms, before ${nodeName(leader)}, which the change to {${target}} removes, ` +
        'output MembershipChanged: with nothing failing, the removed leader goes on leading through the change, and steps down only once C_new is committed'
      );
    },
  });
}

/** What the removed leader told each voter of C_new: the highest commit index it sent them. */
interface CommitToldFollowers {
  /** Per node: the highest leaderCommit (or snapshot's last index) the leader sent it. */
  readonly told: number[];
  /** The index of the C_new the leader announced, once it did. */
  announcedIndex: number | null;
  announcedAtMs: number;
}

/**
 * "a removed leader tells the followers": in a run without faults, once `leader`, which the
 * change to `voters` removes, has output MembershipChanged, it has sent every one of `voters` an
 * AppendEntries whose leaderCommit reaches C_new's index (or a snapshot past it) by the end of
 * the run. The handout: the removed leader "tells the followers that C_new is committed (its next
 * AppendEntries carries the new leaderCommit), and then stops its heartbeats". A leader that
 * steps down in silence leaves them to time out and elect a leader before C_new takes effect.
 */
export function removedLeaderTellsFollowers(leader: NodeId, voters: readonly NodeId[]): Property<Raft, CommitToldFollowers> {
  const target = names(new Set(voters));
  return always<Raft, CommitToldFollowers>(
    'a removed leader tells the followers C_new is committed',
    {
      memory: (cluster) => ({ told: perNode(cluster, () => 0), announcedIndex: null, announcedAtMs: 0 }),
      records: ['send:AppendEntries', 'send:InstallSnapshot', 'output:MembershipChanged'],
      record(memory, event, cluster) {
        if (event.kind === 'send' && event.from === leader) {
          const message = event.message;
          const index = message.type === 'AppendEntries' ? message.leaderCommit : message.type === 'InstallSnapshot' ? message.snapshot.lastIncludedIndex : 0;
          if (typeof index === 'number' && index > (memory.told[event.to] ?? 0)) memory.told[event.to] = index;
          return undefined;
        }
        if (event.kind !== 'output' || event.node !== leader || memory.announcedIndex !== null) return undefined;
        const output = event.output;
        if (output.type !== 'MembershipChanged' || names(new Set(output.voters)) !== target) return undefined;
        const entry = [...storedLog(cluster, leader)].reverse().find((candidate) => candidate.configuration?.newVoters === null && names(new Set(candidate.configuration.voters)) === target);
        memory.announcedIndex = entry?.index ?? storedSnapshot(cluster, leader).lastIncludedIndex;
        memory.announcedAtMs = event.timeMs;
        return undefined;
      },
      check(_cluster, memory) {
        const index = memory.announcedIndex;
        // Never announced: "a removed leader finishes its change" and the change's completion say so.
        if (index === null) return undefined;
        const untold = voters.filter((voter) => voter !== leader && (memory.told[voter] ?? 0) < index);
        if (untold.length === 0) return undefined;
        return (
          `${nodeName(leader)} announced the change to {${target}} at ${memory.announcedAtMs} ms, which removes it, but never sent ${names(new Set(untold))} ` +
          `an AppendEntries whose leaderCommit reaches C_new at index ${index}: a removed leader tells the followers that C_new is committed ` +
          '(its next AppendEntries carries the new leaderCommit), and only then stops its heartbeats'
        );
      },
    },
    { atEnd: true },
  );
}

/**
 * "a change is announced once committed": a MembershipChanged { voters } comes from a server that
 * holds the C_new with those voters (newVoters null), in its log or its snapshot, and, where it is
 * in the log, a majority of those voters hold the same entry (its index and term) or a snapshot
 * past it: C_new is committed. The handout: the leader outputs MembershipChanged "once C_new is
 * committed". Read from storage, so the order of a reaction's outputs (the announcement before or
 * after the entry's Applied) does not matter: the entry was stored on a majority before the reply
 * that committed it was sent.
 */
export function changeAnnouncedOnceCommitted(): Property<Raft, null> {
  return always<Raft, null>('a change is announced once committed', {
    memory: () => null,
    records: ['output:MembershipChanged'],
    record(_memory, event, cluster) {
      if (event.kind !== 'output' || event.output.type !== 'MembershipChanged') return undefined;
      const voters = [...new Set(event.output.voters)].sort((left, right) => left - right);
      const target = names(new Set(voters));
      const isTarget = (configuration: Configuration | undefined) =>
        configuration !== undefined && configuration.newVoters === null && names(new Set(configuration.voters)) === target;
      const server = event.node;
      const entry = [...storedLog(cluster, server)].reverse().find((candidate) => isTarget(candidate.configuration));
      if (entry === undefined) {
        if (isTarget(storedSnapshot(cluster, server).configuration)) return undefined;
        return (
          `${nodeName(server)} output MembershipChanged {${target}} at ${event.timeMs} ms, but holds no C_new with those voters in its log or snapshot: ` +
          'a leader announces a change once the C_new that ends it is committed'
        );
      }
      const holders = voters.filter((node) => {
        if (storedSnapshot(cluster, node).lastIncludedIndex >= entry.index) return true;
        return storedLog(cluster, node).some((candidate) => candidate.index === entry.index && candidate.term === entry.term);
      });
      if (holders.length >= majority(voters.length)) return undefined;
      return (
        `${nodeName(server)} output MembershipChanged {${target}} at ${event.timeMs} ms, but its C_new (index ${entry.index}, term ${entry.term}) is stored by ` +
        `${holders.length === 0 ? 'none' : names(new Set(holders))} of those voters, not a majority (${majority(voters.length)} of ${voters.length}): ` +
        'a leader announces a change once the C_new that ends it is committed, not when it appends it'
      );
    },
  });
}

/** Raft's safety properties for part F (serviceRun's `safety`): configuration-aware where checks.ts counts every server. */
export function membershipSafetyProperties(initialVoters: readonly NodeId[]): Property<Raft>[] {
  return [
    speaksTheProtocol<Raft>(raftMessages),
    keepsTheDeclaredState<Raft>(raftState),
    atMostOneLeaderPerTerm(initialVoters),
    logMatching(),
    leaderCompleteness(),
    appliedEntriesAgree(),
    noDecisionByOneConfigurationAlone(initialVoters),
    // Joint consensus is the lab's way: a leader that jumps from C to C' breaks it in every test, not only 5F.7's.
    oneChangeAtATime(initialVoters),
    newConfigurationAfterJointCommits(initialVoters),
    snapshotsKeepTheirConfiguration(initialVoters),
    changeAnnouncedOnceCommitted(),
    inOrderApply(),
    durability(),
  ] as Property<Raft>[];
}

// The driver.

/** One change, asked for once the one before it is done and `afterMs` has passed. */
export interface MembershipStep {
  readonly add: readonly NodeId[];
  readonly remove: readonly NodeId[];
  /** Not before this simulated time (default: at once). */
  readonly atMs?: number;
}

export interface MembershipDriverOptions {
  readonly initialVoters: readonly NodeId[];
  readonly steps: readonly MembershipStep[];
  /** Asks again this long after a refusal, or after a request with no answer (default 100 ms). */
  readonly retryMs?: number;
  /**
   * A client node of the driver's own (no other workload's): until every step is done it reads
   * key "x" over and over, from `watchFromMs` on, so that outputs keep coming (a workload acts
   * only on outputs) after the other clients have finished.
   */
  readonly watcher?: NodeId;
  readonly watchFromMs?: number;
}

export interface MembershipDriver extends Workload<Raft> {
  /** The voters after each step. */
  readonly targets: readonly (readonly NodeId[])[];
  /** Every step done (and the watcher's last read returned). */
  finished(): boolean;
}

/** The voters after each step, from the initial ones. */
export function membershipTargets(initialVoters: readonly NodeId[], steps: readonly MembershipStep[]): NodeId[][] {
  let voters = [...initialVoters];
  return steps.map((step) => {
    voters = [...voters.filter((node) => !step.remove.includes(node)), ...step.add.filter((node) => !voters.includes(node))].sort((left, right) => left - right);
    return voters;
  });
}

/**
 * Asks for membership changes as an operator would: it gives ChangeMembership to the server it
 * believes leads (the latest BecameLeader, or the leader a refusal names), and asks again after
 * a MembershipRefused or when no answer came within `retryMs`, until a step's voters are in
 * force (MembershipChanged, or its configuration applied). A leader may refuse a change or queue
 * it: both work. A workload acts only when an output comes: with a `watcher` client, the driver
 * keeps reading until every change is done, so outputs keep coming while the cluster can commit.
 */
export function membershipDriver(options: MembershipDriverOptions): MembershipDriver {
  const retryMs = options.retryMs ?? 100;
  const targets = membershipTargets(options.initialVoters, options.steps);
  const same = (left: readonly NodeId[], right: readonly NodeId[]) => names(new Set(left)) === names(new Set(right));
  // Per run: reset by `start`.
  let step = 0;
  let leader: NodeId | null = null;
  let leaderTerm = 0;
  /** When the current step was last asked for (null: not yet), and when it may next be. */
  let askedMs: number | null = null;
  let nextAskMs = 0;

  const ask = (context: WorkloadContext<Raft>) => {
    const current = options.steps[step];
    if (current === undefined) return;
    const nowMs = context.cluster.nowMs;
    if (nowMs < (current.atMs ?? 0) || nowMs < nextAskMs) return;
    const to = leader !== null && !context.cluster.isCrashed(leader) ? leader : null;
    if (to === null) return;
    askedMs = nowMs;
    nextAskMs = nowMs + retryMs;
    context.input(to, { type: 'ChangeMembership', add: current.add, remove: current.remove }, 0);
  };
  /** Whether the watcher has an operation in flight. */
  let watching = false;
  const watch = (context: WorkloadContext<Raft>, delayMs: number) => {
    if (options.watcher === undefined || watching || step >= options.steps.length) return;
    watching = true;
    const input: KvClientInput = { type: 'Invoke', operation: { kind: 'get', key: 'x' } };
    context.input(options.watcher, input as Tagged as Raft['input'], delayMs);
  };
  const done = (voters: readonly NodeId[]) => {
    const target = targets[step];
    if (target === undefined || !same(target, voters)) return;
    step++;
    askedMs = null;
    nextAskMs = 0;
  };
  return {
    targets,
    start(context) {
      step = 0;
      leader = null;
      leaderTerm = 0;
      askedMs = null;
      nextAskMs = 0;
      watching = false;
      watch(context, options.watchFromMs ?? 0);
    },
    onOutput(record, context) {
      const output = record.output;
      if (record.node === options.watcher && (output as Tagged).type === 'Returned') {
        watching = false;
        watch(context, 10);
        ask(context);
        return;
      }
      switch (output.type) {
        case 'BecameLeader':
          if (output.term >= leaderTerm) {
            leaderTerm = output.term;
            leader = record.node;
            // A new leader: ask it at once (the change asked of the old one may be lost).
            if (askedMs !== null) nextAskMs = context.cluster.nowMs;
          }
          break;
        case 'MembershipChanged':
          done(output.voters);
          break;
        case 'Applied':
          if (output.configuration !== undefined && output.configuration.newVoters === null) done(output.configuration.voters);
          break;
        case 'MembershipRefused':
          if (output.leader !== null && output.leader !== record.node) {
            // Not the leader: ask the one it names, soon (not at once: two stale servers could name each other).
            leader = output.leader;
            nextAskMs = Math.min(nextAskMs, context.cluster.nowMs + 5);
          }
          break;
        default:
          break;
      }
      ask(context);
    },
    // Done once every step is, and the watcher's last read has returned.
    finished: () => step >= options.steps.length && !watching,
  };
}
