// Lab 5, part F's properties, on hand-made histories: each passes the behaviour the handout asks
// for and fails, with a message that says what went wrong, the bug it is written against.
// A small fake cluster holds each server's durable storage; events are fed to a property as the
// simulator would, storage writes applied before they are recorded.
import { describe, expect, it } from 'vitest';
import type { ClusterView, HistoryEvent, NodeId, Property } from 'distlab/testing';
import {
  appliedEntriesAgree,
  atMostOneLeaderPerTerm,
  changeAnnouncedOnceCommitted,
  changeWaitsForOwnTermCommit,
  membershipChangeCompletes,
  membershipDriver,
  membershipTargets,
  newServersCatchUpFirst,
  noDecisionByOneConfigurationAlone,
  oneChangeAtATime,
  onlyVotersStandForElection,
  removedLeaderStepsDown,
  removedServersDoNotDisrupt,
  votersKeepTheirTerm,
} from '../../labs/05-raft/membershipChecks.ts';
import type { Configuration, LogEntry, Raft } from '../../labs/05-raft/src/protocol.ts';

type Event = HistoryEvent<Raft>;

/** Servers n0..n(count-1), their storage, who is down; events move the clock. */
class FakeCluster {
  readonly storages: Map<string, unknown>[];
  nowMs = 0;
  constructor(readonly count: number) {
    this.storages = Array.from({ length: count }, () => new Map<string, unknown>());
  }
  view(): ClusterView<Raft> {
    const nodeIds = Array.from({ length: this.count }, (_unused, id) => id);
    const clock = () => this.nowMs;
    const storages = this.storages;
    return {
      nodeIds,
      servers: nodeIds,
      clients: [],
      get nowMs() {
        return clock();
      },
      step: 0,
      lastFaultMs: 0,
      isCrashed: () => false,
      incarnation: () => 0,
      storage: (node: NodeId) => storages[node] as ReadonlyMap<string, unknown>,
      inFlight: () => [],
      get counters(): never {
        throw new Error('no counters in a hand-made history');
      },
    };
  }
}

/** Feeds `events` to `property` in order; returns its first violation, else its final check. */
function play<Memory>(property: Property<Raft, Memory>, cluster: FakeCluster, events: readonly Event[]): string | undefined {
  const view = cluster.view();
  const memory = property.memory?.(view) as Memory;
  for (const event of events) {
    cluster.nowMs = event.timeMs;
    if (event.kind === 'storage') cluster.storages[event.node]?.set(event.key, event.value);
    const problem = property.record?.(memory, event, view);
    if (problem !== undefined) return problem;
  }
  return property.check?.(view, memory);
}

// Events.

const entry = (index: number, term: number, configuration?: Configuration): LogEntry =>
  configuration === undefined ? { index, term, command: `c${index}` } : { index, term, command: '', configuration };
/** A log of `length` entries of `term` (configuration entries placed by `configurations`). */
const logOf = (length: number, term: number, configurations: Record<number, Configuration> = {}): LogEntry[] =>
  Array.from({ length }, (_unused, position) => entry(position + 1, term, configurations[position + 1]));

const storeLog = (node: NodeId, log: readonly LogEntry[], timeMs = 0): Event => ({ kind: 'storage', node, incarnation: 0, timeMs, key: 'log', value: log });
const storeTerm = (node: NodeId, term: number, timeMs = 0): Event => ({ kind: 'storage', node, incarnation: 0, timeMs, key: 'currentTerm', value: term });
const becameLeader = (node: NodeId, term: number, timeMs = 0): Event => ({ kind: 'output', node, incarnation: 0, timeMs, output: { type: 'BecameLeader', term } });
const output = (node: NodeId, value: Raft['output'], timeMs = 0): Event => ({ kind: 'output', node, incarnation: 0, timeMs, output: value });
const applied = (node: NodeId, index: number, term: number, timeMs = 0, configuration?: Configuration): Event =>
  output(node, { type: 'Applied', index, term, command: configuration === undefined ? `c${index}` : '', ...(configuration === undefined ? {} : { configuration }) }, timeMs);
