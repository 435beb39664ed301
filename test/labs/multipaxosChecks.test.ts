// Lab 4's properties, on hand-made histories: each passes the behaviour the handout asks for
// and fails, with a message that says what went wrong, on the bug it is written against. A
// small fake cluster holds each server's durable storage and who is down; events are fed to a
// property as the simulator feeds them, storage writes applied before they are recorded. Then
// small runs and a small search of the reference, and of the reference with one bug each.
import { describe, expect, it } from 'vitest';
import {
  explore,
  KvClient,
  simulate,
  type ClusterView,
  type FaultAction,
  type HistoryEvent,
  type KvCommand,
  type KvOperation,
  type KvResult,
  type NodeClass,
  type NodeId,
  type Property,
} from 'distlab/testing';
import { acceptedByMajorityKept, acceptedEntriesHeld, acceptedSlot, acceptorsKeepPromises, acceptsOnlyProposals, ballotUsedOnce, chosenByMajority, chosenOncePerSlot, commandKey, compareBallots, consistentLogs, describeCommand, executionInSlotOrder, leaderElectedByMajority, leaderTakesOver, logEntriesBounded, messagesPerChosenSlot, nothingChosen, phaseOneOnlyOnLeaderChange, preemptedLeaderStepsDown, returnsOnlyExecuted, safeGarbageCollection, safetyProperties, someCommandExecuted, someSlotChosen, storedPromise } from '../../labs/04-multipaxos/checks.ts';
import { firstCallMs, multipaxosRun, type MultiPaxosImplementation } from '../../labs/04-multipaxos/harness.ts';
import { acceptedKey, type Ballot, type Command, type MultiPaxos } from '../../labs/04-multipaxos/src/protocol.ts';
import { MultiPaxosServer } from '../../solutions/04-multipaxos/index.ts';

type Event = HistoryEvent<MultiPaxos>;

/** Servers n0..n(count-1) and clients n5, n6: their storage, who is down, each one's incarnation; events move the clock. */
class FakeCluster {
  readonly storages: Map<string, unknown>[];
  readonly down = new Set<NodeId>();
  nowMs = 0;
  constructor(readonly servers: number) {
    this.storages = Array.from({ length: 7 }, () => new Map<string, unknown>());
  }
  view(): ClusterView<MultiPaxos> {
    const nodeIds = [0, 1, 2, 3, 4, 5, 6];
    const clock = () => this.nowMs;
    const { storages, down } = this;
    return {
      nodeIds,
      servers: nodeIds.slice(0, this.servers),
      clients: [5, 6],
      get nowMs() {
        return clock();
      },
      step: 0,
      lastFaultMs: 0,
      isCrashed: (node) => down.has(node),
      incarnation: () => 0,
      storage: (node: NodeId) => storages[node] as ReadonlyMap<string, unknown>,
      inFlight: () => [],
      get counters(): never {
        throw new Error('no counters in a hand-made history');
      },
    };
  }
}

/** Feeds `events` to `property` in order; returns its first violation, else its final check, and its figures. */
function play<Memory>(
  property: Property<MultiPaxos, Memory>,
  events: readonly Event[],
  cluster = new FakeCluster(3),
): { problem: string | undefined; figures: Record<string, number>; memory: Memory } {
  const view = cluster.view();
  const memory = property.memory?.(view) as Memory;
  const figures = () => property.measure?.(memory) ?? {};
  for (const event of events) {
    cluster.nowMs = event.timeMs;
    if (event.kind === 'storage') {
      if (event.value === undefined) cluster.storages[event.node]?.delete(event.key);
      else cluster.storages[event.node]?.set(event.key, event.value);
    }
    if (event.kind === 'crash') cluster.down.add(event.node);
    if (event.kind === 'restart') cluster.down.delete(event.node);
    const problem = property.record?.(memory, event, view);
    if (problem !== undefined) return { problem, figures: figures(), memory };
  }
  return { problem: property.check?.(view, memory), figures: figures(), memory };
}

// Commands and events.

const ballot = (round: number, leader: NodeId): Ballot => ({ round, leader });
const command = (client: NodeId, sequence: number, operation: KvOperation): KvCommand => ({ client, sequence, operation });
const put = (client: NodeId, sequence: number, value: string, key = 'x') => command(client, sequence, { kind: 'put', key, value });
const append = (client: NodeId, sequence: number, value: string, key = 'x') => command(client, sequence, { kind: 'append', key, value });
const get = (client: NodeId, sequence: number, key = 'x') => command(client, sequence, { kind: 'get', key });

const store = (node: NodeId, key: string, value: unknown, timeMs = 0, incarnation = 0): Event => ({ kind: 'storage', node, incarnation, timeMs, key, value });
const storeAccepted = (node: NodeId, slot: number, accepted: Ballot, entry: Command, timeMs = 0, incarnation = 0): Event =>
  store(node, acceptedKey(slot), { ballot: accepted, slot, command: entry }, timeMs, incarnation);
const deleteAccepted = (node: NodeId, slot: number, timeMs = 0): Event => store(node, acceptedKey(slot), undefined, timeMs);
const storePromise = (node: NodeId, promised: Ballot, timeMs = 0, incarnation = 0): Event => store(node, 'promised', promised, timeMs, incarnation);
const storeCheckpoint = (node: NodeId, slot: number, timeMs = 0): Event => store(node, 'checkpoint', { slot, state: { data: {}, sessions: {}, applied: 0 } }, timeMs);
const output = (node: NodeId, value: MultiPaxos['output'], timeMs = 0, incarnation = 0): Event => ({ kind: 'output', node, incarnation, timeMs, output: value });
const chosen = (node: NodeId, slot: number, entry: Command, timeMs = 0, incarnation = 0): Event => output(node, { type: 'Chosen', slot, command: entry }, timeMs, incarnation);
const executed = (node: NodeId, slot: number, entry: KvCommand, result: KvResult, timeMs = 0, incarnation = 0): Event =>
  output(node, { type: 'Executed', index: slot, client: entry.client, sequence: entry.sequence, result }, timeMs, incarnation);
const send = (from: NodeId, to: NodeId, message: MultiPaxos['message'], timeMs = 0, incarnation = 0): Event => ({
  kind: 'send',
  from,
  to,
  incarnation,
  timeMs,
  local: from === to,
  message,
});
const crash = (node: NodeId, timeMs = 0): Event => ({ kind: 'crash', node, incarnation: 0, timeMs, midReaction: false });
const restart = (node: NodeId, timeMs = 0, incarnation = 1): Event => ({ kind: 'restart', node, incarnation, timeMs });

describe('helpers', () => {
  it('describe commands and tell them apart', () => {
    expect(describeCommand(null)).toBe('a no-op');
    expect(describeCommand(append(5, 2, 'a'))).toBe('append(x, "a") of n5 (command 2)');
    expect(commandKey(put(5, 1, 'a'))).not.toBe(commandKey(put(5, 1, 'b')));
    expect(commandKey(put(5, 1, 'a'))).not.toBe(commandKey(append(5, 1, 'a')));
    // The same command built with its fields in another order is the same command.
    expect(commandKey({ operation: { value: 'a', key: 'x', kind: 'put' }, sequence: 1, client: 5 })).toBe(commandKey(put(5, 1, 'a')));
  });

  it('read a server\'s promise and count the accepted entries it holds', () => {
    const cluster = new FakeCluster(3);
    play(safeGarbageCollection([0, 1, 2]), [storePromise(1, ballot(2, 0)), storeAccepted(1, 1, ballot(2, 0), null), storeAccepted(1, 2, ballot(2, 0), null), storeCheckpoint(1, 1)], cluster);
    const view = cluster.view();
    expect(storedPromise(view, 1)).toEqual(ballot(2, 0));
    expect(storedPromise(view, 2)).toBeUndefined();
    expect(acceptedEntriesHeld(view, 1)).toBe(2);
    expect(acceptedEntriesHeld(view, 0)).toBe(0);
  });

  it("read a slot only from the key its number spells: no second name for a slot", () => {
    expect(acceptedSlot(acceptedKey(5))).toBe(5);
    expect(acceptedSlot('accepted:05')).toBeUndefined();
    expect(acceptedSlot('accepted:5.0')).toBeUndefined();
    expect(acceptedSlot('accepted:0x5')).toBeUndefined();
    expect(acceptedSlot('accepted:-1')).toBeUndefined();
    expect(acceptedSlot('promised')).toBeUndefined();
  });

  it('safetyProperties lists the eleven in their order, the protocol\'s types first', () => {
    expect(safetyProperties([0, 1, 2]).map((property) => property.name)).toEqual([
      'messages are as protocol.ts declares',
      'storage and outputs are as protocol.ts declares',
      'chosen by a majority in one ballot',
      'a command accepted by a majority is kept',
      'consistent logs',
      'execution in slot order',
      'acceptors keep their promises',
      'safe garbage collection',
      'an acceptor accepts only what a leader proposed',
      'a Preempted names the promise that beat it',
      'an operation returns only once executed',
    ]);
  });
});

