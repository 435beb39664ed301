// Lab 5, part E's properties, on hand-made histories and small runs: each passes the behaviour
// the handout asks for and fails, with a message that says what went wrong, on the bug it is
// written against (a retry executed twice, a returned append never executed, a client that
// forges a result, too many messages, a slow leader).
import { describe, expect, it } from 'vitest';
import {
  everyOperationReturns,
  nothingCompletesInMinority,
  operationsCompleteAfterHeal,
  KvClient,
  kvClientNodes,
  kvWorkload,
  simulate,
  type ClusterView,
  type HistoryEvent,
  type KvClientOutput,
  type KvCommand,
  type KvOperation,
  type KvResult,
  type NodeClass,
  type NodeId,
  type Property,
  type Tagged,
} from 'distlab/testing';
import {
  appendsTakeEffectExactlyOnce,
  clientsReturnOnlyReplies,
  repliesFollowTheLog,
  completedWritesReachEveryLiveServer,
  messagesPerOperation,
  operationsPerHeartbeat,
  parseKvCommand,
} from '../../labs/05-raft/serviceChecks.ts';
import type { Raft } from '../../labs/05-raft/src/protocol.ts';
import { KvFixtureServer, type KvFixture } from '../fixtures/kv/server.ts';

type Event = HistoryEvent<Raft>;

