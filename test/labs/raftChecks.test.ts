// Lab 5's budget on repairing a log, its election safety, the rule that a higher term ends a
// leadership, and part F's rule on snapshots, on
// hand-made histories: what a follower sends itself, or a node that is no server sends, is no
// evidence; a refused AppendEntries that overtook earlier entries is no repair; a snapshot keeps
// the configuration of the entries it replaced, no later one; a snapshot installed replaces
// entries some server applied.
import { describe, expect, it } from 'vitest';
import type { ClusterView, HistoryEvent, NodeId, Property } from 'distlab/testing';
import { electionSafety, heartbeatBudget, higherTermEndsLeadership, installedSnapshotProblem, newLeaderAnnouncesAtOnce, noElectionWithoutFaults, rejectionBudget } from '../../labs/05-raft/checks.ts';
import { appliedEntriesAgree, snapshotsKeepTheirConfiguration } from '../../labs/05-raft/membershipChecks.ts';
import type { Configuration, Raft } from '../../labs/05-raft/src/protocol.ts';

type Event = HistoryEvent<Raft>;
type Message = Raft['message'];

/** Servers n0..n2 and a client n3, never crashed. */
function view(step: () => number): ClusterView<Raft> {
  return {
    nodeIds: [0, 1, 2, 3],
    servers: [0, 1, 2],
    clients: [3],
    nowMs: 0,
    get step() {
      return step();
    },
    lastFaultMs: 0,
    isCrashed: () => false,
    incarnation: () => 0,
    storage: () => new Map(),
    inFlight: () => [],
    get counters(): never {
      throw new Error('no counters in a hand-made history');
    },
  };
}

/** Feeds each reaction's events (one step each) to `property`; returns its first violation, else its final check, and its figures. */
function play<Memory>(property: Property<Raft, Memory>, reactions: readonly (readonly Event[])[]): { problem: string | undefined; figures: Record<string, number> } {
  let step = 0;
  const cluster = view(() => step);
  const memory = property.memory?.(cluster) as Memory;
  for (const events of reactions) {
    step++;
    for (const event of events) {
      const problem = property.record?.(memory, event, cluster);
      if (problem !== undefined) return { problem, figures: property.measure?.(memory) ?? {} };
    }
  }
  return { problem: property.check?.(cluster, memory), figures: property.measure?.(memory) ?? {} };
}

const deliver = (from: NodeId, to: NodeId, message: Message): Event => ({ kind: 'deliver', from, to, incarnation: 0, timeMs: 0, message, local: from === to });
const send = (from: NodeId, to: NodeId, message: Message): Event => ({ kind: 'send', from, to, incarnation: 0, timeMs: 0, message, local: from === to });
const appendEntries = (term: number, prevLogIndex: number): Message => ({ type: 'AppendEntries', term, leaderId: 0, prevLogIndex, prevLogTerm: 1, entries: [], leaderCommit: 0 });
const refusal = (term: number): Message => ({ type: 'AppendEntriesReply', term, success: false, matchIndex: 0, conflictTerm: null, conflictIndex: 1 });
/** n1 refuses n0's AppendEntries of `term` at `prevLogIndex`, in its reaction to it. */
const refused = (term: number, prevLogIndex: number, replyTerm = term): Event[] => [deliver(0, 1, appendEntries(term, prevLogIndex)), send(1, 0, refusal(replyTerm))];
const appliedSomething: Event[] = [{ kind: 'output', node: 0, incarnation: 0, timeMs: 0, output: { type: 'Applied', index: 1, term: 1, command: '' } }];