const appendEntries = (from: NodeId, to: NodeId, term: number, leaderCommit: number, timeMs = 0): Event => ({
  kind: 'send',
  from,
  to,
  incarnation: 0,
  timeMs,
  local: false,
  message: { type: 'AppendEntries', term, leaderId: from, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit },
});
/** `message` delivered from `from` to `to` at `timeMs`. */
const delivered = (from: NodeId, to: NodeId, timeMs: number, message: Raft['message']): Event => ({ kind: 'deliver', from, to, incarnation: 0, timeMs, local: false, message });
const deliverAppendEntries = (from: NodeId, to: NodeId, term: number, timeMs: number): Event =>
  delivered(from, to, timeMs, { type: 'AppendEntries', term, leaderId: from, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 });
const deliverInstallSnapshot = (from: NodeId, to: NodeId, term: number, timeMs: number): Event =>
  delivered(from, to, timeMs, { type: 'InstallSnapshot', term, leaderId: from, snapshot: { lastIncludedIndex: 3, lastIncludedTerm: term, data: '{}' } });
const requestVote = (from: NodeId, to: NodeId, term: number, timeMs = 0, kind: 'send' | 'deliver' = 'send'): Event => ({
  kind,
  from,
  to,
  incarnation: 0,
  timeMs,
  local: false,
  message: { type: 'RequestVote', term, candidateId: from, lastLogIndex: 0, lastLogTerm: 0 },
});
const voteGranted = (from: NodeId, to: NodeId, term: number): Event => ({
  kind: 'deliver',
  from,
  to,
  incarnation: 0,
  timeMs: 0,
  local: false,
  message: { type: 'RequestVoteReply', term, voteGranted: true },
});
const changeMembership = (node: NodeId, add: NodeId[], remove: NodeId[], timeMs = 0): Event => ({
  kind: 'input',
  node,
  incarnation: 0,
  timeMs,
  input: { type: 'ChangeMembership', add, remove },
});

const jointAddTwo: Configuration = { voters: [0, 1, 2], newVoters: [0, 1, 2, 3, 4] };
const jointRemoveTwo: Configuration = { voters: [0, 1, 2, 3, 4], newVoters: [0, 1, 2] };
const fiveServers = [0, 1, 2, 3, 4];

describe('at most one leader per term', () => {
  it('passes a leader elected by a majority of its configuration, fewer than a majority of all servers', () => {
    const cluster = new FakeCluster(5);
    expect(play(atMostOneLeaderPerTerm([0, 1, 2]), cluster, [requestVote(0, 1, 1), voteGranted(1, 0, 1), becameLeader(0, 1)])).toBeUndefined();
  });

  it('fails two leaders of one term', () => {
    const cluster = new FakeCluster(5);
    const problem = play(atMostOneLeaderPerTerm(fiveServers), cluster, [
      requestVote(0, 1, 2),
      voteGranted(1, 0, 2),
      voteGranted(2, 0, 2),
      becameLeader(0, 2),
      requestVote(3, 4, 2),
      voteGranted(4, 3, 2),
      voteGranted(1, 3, 2),
      becameLeader(3, 2),
    ]);
    expect(problem).toMatch(/n0 and n3 both became leader of term 2/);
  });

  it('fails a leader elected by a majority of C_new alone while the joint configuration is its latest', () => {
    const cluster = new FakeCluster(5);
    // n0, n3 and n4 are three of the five new voters, but only one of the three old ones.
    const problem = play(atMostOneLeaderPerTerm([0, 1, 2]), cluster, [
      storeLog(0, logOf(3, 1, { 3: jointAddTwo })),
      requestVote(0, 3, 2),
      voteGranted(3, 0, 2),
      voteGranted(4, 0, 2),
      becameLeader(0, 2),
    ]);
    expect(problem).toMatch(/n0 became leader of term 2 with the votes of n0, n3, n4 only.*1 of the 3 old voters, not a majority/);
  });
});