describe('chosen by a majority in one ballot', () => {
  const a = put(5, 1, 'a');
  const b = put(6, 1, 'b');
  const property = () => chosenByMajority([0, 1, 2]);

  it('passes a Chosen once a majority wrote the command in one ballot, even if it was overwritten or collected since', () => {
    const events = [
      storeAccepted(0, 1, ballot(1, 0), a),
      storeAccepted(1, 1, ballot(1, 0), a),
      chosen(0, 1, a, 10),
      storeAccepted(1, 1, ballot(2, 1), a),
      deleteAccepted(0, 1),
      chosen(2, 1, a, 30),
    ];
    expect(play(property(), events).problem).toBeUndefined();
  });

  it('passes a singleton group: its own write is a majority', () => {
    expect(play(chosenByMajority([0]), [storeAccepted(0, 1, ballot(1, 0), a), chosen(0, 1, a)], new FakeCluster(1)).problem).toBeUndefined();
  });

  it('fails a Chosen that only one of three servers accepted', () => {
    const { problem } = play(property(), [storeAccepted(0, 1, ballot(1, 0), a), chosen(0, 1, a, 12)]);
    expect(problem).toBe(
      'n0 output Chosen for slot 1, put(x, "a") of n5 (command 1), at 12 ms, but no majority (2 of 3) of servers had written it as accepted there in one ballot: ' +
        'written as accepted in (1, n0) by n0. A command is chosen in a slot once a majority of acceptors accepted it in the same ballot; a replica that learns ' +
        "of it from a heartbeat counts only what it accepted in the heartbeat's own ballot",
    );
  });

  it('fails a majority made of two ballots', () => {
    const { problem } = play(property(), [storeAccepted(0, 1, ballot(1, 0), a), storeAccepted(1, 1, ballot(2, 1), a), chosen(1, 1, a, 40)]);
    expect(problem).toContain('written as accepted in (1, n0) by n0; (2, n1) by n1');
  });

  it('fails a follower that takes the value it accepted in an older ballot as chosen', () => {
    // n2 accepted b in ballot (1, n2) alone; ballot (2, n0) chose a on n0 and n1; n2 hears the heartbeat of (2, n0) and takes its own b.
    const events = [storeAccepted(2, 3, ballot(1, 2), b), storeAccepted(0, 3, ballot(2, 0), a), storeAccepted(1, 3, ballot(2, 0), a), chosen(0, 3, a), chosen(2, 3, b, 70)];
    expect(play(property(), events).problem).toMatch(/^n2 output Chosen for slot 3, put\(x, "b"\) of n6 \(command 1\), at 70 ms, but no majority .* written as accepted in \(1, n2\) by n2\./);
  });

  it('fails a Chosen for a slot nobody accepted, and a malformed Chosen', () => {
    expect(play(property(), [chosen(1, 4, null)]).problem).toContain('n1 output Chosen for slot 4, a no-op, at 0 ms, but no majority (2 of 3) of servers had written it as accepted there in one ballot: no server wrote it as accepted there');
    expect(play(property(), [output(1, { type: 'Chosen', slot: 0, command: null })]).problem).toContain('n1 output Chosen {"type":"Chosen","slot":0,"command":null} at 0 ms: a Chosen output names a slot');
  });
});

describe('a command accepted by a majority is kept', () => {
  const a = put(5, 1, 'a');
  const b = put(6, 1, 'b');
  const property = () => acceptedByMajorityKept([0, 1, 2]);

  it('passes a higher ballot that proposes the majority\'s command again, and another command over a minority\'s', () => {
    const events = [
      storeAccepted(0, 1, ballot(1, 0), a),
      storeAccepted(1, 1, ballot(2, 1), b),
      storeAccepted(2, 1, ballot(2, 1), b),
      storeAccepted(0, 1, ballot(3, 0), b),
      deleteAccepted(1, 1),
      storeAccepted(1, 1, ballot(4, 1), b),
    ];
    expect(play(property(), events).problem).toBeUndefined();
    // A lower ballot's late acceptance after the majority moved on is no harm.
    expect(play(property(), [storeAccepted(0, 2, ballot(4, 1), a), storeAccepted(1, 2, ballot(4, 1), a), storeAccepted(2, 2, ballot(2, 2), b)]).problem).toBeUndefined();
  });

  it('fails another command accepted in a higher ballot, whichever write comes last', () => {
    expect(play(property(), [storeAccepted(1, 1, ballot(2, 1), b), storeAccepted(2, 1, ballot(2, 1), b), storeAccepted(0, 1, ballot(3, 0), a, 40)]).problem).toBe(
      'n0 wrote accepted:1 at 40 ms: put(x, "b") of n6 (command 1) was accepted there in ballot (2, n1) by n1, n2, a majority (2 of 3), yet put(x, "a") of n5 ' +
        '(command 1) was accepted there in the higher ballot (3, n0) by n0. Once a majority accepted a command in a slot, every later leader proposes that ' +
        "command there: after its phase 1 it proposes, for each slot, the command its majority's P1bs reported in the highest ballot",
    );
    // The write that completes ballot 2's majority comes after a no-op was accepted in ballot 3; collecting the slot does not take a write back.
    expect(play(property(), [storeAccepted(1, 1, ballot(2, 1), b), storeAccepted(0, 1, ballot(3, 0), null), deleteAccepted(1, 1), storeAccepted(2, 1, ballot(2, 1), b, 50)]).problem).toContain(
      'n2 wrote accepted:1 at 50 ms: put(x, "b") of n6 (command 1) was accepted there in ballot (2, n1) by n1, n2, a majority (2 of 3), yet a no-op was accepted there in the higher ballot (3, n0) by n0.',
    );
  });
});

describe('Chosen once per slot', () => {
  const a = append(5, 1, 'a');

  it('passes a slot reported once per server and incarnation, again after a restart', () => {
    expect(play(chosenOncePerSlot(), [chosen(0, 1, a), chosen(1, 1, a), chosen(0, 2, null), chosen(0, 1, a, 90, 1)]).problem).toBeUndefined();
  });

  it('fails a server that reports a slot it had reported, in the same incarnation', () => {
    expect(play(chosenOncePerSlot(), [chosen(0, 1, a, 10), chosen(0, 1, a, 90)]).problem).toBe(
      'n0 output Chosen for slot 1 at 90 ms, and had output it at 10 ms, in the same incarnation: ' +
        'a server outputs Chosen once per slot, when it first learns it, and not again when it hears of the slot again',
    );
  });
});