describe('round trips to repair a log', () => {
  const rejections = (reactions: readonly (readonly Event[])[]) => play(rejectionBudget(2, 'a test log'), [...reactions, appliedSomething]);

  it('counts a leader walking back one entry per refusal', () => {
    const walk = [10, 9, 8, 7].map((index) => refused(2, index));
    expect(rejections(walk).figures).toEqual({ rejectedAppendEntries: 4 });
    expect(rejections(walk).problem).toMatch(/^4 AppendEntries failed the consistency check while repairing a test log, at most 2 allowed/);
  });

  it('does not count refusals of AppendEntries that overtook the entries before them, nor of a stale term', () => {
    // Pipelined entries arriving out of order: each refused one is further on than the last refused.
    const overtaken = [5, 7, 12, 13].map((index) => refused(2, index));
    expect(rejections(overtaken)).toEqual({ problem: undefined, figures: { rejectedAppendEntries: 1 } });
    // A follower of term 3 refusing a leader of term 2.
    expect(rejections([refused(2, 5, 3), refused(2, 4, 3)]).figures).toEqual({ rejectedAppendEntries: 0 });
    // A new term starts afresh: its first refusal counts.
    expect(rejections([refused(2, 5), refused(3, 9)]).figures).toEqual({ rejectedAppendEntries: 2 });
  });

  it('counts a refusal hidden behind a message the follower sends itself, or put off to a later reaction', () => {
    const hidden: Event[][] = [
      [deliver(0, 1, appendEntries(2, 10)), send(1, 1, appendEntries(0, 0))],
      [deliver(1, 1, appendEntries(0, 0)), send(1, 0, refusal(2))],
      [deliver(0, 1, appendEntries(2, 9)), send(1, 1, appendEntries(0, 0))],
      [deliver(1, 1, appendEntries(0, 0)), send(1, 0, refusal(2))],
      [send(1, 0, refusal(2))],
    ];
    expect(rejections(hidden).figures).toEqual({ rejectedAppendEntries: 3 });
  });
});

describe('heartbeats per second', () => {
  /** n0's empty AppendEntries to n1, one every `everyMs` from `fromMs` until `untilMs`. */
  const heartbeats = (fromMs: number, untilMs: number, everyMs: number): Event[][] =>
    Array.from({ length: Math.ceil((untilMs - fromMs) / everyMs) }, (_unused, index) => [{ ...send(0, 1, appendEntries(2, 0)), timeMs: fromMs + index * everyMs }]);

  it('counts every second, or only those from the one it is told, where two leaderships may overlap before', () => {
    // Two chains of 10 a second until 2 s (an old leader not yet told, say), one after.
    const twoThenOne = [...heartbeats(0, 2_000, 50), ...heartbeats(2_000, 4_000, 100)];
    expect(play(heartbeatBudget(10, 100), twoThenOne).problem).toMatch(/^n1 was sent 20 empty AppendEntries \(or ones carrying only entries it had acknowledged\) between 0 and 1000 ms: at most 10/);
    expect(play(heartbeatBudget(10, 100, 2), twoThenOne)).toEqual({ problem: undefined, figures: { heartbeatsPerSecondMax: 10 } });
    // Two chains from then on: the bug the later count is for.
    expect(play(heartbeatBudget(10, 100, 2), heartbeats(0, 4_000, 50)).problem).toMatch(/^n1 was sent 20 empty AppendEntries \(or ones carrying only entries it had acknowledged\) between 2000 and 3000 ms/);
  });

  it('exempts the probe that answers a refusal only where the follower lacked the entry at prevLogIndex', () => {
    // n1 refuses, n0 probes again at once: fifteen times in one second.
    const exchanges = (prevLogIndex: number): Event[][] => [
      [send(0, 1, appendEntries(2, prevLogIndex))],
      ...Array.from({ length: 15 }, (): Event[][] => [
        [deliver(0, 1, appendEntries(2, prevLogIndex)), send(1, 0, refusal(2))],
        [deliver(1, 0, refusal(2)), send(0, 1, appendEntries(2, prevLogIndex))],
      ]).flat(),
    ];
    // n1's storage is empty: it lacks entry 5, and its refusals are warranted.
    expect(play(heartbeatBudget(10, 100), exchanges(5))).toEqual({ problem: undefined, figures: { heartbeatsPerSecondMax: 1 } });
    // Every log holds index 0: those refusals were not, and each probe after them is one more heartbeat.
    expect(play(heartbeatBudget(10, 100), exchanges(0)).problem).toMatch(/^n1 was sent 16 empty AppendEntries .* between 0 and 1000 ms/);
  });

  it('counts an AppendEntries that carries only entries the follower has acknowledged to that leader in its term', () => {
    const entry = (index: number) => ({ index, term: 2, command: `c${index}` });
    const carrying = (index: number): Message => ({ type: 'AppendEntries', term: 2, leaderId: 0, prevLogIndex: index - 1, prevLogTerm: 2, entries: [entry(index)], leaderCommit: 0 });
    const acknowledged: Event[] = [deliver(1, 0, { type: 'AppendEntriesReply', term: 2, success: true, matchIndex: 3, conflictTerm: null, conflictIndex: 0 })];
    const fifteen = (index: number): Event[][] => [acknowledged, ...Array.from({ length: 15 }, () => [send(0, 1, carrying(index))])];
    expect(play(heartbeatBudget(10, 100), fifteen(3)).problem).toMatch(/^n1 was sent 15 empty AppendEntries \(or ones carrying only entries it had acknowledged\)/);
    // Entry 4 is news to n1 (a resend of what it has not acknowledged, or not yet): no heartbeat.
    expect(play(heartbeatBudget(10, 100), fifteen(4)).problem).toMatch(/^no progress: no heartbeat/);
  });

  it('asks for heartbeats in the seconds it counts: a leader that stopped sending is no progress', () => {
    expect(play(heartbeatBudget(10, 100, 5), heartbeats(0, 4_000, 100)).problem).toBe('no progress: no heartbeat (AppendEntries without entries) was sent from 5000 ms on');
  });
});