describe('no decision by one configuration alone while a joint configuration is in force', () => {
  const property = () => noDecisionByOneConfigurationAlone([0, 1, 2]);

  it('passes an entry committed by a majority of the old and of the new voters', () => {
    const cluster = new FakeCluster(5);
    const log = logOf(4, 1, { 3: jointAddTwo });
    expect(
      play(property(), cluster, [storeTerm(0, 1), becameLeader(0, 1), storeLog(0, log), storeLog(1, log), storeLog(3, log), appendEntries(0, 1, 1, 4), applied(0, 4, 1)]),
    ).toBeUndefined();
  });

  it('fails an entry committed by a majority of the new voters only', () => {
    const cluster = new FakeCluster(5);
    const log = logOf(4, 1, { 3: jointAddTwo });
    const problem = play(property(), cluster, [
      storeTerm(0, 1),
      becameLeader(0, 1),
      // Entries 1 and 2 are committed by n0 and n1 under {n0, n1, n2}; the rest after the joint configuration at 3.
      storeLog(0, log.slice(0, 2)),
      storeLog(1, log.slice(0, 2)),
      appendEntries(0, 1, 1, 2),
      storeLog(0, log),
      storeLog(3, log),
      storeLog(4, log),
      applied(0, 4, 1),
    ]);
    expect(problem).toMatch(/n0, leader of term 1, applied entry 3 \(term 1\).*joint \{n0, n1, n2\} \+ \{n0, n1, n2, n3, n4\}.*only n0, n3, n4 store it.*1 of the 3 old voters, not a majority/);
    expect(problem).toMatch(/one configuration alone decides nothing/);
  });

  it('fails a removal that commits with a majority of the remaining voters only', () => {
    const cluster = new FakeCluster(5);
    const log = logOf(4, 1, { 2: jointRemoveTwo });
    const problem = play(noDecisionByOneConfigurationAlone(fiveServers), cluster, [
      storeTerm(0, 1),
      becameLeader(0, 1),
      ...[0, 1, 2].map((node) => storeLog(node, log.slice(0, 1))),
      appendEntries(0, 1, 1, 1),
      storeLog(0, log),
      storeLog(1, log),
      appendEntries(0, 1, 1, 3),
    ]);
    expect(problem).toMatch(/sent entry 2 .*2 of the 5 old voters, not a majority \(a majority is 3\); 2 of the 3 new voters, a majority/);
  });

  it('passes a leader that appends C_new and commits by it in the same reaction', () => {
    const cluster = new FakeCluster(5);
    const jointLog = logOf(3, 1, { 3: jointRemoveTwo });
    const finalLog = [...jointLog, entry(4, 1, { voters: [0, 1, 2], newVoters: null }), entry(5, 1)];
    expect(
      play(noDecisionByOneConfigurationAlone(fiveServers), cluster, [
        storeTerm(0, 1), becameLeader(0, 1),
        storeLog(0, jointLog),
        ...[1, 2].map((node) => storeLog(node, jointLog)),
        storeLog(3, jointLog),
        appendEntries(0, 1, 1, 3),
        storeLog(0, finalLog),
        storeLog(1, finalLog),
        // Entry 5 is decided under C_new = {n0, n1, n2}: n0 and n1 are a majority of it.
        applied(0, 5, 1),
      ]),
    ).toBeUndefined();
  });

  it('fails a commit by a minority of a plain configuration', () => {
    const cluster = new FakeCluster(5);
    const problem = play(property(), cluster, [storeTerm(0, 1), becameLeader(0, 1), storeLog(0, logOf(1, 1)), storeLog(3, logOf(1, 1)), applied(0, 1, 1)]);
    expect(problem).toMatch(/with the configuration \{n0, n1, n2\} in force, but only n0, n3 store it/);
  });
});

describe('state machine safety (part F)', () => {
  it('fails two different entries applied at one index', () => {
    const cluster = new FakeCluster(3);
    expect(play(appliedEntriesAgree(), cluster, [applied(0, 1, 1), applied(1, 1, 1)])).toBeUndefined();
    expect(play(appliedEntriesAgree(), new FakeCluster(3), [applied(0, 1, 1), applied(1, 1, 2)])).toMatch(/n1 applied "c1" \(term 2\) at index 1, but n0 applied "c1" \(term 1\)/);
  });
});