/** Servers n0..n2 and clients n5, n6 (n3, n4 unused), never crashed. */
function view(nowMs: () => number): ClusterView<Raft> {
  const nodeIds = [0, 1, 2, 3, 4, 5, 6];
  return {
    nodeIds,
    servers: [0, 1, 2],
    clients: [5, 6],
    get nowMs() {
      return nowMs();
    },
    step: 0,
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

/** Feeds `events` to `property` in order; returns its first violation, else its final check, and its figures. */
function play<Memory>(property: Property<Raft, Memory>, events: readonly Event[]): { problem: string | undefined; figures: Record<string, number> } {
  let nowMs = 0;
  const cluster = view(() => nowMs);
  const memory = property.memory?.(cluster) as Memory;
  const figures = () => property.measure?.(memory) ?? {};
  for (const event of events) {
    nowMs = event.timeMs;
    const problem = property.record?.(memory, event, cluster);
    if (problem !== undefined) return { problem, figures: figures() };
  }
  return { problem: property.check?.(cluster, memory), figures: figures() };
}

// Events. Clients' inputs and outputs are the kit's, not Raft's: cast as the workload does.

const appendOf = (value: string, key = 'x'): KvOperation => ({ kind: 'append', key, value });
const getOf = (key = 'x'): KvOperation => ({ kind: 'get', key });
const command = (client: NodeId, sequence: number, operation: KvOperation): KvCommand => ({ client, sequence, operation });

const invoke = (client: NodeId, operation: KvOperation, timeMs: number, incarnation = 0): Event => ({
  kind: 'input',
  node: client,
  incarnation,
  timeMs,
  input: { type: 'Invoke', operation } as Tagged as Raft['input'],
});
const returned = (client: NodeId, sequence: number, operation: KvOperation, result: KvResult, timeMs: number, incarnation = 0): Event => ({
  kind: 'output',
  node: client,
  incarnation,
  timeMs,
  output: { type: 'Returned', sequence, operation, result } satisfies KvClientOutput as Tagged as Raft['output'],
});
const applied = (server: NodeId, index: number, entry: KvCommand | '', timeMs: number, incarnation = 0): Event => ({
  kind: 'output',
  node: server,
  incarnation,
  timeMs,
  output: { type: 'Applied', index, term: 1, command: entry === '' ? '' : JSON.stringify(entry) },
});
const executed = (server: NodeId, index: number, entry: KvCommand, timeMs: number, incarnation = 0): Event => ({
  kind: 'output',
  node: server,
  incarnation,
  timeMs,
  output: { type: 'Executed', index, client: entry.client, sequence: entry.sequence },
});
/** A server applies `entry` at `index` and executes it, as a KvServer does in one reaction. */
const applyAndExecute = (server: NodeId, index: number, entry: KvCommand, timeMs: number, incarnation = 0): Event[] => [
  applied(server, index, entry, timeMs, incarnation),
  executed(server, index, entry, timeMs, incarnation),
];
const reply = (from: NodeId, to: NodeId, sequence: number, result: KvResult, timeMs: number): Event => ({
  kind: 'deliver',
  from,
  to,
  incarnation: 0,
  timeMs,
  local: false,
  message: { type: 'ClientReply', sequence, result },
});
const request = (client: NodeId, server: NodeId, sequence: number, operation: KvOperation, timeMs: number, incarnation = 0): Event => ({
  kind: 'send',
  from: client,
  to: server,
  incarnation,
  timeMs,
  local: false,
  message: { type: 'ClientRequest', command: command(client, sequence, operation) },
});
const sent = (from: NodeId, to: NodeId, timeMs: number): Event => ({
  kind: 'send',
  from,
  to,
  incarnation: 0,
  timeMs,
  local: false,
  message: { type: 'AppendEntries', term: 1, leaderId: from, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 },
});

describe('parseKvCommand', () => {
  it('reads a client command from an entry, and nothing from a no-op or anything else', () => {
    const append = command(5, 3, appendOf('n5.3;'));
    expect(parseKvCommand(JSON.stringify(append))).toEqual(append);
    expect(parseKvCommand(JSON.stringify(command(5, 4, getOf())))).toEqual(command(5, 4, getOf()));
    expect(parseKvCommand('')).toBeUndefined();
    expect(parseKvCommand('c7')).toBeUndefined();
    expect(parseKvCommand('{"client":5,"sequence":1,"operation":{"kind":"append","key":"x"}}')).toBeUndefined();
  });
});

describe('every append takes effect exactly once', () => {
  const first = command(5, 1, appendOf('n5.1;'));
  const second = command(5, 2, appendOf('n5.2;'));
  const read = command(6, 1, getOf());
  /** n5 appends twice and n6 reads; every server applies the log "", first, read, second. */
  const goodRun: Event[] = [
    invoke(5, first.operation, 10),
    invoke(6, read.operation, 11),
    applied(0, 1, '', 12),
    ...applyAndExecute(0, 2, first, 15),
    ...applyAndExecute(0, 3, read, 15),
    returned(5, 1, first.operation, {}, 20),
    returned(6, 1, read.operation, { value: 'n5.1;' }, 20),
    invoke(5, second.operation, 25),
    ...applyAndExecute(0, 4, second, 30),
    returned(5, 2, second.operation, {}, 35),
    applied(1, 1, '', 40),
    ...applyAndExecute(1, 2, first, 40),
    ...applyAndExecute(1, 3, read, 40),
    ...applyAndExecute(1, 4, second, 40),
  ];

  it('passes when each returned append was executed at one index, in its client\'s order, on any number of servers', () => {
    expect(play(appendsTakeEffectExactlyOnce(), goodRun).problem).toBeUndefined();
  });

  it('passes when a retry in the log is skipped as a duplicate, and when a restarted server executes its log again', () => {
    const events: Event[] = [
      ...goodRun,
      // A retry of `first` committed at 5: every server skips it (no Executed).
      applied(0, 5, first, 50),
      applied(1, 5, first, 50),
      // n2 restarts and executes the whole log again: the same indexes.
      ...applyAndExecute(2, 2, first, 60, 1),
      ...applyAndExecute(2, 4, second, 60, 1),
    ];
    expect(play(appendsTakeEffectExactlyOnce(), events).problem).toBeUndefined();
  });

  it('fails, as it happens, when a server executes a retry of an append again (its at-most-once table lost with a snapshot)', () => {
    const events: Event[] = [...goodRun, ...applyAndExecute(2, 5, first, 50, 1)];
    const { problem } = play(appendsTakeEffectExactlyOnce(), events);
    expect(problem).toContain('append(x, "n5.1;") of n5 took effect twice');
    expect(problem).toContain('at index 2 (command 1 of n5, executed by n0 at 15 ms) and again at index 5 (command 1 of n5, executed by n2 at 50 ms)');
  });

  it('fails when a client sends the same append again under a new sequence number and both are executed', () => {
    const resent = command(5, 2, first.operation);
    const events: Event[] = [invoke(5, first.operation, 10), ...applyAndExecute(0, 1, first, 15), ...applyAndExecute(0, 2, resent, 130), returned(5, 2, first.operation, {}, 140)];
    expect(play(appendsTakeEffectExactlyOnce(), events).problem).toContain('took effect twice: at index 1 (command 1 of n5');
  });

  it('fails at the end when an append returned but no server executed it (answered before it was committed)', () => {
    const events: Event[] = [invoke(5, first.operation, 10), applied(0, 1, '', 12), returned(5, 1, first.operation, {}, 14)];
    expect(play(appendsTakeEffectExactlyOnce(), events).problem).toBe(
      'n5\'s append(x, "n5.1;") returned at 14 ms, but no server ever executed it: the leader answers a command only once it is committed and executed, so a returned append is in the log for good',
    );
  });

  it('fails when a client\'s appends were executed in another order than it made them', () => {
    const events: Event[] = [
      invoke(5, first.operation, 10),
      ...applyAndExecute(0, 1, second, 12),
      ...applyAndExecute(0, 2, first, 13),
      returned(5, 1, first.operation, {}, 20),
      invoke(5, second.operation, 21),
      returned(5, 2, second.operation, {}, 22),
    ];
    expect(play(appendsTakeEffectExactlyOnce(), events).problem).toContain('n5\'s appends took effect out of its order: "n5.2;" (called at 21 ms) at index 1, before "n5.1;", called earlier, at index 2');
  });

  it('fails when a server reports Executed for a command that is not the entry it applied at that index, or for an index it never applied', () => {
    const other: Event[] = [...applyAndExecute(0, 1, first, 12), applied(0, 2, '', 13), executed(0, 2, second, 13)];
    expect(play(appendsTakeEffectExactlyOnce(), other).problem).toBe(
      'n0 reported Executed for command 2 of n5 at index 2 (at 13 ms), but the entry it applied there is "": a server executes the client command of the entry it applies, and reports that entry\'s index',
    );
    const never: Event[] = [...applyAndExecute(0, 1, first, 12), executed(0, 2, second, 13)];
    expect(play(appendsTakeEffectExactlyOnce(), never).problem).toContain('n0 reported Executed for command 2 of n5 at index 2 (at 13 ms), but it never applied an entry there');
  });

  it('accepts an Executed output that comes just before its Applied one', () => {
    const events: Event[] = [invoke(5, first.operation, 10), executed(0, 1, first, 12), applied(0, 1, first, 12), returned(5, 1, first.operation, {}, 14)];
    expect(play(appendsTakeEffectExactlyOnce(), events).problem).toBeUndefined();
  });
});

describe('a reply follows the log', () => {
  const read = getOf();
  const replySent = (from: NodeId, to: NodeId, sequence: number, timeMs: number): Event => ({
    kind: 'send',
    from,
    to,
    incarnation: 0,
    timeMs,
    local: false,
    message: { type: 'ClientReply', sequence, result: { value: 'a' } },
  });

  it('passes a reply once some server applied the command, a retry answered from the table included', () => {
    const events: Event[] = [applied(1, 1, command(5, 1, read), 5), replySent(0, 5, 1, 10), replySent(2, 5, 1, 300)];
    expect(play(repliesFollowTheLog(), events).problem).toBeUndefined();
  });

  it('fails a reply to a command no server applied: a get answered from the leader\'s own state, or a write before it is committed', () => {
    const events: Event[] = [applied(0, 1, command(5, 1, read), 5), applied(0, 2, '', 6), replySent(0, 5, 2, 10)];
    expect(play(repliesFollowTheLog(), events).problem).toBe(
      'n0 sent n5 a ClientReply for its command 2 at 10 ms, but no server had applied that command from its log: every command, a get included, goes through the log, ' +
        'and is answered once it is committed and applied (or, retried, from the at-most-once table)',
    );
    // Another client's command of the same number is not this one.
    expect(play(repliesFollowTheLog(), [applied(0, 1, command(6, 1, read), 5), replySent(0, 5, 1, 10)]).problem).toContain('n0 sent n5 a ClientReply for its command 1');
  });
});

describe('a client returns only what a server replied', () => {
  const read = getOf();
  const write = appendOf('a');

  it('passes when every return carries the result of a ClientReply for the command it sent for that call', () => {
    const events: Event[] = [invoke(5, read, 0), request(5, 0, 1, read, 0), reply(0, 5, 1, { value: 'a' }, 10), returned(5, 1, read, { value: 'a' }, 10)];
    expect(play(clientsReturnOnlyReplies(), events).problem).toBeUndefined();
  });

  it('passes a call sent again under its sequence number, and calls given while another is in progress', () => {
    const events: Event[] = [
      invoke(5, write, 0),
      request(5, 0, 1, write, 0),
      invoke(5, read, 5),
      request(5, 1, 1, write, 100),
      reply(1, 5, 1, {}, 110),
      request(5, 1, 2, read, 110),
      returned(5, 1, write, {}, 110),
      reply(1, 5, 2, { value: 'a' }, 120),
      returned(5, 2, read, { value: 'a' }, 120),
    ];
    expect(play(clientsReturnOnlyReplies(), events).problem).toBeUndefined();
  });

  it('fails for a client that returns with no reply for that command (it gave up, or made the result up)', () => {
    const events: Event[] = [invoke(5, read, 0), request(5, 0, 1, read, 0), reply(0, 5, 2, { value: 'a' }, 10), returned(5, 1, read, { value: 'a' }, 12)];
    expect(play(clientsReturnOnlyReplies(), events).problem).toBe(
      'n5 returned {"value":"a"} for its command 1 (get(x)) at 12 ms, but no server\'s ClientReply for command 1 had reached it: a client returns only a result a server sent',
    );
  });

  it('fails for a client that returns another result than the servers replied', () => {
    const events: Event[] = [invoke(5, read, 0), request(5, 0, 1, read, 0), reply(0, 5, 1, { value: 'a' }, 10), returned(5, 1, read, { value: 'ab' }, 10)];
    expect(play(clientsReturnOnlyReplies(), events).problem).toContain('but the servers\' ClientReplies for command 1 said {"value":"a"}');
  });

  it('counts only replies from servers, and only to the client that returns', () => {
    const fromClient: Event[] = [invoke(5, read, 0), request(5, 0, 1, read, 0), reply(6, 5, 1, { value: 'a' }, 10), returned(5, 1, read, { value: 'a' }, 10)];
    expect(play(clientsReturnOnlyReplies(), fromClient).problem).toContain('no server\'s ClientReply for command 1 had reached it');
    const toOther: Event[] = [invoke(5, read, 0), request(5, 0, 1, read, 0), reply(0, 6, 1, { value: 'a' }, 10), returned(5, 1, read, { value: 'a' }, 10)];
    expect(play(clientsReturnOnlyReplies(), toOther).problem).toContain('no server\'s ClientReply for command 1 had reached it');
  });

  it("fails for a client that returns a write at once with the reply to an earlier write's command", () => {
    const second = appendOf('b');
    const events: Event[] = [
      invoke(5, write, 0),
      request(5, 0, 1, write, 0),
      reply(0, 5, 1, {}, 10),
      returned(5, 1, write, {}, 10),
      invoke(5, second, 20),
      request(5, 0, 2, second, 20),
      returned(5, 1, second, {}, 20),
    ];
    expect(play(clientsReturnOnlyReplies(), events).problem).toBe(
      'n5 returned {} for its command 1 at 20 ms, answering its call append(x, "b"), but command 1 already answered an earlier call: ' +
        'a client returns a call with the reply to the command it sent for that call, under a sequence number of its own',
    );
  });

  it('fails for a restarted client that numbers its commands from 1 again, and gets the reply to its old command', () => {
    const second = appendOf('b');
    const events: Event[] = [
      invoke(5, write, 0),
      request(5, 0, 1, write, 0),
      reply(0, 5, 1, {}, 10),
      returned(5, 1, write, {}, 10),
      invoke(5, second, 200, 1),
      request(5, 0, 1, second, 200, 1),
      reply(0, 5, 1, {}, 210),
      returned(5, 1, second, {}, 210, 1),
    ];
    expect(play(clientsReturnOnlyReplies(), events).problem).toContain(
      'but command 1 already answered a call before its restart (a client keeps its last sequence number in storage)',
    );
  });

  it('fails for a return whose command was sent for another operation, or before the call', () => {
    const other = appendOf('b');
    const forAnother: Event[] = [invoke(5, write, 0), request(5, 0, 1, other, 0), reply(0, 5, 1, {}, 10), returned(5, 1, write, {}, 10)];
    expect(play(clientsReturnOnlyReplies(), forAnother).problem).toContain('answering its call append(x, "a"), but it sent no ClientRequest with command 1 for that call');
    const beforeTheCall: Event[] = [request(5, 0, 1, write, 0), reply(0, 5, 1, {}, 5), invoke(5, write, 10), returned(5, 1, write, {}, 10)];
    expect(play(clientsReturnOnlyReplies(), beforeTheCall).problem).toContain('but it sent no ClientRequest with command 1 for that call');
    const byAnEarlierIncarnation: Event[] = [invoke(5, write, 0), request(5, 0, 1, write, 0, 1), reply(0, 5, 1, {}, 5), returned(5, 1, write, {}, 10)];
    expect(play(clientsReturnOnlyReplies(), byAnEarlierIncarnation).problem).toContain('but it sent no ClientRequest with command 1 for that call');
  });

  it('fails for a return that names another operation than the call it answers', () => {
    const events: Event[] = [invoke(5, write, 0), request(5, 0, 1, write, 0), reply(0, 5, 1, {}, 10), returned(5, 1, read, {}, 10)];
    expect(play(clientsReturnOnlyReplies(), events).problem).toBe(
      'n5 returned {} for its command 1 at 10 ms, naming the operation get(x), but the call it answers is append(x, "a"): Returned names the operation it returns',
    );
  });

  /** A client that appends "!" to every value it reads. */
  class ForgingClient extends KvClient {
    override output(value: KvClientOutput): void {
      if ('value' in value.result) super.output({ ...value, result: { value: `${value.result.value}!` } });
      else super.output(value);
    }
  }

  const runWith = (client: NodeClass<KvFixture>) => {
    const workload = kvWorkload<KvFixture>({ operationsPerClient: 10, mix: { get: 1, put: 0, append: 1 } });
    return simulate<KvFixture>({
      seed: 3,
      nodes: [{ role: 'server', node: KvFixtureServer }, { role: 'client', node: client }, ...kvClientNodes<KvFixture>(1)],
      config: { mode: 'correct', shipEveryMs: 10 },
      workload,
      properties: [clientsReturnOnlyReplies() as unknown as Property<KvFixture>],
      durationMs: 5_000,
      stopWhen: () => workload.finished(),
    });
  };

  it('passes honest clients in a run, and fails a client that forges what it read', () => {
    const honest = runWith(KvClient as unknown as NodeClass<KvFixture>);
    expect(honest.failure).toBeUndefined();
    expect(honest.endReason).toBe('stopped');
    const forged = runWith(ForgingClient as unknown as NodeClass<KvFixture>);
    expect(forged.failure?.property).toBe('a client returns only what a server replied');
    expect(forged.failure?.message).toMatch(/^n1 returned \{"value":".*!"\} for its command \d+ \(get\(.\)\) at \d+ ms, but the servers' ClientReplies for command \d+ said/);
  });
});

describe('messages per operation', () => {
  const read = getOf();
  /** Two operations, 12 messages sent between the first call and the last return, 3 more after it. */
  const events: Event[] = [
    sent(0, 1, 0),
    invoke(5, read, 10),
    ...Array.from({ length: 6 }, (_unused, position) => sent(0, 1, 11 + position)),
    returned(5, 1, read, { value: '' }, 20),
    invoke(5, read, 21),
    ...Array.from({ length: 6 }, (_unused, position) => sent(0, 2, 22 + position)),
    returned(5, 2, read, { value: '' }, 30),
    ...Array.from({ length: 3 }, (_unused, position) => sent(0, 2, 31 + position)),
  ];

  it('counts from the first call to the last return, per returned operation', () => {
    const { problem, figures } = play(messagesPerOperation(6, 'why'), events);
    expect(problem).toBeUndefined();
    expect(figures).toEqual({ messagesPerOperation: 6 });
  });

  it('fails over the budget, with the messages by type', () => {
    expect(play(messagesPerOperation(5, 'a request, a reply and one round of AppendEntries'), events).problem).toBe(
      '6.0 messages per operation (12 for 2 operations; per operation: AppendEntries 6.0), more than 5: a request, a reply and one round of AppendEntries',
    );
  });
});

describe('at least three operations per heartbeat interval', () => {
  const read = getOf();
  const operations = (latencies: readonly number[]): Event[] =>
    latencies.flatMap((latencyMs, position) => [invoke(5, read, position * 100), returned(5, position + 1, read, { value: '' }, position * 100 + latencyMs)]);

  it('passes a mean latency within heartbeatMs / 3, and charts each operation against the bound', () => {
    const { problem, figures } = play(operationsPerHeartbeat(60, 3), operations([10, 30, 15]));
    expect(problem).toBeUndefined();
    expect(figures).toEqual({ 'latencyMs@1': 10, 'bound@1': 20, 'latencyMs@2': 30, 'bound@2': 20, 'latencyMs@3': 15, 'bound@3': 20, meanLatencyMs: 18.3 });
  });

  it('fails a leader that waits for the heartbeat to send new entries', () => {
    expect(play(operationsPerHeartbeat(60, 3), operations([35, 40, 25])).problem).toBe(
      'the mean latency of 3 operations was 33.3 ms, more than heartbeatMs / 3 = 20.0 ms (slowest 40 ms): the leader sends a new entry to its followers at once, not with the next heartbeat, and answers as soon as it is committed and executed',
    );
  });
});

describe('partitions', () => {
  const write = appendOf('n5.2;');

  it('no operation completes in the minority: an operation called during the partition must not return before the heal', () => {
    const property = () => nothingCompletesInMinority([5], 100, 1_000, 'while cut off');
    const before: Event[] = [invoke(5, write, 90), returned(5, 1, write, {}, 105)];
    expect(play(property(), before).problem).toBeUndefined();
    const afterHeal: Event[] = [invoke(5, write, 200), returned(5, 1, write, {}, 1_050)];
    expect(play(property(), afterHeal).problem).toBeUndefined();
    const during: Event[] = [invoke(5, write, 200), returned(5, 1, write, {}, 210)];
    expect(play(property(), during).problem).toBe(
      'n5\'s append(x, "n5.2;"), called at 200 ms, returned at 210 ms ({}) while cut off: only a majority commits, and a leader answers only what is committed',
    );
  });

  it('every operation completes after the heal: within the bound, and none left pending', () => {
    const property = () => operationsCompleteAfterHeal(1_000, 500);
    expect(play(property(), [invoke(5, write, 200), returned(5, 1, write, {}, 1_400)]).problem).toBeUndefined();
    expect(play(property(), [invoke(5, write, 200), returned(5, 1, write, {}, 1_600)]).problem).toBe(
      'n5\'s append(x, "n5.2;"), called at 200 ms, returned only at 1600 ms, more than 500 ms after the network healed at 1000 ms',
    );
    expect(play(property(), [invoke(6, write, 100), returned(6, 1, write, {}, 150), invoke(5, write, 200)]).problem).toContain(
      'n5\'s append(x, "n5.2;"), called at 200 ms, never returned',
    );
    // Nothing returned at all is "clients make progress"'s to say.
    expect(play(property(), [invoke(5, write, 200)]).problem).toBeUndefined();
  });

  it('every operation returns: none left pending when the run ends', () => {
    expect(play(everyOperationReturns(), [invoke(5, write, 200), returned(5, 1, write, {}, 300)]).problem).toBeUndefined();
    expect(play(everyOperationReturns(), [invoke(6, write, 100), returned(6, 1, write, {}, 150), invoke(5, write, 200)]).problem).toBe(
      '1 operation of 2 never returned by 200 ms; the first: n5\'s append(x, "n5.2;"), called at 200 ms. Once faults end, a client\'s retries reach the leader, and the leader answers every command it commits',
    );
    expect(play(everyOperationReturns(), [invoke(5, write, 200)]).problem).toBeUndefined();
  });
});

describe('completed operations reach every live replica, snapshots included', () => {
  const first = command(5, 1, appendOf('n5.1;'));
  const second = command(5, 2, appendOf('n5.2;'));
  const snapshotInstalled = (server: NodeId, lastIncludedIndex: number, timeMs: number): Event => ({
    kind: 'output',
    node: server,
    incarnation: 0,
    timeMs,
    output: { type: 'SnapshotInstalled', snapshot: { lastIncludedIndex, lastIncludedTerm: 1, data: '{}' } },
  });
  const history = [invoke(5, first.operation, 10), executed(0, 2, first, 20), executed(1, 2, first, 21), returned(5, 1, first.operation, {}, 30)];

  it('passes when every live server executed each completed write, or installed a snapshot that covers it', () => {
    expect(play(completedWritesReachEveryLiveServer(), [...history, snapshotInstalled(2, 2, 40)]).problem).toBeUndefined();
    expect(play(completedWritesReachEveryLiveServer(), [...history, executed(2, 2, first, 40)]).problem).toBeUndefined();
  });

  it('fails for a server that neither executed a completed write nor installed a snapshot that covers it', () => {
    expect(play(completedWritesReachEveryLiveServer(), [...history, snapshotInstalled(2, 1, 40)]).problem).toBe(
      'n2, which is up, has neither executed nor installed in a snapshot 1 of the 1 completed writes by 40 ms; the first: append(x, "n5.1;") of n5 (command 1), which returned at 30 ms',
    );
  });

  it('needs the write executed somewhere: a snapshot covers only the commands some server executed at or below its index', () => {
    const unexecuted = [invoke(5, second.operation, 50), returned(5, 2, second.operation, {}, 60), snapshotInstalled(0, 9, 70), snapshotInstalled(1, 9, 70), snapshotInstalled(2, 9, 70)];
    expect(play(completedWritesReachEveryLiveServer(), unexecuted).problem).toMatch(/^n0, which is up, has neither executed nor installed in a snapshot 1 of the 1 completed writes/);
  });
});