describe('election safety', () => {
  const vote = (from: NodeId, to: NodeId, term: number): Event => deliver(from, to, { type: 'RequestVoteReply', term, voteGranted: true });
  const becameLeader = (node: NodeId, term: number): Event => ({ kind: 'output', node, incarnation: 0, timeMs: 0, output: { type: 'BecameLeader', term } });

  it('counts the votes of servers only: not a reply a candidate sends itself, nor one from a client', () => {
    expect(play(electionSafety([0, 1, 2]), [[vote(1, 0, 2)], [becameLeader(0, 2)]]).problem).toBeUndefined();
    expect(play(electionSafety([0, 1, 2]), [[vote(0, 0, 2)], [vote(3, 0, 2)], [becameLeader(0, 2)]]).problem).toBe(
      'n0 became leader of term 2 with the votes of n0 only (1 of 3; a majority is 2): a candidate wins with votes from a majority, its own counted once, ' +
        'and only votes of the term it stands in (a RequestVoteReply of an earlier term, or one that does not grant the vote, is no vote)',
    );
  });

  it('does not count a vote of an earlier term', () => {
    expect(play(electionSafety([0, 1, 2]), [[vote(1, 0, 1)], [becameLeader(0, 2)]]).problem).toMatch(/^n0 became leader of term 2 with the votes of n0 only/);
  });
});

describe('a snapshot keeps the configuration in force at its last index', () => {
  const joint: Configuration = { voters: [0, 1, 2], newVoters: [0, 1, 3] };
  const added: Configuration = { voters: [0, 1, 3], newVoters: null };
  const applied = (index: number, configuration?: Configuration): Event => ({
    kind: 'output',
    node: 0,
    incarnation: 0,
    timeMs: 0,
    output: { type: 'Applied', index, term: 1, command: '', ...(configuration === undefined ? {} : { configuration }) },
  });
  const stored = (lastIncludedIndex: number, configuration?: Configuration): Event => ({
    kind: 'storage',
    node: 1,
    incarnation: 0,
    timeMs: 0,
    key: 'snapshot',
    value: { lastIncludedIndex, lastIncludedTerm: 1, data: '', ...(configuration === undefined ? {} : { configuration }) },
  });
  const judge = (events: readonly Event[]) => play(snapshotsKeepTheirConfiguration([0, 1, 2]), events.map((event) => [event])).problem;
  const history = [applied(1), applied(2, joint), applied(3), applied(4, added), applied(5)];

  it('passes the configuration of the latest entry at or below the index, or none before the first', () => {
    expect(judge([...history, stored(1), stored(3, joint), stored(5, added)])).toBeUndefined();
    // With no configuration entry yet, the initial configuration may be written out.
    expect(judge([...history, stored(1, { voters: [0, 1, 2], newVoters: null })])).toBeUndefined();
  });

  it('fails a snapshot that leaves the configuration out', () => {
    expect(judge([...history, stored(3)])).toBe(
      'n1 stored a snapshot up to index 3 that keeps no configuration, but the configuration in force at index 3 is joint {n0, n1, n2} + {n0, n1, n3} ' +
        '(the entry at index 2): a snapshot keeps the configuration of the entries it replaces, so that a server restored from it, or one that catches up from it, knows who votes',
    );
  });

  it("fails a snapshot that keeps a configuration later than its entries: the server's latest, not the one in force at its index", () => {
    expect(judge([...history, stored(3, added)])).toMatch(/^n1 stored a snapshot up to index 3 that keeps the configuration \{n0, n1, n3\}, but the configuration in force at index 3 is joint/);
    expect(judge([...history, stored(1, joint)])).toMatch(/in force at index 1 is \{n0, n1, n2\} \(no configuration entry comes before it\)/);
  });

  it('does not judge a snapshot past every index applied, nor a value that is no snapshot', () => {
    expect(judge([applied(1), applied(2, joint), stored(4)])).toBeUndefined();
    expect(judge([...history, { kind: 'storage', node: 1, incarnation: 0, timeMs: 0, key: 'snapshot', value: 'not a snapshot' }])).toBeUndefined();
  });
});