describe('only voters stand for election', () => {
  it('passes a voter and fails a server outside the configuration', () => {
    expect(play(onlyVotersStandForElection([0, 1, 2]), new FakeCluster(4), [requestVote(1, 0, 2)])).toBeUndefined();
    expect(play(onlyVotersStandForElection([0, 1, 2]), new FakeCluster(4), [requestVote(3, 0, 2)])).toMatch(/n3 asked for votes in term 2, but it is no voter of its configuration \{n0, n1, n2\}/);
  });

  it('lets a new server stand once a configuration in its log names it', () => {
    const cluster = new FakeCluster(4);
    const log = logOf(2, 1, { 2: { voters: [0, 1, 2], newVoters: [0, 1, 2, 3] } });
    expect(play(onlyVotersStandForElection([0, 1, 2]), cluster, [storeLog(3, log), requestVote(3, 0, 2)])).toBeUndefined();
  });
});

describe('new servers catch up before they count', () => {
  const joint = { voters: [0, 1, 2], newVoters: [0, 1, 2, 3] };

  it('passes a joint configuration appended once the new server holds what was committed when asked', () => {
    const cluster = new FakeCluster(4);
    const log = logOf(5, 1);
    expect(
      play(newServersCatchUpFirst([0, 1, 2]), cluster, [
        storeTerm(0, 1),
        storeTerm(0, 1),
      becameLeader(0, 1),
        storeLog(0, log),
        appendEntries(0, 1, 1, 5),
        changeMembership(0, [3], []),
        storeLog(3, log),
        storeLog(0, [...log, entry(6, 1, joint)]),
      ]),
    ).toBeUndefined();
  });

  it('fails a joint configuration appended while the new server is empty', () => {
    const cluster = new FakeCluster(4);
    const log = logOf(5, 1);
    const problem = play(newServersCatchUpFirst([0, 1, 2]), cluster, [
      storeTerm(0, 1),
      becameLeader(0, 1),
      storeLog(0, log),
      appendEntries(0, 1, 1, 5),
      changeMembership(0, [3], []),
      storeLog(0, [...log, entry(6, 1, joint)]),
    ]);
    expect(problem).toMatch(/n0, leader of term 1, appended the configuration joint \{n0, n1, n2\} \+ \{n0, n1, n2, n3\}, which makes n3 a voter, while n3 stores an empty log and not entry 5/);
  });
});

describe("a change waits for an entry of the leader's term", () => {
  const earlierLog = logOf(3, 1);
  const joint = entry(5, 2, { voters: [0, 1, 2], newVoters: [0, 1] });

  it("passes a change begun after the leader's no-op is committed", () => {
    const cluster = new FakeCluster(3);
    expect(
      play(changeWaitsForOwnTermCommit(), cluster, [
        storeTerm(0, 2),
        becameLeader(0, 2),
        storeLog(0, [...earlierLog, entry(4, 2)]),
        appendEntries(0, 1, 2, 4),
        storeLog(0, [...earlierLog, entry(4, 2), joint]),
      ]),
    ).toBeUndefined();
  });

  it('fails a change begun while only entries of earlier terms are committed', () => {
    const cluster = new FakeCluster(3);
    const problem = play(changeWaitsForOwnTermCommit(), cluster, [
      storeTerm(0, 2),
      becameLeader(0, 2),
      storeLog(0, [...earlierLog, entry(4, 2)]),
      appendEntries(0, 1, 2, 3),
      storeLog(0, [...earlierLog, entry(4, 2), joint]),
    ]);
    expect(problem).toMatch(/n0, leader of term 2, appended the joint configuration .* at index 5 before it had committed any entry of term 2/);
  });
});