describe('consistent logs', () => {
  const a = append(5, 1, 'a');
  const b = append(6, 1, 'b');

  it('passes servers that report the same command per slot and execute it', () => {
    const events = [chosen(0, 1, a), chosen(1, 1, a), chosen(2, 2, null), chosen(0, 2, null), executed(0, 1, a, {}), executed(1, 1, a, {}), chosen(0, 1, a, 0, 1)];
    expect(play(consistentLogs(), events).problem).toBeUndefined();
  });

  it('fails two servers that report different commands chosen in one slot', () => {
    expect(play(consistentLogs(), [chosen(0, 3, a), chosen(2, 3, b, 90)]).problem).toBe(
      'n2 output Chosen for slot 3, append(x, "b") of n6 (command 1), at 90 ms, but n0 had reported append(x, "a") of n5 (command 1) chosen there: ' +
        'one command is chosen per slot, and every server learns that one',
    );
    expect(play(consistentLogs(), [chosen(0, 3, a), chosen(0, 3, null, 90, 1)]).problem).toContain('n0 output Chosen for slot 3, a no-op, at 90 ms, but it had reported append');
  });

  it('fails a server that executes another command than the one chosen in the slot, or executes a no-op', () => {
    expect(play(consistentLogs(), [chosen(0, 1, a), executed(1, 1, b, {}, 20)]).problem).toBe(
      'n1 executed command 1 of n6 at slot 1 (at 20 ms), but append(x, "a") of n5 (command 1) is chosen there (as n0 reported): ' +
        'a replica executes the command chosen in each slot, and reports that slot',
    );
    expect(play(consistentLogs(), [chosen(0, 1, null), executed(0, 1, a, {}, 20)]).problem).toContain('but a no-op is chosen there');
  });

  it('leaves an Executed for a slot nobody reported chosen to execution in slot order', () => {
    expect(play(consistentLogs(), [executed(1, 1, b, {}, 20)]).problem).toBeUndefined();
  });
});