describe('a higher term ends a leadership', () => {
  const heartbeat = (from: NodeId, to: NodeId, term: number, incarnation = 0): Event => ({ kind: 'send', from, to, incarnation, timeMs: 0, message: appendEntries(term, 0), local: false });
  const judge = (reactions: readonly (readonly Event[])[], senders?: readonly NodeId[]) =>
    play(higherTermEndsLeadership(senders === undefined ? undefined : () => senders), reactions).problem;

  it("fails a leader that sends in its old term after a follower's reply of a higher term", () => {
    expect(judge([[deliver(1, 0, refusal(3)), heartbeat(0, 1, 2)]])).toBe(
      'n0 sent AppendEntries of term 2 to n1 at 0 ms, after AppendEntriesReply of term 3 from n1 reached it at 0 ms: ' +
        'a term above a server\'s own, in any request or reply, is taken up at once and ends its leadership',
    );
    // A later reaction, and another follower: the same.
    expect(judge([[deliver(1, 0, { type: 'RequestVoteReply', term: 4, voteGranted: false })], [heartbeat(0, 2, 3)]])).toMatch(/^n0 sent AppendEntries of term 3 to n2/);
    expect(judge([[deliver(1, 0, appendEntries(5, 0))], [send(0, 2, { type: 'InstallSnapshot', term: 4, leaderId: 0, snapshot: { lastIncludedIndex: 1, lastIncludedTerm: 1, data: '' } })]])).toMatch(
      /^n0 sent InstallSnapshot of term 4 to n2 .* after AppendEntries of term 5 from n1/,
    );
  });

  it('passes a leader that takes the term up, and one that restarted since', () => {
    expect(judge([[deliver(1, 0, refusal(3))], [heartbeat(0, 1, 3)], [heartbeat(0, 1, 4)]])).toBeUndefined();
    expect(judge([[deliver(1, 0, refusal(3))], [heartbeat(0, 1, 2, 1)]])).toBeUndefined();
  });

  it('leaves out RequestVote, replies the server sends, and senders its configuration does not hold', () => {
    const requestVote: Message = { type: 'RequestVote', term: 9, candidateId: 1, lastLogIndex: 0, lastLogTerm: 0 };
    expect(judge([[deliver(1, 0, requestVote), heartbeat(0, 1, 2)]])).toBeUndefined();
    expect(judge([[send(0, 1, refusal(3)), heartbeat(0, 1, 2)]])).toBeUndefined();
    expect(judge([[deliver(1, 0, refusal(3)), heartbeat(0, 2, 2)]], [0, 2])).toBeUndefined();
    expect(judge([[deliver(2, 0, refusal(3)), heartbeat(0, 1, 2)]], [0, 2])).toMatch(/^n0 sent AppendEntries of term 2/);
  });
});