describe('a removed leader steps down', () => {
  const removal = (afterMs: number) => {
    const cluster = new FakeCluster(3);
    const log = logOf(3, 1, { 2: { voters: [0, 1, 2], newVoters: [1, 2] }, 3: { voters: [1, 2], newVoters: null } });
    return play(removedLeaderStepsDown(50), cluster, [
      storeTerm(0, 1),
      becameLeader(0, 1),
      storeLog(0, log),
      appendEntries(0, 1, 1, 3, 100),
      appendEntries(0, 2, 1, 3, 100 + afterMs),
    ]);
  };

  it('passes a last AppendEntries to tell the followers, within a heartbeat', () => {
    expect(removal(10)).toBeUndefined();
  });

  it('fails a removed leader that keeps sending heartbeats', () => {
    expect(removal(120)).toMatch(/n0 sent AppendEntries to n2 at 220 ms as leader of term 1, but it had committed the configuration at index 3, which leaves it out, at 100 ms/);
  });
});

describe('removed servers do not disrupt the cluster', () => {
  const committedRemoval = [applied(1, 1, 1, 0, { voters: [0, 1, 2], newVoters: null })];

  it('passes a member that ignores the RequestVote of a removed server', () => {
    const cluster = new FakeCluster(4);
    expect(
      play(removedServersDoNotDisrupt(fiveServers, 150), cluster, [
        storeTerm(1, 1),
        ...committedRemoval,
        deliverAppendEntries(0, 1, 1, 100),
        requestVote(3, 1, 2, 150, 'deliver'),
        requestVote(1, 3, 1, 150),
      ]),
    ).toBeUndefined();
  });

  it('passes a member that adopts the term when it has not heard from a leader for the minimum election timeout', () => {
    const cluster = new FakeCluster(4);
    expect(
      play(removedServersDoNotDisrupt(fiveServers, 150), cluster, [
        storeTerm(1, 1),
        ...committedRemoval,
        deliverAppendEntries(0, 1, 1, 100),
        requestVote(3, 1, 2, 400, 'deliver'),
        storeTerm(1, 2, 400),
      ]),
    ).toBeUndefined();
  });

  it('fails a member that a removed server moves to a new term right after a heartbeat', () => {
    const cluster = new FakeCluster(4);
    const problem = play(removedServersDoNotDisrupt(fiveServers, 150), cluster, [
      storeTerm(1, 1),
      ...committedRemoval,
      deliverAppendEntries(0, 1, 1, 100),
      requestVote(3, 1, 2, 150, 'deliver'),
      storeTerm(1, 2, 150),
    ]);
    expect(problem).toMatch(/n1 moved from term 1 to term 2 on a RequestVote from n3 at 150 ms, but n3 is no voter of the committed configuration \{n0, n1, n2\} and it heard from the leader at 100 ms/);
  });

  it('counts an InstallSnapshot from the leader as hearing from it, as an AppendEntries', () => {
    const problem = play(removedServersDoNotDisrupt(fiveServers, 150), new FakeCluster(4), [
      storeTerm(1, 1),
      ...committedRemoval,
      deliverAppendEntries(0, 1, 1, 100),
      deliverInstallSnapshot(0, 1, 1, 300),
      requestVote(3, 1, 2, 400, 'deliver'),
      storeTerm(1, 2, 400),
    ]);
    expect(problem).toMatch(/n1 moved from term 1 to term 2 on a RequestVote from n3 at 400 ms, .* it heard from the leader at 300 ms/);
  });
});

describe('one change at a time', () => {
  it('passes C, C_old,new, C_new and fails a second joint configuration over the first', () => {
    const first = { voters: [0, 1, 2], newVoters: [0, 1, 2, 3] };
    const events = (second: Configuration) => [
      storeTerm(0, 1),
      becameLeader(0, 1),
      storeLog(0, logOf(1, 1, { 1: first })),
      storeLog(0, logOf(2, 1, { 1: first, 2: second })),
    ];
    expect(play(oneChangeAtATime([0, 1, 2]), new FakeCluster(5), events({ voters: [0, 1, 2, 3], newVoters: null }))).toBeUndefined();
    expect(play(oneChangeAtATime([0, 1, 2]), new FakeCluster(5), events({ voters: [0, 1, 2], newVoters: [0, 1, 2, 3, 4] }))).toMatch(
      /appended the configuration joint \{n0, n1, n2\} \+ \{n0, n1, n2, n3, n4\} at index 2 after joint .*the next configuration could only be C_new = \{n0, n1, n2, n3\} alone/,
    );
  });
});