describe('execution in slot order', () => {
  // The log: 1 put x=a (n5), 2 no-op, 3 append x+=b (n6), 4 the put again (a duplicate), 5 get x (n5) = "ab", 6 append x+=c (n6).
  const first = put(5, 1, 'a');
  const second = append(6, 1, 'b');
  const read = get(5, 2);
  const third = append(6, 2, 'c');
  const log: Command[] = [first, null, second, first, read, third];
  const chosenBy = (node: NodeId, incarnation = 0) => log.map((entry, position) => chosen(node, position + 1, entry, 0, incarnation));
  /** n0 learns and executes the whole log. */
  const n0Runs: Event[] = [...chosenBy(0), executed(0, 1, first, {}), executed(0, 3, second, {}), executed(0, 5, read, { value: 'ab' }), executed(0, 6, third, {})];

  it('passes a replica that executes every client command in order, skipping no-ops and duplicates', () => {
    expect(play(executionInSlotOrder(), n0Runs).problem).toBeUndefined();
  });

  it('passes a replica that learns slots out of order and executes once the prefix is chosen', () => {
    const events = [chosen(1, 3, second), chosen(1, 1, first), executed(1, 1, first, {}), chosen(1, 2, null), executed(1, 3, second, {})];
    expect(play(executionInSlotOrder(), events).problem).toBeUndefined();
  });

  it('passes a restarted replica that resumes from its checkpoint, or executes again what its checkpoint did not cover', () => {
    const events = [
      ...n0Runs,
      ...chosenBy(1),
      executed(1, 1, first, {}),
      executed(1, 3, second, {}),
      // n1 restarts from its checkpoint at slot 4 and learns slots 4.. again: its first execution is slot 5.
      chosen(1, 4, first, 0, 1),
      chosen(1, 5, read, 0, 1),
      executed(1, 5, read, { value: 'ab' }, 0, 1),
      // n2 restarts from its checkpoint at slot 3, which it had executed before: it executes slot 3 again.
      ...chosenBy(2),
      executed(2, 1, first, {}),
      executed(2, 3, second, {}),
      executed(2, 3, second, {}, 0, 1),
      executed(2, 5, read, { value: 'ab' }, 0, 1),
    ];
    expect(play(executionInSlotOrder(), events).problem).toBeUndefined();
  });

  it('fails a replica that executes a slot it has not reported chosen', () => {
    expect(play(executionInSlotOrder(), [chosen(0, 1, first), executed(1, 1, first, {}, 15)]).problem).toBe(
      'n1 executed slot 1 (command 1 of n5) at 15 ms without reporting slot 1 chosen: a replica executes a slot only once it has learned that it is chosen (its Chosen output first)',
    );
  });

  it('fails a replica that executes a slot before every slot below it is chosen', () => {
    expect(play(executionInSlotOrder(), [chosen(0, 1, first), chosen(0, 3, second), executed(0, 3, second, {}, 15)]).problem).toBe(
      'n0 executed slot 3 (command 1 of n6) at 15 ms, but slot 2 is not chosen yet (no server has reported it chosen): slots are executed in order, ' +
        'so a slot waits until every slot below it is chosen and executed',
    );
  });

  it('fails a replica that skips a client command', () => {
    expect(play(executionInSlotOrder(), [...chosenBy(0), executed(0, 1, first, {}), executed(0, 5, read, { value: 'ab' }, 25)]).problem).toBe(
      'n0 executed slot 5 (command 2 of n5) at 25 ms, but it skipped slot 3, where command 1 of n6 is chosen (its last executed slot was 1): ' +
        'a replica executes every chosen slot in order, and skips only no-ops and duplicates',
    );
    expect(play(executionInSlotOrder(), [...chosenBy(0), executed(0, 3, second, {}, 25)]).problem).toContain(
      'but it skipped slot 1, where command 1 of n5 is chosen (it executed nothing before)',
    );
  });

  it('fails a replica that executes out of order, or twice, in one incarnation', () => {
    expect(play(executionInSlotOrder(), [...chosenBy(0), executed(0, 1, first, {}), executed(0, 3, second, {}), executed(0, 1, first, {}, 30)]).problem).toBe(
      'n0 executed slot 1 (command 1 of n5) at 30 ms after slot 3, without a restart in between: a replica executes its slots in increasing order, each once',
    );
  });

  it('fails a result other than the replay\'s', () => {
    const events = [...chosenBy(0), executed(0, 1, first, {}), executed(0, 3, second, {}), executed(0, 5, read, { value: 'b' }, 40)];
    expect(play(executionInSlotOrder(), events).problem).toBe(
      'n0 executed slot 5 (command 2 of n5) at 40 ms with result {"value":"b"}, but applying the commands chosen in slots 1 to 5 in order gives {"value":"ab"}: ' +
        'every replica applies the same commands in the same order, from the same state, so it gets the same results',
    );
  });

  it('fails executing another command than the one chosen', () => {
    expect(play(executionInSlotOrder(), [...chosenBy(0), executed(0, 1, second, {}, 5)]).problem).toBe(
      'n0 executed slot 1 (command 1 of n6) at 5 ms, but command 1 of n5 is chosen there: a replica executes the command chosen in each slot',
    );
  });

  it('leaves a duplicate executed again to the at-most-once property, and catches the diverging result it leads to', () => {
    // Slot 4 holds a retry of slot 1's put: executing it is not reported here.
    const withDuplicate = [...chosenBy(0), executed(0, 1, first, {}), executed(0, 3, second, {}), executed(0, 4, first, {})];
    expect(play(executionInSlotOrder(), withDuplicate).problem).toBeUndefined();
    // Had the put been applied again, the get would read "a".
    expect(play(executionInSlotOrder(), [...withDuplicate, executed(0, 5, read, { value: 'a' })]).problem).toContain('applying the commands chosen in slots 1 to 5 in order gives {"value":"ab"}');
  });

  it('keeps a compact memory over thousands of slots', () => {
    const events: Event[] = [];
    for (let slot = 1; slot <= 3_000; slot++) {
      const entry = append(5, slot, `.${slot}`, `k${slot % 10}`);
      for (const server of [0, 1, 2]) events.push(chosen(server, slot, entry));
      events.push(executed(0, slot, entry, {}));
    }
    const { problem, memory } = play(executionInSlotOrder(), events);
    expect(problem).toBeUndefined();
    expect(memory.prefixEnd).toBe(3_001);
    expect(memory.pending.size).toBe(0);
    expect(memory.reported.map((reported) => reported.above.length)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(memory.outcomes).toHaveLength(3_000);
  });
});

describe('acceptors keep their promises', () => {
  const a = put(5, 1, 'a');
  /** n1 promises (2, n0), answers P1b, accepts slot 1 and answers P2b: as the reference does. */
  const honest: Event[] = [
    storePromise(1, ballot(2, 0)),
    send(1, 0, { type: 'P1b', ballot: ballot(2, 0), accepted: [] }),
    storeAccepted(1, 1, ballot(2, 0), a),
    send(1, 0, { type: 'P2b', ballot: ballot(2, 0), slot: 1, command: a }),
    // A higher ballot's P2a: the promise rises with it.
    storePromise(1, ballot(3, 2)),
    storeAccepted(1, 2, ballot(3, 2), null),
    send(1, 2, { type: 'P2b', ballot: ballot(3, 2), slot: 2, command: null }),
  ];

  it('passes an acceptor that writes before it answers and never goes back on a promise', () => {
    expect(play(acceptorsKeepPromises(), honest).problem).toBeUndefined();
    // The leader's own acceptor answers itself (a local send) by the same rules.
    expect(play(acceptorsKeepPromises(), [storePromise(0, ballot(1, 0)), send(0, 0, { type: 'P1b', ballot: ballot(1, 0), accepted: [] })]).problem).toBeUndefined();
  });

  it('fails a promise that decreases, and says so when a restart forgot it', () => {
    expect(play(acceptorsKeepPromises(), [...honest, storePromise(1, ballot(2, 1), 50)]).problem).toBe(
      "n1 wrote promised (2, n1) at 50 ms over (3, n2): an acceptor's promise never decreases",
    );
    expect(play(acceptorsKeepPromises(), [...honest, storePromise(1, ballot(1, 1), 80, 1)]).problem).toBe(
      "n1 wrote promised (1, n1) at 80 ms over (3, n2): an acceptor's promise never decreases, though it restarted in between: " +
        'a restarted acceptor reads its promise back from storage and keeps to it',
    );
    expect(play(acceptorsKeepPromises(), [...honest, store(1, 'promised', undefined, 90)]).problem).toContain("n1 deleted its promise at 90 ms over (3, n2): an acceptor's promise is kept for good");
  });

  it('fails a P1b sent before the promise is written', () => {
    expect(play(acceptorsKeepPromises(), [send(2, 0, { type: 'P1b', ballot: ballot(1, 0), accepted: [] }, 7)]).problem).toBe(
      'n2 sent P1b (1, n0) to n0 at 7 ms while its stored promise is none: an acceptor writes its promise before it answers',
    );
    expect(play(acceptorsKeepPromises(), [storePromise(2, ballot(1, 1)), send(2, 0, { type: 'P1b', ballot: ballot(2, 0), accepted: [] }, 7)]).problem).toContain(
      'while its stored promise is (1, n1): an acceptor writes its promise before it answers',
    );
  });

  it('fails an acceptance below the stored promise (an acceptor that forgot its promise on restart)', () => {
    expect(play(acceptorsKeepPromises(), [...honest, storeAccepted(1, 3, ballot(2, 0), a, 60, 1)]).problem).toBe(
      'n1 wrote accepted:3 = put(x, "a") of n5 (command 1) in ballot (2, n0) at 60 ms, while its stored promise is (3, n2): ' +
        'an acceptor accepts nothing below its promise (it answers Preempted)',
    );
  });

  it('fails a P2b sent before the acceptance is written, or for another command', () => {
    expect(play(acceptorsKeepPromises(), [storePromise(1, ballot(2, 0)), send(1, 0, { type: 'P2b', ballot: ballot(2, 0), slot: 4, command: a }, 9)]).problem).toBe(
      'n1 sent P2b (2, n0) for slot 4, put(x, "a") of n5 (command 1), to n0 at 9 ms, but its storage holds nothing as accepted for slot 4: ' +
        'an acceptor writes what it accepts before it answers',
    );
    expect(play(acceptorsKeepPromises(), [...honest, send(1, 0, { type: 'P2b', ballot: ballot(2, 0), slot: 1, command: null }, 9)]).problem).toContain(
      'but its storage holds put(x, "a") of n5 (command 1) in ballot (2, n0) as accepted for slot 1',
    );
  });

  it('fails a P2b sent in a ballot below the stored promise', () => {
    expect(play(acceptorsKeepPromises(), [...honest, send(1, 0, { type: 'P2b', ballot: ballot(2, 0), slot: 1, command: a }, 99)]).problem).toBe(
      'n1 sent P2b (2, n0) for slot 1, put(x, "a") of n5 (command 1), to n0 at 99 ms while its stored promise is (3, n2): ' +
        'an acceptor that promised a higher ballot accepts nothing below it (it answers Preempted)',
    );
  });

  it('fails a P1b that reports a slot its acceptor garbage-collected, and passes one that reports only what it still holds', () => {
    const b = put(6, 1, 'b');
    const collected: Event[] = [...honest, storeAccepted(1, 3, ballot(3, 2), b), deleteAccepted(1, 1, 40), deleteAccepted(1, 2, 40), storePromise(1, ballot(4, 0), 50)];
    expect(
      play(acceptorsKeepPromises(), [...collected, send(1, 0, { type: 'P1b', ballot: ballot(4, 0), accepted: [{ ballot: ballot(3, 2), slot: 3, command: b }] }, 50)]).problem,
    ).toBeUndefined();
    expect(
      play(acceptorsKeepPromises(), [
        ...collected,
        send(1, 0, { type: 'P1b', ballot: ballot(4, 0), accepted: [{ ballot: ballot(2, 0), slot: 1, command: a }, { ballot: ballot(3, 2), slot: 3, command: b }] }, 50),
      ]).problem,
    ).toBe(
      'n1 sent P1b (4, n0) to n0 at 50 ms reporting put(x, "a") of n5 (command 1) in ballot (2, n0) for slot 1, which it had garbage-collected (it deleted accepted:2): ' +
        'a server that collects a slot deletes its accepted:s from storage and drops it from memory, so no P1b reports it again',
    );
  });

  it('fails an accepted entry that is not the slot\'s proposal', () => {
    expect(play(acceptorsKeepPromises(), [store(1, acceptedKey(2), { ballot: ballot(1, 0), slot: 3, command: null }, 5)]).problem).toContain(
      'n1 wrote accepted:2 = {"ballot":{"round":1,"leader":0},"slot":3,"command":null} at 5 ms: accepted:<slot> holds the proposal',
    );
  });
});

describe('a leader is elected by a majority', () => {
  const property = () => leaderElectedByMajority([0, 1, 2]);
  const became = (node: NodeId, led: Ballot, timeMs = 0) => output(node, { type: 'BecameLeader', ballot: led }, timeMs);

  it('passes a leader once a majority, itself included or not, stores a promise of its ballot or above', () => {
    expect(play(property(), [storePromise(0, ballot(1, 0)), storePromise(1, ballot(1, 0)), became(0, ballot(1, 0))]).problem).toBeUndefined();
    // n1 has since promised a higher ballot: its promise still covers (1, n0).
    expect(play(property(), [storePromise(1, ballot(1, 0)), storePromise(2, ballot(1, 0)), storePromise(1, ballot(2, 2)), became(0, ballot(1, 0))]).problem).toBeUndefined();
  });

  it('fails a server that crowns itself without a majority, or leads a ballot of another', () => {
    expect(play(property(), [storePromise(0, ballot(1, 0)), became(0, ballot(1, 0), 30)]).problem).toBe(
      'n0 output BecameLeader (1, n0) at 30 ms, but only n0 holds a stored promise of (1, n0) or above, where a majority needs 2 servers: ' +
        "a server leads once phase 1 of its ballot succeeded, with P1bs from a majority, each written to the acceptor's storage before it answered",
    );
    expect(play(property(), [became(2, ballot(1, 2))]).problem).toContain('but no server holds a stored promise of (1, n2) or above, where a majority needs 2 servers');
    expect(play(property(), [storePromise(0, ballot(1, 0)), storePromise(1, ballot(1, 0)), became(1, ballot(1, 0), 10)]).problem).toContain(
      'n1 output BecameLeader (1, n0) at 10 ms: a server leads only a ballot of its own',
    );
  });
});

describe('a ballot is used once', () => {
  const used = (events: readonly Event[]) => play(ballotUsedOnce([0, 1, 2]), events).problem;
  const p1a = (from: NodeId, round: number, timeMs: number, incarnation: number) => send(from, 1, { type: 'P1a', ballot: ballot(round, from) }, timeMs, incarnation);
  const heartbeat = (from: NodeId, round: number, timeMs: number, incarnation: number) =>
    send(from, 1, { type: 'Heartbeat', ballot: ballot(round, from), chosenBelow: 1, collectBelow: 1 }, timeMs, incarnation);

  it('passes a P1a sent again in one incarnation, and ballots above every earlier one after a restart', () => {
    expect(used([p1a(0, 2, 0, 0), p1a(0, 2, 50, 0), heartbeat(0, 2, 100, 0), p1a(0, 3, 900, 1), p1a(0, 5, 2_000, 2)])).toBeUndefined();
    // A ballot of another server's, in a message this one sends, is not this one's to use once.
    expect(used([p1a(0, 2, 0, 0), send(0, 2, { type: 'P1a', ballot: ballot(1, 1) }, 900, 1)])).toBeUndefined();
  });

  it('fails a restarted server that runs phase 1 with a round it led in before, however many restarts ago', () => {
    expect(used([p1a(0, 2, 0, 0), heartbeat(0, 2, 10, 0), p1a(0, 2, 900, 1)])).toMatch(
      /^n0 sent P1a \(2, n0\) at 900 ms, after a restart, but it had proposed or led in ballots up to round 2 before: a server uses a ballot once/,
    );
    expect(used([heartbeat(0, 4, 0, 0), p1a(0, 1, 900, 2)])).toMatch(/^n0 sent P1a \(1, n0\) at 900 ms, after a restart, but it had proposed or led in ballots up to round 4 before/);
  });

  it('passes a ballot used again after a restart when only its P1a went out before: a P1a to itself dies with a crash in that reaction', () => {
    expect(used([p1a(0, 3, 0, 0), p1a(0, 3, 900, 1), heartbeat(0, 3, 950, 1)])).toBeUndefined();
  });
});

describe('a preempted leader steps down', () => {
  const problem = (events: readonly Event[]) => play(preemptedLeaderStepsDown([0, 1, 2]), events).problem;
  const deliver = (from: NodeId, to: NodeId, message: MultiPaxos['message'], timeMs = 0): Event => ({ kind: 'deliver', from, to, incarnation: 0, timeMs, local: from === to, message });
  const preempted = (from: NodeId, to: NodeId, own: Ballot, promised: Ballot, timeMs: number) => deliver(from, to, { type: 'Preempted', ballot: own, promised }, timeMs);
  const p2a = (from: NodeId, led: Ballot, timeMs: number) => send(from, 1, { type: 'P2a', ballot: led, slot: 1, command: null }, timeMs);
  const heartbeat = (from: NodeId, led: Ballot, timeMs: number) => send(from, 1, { type: 'Heartbeat', ballot: led, chosenBelow: 1, collectBelow: 1 }, timeMs);
  const p1b = (from: NodeId, to: NodeId, promised: Ballot, timeMs: number) => send(from, to, { type: 'P1b', ballot: promised, accepted: [] }, timeMs);

  it('passes a leader that stops at a Preempted and stands again above it, and a late Preempted for a ballot it has left', () => {
    expect(problem([p2a(0, ballot(1, 0), 10), preempted(1, 0, ballot(1, 0), ballot(2, 1), 20), send(0, 1, { type: 'P1a', ballot: ballot(3, 0) }, 300), p2a(0, ballot(3, 0), 320)])).toBeUndefined();
    // Leading (3, n0) when a Preempted for its earlier (1, n0) arrives: that leadership is over already.
    expect(problem([p2a(0, ballot(3, 0), 10), preempted(1, 0, ballot(1, 0), ballot(2, 1), 20), heartbeat(0, ballot(3, 0), 30)])).toBeUndefined();
    // A Preempted whose promise is not above the ballot, and a P1b for the server's own ballot, tell it nothing.
    expect(problem([preempted(1, 0, ballot(2, 0), ballot(2, 0), 20), p1b(0, 0, ballot(2, 0), 25), heartbeat(0, ballot(2, 0), 30)])).toBeUndefined();
  });

  it('fails a leader that goes on in its ballot after a Preempted for it', () => {
    expect(problem([p2a(0, ballot(1, 0), 10), preempted(1, 0, ballot(1, 0), ballot(2, 1), 20), heartbeat(0, ballot(1, 0), 30)])).toBe(
      'n0 sent Heartbeat (1, n0) at 30 ms, after a Preempted for its ballot (1, n0): a leader or candidate that learns of a higher ballot (a Preempted for its own, ' +
        'or a P1a of another server that its acceptor promises) becomes a follower, and its next ballot is above the one it heard of',
    );
    expect(problem([preempted(1, 0, ballot(2, 0), ballot(3, 1), 20), p2a(0, ballot(1, 0), 30)])).toContain('n0 sent P2a (1, n0) at 30 ms, after a Preempted for its ballot (2, n0)');
  });

  it('fails a candidate that stands again at or below the promise a Preempted for its latest ballot named', () => {
    const p1a = (from: NodeId, own: Ballot, timeMs: number) => send(from, 1, { type: 'P1a', ballot: own }, timeMs);
    expect(problem([p1a(0, ballot(1, 0), 10), preempted(1, 0, ballot(1, 0), ballot(4, 1), 20), p1a(0, ballot(3, 0), 300)])).toBe(
      'n0 sent P1a (3, n0) at 300 ms, after a Preempted for its ballot (1, n0) naming the promise of (4, n1): a leader or candidate that learns of a higher ballot ' +
        '(a Preempted for its own, or a P1a of another server that its acceptor promises) becomes a follower, and its next ballot is above the one it heard of',
    );
    expect(problem([p1a(0, ballot(1, 0), 10), preempted(1, 0, ballot(1, 0), ballot(4, 1), 20), p1a(0, ballot(4, 0), 300)])).toContain('n0 sent P1a (4, n0) at 300 ms');
    expect(problem([p1a(0, ballot(1, 0), 10), preempted(1, 0, ballot(1, 0), ballot(4, 1), 20), p1a(0, ballot(5, 0), 300)])).toBeUndefined();
  });

  it('bars only the answered ballot for a late Preempted, or one naming a promise of the server itself', () => {
    const p1a = (from: NodeId, own: Ballot, timeMs: number) => send(from, 1, { type: 'P1a', ballot: own }, timeMs);
    // (2, n0) is its candidacy when the answer to (1, n0) comes: that answer is late news.
    expect(problem([p1a(0, ballot(1, 0), 10), p1a(0, ballot(2, 0), 200), preempted(1, 0, ballot(1, 0), ballot(4, 1), 210), p2a(0, ballot(2, 0), 220)])).toBeUndefined();
    // An acceptor that promised n0's own later ballot: nobody else is about.
    expect(problem([p1a(0, ballot(1, 0), 10), preempted(1, 0, ballot(1, 0), ballot(3, 0), 20), p1a(0, ballot(2, 0), 300)])).toBeUndefined();
  });

  it('fails a leader that goes on after its own acceptor promised a higher ballot, or stands below it', () => {
    expect(problem([p2a(0, ballot(1, 0), 10), p1b(0, 2, ballot(2, 2), 20), p2a(0, ballot(1, 0), 30)])).toContain("n0 sent P2a (1, n0) at 30 ms, after its own acceptor's promise of (2, n2)");
    expect(problem([p1b(0, 2, ballot(2, 2), 20), send(0, 1, { type: 'P1a', ballot: ballot(2, 0) }, 30)])).toContain("n0 sent P1a (2, n0) at 30 ms, after its own acceptor's promise of (2, n2)");
    expect(problem([p1b(0, 2, ballot(2, 2), 20), send(0, 1, { type: 'P1a', ballot: ballot(3, 0) }, 30)])).toBeUndefined();
  });

  it('leaves a restarted server to "a ballot is used once": what it heard before the restart does not count here', () => {
    expect(problem([p1b(0, 2, ballot(2, 2), 20), restart(0, 30), send(0, 1, { type: 'P1a', ballot: ballot(1, 0) }, 40, 1)])).toBeUndefined();
  });
});

describe('an acceptor accepts only what a leader proposed', () => {
  const a = put(5, 1, 'a');
  const property = () => acceptsOnlyProposals();
  const p2a = (from: NodeId, to: NodeId, led: Ballot, slot: number, entry: Command) => send(from, to, { type: 'P2a', ballot: led, slot, command: entry });

  it('passes what a P2a of the ballot\'s leader asked for, and the leader\'s own acceptor without a message', () => {
    expect(play(property(), [storeAccepted(0, 1, ballot(1, 0), a), p2a(0, 1, ballot(1, 0), 1, a), storeAccepted(1, 1, ballot(1, 0), a), deleteAccepted(1, 1)]).problem).toBeUndefined();
    // An earlier leader that is not a server (a client node, in the searches).
    expect(play(property(), [p2a(5, 2, ballot(1, 5), 3, null), storeAccepted(2, 3, ballot(1, 5), null)]).problem).toBeUndefined();
  });

  it('fails a no-op no leader proposed, and a proposal changed on its way', () => {
    expect(play(property(), [storeAccepted(1, 1, ballot(1, 5), null, 40)]).problem).toBe(
      'n1 wrote accepted:1 = a no-op in ballot (1, n5) at 40 ms, but n5, that ballot\'s leader, never sent it P2a (1, n5) for slot 1 with that command: ' +
        'an acceptor accepts a proposal only when its leader asks (a P2a), and writes it as it was proposed',
    );
    expect(play(property(), [p2a(0, 1, ballot(1, 0), 1, a), storeAccepted(1, 1, ballot(1, 0), null)]).problem).toContain('n1 wrote accepted:1 = a no-op');
    // A P2a sent to another acceptor, or by a server that does not lead the ballot, asks n2 for nothing.
    expect(play(property(), [p2a(0, 1, ballot(1, 0), 1, a), storeAccepted(2, 1, ballot(1, 0), a)]).problem).toContain('n2 wrote accepted:1');
    expect(play(property(), [p2a(1, 2, ballot(1, 0), 1, a), storeAccepted(2, 1, ballot(1, 0), a)]).problem).toContain('n2 wrote accepted:1');
  });
});

describe('an operation returns only once executed', () => {
  const a = put(5, 1, 'a');
  const returned = (client: NodeId, sequence: number, timeMs = 0): Event =>
    output(client, { type: 'Returned', sequence, operation: { kind: 'put', key: 'x', value: 'a' }, result: {} } as unknown as MultiPaxos['output'], timeMs);

  it('passes a return after some server executed the command, and one answered elsewhere', () => {
    expect(play(returnsOnlyExecuted(), [executed(1, 1, a, {}), returned(5, 1), returned(5, 1)]).problem).toBeUndefined();
    expect(play(returnsOnlyExecuted(['6:1']), [returned(6, 1)]).problem).toBeUndefined();
  });

  it('fails a return no execution came before', () => {
    expect(play(returnsOnlyExecuted(), [returned(5, 1, 20), executed(0, 1, a, {})]).problem).toBe(
      "n5's command 1 returned at 20 ms, but no server had executed it (no Executed output for it): " +
        'a server answers a client only once the command is chosen and executed, or from its at-most-once table for a command executed before',
    );
    expect(play(returnsOnlyExecuted(), [executed(0, 1, a, {}), returned(5, 2)]).problem).toContain("n5's command 2 returned");
  });
});

describe('safe garbage collection', () => {
  const property = () => safeGarbageCollection([0, 1, 2]);
  const entries = [storeAccepted(0, 1, ballot(1, 0), null), storeAccepted(0, 2, ballot(1, 0), null)];

  it('passes a deletion once every server checkpointed past the slot', () => {
    expect(play(property(), [...entries, storeCheckpoint(0, 3), storeCheckpoint(1, 2), storeCheckpoint(2, 2), deleteAccepted(0, 1)]).problem).toBeUndefined();
  });

  it('fails a deletion that a server\'s checkpoint does not cover, or with a server that has none', () => {
    expect(play(property(), [...entries, storeCheckpoint(0, 3), storeCheckpoint(1, 2), storeCheckpoint(2, 3), deleteAccepted(0, 2, 120)]).problem).toBe(
      'n0 deleted accepted:2 at 120 ms, but n1 has a stored checkpoint that covers only slots below 2: a log entry is collected only once every server has executed it ' +
        'and checkpointed the result (collectBelow is the lowest checkpoint slot over all servers)',
    );
    expect(play(property(), [...entries, storeCheckpoint(1, 3), storeCheckpoint(2, 3), deleteAccepted(0, 1, 120)]).problem).toContain(
      'n0 deleted accepted:1 at 120 ms, but it has no stored checkpoint',
    );
  });
});

describe('old slots are garbage-collected', () => {
  const fill = (node: NodeId, slots: number) => Array.from({ length: slots }, (_unused, position) => storeAccepted(node, position + 1, ballot(1, 0), null));

  it('passes when every live server holds at most the bound, and measures the most held', () => {
    const events = [...fill(0, 8), ...fill(1, 5), ...Array.from({ length: 6 }, (_unused, position) => deleteAccepted(0, position + 1))];
    const { problem, figures } = play(logEntriesBounded(4), events);
    expect(problem).toBe(
      "n1 holds 5 accepted entries (slots 1 to 5) at 0 ms, at most 4 allowed: once every server has checkpointed a slot, the leader's collectBelow lets every server delete it",
    );
    expect(figures).toEqual({ acceptedEntriesHeldMax: 8, acceptedEntriesHeldAtEnd: 5 });
    expect(play(logEntriesBounded(5), events).problem).toBeUndefined();
  });

  it('leaves out a server that is down', () => {
    const events = [...fill(0, 2), ...fill(2, 9), crash(2)];
    const { problem, figures } = play(logEntriesBounded(3), events);
    expect(problem).toBeUndefined();
    expect(figures).toEqual({ acceptedEntriesHeldMax: 9, acceptedEntriesHeldAtEnd: 2 });
    expect(play(logEntriesBounded(3), [...events, restart(2)]).problem).toContain('n2 holds 9 accepted entries (slots 1 to 9)');
  });

  it('has a deadline when asked for one', () => {
    expect(logEntriesBounded(3, { withinMs: 500 }).withinMs).toBe(500);
    expect(logEntriesBounded(3).withinMs).toBeUndefined();
  });
});

describe('budgets', () => {
  const a = put(5, 1, 'a');
  /** One slot with a stable leader n0 of three: P2a to n1 and n2 (and itself), P2b back. */
  const oneSlot = (slot: number): Event[] => [
    send(0, 0, { type: 'P2a', ballot: ballot(1, 0), slot, command: a }),
    send(0, 1, { type: 'P2a', ballot: ballot(1, 0), slot, command: a }),
    send(0, 2, { type: 'P2a', ballot: ballot(1, 0), slot, command: a }),
    send(0, 0, { type: 'P2b', ballot: ballot(1, 0), slot, command: a }),
    send(1, 0, { type: 'P2b', ballot: ballot(1, 0), slot, command: a }),
    send(2, 0, { type: 'P2b', ballot: ballot(1, 0), slot, command: a }),
    chosen(0, slot, a),
    chosen(1, slot, a),
  ];

  it('messages per chosen slot: 2(N-1) with a stable leader, local sends not counted', () => {
    const { problem, figures } = play(messagesPerChosenSlot(4), [...oneSlot(1), ...oneSlot(2)]);
    expect(problem).toBeUndefined();
    expect(figures).toEqual({ messagesPerChosenSlot: 4 });
  });

  it('messages per chosen slot: fails over the budget, with the messages by type', () => {
    const decisions = [send(0, 1, { type: 'Decision', slot: 1, command: a }), send(0, 2, { type: 'Decision', slot: 1, command: a })];
    expect(play(messagesPerChosenSlot(5), [...oneSlot(1), ...decisions]).problem).toBe(
      '6.00 messages per chosen slot (6 for 1 slot; per slot: P2a 2.00, P2b 2.00, Decision 2.00), more than 5: with a stable leader a slot costs one P2a ' +
        'to each other server and one P2b back; followers learn decisions from heartbeats, and phase 1 runs only when the leader changes',
    );
    expect(play(messagesPerChosenSlot(5), [send(0, 1, { type: 'P1a', ballot: ballot(1, 0) })]).problem).toBe('no progress: no slot was chosen, so there is no cost to measure');
  });

  it('phase 1 only on leader change: counts distinct ballots of P1a', () => {
    const scout = (round: number, leader: NodeId, timeMs: number) => [1, 2].map((to) => send(leader, to, { type: 'P1a', ballot: ballot(round, leader) }, timeMs));
    const { problem, figures } = play(phaseOneOnlyOnLeaderChange(2), [...scout(1, 0, 200), ...scout(1, 0, 250), ...scout(2, 1, 800)]);
    expect(problem).toBeUndefined();
    expect(figures).toEqual({ phaseOneBallots: 2 });
    expect(play(phaseOneOnlyOnLeaderChange(1), [...scout(1, 0, 200), ...scout(2, 1, 800)]).problem).toBe(
      "phase 1 ran in 2 ballots ((1, n0) at 200 ms, (2, n1) at 800 ms), at most 1 allowed: a leader's heartbeats reset every follower's LeaderTimeout, " +
        'so a server runs phase 1 only when it hears from no leader',
    );
  });
});

describe('goals and scenario rules', () => {
  const a = put(5, 1, 'a');

  it('nothing is chosen: any Chosen output breaks it', () => {
    expect(play(nothingChosen(), [storeAccepted(0, 1, ballot(1, 0), a)]).problem).toBeUndefined();
    expect(play(nothingChosen(), [chosen(0, 1, a, 30)]).problem).toBe(
      'n0 output Chosen for slot 1, put(x, "a") of n5 (command 1), at 30 ms: only a minority of servers can talk, and a slot is chosen only once a majority accepted it',
    );
    expect(play(nothingChosen('while n0 is cut off'), [chosen(0, 1, a, 30)]).problem).toContain('at 30 ms: while n0 is cut off');
  });

  describe('a new leader takes over', () => {
    const deliver = (from: NodeId, to: NodeId, message: MultiPaxos['message'], timeMs: number): Event => ({ kind: 'deliver', from, to, incarnation: 0, timeMs, local: from === to, message });
    const p1b = (from: NodeId, to: NodeId, round: number, timeMs: number) => deliver(from, to, { type: 'P1b', ballot: ballot(round, to), accepted: [] }, timeMs);
    const property = () => leaderTakesOver([0, 1, 2], 0, 1_000, 2_000, 'while n0 was cut off');

    it('passes another server whose phase 1 completes in the window', () => {
      expect(play(property(), [p1b(1, 0, 1, 300), p1b(2, 1, 2, 1_200)]).problem).toBeUndefined();
    });

    it('fails when only n0 ever led, or another server completed phase 1 only outside the window', () => {
      const message = 'no server but n0 completed phase 1 from 1000 to 2000 ms, while n0 was cut off';
      expect(play(property(), [p1b(1, 0, 1, 300)]).problem).toContain(message);
      expect(play(property(), [p1b(1, 0, 1, 300), p1b(2, 1, 2, 2_100)]).problem).toContain(message);
      // n1 led first, and n0 took over with a higher ballot before the window.
      expect(play(property(), [p1b(0, 1, 1, 300), p1b(1, 0, 2, 600)]).problem).toContain(message);
    });

    it('passes when another server led, with the highest ballot, as the window opened: it had taken over already', () => {
      // A timeout of n1 fired a moment before n0's P1a reached it: n1 leads, with a ballot above n0's.
      expect(play(property(), [p1b(1, 0, 1, 300), p1b(2, 1, 1, 310)]).problem).toBeUndefined();
      expect(play(property(), [p1b(1, 0, 1, 300), p1b(2, 1, 1, 310), p1b(1, 0, 1, 1_500)]).problem).toBeUndefined();
    });
  });

  it('a slot is chosen, a command is executed: reached by the first such output', () => {
    expect(play(someSlotChosen(), []).problem).toBe('no server has reported a slot chosen');
    expect(play(someSlotChosen(), [chosen(1, 1, null)]).problem).toBeUndefined();
    expect(play(someSlotChosen(2), [chosen(1, 1, null)]).problem).toBe('no server has reported slot 2 chosen');
    expect(play(someCommandExecuted(), [chosen(1, 1, a)]).problem).toBe('no server has executed a command');
    expect(play(someCommandExecuted(), [chosen(1, 1, a), executed(1, 1, a, {})]).problem).toBeUndefined();
  });
});

// Small runs of the reference, and of the reference with one bug each: the properties pass the
// one and name the bug of each other.

interface SmallRun {
  readonly servers?: number;
  readonly operations?: number;
  readonly faults?: readonly FaultAction[];
  readonly extra?: readonly Property<MultiPaxos>[];
  readonly extraAfter?: readonly Property<MultiPaxos>[];
}

function runSmall(implementation: MultiPaxosImplementation, seed: number, options: SmallRun = {}) {
  const setup = multipaxosRun(implementation, {
    servers: options.servers ?? 3,
    clients: 2,
    durationMs: 4_000,
    workload: { operationsPerClient: options.operations ?? 10, keys: ['x', 'y'], thinkMs: [0, 20], startMs: firstCallMs },
    ...(options.extra === undefined ? {} : { extra: options.extra }),
    ...(options.extraAfter === undefined ? {} : { extraAfter: options.extraAfter }),
  });
  return simulate<MultiPaxos>({ ...setup, seed: `multipaxos-checks/${seed}`, ...(options.faults === undefined ? {} : { faults: options.faults }) });
}

/** The failure of the first of `seeds` runs that fails, as "property: message". */
function firstFailure(implementation: MultiPaxosImplementation, options: SmallRun = {}, seeds = 3): string | undefined {
  for (let seed = 1; seed <= seeds; seed++) {
    const result = runSmall(implementation, seed, options);
    if (result.failure !== undefined) return `${result.failure.property}: ${result.failure.message}`;
  }
  return undefined;
}

const broken = (server: typeof MultiPaxosServer): MultiPaxosImplementation => ({ MultiPaxosServer: server });

describe('the properties on small runs', () => {
  const budgets = () => [messagesPerChosenSlot(2.5 * 2), phaseOneOnlyOnLeaderChange(1)];

  it('pass the reference, with a crash and a restart, and measure it', () => {
    const faults: FaultAction[] = [
      { atMs: 600, type: 'crash', node: 1 },
      { atMs: 900, type: 'restart', node: 1 },
    ];
    // Seeds on which the clients work on well past the restart at 900 ms: a run that stops just
    // after it judges n1 before it has had the time to catch up.
    for (const seed of [3, 4, 9]) {
      const result = runSmall({ MultiPaxosServer }, seed, { faults, extraAfter: [logEntriesBounded(20)] });
      expect(result.failure).toBeUndefined();
      expect(result.measurements['acceptedEntriesHeldAtEnd']).toBeLessThanOrEqual(20);
    }
    const stable = runSmall({ MultiPaxosServer }, 1, { extra: budgets() });
    expect(stable.failure).toBeUndefined();
    expect(stable.measurements['phaseOneBallots']).toBe(1);
    expect(stable.measurements['messagesPerChosenSlot']).toBeGreaterThanOrEqual(4);
  });

  it('chosen by a majority in one ballot: a leader that counts its own acceptance as a majority', () => {
    class OwnVoteDecides extends MultiPaxosServer {
      protected override majority(): number {
        return 1;
      }
    }
    expect(firstFailure(broken(OwnVoteDecides))).toMatch(/^chosen by a majority in one ballot: n\d output Chosen for slot \d+, .* but no majority \(2 of 3\)/);
  });

  it('execution in slot order: a replica that executes before it says the slot is chosen', () => {
    class ExecutesFirst extends MultiPaxosServer {
      protected override decide(slot: number, command: Command): void {
        if (slot < this.collectedBelow || this.decisions.has(slot)) return;
        this.decisions.set(slot, command);
        this.executeDecided();
        this.output({ type: 'Chosen', slot, command });
      }
    }
    expect(firstFailure(broken(ExecutesFirst))).toMatch(/^execution in slot order: n\d executed slot \d+ .* without reporting slot \d+ chosen/);
  });

  it('acceptors keep their promises: an acceptor that answers P1b without writing its promise', () => {
    class PromiseInMemory extends MultiPaxosServer {
      protected override promise(ballot: Ballot): void {
        this.noteRound(ballot);
        if (compareBallots(ballot, this.promised) <= 0) return;
        this.promised = ballot;
        if (this.role !== 'follower' && compareBallots(ballot, this.ballot) > 0) this.becomeFollower();
      }
    }
    expect(firstFailure(broken(PromiseInMemory))).toMatch(/^acceptors keep their promises: n\d sent P1b \(1, n\d\) to n\d at \d+ ms while its stored promise is none/);
  });

  it('safe garbage collection: a leader that collects what it has checkpointed itself, whatever the others have', () => {
    class CollectsOwnCheckpoint extends MultiPaxosServer {
      protected override collectBelow(): number {
        return Math.max(this.collectedBelow, this.checkpointSlot);
      }
    }
    expect(firstFailure(broken(CollectsOwnCheckpoint))).toMatch(/^safe garbage collection: n\d deleted accepted:\d+ at \d+ ms, but n\d (has no stored checkpoint|has a stored checkpoint that covers only slots below \d+): a log entry is collected only once every server has executed it/);
  });

  it('old slots are garbage-collected: a server that never collects', () => {
    class NeverCollects extends MultiPaxosServer {
      protected override collect(): void {}
    }
    expect(firstFailure(broken(NeverCollects), { extraAfter: [logEntriesBounded(5)] })).toMatch(/^old slots are garbage-collected: n\d holds 2\d accepted entries \(slots 1 to 2\d\)/);
  });

  it('messages per chosen slot: a leader that sends every decision to every follower', () => {
    class DecisionPerSlot extends MultiPaxosServer {
      protected override decide(slot: number, command: Command): void {
        const known = this.decisions.has(slot);
        super.decide(slot, command);
        if (!known && this.role === 'leader') for (const peer of this.peers) this.send(peer, { type: 'Decision', slot, command });
      }
    }
    expect(firstFailure(broken(DecisionPerSlot), { extra: budgets() })).toMatch(/^messages per chosen slot: 6\.\d\d messages per chosen slot .*Decision 2\.00/);
  });

  it('phase 1 only on leader change: followers whose heartbeats do not hold their timeouts back', () => {
    class TimeoutNotReset extends MultiPaxosServer {
      armed = false;
      protected override resetLeaderTimeout(): void {
        if (this.armed) return;
        this.armed = true;
        this.setTimer({ type: 'LeaderTimeout' }, this.config.leaderTimeoutMs);
      }
      override onTimer(timer: MultiPaxos['timer']): void {
        if (timer.type === 'LeaderTimeout') this.armed = false;
        super.onTimer(timer);
      }
    }
    expect(firstFailure(broken(TimeoutNotReset), { extra: budgets() })).toMatch(/^phase 1 only on leader change: phase 1 ran in \d+ ballots/);
  });
});

describe('the properties under the model checker', () => {
  /** Three servers and one client with one put; timers fire in any order; one message in flight per link. */
  function searchSettings(server: typeof MultiPaxosServer, properties: readonly Property<MultiPaxos>[], linkCapacity = 1, maxDepth = 12) {
    return {
      nodes: [
        ...[0, 1, 2].map(() => ({ role: 'server' as const, node: server })),
        // The client has its own protocol; it sends and reads only the key-value messages of MultiPaxos's.
        { role: 'client' as const, node: KvClient as unknown as NodeClass<MultiPaxos> },
      ],
      config: { heartbeatMs: 50, leaderTimeoutMs: [150, 300] as const, kvClient: { retryMs: 100 } },
      inputs: [{ node: 3, input: { type: 'Invoke', operation: { kind: 'put', key: 'x', value: 'a' } } as unknown as MultiPaxos['input'] }],
      timers: true,
      properties,
      // Only n0 runs phase 1, in round 1, and few messages are in flight per link: a space of about ten thousand states.
      prune: (view: ClusterView<MultiPaxos>) => {
        const onLink = new Map<number, number>();
        for (const { from, to, message } of view.inFlight()) {
          if (message.type === 'P1a' && (message.ballot.round > 1 || from !== 0)) return true;
          const count = (onLink.get(from * 16 + to) ?? 0) + 1;
          if (count > linkCapacity) return true;
          onLink.set(from * 16 + to, count);
        }
        return false;
      },
      maxDepth,
    };
  }

  it('copy and hash their memories: the reference reaches a chosen and executed put with no violation', () => {
    const result = explore<MultiPaxos>({ ...searchSettings(MultiPaxosServer, [...safetyProperties([0, 1, 2]), someSlotChosen(), someCommandExecuted()]), stopAtGoal: false });
    expect(result.outcome.kind).not.toBe('violation');
    expect(result.goalsReached.has('a slot is chosen')).toBe(true);
    expect(result.goalsReached.has('a command is executed')).toBe(true);
  });

  it('find the interleaving where a leader that counts only itself chooses alone', () => {
    class OwnVoteDecides extends MultiPaxosServer {
      protected override majority(): number {
        return 1;
      }
    }
    // Its phase 1 ends at once, so its P1a and first heartbeat share a link.
    const result = explore<MultiPaxos>(searchSettings(OwnVoteDecides, safetyProperties([0, 1, 2]), 2, 8));
    expect(result.outcome.kind).toBe('violation');
    if (result.outcome.kind === 'violation') expect(result.outcome.property).toBe('chosen by a majority in one ballot');
  });
});