describe('one leader while nothing fails', () => {
  const elected = (node: NodeId, term: number, timeMs: number): Event => ({ kind: 'output', node, incarnation: 0, timeMs, output: { type: 'BecameLeader', term } });
  const stands = (node: NodeId, term: number, timeMs: number): Event => ({
    kind: 'send',
    from: node,
    to: (node + 1) % 3,
    incarnation: 0,
    timeMs,
    local: false,
    message: { type: 'RequestVote', term, candidateId: node, lastLogIndex: 0, lastLogTerm: 0 },
  });

  it('fails a candidacy once the leader had time to be heard', () => {
    const { problem } = play(noElectionWithoutFaults(20), [[elected(0, 1, 235)], [stands(2, 2, 400)]]);
    expect(problem).toMatch(/^n2 stood for election in term 2 at 400 ms, while n0 led term 1 \(since 235 ms\), and nothing had failed \(n0 sent no AppendEntries of term 1 at all\): .*and when it grants its vote$/);
  });

  it('says when the leader last sent AppendEntries, to the candidate and to anyone: a leader that stopped is told apart from a follower that did not listen', () => {
    const heartbeat = (to: NodeId, term: number, timeMs: number): Event => ({ kind: 'send', from: 0, to, incarnation: 0, timeMs, local: false, message: appendEntries(term, 0) });
    const stopped = play(noElectionWithoutFaults(20), [[elected(0, 1, 235)], [heartbeat(1, 1, 240), heartbeat(2, 1, 240)], [heartbeat(1, 1, 290)], [stands(2, 2, 500)]]).problem;
    expect(stopped).toContain('nothing had failed (n0 last sent AppendEntries of term 1 to n2 at 240 ms, and to any server at 290 ms): a leader goes on sending heartbeats until it sees a higher term');
    const neverToIt = play(noElectionWithoutFaults(20), [[elected(0, 1, 235)], [heartbeat(1, 1, 240)], [stands(2, 2, 500)]]).problem;
    expect(neverToIt).toContain('(n0 last sent AppendEntries of term 1 at 240 ms, and never to n2)');
    // AppendEntries of another term, or from another server, say nothing of this leader.
    const others = play(noElectionWithoutFaults(20), [[elected(0, 1, 235)], [heartbeat(2, 0, 240)], [stands(2, 2, 500)]]).problem;
    expect(others).toContain('(n0 sent no AppendEntries of term 1 at all)');
  });

  it('names the candidacy the grace period excused, which ended the leader\'s term, when a later one follows', () => {
    const { problem } = play(noElectionWithoutFaults(20), [[elected(0, 1, 235)], [stands(1, 2, 244)], [stands(2, 3, 409)]]);
    expect(problem).toMatch(/^n2 stood for election in term 3 at 409 ms, after n0 was elected leader of term 1 at 235 ms and n1 stood in term 2 9 ms later, before the leader's first heartbeat could reach it, and nothing had failed/);
  });
});

describe('an installed snapshot replaces applied entries', () => {
  const applied = (node: NodeId, index: number, term: number): Event => ({ kind: 'output', node, incarnation: 0, timeMs: 0, output: { type: 'Applied', index, term, command: `c${index}` } });
  const installed = (node: NodeId, lastIncludedIndex: number, lastIncludedTerm: number): Event => ({
    kind: 'output',
    node,
    incarnation: 0,
    timeMs: 0,
    output: { type: 'SnapshotInstalled', snapshot: { lastIncludedIndex, lastIncludedTerm, data: 'made up' } },
  });

  it('passes a snapshot up to an entry some server applied, with its term, and the empty snapshot', () => {
    expect(play(appliedEntriesAgree(), [[applied(0, 1, 1)], [applied(0, 2, 2)], [installed(1, 2, 2)], [installed(2, 0, 0)]]).problem).toBeUndefined();
  });

  it('fails a snapshot past every entry applied: a server that announces what it never installed', () => {
    expect(play(appliedEntriesAgree(), [[applied(0, 1, 1)], [installed(1, 1_000_080, 3)]]).problem).toBe(
      'n1 installed a snapshot up to index 1000080 of term 3, but no server has applied an entry at index 1000080: a snapshot replaces entries ' +
        'that were committed and applied, and a server installs only a snapshot the leader sent it, or the one it stored',
    );
  });

  it('fails a snapshot whose last term is not the term of the entry applied there', () => {
    const applications = new Map([[4, { term: 2, command: 'c4' }]]);
    expect(installedSnapshotProblem('n2', { lastIncludedIndex: 4, lastIncludedTerm: 3 }, applications)).toBe(
      'n2 installed a snapshot up to index 4 of term 3, but the entry committed there is of term 2 ("c4")',
    );
    expect(installedSnapshotProblem('n2', { lastIncludedIndex: 4, lastIncludedTerm: 2 }, applications)).toBeUndefined();
  });
});

describe('a new leader announces itself at once', () => {
  const elected = (timeMs: number): Event => ({ kind: 'output', node: 0, incarnation: 0, timeMs, output: { type: 'BecameLeader', term: 2 } });
  const heartbeatAt = (to: NodeId, timeMs: number): Event => ({ kind: 'send', from: 0, to, incarnation: 0, timeMs, message: appendEntries(2, 0), local: false });
  const judge = (reactions: readonly (readonly Event[])[]) => play(newLeaderAnnouncesAtOnce([0, 1, 2]), reactions).problem;

  it('passes AppendEntries to every other server in the reaction, or from a timer of the shortest delay, 1 ms', () => {
    expect(judge([[elected(300), heartbeatAt(1, 300), heartbeatAt(2, 300)]])).toBeUndefined();
    expect(judge([[elected(300)], [heartbeatAt(1, 301), heartbeatAt(2, 301)]])).toBeUndefined();
  });

  it('passes AppendEntries sent in the reaction before the output, as after it', () => {
    expect(judge([[heartbeatAt(1, 300), heartbeatAt(2, 300), elected(300)]])).toBeUndefined();
    expect(judge([[heartbeatAt(1, 300), elected(300), heartbeatAt(2, 300)]])).toBeUndefined();
    // Sent a moment before, or of another term, they do not.
    expect(judge([[heartbeatAt(1, 299), heartbeatAt(2, 299)], [elected(300)], [heartbeatAt(1, 350)]])).toMatch(/^n0 became leader of term 2 at 300 ms and sent no AppendEntries to n1, n2 by 301 ms/);
  });

  it('fails a leader that waits longer, or leaves a server out', () => {
    expect(judge([[elected(300)], [heartbeatAt(1, 350), heartbeatAt(2, 350)]])).toBe(
      'n0 became leader of term 2 at 300 ms and sent no AppendEntries to n1, n2 by 301 ms: a new leader sends AppendEntries to every other server at once, so that nobody else stands',
    );
    expect(judge([[elected(300), heartbeatAt(1, 300)], [heartbeatAt(2, 302)]])).toMatch(/^n0 became leader of term 2 at 300 ms and sent no AppendEntries to n2 by 301 ms/);
  });

  const handed = (term: number, timeMs: number): Event => ({
    kind: 'deliver',
    from: 2,
    to: 0,
    incarnation: 0,
    timeMs,
    message: { type: 'RequestVoteReply', term, voteGranted: false },
    local: false,
  });

  it('excuses a leader handed a higher term before its 1 ms is up: it steps down, and may send nothing more of its term', () => {
    // Its announcement was to come from a 1 ms timer; a reply of term 11 reached it first.
    expect(judge([[elected(300)], [handed(11, 301)], [heartbeatAt(1, 380)]])).toBeUndefined();
    expect(judge([[elected(300)], [handed(11, 300)]])).toBeUndefined();
    // A term not above its own, or one handed after the 1 ms, excuses nothing.
    expect(judge([[elected(300)], [handed(2, 301)], [heartbeatAt(1, 380)]])).toMatch(/^n0 became leader of term 2 at 300 ms and sent no AppendEntries to n1, n2 by 301 ms/);
    expect(judge([[elected(300)], [handed(11, 302)]])).toMatch(/^n0 became leader of term 2 at 300 ms/);
  });

  it('reports a late leader at the first event after its 1 ms, not at some later send', () => {
    const property = newLeaderAnnouncesAtOnce([0, 1, 2]);
    let step = 0;
    const cluster = view(() => step);
    const memory = property.memory?.(cluster) as Parameters<NonNullable<typeof property.record>>[0];
    const record = (event: Event) => {
      step++;
      return property.record?.(memory, event, cluster);
    };
    expect(record(elected(300))).toBeUndefined();
    expect(record(handed(1, 305))).toMatch(/^n0 became leader of term 2 at 300 ms/);
  });

  it('waits on two servers elected within the same millisecond each for its own 1 ms', () => {
    // Over a slow network, n1 may win term 5 with late votes while n0 wins term 6 a moment after; each announces from a 1 ms timer.
    const electedAs = (node: NodeId, term: number, timeMs: number): Event => ({ kind: 'output', node, incarnation: 0, timeMs, output: { type: 'BecameLeader', term } });
    const announce = (from: NodeId, term: number, timeMs: number): Event[] =>
      [0, 1, 2].filter((to) => to !== from).map((to): Event => ({ kind: 'send', from, to, incarnation: 0, timeMs, message: appendEntries(term, 0), local: false }));
    expect(judge([[electedAs(1, 5, 300)], [electedAs(0, 6, 300)], announce(1, 5, 301), announce(0, 6, 301)])).toBeUndefined();
    // Each is still judged: the one that stays silent fails.
    expect(judge([[electedAs(1, 5, 300)], [electedAs(0, 6, 300)], announce(0, 6, 301), [heartbeatAt(1, 303)]])).toMatch(/^n1 became leader of term 5 at 300 ms and sent no AppendEntries to n0, n2 by 301 ms/);
  });
});