describe('the remaining voters keep their term', () => {
  it('fails a voter that changes term after the change', () => {
    const cluster = new FakeCluster(3);
    const events = [storeTerm(1, 2), output(0, { type: 'MembershipChanged', voters: [0, 1] }, 100), storeTerm(1, 2, 200)];
    expect(play(votersKeepTheirTerm(), cluster, events)).toBeUndefined();
    expect(play(votersKeepTheirTerm(), new FakeCluster(3), [...events, storeTerm(1, 3, 300)])).toMatch(/n1, a voter of \{n0, n1\} since 100 ms, moved from term 2 to term 3 at 300 ms/);
  });
});

describe('the membership change completes', () => {
  const targets = membershipTargets([0, 1, 2], [{ add: [3], remove: [0] }]);
  const committed = applied(1, 7, 2, 100, { voters: [1, 2, 3], newVoters: null });
  const announced = output(1, { type: 'MembershipChanged', voters: [3, 2, 1] }, 100);

  it('is met by C_new committed and MembershipChanged with its voters, in any order', () => {
    expect(targets).toEqual([[1, 2, 3]]);
    expect(play(membershipChangeCompletes(targets), new FakeCluster(4), [committed, announced])).toBeUndefined();
  });

  it('fails with no progress when nothing happened', () => {
    expect(play(membershipChangeCompletes(targets), new FakeCluster(4), [])).toMatch(/^no progress: the change to \{n1, n2, n3\} did not complete by 0 ms/);
  });

  it('fails a change announced and never put in the log', () => {
    expect(play(membershipChangeCompletes(targets), new FakeCluster(4), [announced])).toMatch(
      /a leader output MembershipChanged with those voters, but no server applied a configuration entry \{n1, n2, n3\}: a change is made in the log/,
    );
  });

  it('fails a change committed and never announced', () => {
    expect(play(membershipChangeCompletes(targets), new FakeCluster(4), [committed])).toMatch(/is committed, but no leader output MembershipChanged/);
  });
});

describe('a change is announced once committed', () => {
  // n1 leads term 2 and replaces n0 by n3: C_new {n1, n2, n3} is entry 7.
  const cNew: Configuration = { voters: [1, 2, 3], newVoters: null };
  const withCNew = logOf(7, 2, { 7: cNew });
  const announced = output(1, { type: 'MembershipChanged', voters: [3, 2, 1] }, 100);

  it('passes an announcement once a majority of the new voters store C_new, before or after the leader applies it', () => {
    expect(play(changeAnnouncedOnceCommitted(), new FakeCluster(4), [storeLog(1, withCNew), storeLog(3, withCNew), announced])).toBeUndefined();
    // n2 compacted past it: a snapshot covers only what was committed.
    const snapshotPast = { kind: 'storage', node: 2, incarnation: 0, timeMs: 0, key: 'snapshot', value: { lastIncludedIndex: 9, lastIncludedTerm: 2, data: '', configuration: cNew } } as Event;
    expect(play(changeAnnouncedOnceCommitted(), new FakeCluster(4), [storeLog(1, withCNew), snapshotPast, announced])).toBeUndefined();
  });

  it('fails a leader that announces C_new when it appends it', () => {
    expect(play(changeAnnouncedOnceCommitted(), new FakeCluster(4), [storeLog(1, withCNew), storeLog(3, logOf(6, 2)), announced])).toBe(
      'n1 output MembershipChanged {n1, n2, n3} at 100 ms, but its C_new (index 7, term 2) is stored by n1 of those voters, not a majority (2 of 3): ' +
        'a leader announces a change once the C_new that ends it is committed, not when it appends it',
    );
    // Another term's entry at that index is not the same entry.
    expect(play(changeAnnouncedOnceCommitted(), new FakeCluster(4), [storeLog(1, withCNew), storeLog(2, logOf(7, 1)), announced])).toMatch(/stored by n1 of those voters/);
  });

  it('fails an announcement of a configuration the server does not hold', () => {
    expect(play(changeAnnouncedOnceCommitted(), new FakeCluster(4), [storeLog(1, logOf(6, 2)), announced])).toBe(
      'n1 output MembershipChanged {n1, n2, n3} at 100 ms, but holds no C_new with those voters in its log or snapshot: a leader announces a change once the C_new that ends it is committed',
    );
  });
});

describe('the membership driver', () => {
  it('asks the leader, follows a refusal that names another, asks again after a refusal, and stops once the change is done', () => {
    const driver = membershipDriver({ initialVoters: [0, 1, 2], steps: [{ add: [3], remove: [] }], retryMs: 100 });
    const cluster = new FakeCluster(4);
    const given: { node: NodeId; atMs: number; type: string }[] = [];
    const context = {
      cluster: cluster.view(),
      random: undefined as never,
      input: (node: NodeId, input: Raft['input']) => given.push({ node, atMs: cluster.nowMs, type: input.type }),
    };
    const at = (timeMs: number, node: NodeId, value: Raft['output']) => {
      cluster.nowMs = timeMs;
      driver.onOutput?.({ node, incarnation: 0, timeMs, output: value } as never, context);
    };
    driver.start?.(context);
    at(10, 1, { type: 'BecameLeader', term: 1 });
    expect(given).toEqual([{ node: 1, atMs: 10, type: 'ChangeMembership' }]);
    at(11, 1, { type: 'MembershipRefused', add: [3], remove: [], leader: 2, reason: 'this server does not lead' });
    at(20, 0, { type: 'Applied', index: 1, term: 1, command: 'c1' });
    expect(given.at(-1)).toEqual({ node: 2, atMs: 20, type: 'ChangeMembership' });
    at(21, 2, { type: 'MembershipRefused', add: [3], remove: [], leader: 2, reason: 'this leader has not committed an entry of its own term yet' });
    at(60, 0, { type: 'Applied', index: 2, term: 1, command: 'c2' });
    expect(given).toHaveLength(2);
    at(125, 0, { type: 'Applied', index: 3, term: 1, command: 'c3' });
    expect(given.at(-1)).toEqual({ node: 2, atMs: 125, type: 'ChangeMembership' });
    expect(driver.finished()).toBe(false);
    at(200, 2, { type: 'MembershipChanged', voters: [0, 1, 2, 3] });
    expect(driver.finished()).toBe(true);
    at(400, 0, { type: 'Applied', index: 4, term: 1, command: 'c4' });
    expect(given).toHaveLength(3);
  });

  it('keeps its own client reading until every change is done, and is finished only once its last read returned', () => {
    const driver = membershipDriver({ initialVoters: [0, 1, 2], steps: [{ add: [3], remove: [] }], watcher: 5, watchFromMs: 400 });
    const cluster = new FakeCluster(4);
    const given: { node: NodeId; delayMs: number; type: string }[] = [];
    const context = {
      cluster: cluster.view(),
      random: undefined as never,
      input: (node: NodeId, input: Raft['input'], delayMs = 0) => given.push({ node, delayMs, type: input.type }),
    };
    const at = (timeMs: number, node: NodeId, value: unknown) => {
      cluster.nowMs = timeMs;
      driver.onOutput?.({ node, incarnation: 0, timeMs, output: value } as never, context);
    };
    const returned = { type: 'Returned', sequence: 1, operation: { kind: 'get', key: 'x' }, result: { value: '' } };
    driver.start?.(context);
    expect(given).toEqual([{ node: 5, delayMs: 400, type: 'Invoke' }]);
    at(500, 5, returned);
    expect(given.filter((input) => input.node === 5)).toHaveLength(2);
    at(510, 0, { type: 'MembershipChanged', voters: [0, 1, 2, 3] });
    // The change is done, but the watcher's read is still out.
    expect(driver.finished()).toBe(false);
    at(530, 5, returned);
    expect(driver.finished()).toBe(true);
    expect(given.filter((input) => input.node === 5)).toHaveLength(2);
  });
});
