// Lab 6's properties, on hand-made histories: each passes the behaviour the handout asks for
// and fails, with a message that says what went wrong, on the bug it is written against. A
// small fake cluster holds each server's durable storage; events are fed to a property as the
// simulator feeds them, storage writes applied before they are recorded. Then garbage in every
// key and field, and the properties on small runs and a small search.
import { describe, expect, it } from 'vitest';
import {
  always,
  explore,
  Node,
  simulate,
  sometimes,
  type ClusterView,
  type FaultAction,
  type HistoryEvent,
  type KvCommand,
  type KvResult,
  type NodeClass,
  type NodeId,
  type Property,
} from 'distlab/testing';
import {
  answerWithinOneRoundTrip,
  candidateTriesAgain,
  overthrownServerWritesEpoch,
  describeOperation,
  describeRecord,
  epochsAreOwned,
  epochsNeverDecrease,
  executionFollowsFinalizedLog,
  finalizedAfterMajorityStored,
  finalizedSlotsNeverChange,
  grantResetsLeaderTimeout,
  highestStoredSlot,
  isSlotRecord,
  leaderTakesOver,
  leadershipChangeCost,
  majority,
  majorityStoredOperationKept,
  operationKey,
  overthrowOnlyOnLeaderChange,
  overthrowStopsOldLeader,
  ownerOf,
  rejectedLeaderStepsDown,
  repliesFollowStorage,
  returnsOnlyOnceFinalized,
  safetyProperties,
  slotOfKey,
  slotsWrittenFromStores,
  storeAndFinalizeRounds,
  storedEpoch,
  storedSlot,
  walkReadsFromMajority,
} from '../../labs/06-paxoslog/checks.ts';
import { firstCallMs, paxosLogRun } from '../../labs/06-paxoslog/harness.ts';
import { slotKey, type Operation, type PaxosLog } from '../../labs/06-paxoslog/src/protocol.ts';
import { PaxosLogServer } from '../../solutions/06-paxoslog/index.ts';

type Event = HistoryEvent<PaxosLog>;
type Message = PaxosLog['message'];

/** Servers n0..n(count-1) and clients n5, n6: their storage and who is down; events move the clock. */
class FakeCluster {
  readonly storages: Map<string, unknown>[];
  readonly down = new Set<NodeId>();
  nowMs = 0;
  constructor(readonly servers: number) {
    this.storages = Array.from({ length: 7 }, () => new Map<string, unknown>());
  }
  view(): ClusterView<PaxosLog> {
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
function play<Memory>(property: Property<PaxosLog, Memory>, events: readonly Event[], cluster = new FakeCluster(3)): { problem: string | undefined; figures: Record<string, number> } {
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
    if (property.records !== undefined && !property.records.some((filter) => matches(filter, event))) continue;
    const problem = property.record?.(memory, event, view);
    if (problem !== undefined) return { problem, figures: figures() };
  }
  return { problem: property.check?.(view, memory), figures: figures() };
}

/** Does a property's filter let `event` through, as the simulator decides? */
function matches(filter: string, event: Event): boolean {
  const [kind, detail] = filter.split(':', 2) as [string, string | undefined];
  if (kind !== event.kind) return false;
  if (detail === undefined) return true;
  if (event.kind === 'storage') return event.key === filter.slice('storage:'.length);
  if (event.kind === 'send' || event.kind === 'deliver') return event.message.type === detail;
  if (event.kind === 'output') return event.output.type === detail;
  return false;
}

/** Every safety property on `events`: the first violation, as "property: message". */
function playAll(events: readonly Event[], servers = 3): string | undefined {
  const cluster = new FakeCluster(servers);
  const properties = safetyProperties(Array.from({ length: servers }, (_unused, index) => index));
  const view = cluster.view();
  const memories = properties.map((property) => property.memory?.(view));
  for (const event of events) {
    cluster.nowMs = event.timeMs;
    if (event.kind === 'storage') {
      if (event.value === undefined) cluster.storages[event.node]?.delete(event.key);
      else cluster.storages[event.node]?.set(event.key, event.value);
    }
    for (const [index, property] of properties.entries()) {
      if (property.records !== undefined && !property.records.some((filter) => matches(filter, event))) continue;
      const problem = property.record?.(memories[index], event, view);
      if (problem !== undefined) return `${property.name}: ${problem}`;
    }
  }
  return undefined;
}

// Operations and events.

const put = (client: NodeId, sequence: number, value: string, key = 'x'): KvCommand => ({ client, sequence, operation: { kind: 'put', key, value } });
const append = (client: NodeId, sequence: number, value: string, key = 'x'): KvCommand => ({ client, sequence, operation: { kind: 'append', key, value } });

const store = (node: NodeId, key: string, value: unknown, timeMs = 0, incarnation = 0): Event => ({ kind: 'storage', node, incarnation, timeMs, key, value });
const writeEpoch = (node: NodeId, epoch: number, timeMs = 0, incarnation = 0): Event => store(node, 'epoch', epoch, timeMs, incarnation);
const writeSlot = (node: NodeId, slot: number, epoch: number, operation: Operation, finalized = false, timeMs = 0, incarnation = 0): Event =>
  store(node, slotKey(slot), { epoch, operation, finalized }, timeMs, incarnation);
const send = (from: NodeId, to: NodeId, message: Message, timeMs = 0, incarnation = 0): Event => ({ kind: 'send', from, to, incarnation, timeMs, local: from === to, message });
const deliver = (from: NodeId, to: NodeId, message: Message, timeMs = 0, incarnation = 0): Event => ({ kind: 'deliver', from, to, incarnation, timeMs, local: from === to, message });
const executed = (node: NodeId, slot: number, command: KvCommand, result: KvResult = {}, timeMs = 0, incarnation = 0): Event => ({
  kind: 'output',
  node,
  incarnation,
  timeMs,
  output: { type: 'Executed', index: slot, client: command.client, sequence: command.sequence, result },
});
const restart = (node: NodeId, timeMs = 0, incarnation = 1): Event => ({ kind: 'restart', node, incarnation, timeMs });

const overthrowReply = (epoch: number, lastUsedSlot = 0): Message => ({ type: 'OverthrowReply', epoch, ok: true, lastUsedSlot });
const storeMessage = (epoch: number, slot: number, operation: Operation): Message => ({ type: 'Store', epoch, slot, operation });
const storeOk = (epoch: number, slot: number): Message => ({ type: 'StoreReply', epoch, slot, ok: true });
const storeRejected = (epoch: number, slot: number, currentEpoch: number): Message => ({ type: 'StoreReply', epoch, slot, ok: false, currentEpoch });
const finalize = (epoch: number, slot: number): Message => ({ type: 'Finalize', epoch, slot });

/**
 * A good history on three servers: n1 takes epoch 1 (1 % 3 = 1), n0 grants it, n1 stores a in
 * slot 1 on itself and n0, finalizes it, executes it, and tells n0 and n2; n2, behind, gets the
 * Finalize missing and catches up through a Store in epoch 1.
 */
const a = put(5, 1, 'a');
const b = append(6, 1, 'b');
const goodHistory: Event[] = [
  writeEpoch(1, 1, 1),
  send(1, 0, { type: 'Overthrow', epoch: 1 }, 1),
  send(1, 2, { type: 'Overthrow', epoch: 1 }, 1),
  writeEpoch(0, 1, 5),
  send(0, 1, overthrowReply(1), 5),
  send(1, 0, { type: 'Query', epoch: 1 }, 10),
  writeSlot(1, 1, 1, a, false, 12),
  send(1, 0, storeMessage(1, 1, a), 12),
  deliver(1, 0, storeMessage(1, 1, a), 15),
  writeSlot(0, 1, 1, a, false, 15),
  send(0, 1, storeOk(1, 1), 15),
  writeSlot(1, 1, 1, a, true, 20),
  executed(1, 1, a, {}, 20),
  send(1, 0, finalize(1, 1), 20),
  send(1, 2, finalize(1, 1), 20),
  deliver(1, 0, finalize(1, 1), 25),
  writeSlot(0, 1, 1, a, true, 25),
  send(0, 1, { type: 'FinalizeReply', epoch: 1, slot: 1, ok: true }, 25),
  executed(0, 1, a, {}, 25),
  deliver(1, 2, finalize(1, 1), 25),
  send(2, 1, { type: 'FinalizeReply', epoch: 1, slot: 1, ok: false }, 25),
  deliver(1, 2, storeMessage(1, 1, a), 30),
  writeEpoch(2, 1, 30),
  writeSlot(2, 1, 1, a, false, 30),
  send(2, 1, storeOk(1, 1), 30),
  deliver(1, 2, finalize(1, 1), 35),
  writeSlot(2, 1, 1, a, true, 35),
  send(2, 1, { type: 'FinalizeReply', epoch: 1, slot: 1, ok: true }, 35),
  executed(2, 1, a, {}, 35),
  send(2, 1, { type: 'ReadReply', forEpoch: 2, slot: 1, epoch: 1, operation: a, finalized: true }, 40),
  send(2, 1, { type: 'ReadReply', forEpoch: 2, slot: 2, epoch: 0, operation: null, finalized: false }, 40),
];

describe('helpers', () => {
  it('describe operations and records, and tell operations apart', () => {
    expect(describeOperation(null)).toBe('a no-op');
    expect(describeOperation(append(5, 2, 'a'))).toBe('append(x, "a") of n5 (command 2)');
    expect(describeRecord({ epoch: 4, operation: null, finalized: true })).toBe('a no-op in epoch 4, finalized');
    expect(describeRecord(undefined)).toBe('nothing');
    expect(operationKey(put(5, 1, 'a'))).not.toBe(operationKey(append(5, 1, 'a')));
    expect(operationKey({ operation: { value: 'a', key: 'x', kind: 'put' }, sequence: 1, client: 5 })).toBe(operationKey(put(5, 1, 'a')));
    expect(majority(3)).toBe(2);
    expect(majority(4)).toBe(3);
    expect(majority(5)).toBe(3);
    expect(ownerOf([0, 1, 2], 4)).toBe(1);
    expect(ownerOf([0, 1, 2], 0)).toBeUndefined();
  });

  it('read slots, records and epochs with guards', () => {
    expect(slotOfKey('slot:3')).toBe(3);
    expect(slotOfKey('slot:0')).toBeUndefined();
    expect(slotOfKey('slot:x')).toBeUndefined();
    // No second name for a slot: only the key its number spells.
    expect(slotOfKey('slot:03')).toBeUndefined();
    expect(slotOfKey('slot:3.0')).toBeUndefined();
    expect(slotOfKey('slot:0x3')).toBeUndefined();
    expect(slotOfKey('epoch')).toBeUndefined();
    expect(isSlotRecord({ epoch: 1, operation: null, finalized: false })).toBe(true);
    expect(isSlotRecord({ epoch: 1, operation: a, finalized: true })).toBe(true);
    expect(isSlotRecord({ epoch: 1, operation: 'a', finalized: true })).toBe(false);
    expect(isSlotRecord({ epoch: -1, operation: null, finalized: true })).toBe(false);
    expect(isSlotRecord({ epoch: 1, operation: null })).toBe(false);
    expect(isSlotRecord(null)).toBe(false);
    const cluster = new FakeCluster(3);
    play(always<PaxosLog>('nothing', () => undefined), [writeEpoch(0, 4), store(1, 'epoch', 'four'), writeSlot(0, 2, 4, a), store(0, 'slot:7', 'junk'), store(0, 'slotted', 1)], cluster);
    const view = cluster.view();
    expect(storedEpoch(view, 0)).toBe(4);
    expect(storedEpoch(view, 1)).toBeUndefined();
    expect(storedEpoch(view, 2)).toBe(0);
    expect(storedSlot(view, 0, 2)).toEqual({ epoch: 4, operation: a, finalized: false });
    expect(storedSlot(view, 0, 7)).toBeUndefined();
    expect(highestStoredSlot(view, 0)).toBe(7);
    expect(highestStoredSlot(view, 1)).toBe(0);
  });

  it('safetyProperties lists the thirteen in their order, the protocol\'s types first, and the good history passes them all', () => {
    expect(safetyProperties([0, 1, 2]).map((property) => property.name)).toEqual([
      'messages are as protocol.ts declares',
      'storage and outputs are as protocol.ts declares',
      'a finalized slot never changes',
      'finalized only after a majority stored it',
      'an operation stored by a majority is kept',
      'epochs never decrease',
      'replies follow storage',
      'epochs are owned',
      'a slot is written only from a Store',
      'an overthrow stops the old leader',
      'a rejected leader steps down',
      'execution follows the finalized log',
      'an operation returns only once finalized',
    ]);
    expect(playAll(goodHistory)).toBeUndefined();
  });
});

describe('a finalized slot never changes', () => {
  const property = finalizedSlotsNeverChange;

  it('passes servers that finalize one operation per slot, even in other epochs, and keep it', () => {
    const events = [
      writeSlot(2, 1, 1, b),
      writeSlot(0, 1, 1, a, true),
      writeSlot(1, 1, 4, a, false),
      writeSlot(1, 1, 4, a, true),
      writeSlot(2, 1, 4, a, false),
      writeSlot(2, 1, 4, a, true),
      // Stored again in a later epoch, still finalized: allowed.
      writeSlot(0, 1, 7, a, true, 0, 1),
      writeSlot(0, 2, 7, null, true),
      store(0, 'slot:x', 'anything'),
    ];
    expect(play(property(), events).problem).toBeUndefined();
  });

  it('fails a server that finalizes another operation in a slot', () => {
    expect(play(property(), [writeSlot(0, 3, 1, a, true), writeSlot(2, 3, 2, b, true, 90)]).problem).toBe(
      'n2 finalized slot 3 with append(x, "b") of n6 (command 1) (epoch 2) at 90 ms, but n0 had finalized put(x, "a") of n5 (command 1) there: ' +
        'a finalized slot never changes, and every server that finalizes a slot finalizes the same operation',
    );
    expect(play(property(), [writeSlot(0, 3, 1, a, true), writeSlot(1, 3, 1, a, true), writeSlot(2, 3, 2, b, true, 90)]).problem).toContain('but n0, n1 had finalized put(x, "a")');
    expect(play(property(), [writeSlot(0, 3, 1, a, true), writeSlot(0, 3, 2, null, true, 90, 1)]).problem).toContain(
      'n0 finalized slot 3 with a no-op (epoch 2) at 90 ms, but it had finalized put(x, "a") of n5 (command 1) there',
    );
  });

  it('fails a server that unfinalizes, rewrites or deletes its finalized slot', () => {
    expect(play(property(), [writeSlot(1, 2, 1, a, true), writeSlot(1, 2, 3, a, false, 60)]).problem).toBe(
      'n1 wrote slot 2 as put(x, "a") of n5 (command 1) in epoch 3, not finalized at 60 ms, though it had finalized put(x, "a") of n5 (command 1) there: ' +
        'a finalized slot is immutable: a server keeps its operation there, finalized, for good (a restarted server reads it back from storage)',
    );
    expect(play(property(), [writeSlot(1, 2, 1, a, true), store(1, 'slot:2', undefined, 60)]).problem).toContain('n1 deleted slot:2 at 60 ms, though it had finalized');
    expect(play(property(), [writeSlot(1, 2, 1, a, true), store(1, 'slot:2', 7, 60)]).problem).toContain('n1 wrote slot:2 = 7 at 60 ms, though it had finalized');
  });

  it('fails a slot record that is not one', () => {
    expect(play(property(), [store(2, 'slot:4', { epoch: 1, operation: 'x', finalized: false }, 5)]).problem).toBe(
      'n2 wrote slot:4 = {"epoch":1,"operation":"x","finalized":false} at 5 ms: slot:<n> holds the slot\'s record {epoch, operation, finalized}, ' +
        "where operation is a client's command or null (a no-op)",
    );
  });
});

describe('finalized only after a majority stored it', () => {
  const property = () => finalizedAfterMajorityStored([0, 1, 2]);

  it('passes a finalize once a majority stored the operation in one epoch, and a catch-up in a later epoch', () => {
    const events = [writeSlot(0, 1, 1, a), writeSlot(1, 1, 1, a), writeSlot(0, 1, 1, a, true), writeSlot(2, 1, 4, a), writeSlot(2, 1, 4, a, true), writeSlot(1, 1, 1, a, true)];
    expect(play(property(), events).problem).toBeUndefined();
  });

  it('passes a single server: its own store is a majority', () => {
    expect(play(finalizedAfterMajorityStored([0]), [writeSlot(0, 1, 1, a), writeSlot(0, 1, 1, a, true)], new FakeCluster(1)).problem).toBeUndefined();
  });

  it('fails a leader that finalizes after its own store only', () => {
    expect(play(property(), [writeSlot(1, 2, 1, a, false, 10), writeSlot(1, 2, 1, a, true, 12)]).problem).toBe(
      'n1 finalized slot 2 with put(x, "a") of n5 (command 1) at 12 ms, but no majority (2 of 3) of servers had stored it there in one epoch: stored in epoch 1 by n1. ' +
        'An operation is finalized only once a majority of servers stored it in the same epoch (the leader counts the StoreReplies ok for its own epoch, itself included)',
    );
  });

  it('fails a majority made of two epochs, and a finalize of an operation nobody stored', () => {
    expect(play(property(), [writeSlot(0, 1, 1, a), writeSlot(1, 1, 4, a), writeSlot(1, 1, 4, a, true, 30)]).problem).toContain('stored in epoch 1 by n0; epoch 4 by n1');
    expect(play(property(), [writeSlot(0, 1, 1, a), writeSlot(1, 1, 1, a), writeSlot(2, 1, 4, b, true, 30)]).problem).toContain(
      'n2 finalized slot 1 with append(x, "b") of n6 (command 1) at 30 ms, but no majority (2 of 3) of servers had stored it there in one epoch: stored in epoch 4 by n2.',
    );
  });
});

describe('an operation stored by a majority is kept', () => {
  const property = () => majorityStoredOperationKept([0, 1, 2]);

  it('passes a later epoch that stores the majority\'s operation again, and another operation over a minority\'s', () => {
    const events = [writeSlot(0, 1, 1, a), writeSlot(1, 1, 2, b), writeSlot(2, 1, 2, b), writeSlot(0, 1, 3, b), writeSlot(2, 1, 3, b, true)];
    expect(play(property(), events).problem).toBeUndefined();
    // A lower epoch's late store after the majority moved on, and the same operation in two epochs that never made a majority of one.
    expect(play(property(), [writeSlot(0, 1, 4, a), writeSlot(1, 1, 4, a), writeSlot(2, 1, 2, b)]).problem).toBeUndefined();
    expect(play(property(), [writeSlot(0, 1, 1, a), writeSlot(1, 1, 2, a), writeSlot(2, 1, 3, b)]).problem).toBeUndefined();
  });

  it('fails another operation stored in a higher epoch, finalized or not, before or after the majority was complete', () => {
    expect(play(property(), [writeSlot(1, 1, 2, b), writeSlot(2, 1, 2, b), writeSlot(0, 1, 3, a, false, 40)]).problem).toBe(
      'n0 wrote slot 1 at 40 ms: append(x, "b") of n6 (command 1) was stored there in epoch 2 by n1, n2, a majority (2 of 3), yet ' +
        'put(x, "a") of n5 (command 1) was stored there in the higher epoch 3 by n0. Once a majority stored an operation in a slot, every later ' +
        'leader stores that operation there: its walk reads the slot from a majority of the servers that granted it, and keeps the operation stored in the highest epoch',
    );
    // The server that completes epoch 2's majority had stored it before it granted epoch 3; a rewrite since does not take its write back.
    expect(play(property(), [writeSlot(1, 1, 2, b), writeSlot(0, 1, 3, null), writeSlot(1, 1, 3, null), writeSlot(2, 1, 2, b, false, 50)]).problem).toContain(
      'n2 wrote slot 1 at 50 ms: append(x, "b") of n6 (command 1) was stored there in epoch 2 by n1, n2, a majority (2 of 3), yet a no-op was stored there in the higher epoch 3 by n0, n1.',
    );
  });

  it('is judged per slot, with the cluster\'s majority', () => {
    expect(play(property(), [writeSlot(1, 1, 2, b), writeSlot(2, 1, 2, b), writeSlot(0, 2, 3, a)]).problem).toBeUndefined();
    expect(play(majorityStoredOperationKept([0, 1, 2, 3, 4]), [writeSlot(1, 1, 2, b), writeSlot(2, 1, 2, b), writeSlot(0, 1, 3, a)], new FakeCluster(5)).problem).toBeUndefined();
  });
});

describe('epochs never decrease', () => {
  it('passes epochs that grow, across a restart', () => {
    expect(play(epochsNeverDecrease(), [writeEpoch(0, 0), writeEpoch(0, 1), writeEpoch(0, 4), writeEpoch(0, 4, 0, 1), writeEpoch(0, 7, 0, 1), writeEpoch(1, 2)]).problem).toBeUndefined();
  });

  it('fails an epoch that decreases, and says when a restart came in between', () => {
    expect(play(epochsNeverDecrease(), [writeEpoch(2, 5), writeEpoch(2, 3, 70)]).problem).toBe(
      'n2 wrote epoch 3 at 70 ms over its stored epoch 5: a server\'s epoch never decreases, or it would accept the stores of a leader a majority has overthrown',
    );
    expect(play(epochsNeverDecrease(), [writeEpoch(2, 5), restart(2, 50), writeEpoch(2, 0, 70, 1)]).problem).toBe(
      'n2 wrote epoch 0 at 70 ms over its stored epoch 5, though it restarted in between: a restarted server reads its epoch back from storage and keeps to it: ' +
        "a server's epoch never decreases, or it would accept the stores of a leader a majority has overthrown",
    );
  });

  it('fails a server that reports an epoch below its stored one, as a restarted server that forgot it does', () => {
    const query: Message = { type: 'QueryReply', epoch: 4, currentEpoch: 0, firstUnfinalizedSlot: 1 };
    expect(play(epochsNeverDecrease(), [writeEpoch(1, 4), restart(1, 50), send(1, 0, query, 70, 1)]).problem).toBe(
      'n1 sent QueryReply with currentEpoch 0 to n0 at 70 ms while its stored epoch is 4, though it restarted in between: a restarted server reads its epoch back from storage ' +
        "and keeps to it: a server's epoch never decreases: it reports, and keeps to, the highest epoch it stored",
    );
    expect(play(epochsNeverDecrease(), [writeEpoch(1, 4), send(1, 0, storeRejected(2, 1, 3), 70)]).problem).toContain('n1 sent StoreReply with currentEpoch 3 to n0 at 70 ms while its stored epoch is 4:');
    const fine = [writeEpoch(1, 4), send(1, 0, { ...query, currentEpoch: 4 }), send(1, 0, storeRejected(2, 1, 4)), send(1, 0, { type: 'OverthrowReply', epoch: 2, ok: false, currentEpoch: 5 }), send(1, 0, storeOk(4, 1))];
    expect(play(epochsNeverDecrease(), fine).problem).toBeUndefined();
  });

  it('fails an epoch deleted, or written as something else than a whole number', () => {
    expect(play(epochsNeverDecrease(), [writeEpoch(1, 2), store(1, 'epoch', undefined, 9)]).problem).toBe(
      "n1 deleted its epoch at 9 ms (it was 2): a server's epoch is kept for good, so that it never accepts an older epoch's store again",
    );
    expect(play(epochsNeverDecrease(), [store(1, 'epoch', { epoch: 2 }, 9)]).problem).toBe(
      'n1 wrote epoch = {"epoch":2} at 9 ms: a server\'s epoch is a whole number, 0 before any overthrow, then the highest epoch it accepted',
    );
  });
});

describe('replies follow storage', () => {
  const property = repliesFollowStorage;

  it('passes replies sent once what they report is written, a store ok for a finalized slot, and rejections', () => {
    const events = [
      writeEpoch(0, 2),
      writeSlot(0, 3, 1, b),
      send(0, 2, overthrowReply(2, 3)),
      writeSlot(0, 1, 1, a, true),
      writeEpoch(0, 5),
      send(0, 2, storeOk(5, 1)),
      writeSlot(0, 3, 5, b),
      send(0, 2, storeOk(5, 3)),
      send(0, 1, storeRejected(4, 3, 5)),
      send(0, 1, { type: 'OverthrowReply', epoch: 4, ok: false, currentEpoch: 5 }),
      send(0, 2, { type: 'FinalizeReply', epoch: 1, slot: 1, ok: true }),
      send(0, 2, { type: 'FinalizeReply', epoch: 5, slot: 3, ok: false }),
      send(0, 2, { type: 'ReadReply', forEpoch: 2, slot: 3, epoch: 5, operation: b, finalized: false }),
      // Saying less than it has (not finalized) is safe.
      send(0, 2, { type: 'ReadReply', forEpoch: 2, slot: 1, epoch: 1, operation: a, finalized: false }),
      send(0, 2, { type: 'ReadReply', forEpoch: 2, slot: 9, epoch: 0, operation: null, finalized: false }),
      // A slot finalized here is acknowledged to a higher epoch's store even if the epoch is not raised.
      send(0, 2, storeOk(8, 1)),
    ];
    expect(play(property(), events).problem).toBeUndefined();
  });

  it('fails an overthrow granted before the epoch is written, or with a lastUsedSlot that hides a slot', () => {
    expect(play(property(), [writeEpoch(1, 1), send(1, 2, overthrowReply(2), 40)]).problem).toBe(
      'n1 sent OverthrowReply ok for epoch 2 to n2 at 40 ms while its stored epoch is 1: a server that grants an overthrow writes the new epoch to storage first, ' +
        'and grants only an epoch at least its own',
    );
    expect(play(property(), [writeEpoch(1, 2), writeSlot(1, 4, 1, a), send(1, 2, overthrowReply(2, 3), 40)]).problem).toBe(
      'n1 sent OverthrowReply ok for epoch 2 to n2 at 40 ms with lastUsedSlot 3, but it holds a record for slot 4: lastUsedSlot is the highest slot a server holds ' +
        'anything in, so that the new leader reads every slot an earlier leader may have finalized',
    );
  });

  it('fails a store accepted below the server\'s epoch, before its epoch is written, or before the operation is written', () => {
    expect(play(property(), [writeEpoch(2, 4), writeSlot(2, 1, 1, a), send(2, 1, storeOk(1, 1), 50)]).problem).toBe(
      'n2 sent StoreReply ok for epoch 1, slot 1, to n1 at 50 ms while its stored epoch is 4: a server rejects (ok: false, with its currentEpoch) a store of an epoch below its own',
    );
    expect(play(property(), [writeEpoch(2, 4), writeSlot(2, 1, 1, a, true), send(2, 1, storeOk(1, 1), 50)]).problem).toContain(
      'n2 sent StoreReply ok for epoch 1, slot 1, to n1 at 50 ms while its stored epoch is 4: a server rejects',
    );
    expect(play(property(), [writeSlot(2, 1, 1, a), send(2, 1, storeOk(1, 1), 50)]).problem).toContain(
      'while its stored epoch is 0: a server writes the epoch of a store it accepts to storage before it answers',
    );
    expect(play(property(), [writeEpoch(2, 4), writeSlot(2, 1, 1, a), send(2, 1, storeOk(4, 1), 50)]).problem).toBe(
      'n2 sent StoreReply ok for epoch 4, slot 1, to n1 at 50 ms, but its storage holds put(x, "a") of n5 (command 1) in epoch 1, not finalized for slot 1: ' +
        "a server writes the operation it is asked to store (in the store's epoch) before it answers ok, unless it had finalized the slot",
    );
  });

  it('fails a finalize acknowledged before it is written', () => {
    expect(play(property(), [writeSlot(2, 1, 1, a), send(2, 1, { type: 'FinalizeReply', epoch: 1, slot: 1, ok: true }, 50)]).problem).toBe(
      'n2 sent FinalizeReply ok for epoch 1, slot 1, to n1 at 50 ms, but its storage holds put(x, "a") of n5 (command 1) in epoch 1, not finalized for slot 1: ' +
        "a server writes finalized: true before it answers ok, and answers ok: false (missing) when it holds no operation stored in the Finalize's epoch",
    );
  });

  it('fails a ReadReply that reports another record than the one stored, and a malformed one', () => {
    expect(play(property(), [writeSlot(2, 1, 1, a), send(2, 1, { type: 'ReadReply', forEpoch: 2, slot: 1, epoch: 0, operation: null, finalized: false }, 50)]).problem).toBe(
      'n2 sent ReadReply for slot 1 (a no-op in epoch 0, not finalized) to n1 at 50 ms, but its storage holds put(x, "a") of n5 (command 1) in epoch 1, not finalized there: ' +
        'a ReadReply reports the record the server holds in storage, so that a new leader learns what earlier epochs stored',
    );
    expect(play(property(), [writeSlot(2, 1, 1, a), send(2, 1, { type: 'ReadReply', forEpoch: 2, slot: 1, epoch: 1, operation: a, finalized: true }, 50)]).problem).toContain(
      'n2 sent ReadReply for slot 1 (put(x, "a") of n5 (command 1) in epoch 1, finalized)',
    );
    expect(play(property(), [send(2, 1, { type: 'ReadReply', slot: 1 } as unknown as Message, 50)]).problem).toBe(
      'n2 sent ReadReply {"type":"ReadReply","slot":1} to n1 at 50 ms: a ReadReply names the slot read and the record held there: {slot, epoch, operation, finalized} (0, null and false when none)',
    );
  });
});

describe('a new leader reads from a majority', () => {
  // n1 leads epoch 6 of five servers (6 % 5 = 1); it holds slots 1 to 3, n2 used 3, n3 nothing.
  const five = () => new FakeCluster(5);
  const property = () => walkReadsFromMajority([0, 1, 2, 3, 4]);
  const readReply = (from: NodeId, slot: number, finalized = false): Event =>
    deliver(from, 1, { type: 'ReadReply', forEpoch: 6, slot, epoch: finalized ? 2 : 0, operation: finalized ? a : null, finalized }, 40);
  const store = (slot: number): Event => send(1, 2, { type: 'Store', epoch: 6, slot, operation: a }, 50);
  const takeover = [
    writeSlot(1, 3, 2, b),
    writeEpoch(1, 6, 10),
    send(1, 2, { type: 'Overthrow', epoch: 6 }, 10),
    deliver(2, 1, overthrowReply(6, 3), 20),
    deliver(3, 1, overthrowReply(6, 0), 20),
  ];

  it('passes a leader that read the slot from a majority, its own record counted, or was told it is finalized', () => {
    expect(play(property(), [...takeover, readReply(2, 2), readReply(3, 2), store(2)], five()).problem).toBeUndefined();
    expect(play(property(), [...takeover, readReply(2, 2, true), store(2)], five()).problem).toBeUndefined();
  });

  it('passes a store above what every majority of its grants used, with no read', () => {
    expect(play(property(), [...takeover, store(4)], five()).problem).toBeUndefined();
  });

  it('fails a leader that stores a slot it read from fewer than a majority', () => {
    expect(play(property(), [...takeover, readReply(2, 2), store(2)], five()).problem).toBe(
      'n1 stored slot 2 in epoch 6 at 50 ms, with ReadReplies for it from n2 only: a new leader reads each slot it has not finalized from a majority ' +
        '(3 of 5, itself counted) of the servers that granted its overthrow before it stores it again, so that it finds every operation a majority stored there ' +
        '(unless an answer says finalized); slot 2 is at or below the last used slot of some server in every majority of its grants',
    );
  });
});

describe('a new leader takes over', () => {
  const becameLeader = (node: NodeId, epoch: number, timeMs: number): Event => ({ kind: 'output', node, incarnation: 0, timeMs, output: { type: 'BecameLeader', epoch } });
  const property = () => leaderTakesOver([0, 1, 2], 0, 1_000, 2_000, 'while n0 was down');
  const message = 'no server but n0 became leader from 1000 to 2000 ms, while n0 was down';

  it('passes another server that leads in the window, and fails when only n0 led, or another led only outside it', () => {
    expect(play(property(), [becameLeader(0, 3, 300), becameLeader(1, 4, 1_200)]).problem).toBeUndefined();
    expect(play(property(), [becameLeader(0, 3, 300)]).problem).toContain(message);
    expect(play(property(), [becameLeader(0, 3, 300), becameLeader(1, 4, 2_100)]).problem).toContain(message);
    // n1 led first, and n0 took over in a higher epoch before the window.
    expect(play(property(), [becameLeader(1, 1, 300), becameLeader(0, 3, 600)]).problem).toContain(message);
  });

  it('passes when another server led, in the highest epoch, as the window opened: it had taken over already', () => {
    expect(play(property(), [becameLeader(0, 3, 300), becameLeader(1, 4, 310)]).problem).toBeUndefined();
    expect(play(property(), [becameLeader(0, 3, 300), becameLeader(1, 4, 310), becameLeader(0, 6, 1_500)]).problem).toBeUndefined();
  });
});

describe('epochs are owned', () => {
  const property = () => epochsAreOwned([0, 1, 2]);

  it('passes the good history, and a new leader that catches a server up with a Finalize of an older epoch', () => {
    expect(play(property(), goodHistory).problem).toBeUndefined();
    // n2 leads epoch 5 (5 % 3 = 2), granted by itself and n1; it finalized slot 1 in epoch 1 (n1's, granted by n0 and n2) and slot 2 in epoch 5.
    const events = [
      send(0, 1, overthrowReply(1)),
      send(2, 1, overthrowReply(1)),
      writeSlot(2, 1, 1, a, true),
      writeEpoch(2, 5),
      send(1, 2, overthrowReply(5)),
      writeSlot(2, 2, 5, b),
      send(2, 1, storeMessage(5, 2, b)),
      writeSlot(2, 2, 5, b, true),
      send(2, 1, finalize(5, 2)),
      send(2, 0, finalize(1, 1)),
      // n0 answered missing: n2 stores slot 1 in its own epoch there, then finalizes it in epoch 5.
      send(2, 0, storeMessage(5, 1, a)),
      send(2, 0, finalize(5, 1)),
    ];
    expect(play(property(), events).problem).toBeUndefined();
  });

  it('leaves alone a client that plays earlier leaders (a search\'s history): epochs are the servers\' own', () => {
    const events = [send(5, 0, { type: 'Overthrow', epoch: 1 }), send(5, 0, storeMessage(1, 1, a)), send(5, 0, finalize(1, 1))];
    expect(play(property(), events).problem).toBeUndefined();
  });

  it('fails a server that uses an epoch it does not own', () => {
    expect(play(property(), [writeEpoch(0, 1), send(0, 1, { type: 'Overthrow', epoch: 1 }, 30)]).problem).toBe(
      "n0 sent Overthrow of epoch 1 to n1 at 30 ms, but epoch 1 is n1's (1 % 3 = 1): a server uses only the epochs it owns, so no two servers ever lead the same epoch",
    );
    expect(play(property(), [send(2, 1, { type: 'Query', epoch: 4 }, 30)]).problem).toContain("n2 sent Query of epoch 4 to n1 at 30 ms, but epoch 4 is n1's (4 % 3 = 1)");
  });

  it('fails a candidate that sends its Overthrow before it writes its new epoch, and passes one that wrote it', () => {
    // n0 owns epoch 3; it writes it only once it leads: a crash while it is a candidate would forget the epoch it asked for.
    expect(play(property(), [send(0, 1, { type: 'Overthrow', epoch: 3 }, 30)]).problem).toBe(
      'n0 sent Overthrow of epoch 3 to n1 at 30 ms while its stored epoch is 0: a candidate writes its new epoch to storage before it sends its Overthrow, ' +
        'so that after a restart its next epoch is above every epoch it used, and no epoch is led twice',
    );
    expect(play(property(), [writeEpoch(0, 3), send(0, 1, { type: 'Overthrow', epoch: 6 }, 30)]).problem).toContain('while its stored epoch is 3');
    // Written first; and an Overthrow sent again after the server stored a higher epoch (it granted another's) claims nothing new.
    expect(play(property(), [writeEpoch(0, 3), send(0, 1, { type: 'Overthrow', epoch: 3 }, 30), writeEpoch(0, 4), send(0, 2, { type: 'Overthrow', epoch: 3 }, 40)]).problem).toBeUndefined();
  });

  it('fails a store before a majority granted the epoch', () => {
    expect(play(property(), [writeEpoch(1, 4), send(1, 0, storeMessage(4, 1, a), 30)]).problem).toBe(
      'n1 sent Store of epoch 4, slot 1, to n0 at 30 ms before a majority (2 of 3) granted its overthrow of epoch 4 (granted by n1 only): ' +
        'a server leads an epoch, and stores in it, only once a majority (itself included) accepted its Overthrow',
    );
    // n0's grant of epoch 1 does not count for epoch 4.
    expect(play(property(), [send(0, 1, overthrowReply(1)), send(1, 0, storeMessage(4, 1, a), 30)]).problem).toContain('(granted by nobody)');
  });

  it('fails a Read by a server that does not lead its epoch', () => {
    expect(play(property(), [writeEpoch(1, 4), send(1, 0, { type: 'Read', epoch: 4, slot: 2 }, 30)]).problem).toBe(
      'n1 sent Read of epoch 4, slot 2, to n0 at 30 ms before a majority (2 of 3) granted its overthrow of epoch 4 (granted by n1 only): ' +
        'a server leads an epoch, and reads in it, only once a majority (itself included) accepted its Overthrow',
    );
    expect(play(property(), [send(2, 0, { type: 'Read', epoch: 4, slot: 2 }, 30)]).problem).toContain("n2 sent Read of epoch 4, slot 2, to n0 at 30 ms, but epoch 4 is n1's");
    expect(play(property(), [writeEpoch(1, 4), send(0, 1, overthrowReply(4)), send(1, 0, { type: 'Read', epoch: 4, slot: 2 }, 30)]).problem).toBeUndefined();
  });

  it('fails a BecameLeader by a server that does not own its epoch, or before a majority granted it', () => {
    const becameLeader = (node: NodeId, epoch: number, timeMs = 30): Event => ({ kind: 'output', node, incarnation: 0, timeMs, output: { type: 'BecameLeader', epoch } });
    expect(play(property(), [writeEpoch(1, 4), send(0, 1, overthrowReply(4)), becameLeader(1, 4)]).problem).toBeUndefined();
    expect(play(property(), [writeEpoch(1, 4), becameLeader(1, 4)]).problem).toBe(
      'n1 output BecameLeader for epoch 4 at 30 ms, before a majority (2 of 3) granted its overthrow (granted by n1 only): a server leads once a majority, ' +
        'itself included (once it wrote the epoch to its storage), answered its Overthrow with OverthrowReply ok',
    );
    // Two grants by others, but the owner never wrote the epoch: still a majority.
    expect(play(property(), [send(0, 1, overthrowReply(4)), send(2, 1, overthrowReply(4)), becameLeader(1, 4)]).problem).toBeUndefined();
    expect(play(property(), [becameLeader(0, 3)]).problem).toContain('(granted by nobody)');
    expect(play(property(), [send(0, 2, overthrowReply(4)), send(1, 2, overthrowReply(4)), becameLeader(2, 4)]).problem).toBe(
      "n2 output BecameLeader for epoch 4 at 30 ms, but epoch 4 is n1's (4 % 3 = 1): a server leads only an epoch it owns",
    );
    expect(play(property(), [becameLeader(2, 0)]).problem).toContain('BecameLeader names the epoch the server leads');
  });

  it('fails a slot record written in an epoch no majority granted, epoch 0 included', () => {
    expect(play(property(), [writeEpoch(1, 4), send(0, 1, overthrowReply(4)), writeSlot(1, 1, 4, a), writeSlot(0, 1, 4, a), writeSlot(1, 1, 4, a, true)]).problem).toBeUndefined();
    expect(play(property(), [writeSlot(0, 1, 0, a)]).problem).toBe(
      'n0 wrote slot 1 as put(x, "a") of n5 (command 1) in epoch 0, not finalized at 0 ms, but epoch 0 is nobody\'s: a slot holds what the leader of an epoch ' +
        'stored there, in that epoch, and a server leads an epoch only once a majority (itself included) granted its Overthrow: no record is written in an epoch nobody leads',
    );
    expect(play(property(), [writeEpoch(1, 4), writeSlot(2, 3, 4, b, true, 20)]).problem).toContain(
      'n2 wrote slot 3 as append(x, "b") of n6 (command 1) in epoch 4, finalized at 20 ms, but no majority (2 of 3) granted the overthrow of epoch 4 (granted by n1 only)',
    );
  });

  it('passes a leader that sends its Finalizes before it writes its own copy finalized', () => {
    expect(play(property(), [writeEpoch(1, 1), send(0, 1, overthrowReply(1)), writeSlot(1, 1, 1, a), send(1, 0, finalize(1, 1), 30), writeSlot(1, 1, 1, a, true, 30)]).problem).toBeUndefined();
  });

  it('fails a Finalize of a slot the sender holds neither in the Finalize\'s epoch nor finalized, or of an epoch that is neither its record\'s nor its own granted one', () => {
    // n1 leads epoch 4 and holds slot 1 as stored in epoch 1 only: a majority of epoch 4 never stored it.
    const epochFourLed = [writeEpoch(1, 1), send(0, 1, overthrowReply(1)), writeSlot(1, 1, 1, a), writeEpoch(1, 4), send(0, 1, overthrowReply(4))];
    expect(play(property(), [...epochFourLed, send(1, 0, finalize(4, 1), 30)]).problem).toBe(
      'n1 sent Finalize of epoch 4, slot 1, to n0 at 30 ms, but its storage holds put(x, "a") of n5 (command 1) in epoch 1, not finalized for slot 1: ' +
        'a Finalize of epoch 4 tells that a majority stored the slot\'s operation in epoch 4: it is sent by a server that stored it in epoch 4, or that holds it finalized (a catch-up)',
    );
    expect(play(property(), [send(1, 0, finalize(1, 2), 30)]).problem).toContain('but its storage holds nothing for slot 2');
    // Epoch 1 was granted by n0 and n2, and led by its owner n1, which finalized slot 1 there.
    const epochOneLed = [send(0, 1, overthrowReply(1)), send(2, 1, overthrowReply(1))];
    expect(play(property(), [...epochOneLed, writeSlot(1, 1, 1, a, true), send(1, 0, finalize(3, 1), 30)]).problem).toBe(
      "n1 sent Finalize of epoch 3, slot 1, to n0 at 30 ms, but its record of slot 1 was stored in epoch 1, and epoch 3 is n0's (3 % 3 = 0): " +
        "a Finalize names the epoch its operation was stored in: the sender's record's, or its own epoch once it stored the operation there",
    );
    expect(play(property(), [...epochOneLed, writeSlot(1, 1, 1, a, true), writeEpoch(1, 4), send(1, 0, finalize(4, 1), 30)]).problem).toContain(
      'epoch 4 is its own but not granted by a majority (granted by n1 only)',
    );
  });

  it('fails an epoch that is not a positive whole number', () => {
    expect(play(property(), [send(0, 1, { type: 'Overthrow', epoch: 0 }, 30)]).problem).toBe(
      'n0 sent Overthrow {"type":"Overthrow","epoch":0} to n1 at 30 ms: an Overthrow names an epoch, a positive whole number',
    );
  });
});

describe('a slot is written only from a Store', () => {
  const property = () => slotsWrittenFromStores([0, 1, 2]);
  // n1 leads epoch 4 (4 % 3 = 1), granted by itself and n0.
  const epochFourLed = [writeEpoch(1, 4), writeEpoch(0, 4), send(0, 1, overthrowReply(4))];

  it('passes the good history: the leader writes its own epoch, the others what a Store brought or a Finalize flagged', () => {
    expect(play(property(), goodHistory).problem).toBeUndefined();
  });

  it('passes a Store of an earlier leader played by a client, and a Store rewritten in a later reaction by a copy of it', () => {
    const events = [deliver(5, 0, storeMessage(1, 1, a)), writeSlot(0, 1, 1, a), send(0, 5, storeOk(1, 1)), deliver(5, 0, storeMessage(1, 1, a)), writeSlot(0, 1, 1, a), send(0, 5, storeOk(1, 1))];
    expect(play(property(), events).problem).toBeUndefined();
  });

  it('passes a server that rewrites, while it handles a Store or Finalize of the slot, the record it held there', () => {
    const finalizedHere = [...epochFourLed, deliver(1, 0, storeMessage(4, 1, a), 10), writeSlot(0, 1, 4, a, false, 10), send(0, 1, storeOk(4, 1), 10)];
    expect(play(property(), [...finalizedHere, deliver(1, 0, finalize(4, 1), 20), writeSlot(0, 1, 4, a, true, 20), deliver(2, 0, storeMessage(5, 1, b), 30), writeSlot(0, 1, 4, a, true, 30)]).problem).toBeUndefined();
    expect(play(property(), [...finalizedHere, deliver(2, 0, finalize(5, 1), 20), writeSlot(0, 1, 4, a, true, 20)]).problem).toBeUndefined();
    expect(play(property(), [...finalizedHere, writeSlot(0, 1, 4, a, true, 20)]).problem).toContain('n0 wrote slot 1 as put(x, "a") of n5 (command 1) in epoch 4, finalized at 20 ms');
  });

  it('passes a new leader that keeps, in its own storage, a record of an earlier epoch that its Reads returned', () => {
    const events = [
      ...epochFourLed,
      deliver(0, 1, { type: 'ReadReply', forEpoch: 4, slot: 2, epoch: 2, operation: b, finalized: true }, 20),
      deliver(2, 1, { type: 'ReadReply', forEpoch: 4, slot: 2, epoch: 0, operation: null, finalized: false }, 25),
      writeSlot(1, 2, 2, b, true, 25),
    ];
    expect(play(property(), events).problem).toBeUndefined();
  });

  it('fails a follower that writes the leader\'s record with no Store delivered to it', () => {
    const events = [...epochFourLed, writeSlot(1, 1, 4, a, false, 10), deliver(1, 0, { type: 'Query', epoch: 4 }, 15), writeSlot(0, 1, 4, a, false, 15)];
    expect(play(property(), events).problem).toBe(
      'n0 wrote slot 1 as put(x, "a") of n5 (command 1) in epoch 4, not finalized at 15 ms, but epoch 4 is n1\'s and n0 was handling no Store of it for slot 1 ' +
        "with that operation: a server holds another server's operation only once that epoch's Store { epoch, slot, operation } reached it (it writes it before " +
        'its StoreReply), and a Finalize only flags the record it held',
    );
  });

  it('fails a write after the Store\'s reply, or of another slot, epoch or operation than the Store\'s', () => {
    const handled = [...epochFourLed, deliver(1, 0, storeMessage(4, 1, a), 10)];
    expect(play(property(), [...handled, writeSlot(0, 1, 4, a, false, 10), send(0, 1, storeOk(4, 1), 10)]).problem).toBeUndefined();
    expect(play(property(), [...handled, send(0, 1, storeOk(4, 1), 10), writeSlot(0, 1, 4, a, false, 10)]).problem).toContain('n0 was handling no Store of it for slot 1');
    expect(play(property(), [...handled, writeSlot(0, 2, 4, a, false, 10)]).problem).toContain('n0 wrote slot 2 as put(x, "a")');
    expect(play(property(), [...handled, writeSlot(0, 1, 4, b, false, 10)]).problem).toContain('n0 wrote slot 1 as append(x, "b")');
    expect(play(property(), [...handled, writeSlot(0, 1, 1, a, false, 10)]).problem).toContain("epoch 1 is n1's and n0 was handling no Store of it");
  });

  it('fails a Finalize that brings a record the server did not hold, and a server that copies a record while it does not lead', () => {
    const events = [...epochFourLed, deliver(1, 2, finalize(4, 1), 20), writeSlot(2, 1, 4, a, true, 20)];
    expect(play(property(), events).problem).toContain('n2 wrote slot 1 as put(x, "a") of n5 (command 1) in epoch 4, finalized at 20 ms');
    // n0 holds epoch 3, its own, but no majority granted it: a ReadReply gossiped to it brings nothing.
    const gossiped = [writeEpoch(0, 3), deliver(1, 0, { type: 'ReadReply', forEpoch: 3, slot: 1, epoch: 1, operation: a, finalized: false }, 20), writeSlot(0, 1, 1, a, false, 20)];
    expect(play(property(), gossiped).problem).toContain("n0 wrote slot 1 as put(x, \"a\") of n5 (command 1) in epoch 1, not finalized at 20 ms, but epoch 1 is n1's");
  });
});

describe('an overthrow stops the old leader', () => {
  const property = () => overthrowStopsOldLeader([0, 1, 2]);
  /** n1 leads epoch 1 with n0; then n2 overthrows it in epoch 2 with n1's grant. */
  const overthrow = [send(0, 1, storeOk(1, 1)), send(1, 1, storeOk(1, 1)), writeEpoch(2, 2, 100), writeEpoch(1, 2, 110), send(1, 2, overthrowReply(2, 1), 110)];

  it('passes old stores accepted before the overthrow, and after it only by a minority', () => {
    expect(play(property(), [...overthrow, send(0, 1, storeOk(1, 2), 120), send(0, 1, storeOk(1, 3), 130)]).problem).toBeUndefined();
  });

  it('passes a store accepted by a majority before the overthrow reached one', () => {
    expect(play(property(), [writeEpoch(2, 2, 100), send(0, 1, storeOk(1, 2), 105), send(1, 1, storeOk(1, 2), 106), send(1, 2, overthrowReply(2, 2), 110)]).problem).toBeUndefined();
    // Whoever granted first, the memory is the same: histories that end in one state leave one memory.
    const grantsInOrder = (first: NodeId, second: NodeId) => {
      const cluster = new FakeCluster(3);
      const property = overthrowStopsOldLeader([0, 1, 2]);
      const memory = property.memory?.(cluster.view());
      for (const event of [writeEpoch(2, 2), send(first, 2, overthrowReply(2)), send(second, 2, overthrowReply(2))]) property.record?.(memory as never, event, cluster.view());
      return memory;
    };
    expect(grantsInOrder(0, 1)).toEqual(grantsInOrder(1, 0));
  });

  it('fails an old epoch\'s store accepted by a majority after the overthrow', () => {
    expect(play(property(), [...overthrow, send(0, 1, storeOk(1, 2), 120), send(1, 1, storeOk(1, 2), 130)]).problem).toBe(
      "n1 sent StoreReply ok for epoch 1, slot 2, to n1 at 130 ms, so n0, n1, a majority, accepted epoch 1's store for slot 2 after a majority had granted the overthrow " +
        "of epoch 2 (n1, n2 now hold epoch 2 or above): once a majority accepted a higher epoch, every majority includes a server that rejects the old epoch's stores, " +
        'so the old leader can finalize nothing more',
    );
  });
});

describe('a rejected leader steps down', () => {
  const property = rejectedLeaderStepsDown;

  it('passes a leader that stops storing in its epoch once rejected, and leads again in a higher one', () => {
    const events = [
      send(0, 1, storeMessage(3, 1, a), 10),
      send(0, 2, storeMessage(3, 1, a), 10),
      deliver(1, 0, storeRejected(3, 1, 4), 20),
      // A late rejection of n1's old epoch 1 does not stop its epoch 4.
      deliver(2, 1, storeRejected(1, 1, 3), 20),
      send(1, 2, storeMessage(4, 2, b), 30),
      send(0, 1, storeMessage(6, 1, a), 400),
    ];
    expect(play(property(), events).problem).toBeUndefined();
  });

  it('fails a leader that goes on storing in its epoch, even after a restart', () => {
    expect(play(property(), [send(0, 1, storeMessage(3, 1, a), 10), deliver(1, 0, storeRejected(3, 1, 4), 20), send(0, 2, storeMessage(3, 2, b), 30)]).problem).toBe(
      'n0 sent Store of epoch 3, slot 2, to n2 at 30 ms, after an answer rejecting its epoch had reached it: a leader whose Store, Query or Overthrow is answered ' +
        'with a higher epoch has been overthrown and becomes passive; it never stores or queries in that epoch again, and leads again only after a new overthrow, in a higher epoch',
    );
    expect(play(property(), [deliver(1, 0, storeRejected(3, 1, 4), 20), restart(0, 25), send(0, 2, storeMessage(3, 1, a), 30, 1)]).problem).toContain('n0 sent Store of epoch 3, slot 1');
    expect(play(property(), [deliver(1, 0, storeRejected(6, 1, 7), 20), send(0, 2, storeMessage(3, 1, a), 30)]).problem).toContain('after an answer rejecting its epoch 6 had reached it');
  });

  it('fails a leader that goes on querying or storing after a QueryReply of a higher epoch, or after an overthrow was refused', () => {
    const queryReply = (epoch: number, currentEpoch: number): Message => ({ type: 'QueryReply', epoch, currentEpoch, firstUnfinalizedSlot: 1 });
    const query = (epoch: number): Message => ({ type: 'Query', epoch });
    expect(play(property(), [send(0, 1, query(3), 10), deliver(1, 0, queryReply(3, 4), 20), send(0, 1, query(3), 60)]).problem).toBe(
      'n0 sent Query of epoch 3 to n1 at 60 ms, after an answer rejecting its epoch had reached it: a leader whose Store, Query or Overthrow is answered ' +
        'with a higher epoch has been overthrown and becomes passive; it never stores or queries in that epoch again, and leads again only after a new overthrow, in a higher epoch',
    );
    expect(play(property(), [deliver(1, 0, queryReply(3, 4), 20), send(0, 2, storeMessage(3, 1, a), 30)]).problem).toContain('n0 sent Store of epoch 3, slot 1, to n2 at 30 ms');
    const overthrowRefused: Message = { type: 'OverthrowReply', epoch: 3, ok: false, currentEpoch: 5 };
    expect(play(property(), [deliver(1, 0, overthrowRefused, 20), send(0, 2, query(3), 30)]).problem).toContain('n0 sent Query of epoch 3 to n2 at 30 ms');
  });

  it('passes a QueryReply that reports the same epoch, and a leader that queries in a higher epoch after its rejection', () => {
    const queryReply = (epoch: number, currentEpoch: number): Message => ({ type: 'QueryReply', epoch, currentEpoch, firstUnfinalizedSlot: 1 });
    const query = (epoch: number): Message => ({ type: 'Query', epoch });
    const events = [
      deliver(1, 0, queryReply(3, 3), 20),
      send(0, 1, query(3), 60),
      deliver(2, 0, queryReply(3, 4), 70),
      send(0, 1, query(6), 400),
      send(0, 2, storeMessage(6, 2, b), 410),
      deliver(1, 0, overthrowReply(6), 420),
    ];
    expect(play(property(), events).problem).toBeUndefined();
  });
});

describe('execution follows the finalized log', () => {
  const property = executionFollowsFinalizedLog;
  const log = [writeSlot(0, 1, 1, a, true), writeSlot(0, 2, 1, null, true), writeSlot(0, 3, 1, b, true)];

  it('passes a server that executes its finalized prefix in order, skipping no-ops, and again after a restart', () => {
    expect(play(property(), [...log, executed(0, 1, a), executed(0, 3, b), restart(0), executed(0, 1, a, {}, 0, 1), executed(0, 3, b, {}, 0, 1)]).problem).toBeUndefined();
  });

  it('fails a server that executes a slot it has not finalized, or another command than the one finalized', () => {
    expect(play(property(), [writeSlot(1, 1, 1, a), executed(1, 1, a, {}, 15)]).problem).toBe(
      'n1 executed slot 1 (command 1 of n5) at 15 ms, but its storage holds put(x, "a") of n5 (command 1) in epoch 1, not finalized there: ' +
        'a server executes only slots it has finalized in its own storage',
    );
    expect(play(property(), [...log, executed(0, 2, b, {}, 15)]).problem).toBe(
      'n0 executed slot 2 (command 1 of n6) at 15 ms, but it finalized a no-op there: a server executes the operation finalized in each slot, and reports that slot (never a no-op)',
    );
  });

  it('fails a server that executes past a slot it has not finalized, or out of order', () => {
    expect(play(property(), [writeSlot(0, 1, 1, a), writeSlot(0, 2, 1, b, true), executed(0, 2, b, {}, 15)]).problem).toBe(
      'n0 executed slot 2 (command 1 of n6) at 15 ms, but slot 1 is not finalized in its storage (it holds put(x, "a") of n5 (command 1) in epoch 1, not finalized): ' +
        'a server executes its finalized prefix in slot order, so a slot waits until every slot below it is finalized',
    );
    expect(play(property(), [...log, executed(0, 3, b), executed(0, 1, a, {}, 15)]).problem).toBe(
      'n0 executed slot 1 (command 1 of n5) at 15 ms after slot 3, without a restart in between: a server executes its slots in increasing order, each once',
    );
  });

  it('fails a malformed Executed', () => {
    expect(play(property(), [{ kind: 'output', node: 0, incarnation: 0, timeMs: 3, output: { type: 'Executed', index: 0 } as unknown as PaxosLog['output'] }]).problem).toBe(
      'n0 output Executed {"type":"Executed","index":0} at 3 ms: an Executed output names its slot (index), the command\'s client and sequence, and its result',
    );
  });
});

describe('an operation returns only once finalized', () => {
  const property = () => returnsOnlyOnceFinalized([0, 1, 2]);
  const returned = (client: NodeId, command: KvCommand, timeMs = 30): Event => ({
    kind: 'output',
    node: client,
    incarnation: 0,
    timeMs,
    // A client's output: not in the servers' protocol, but recorded all the same.
    output: { type: 'Returned', sequence: command.sequence, operation: command.operation, result: {} } as unknown as PaxosLog['output'],
  });

  it('passes a return once some server holds the command finalized, in any slot', () => {
    expect(play(property(), [...goodHistory, returned(5, a)]).problem).toBeUndefined();
    expect(play(property(), [writeSlot(2, 4, 1, b, true), returned(6, b)]).problem).toBeUndefined();
  });

  it('fails a return while the command is only stored, or finalized for another client or sequence', () => {
    expect(play(property(), [writeSlot(0, 1, 1, a), writeSlot(1, 1, 1, a), returned(5, a)]).problem).toBe(
      'n5\'s put(x, "a") (command 1) returned at 30 ms, but no server holds it finalized in any slot: ' +
        'a server answers a client only once the command was stored by a majority in one epoch, finalized and executed',
    );
    expect(play(property(), [writeSlot(0, 1, 1, a, true), returned(6, append(6, 1, 'a'))]).problem).toContain('no server holds it finalized');
    expect(play(property(), [writeSlot(0, 1, 1, a, true), returned(5, put(5, 2, 'a'))]).problem).toContain('(command 2) returned');
  });
});

describe('garbage in storage and messages', () => {
  const garbage: unknown[] = ['x', -1, 1.5, null, {}, [], true, { epoch: '1' }, { epoch: 1, operation: 'put', finalized: true }, { epoch: 1, operation: null, finalized: 'yes' }];
  const readers: Event[] = [
    send(0, 1, overthrowReply(2, 1), 50),
    send(0, 1, storeOk(2, 1), 51),
    send(0, 1, { type: 'FinalizeReply', epoch: 2, slot: 1, ok: true }, 52),
    send(0, 1, { type: 'ReadReply', forEpoch: 2, slot: 1, epoch: 0, operation: null, finalized: false }, 53),
    send(0, 1, finalize(2, 1), 54),
    send(0, 1, { type: 'Read', epoch: 2, slot: 1 }, 55),
    executed(0, 1, a, {}, 56),
  ];
  const everyProperty = (): Property<PaxosLog>[] =>
    [
      ...safetyProperties([0, 1, 2]),
      storeAndFinalizeRounds([0, 1, 2], { fromMs: 0 }),
      answerWithinOneRoundTrip({ fromMs: 0, maxDelayMs: 10 }),
      leadershipChangeCost([0, 1, 2]),
      overthrowOnlyOnLeaderChange(1),
    ] as Property<PaxosLog>[];

  it('each key written as garbage: no property throws, and each one either passes or says what it read', () => {
    for (const key of ['epoch', 'slot:1', 'slot:0', 'slot:x', 'slot:-1', 'slots', 'other']) {
      for (const value of garbage) {
        for (const property of everyProperty()) {
          const events = [store(0, key, value, 40), ...readers];
          const { problem } = play(property, events);
          if (problem !== undefined) expect(problem, `${property.name} on ${key} = ${JSON.stringify(value)}`).toMatch(/^n\d|^Overthrow|^\d/);
        }
      }
    }
    expect(play(finalizedSlotsNeverChange(), [store(0, 'slot:1', 'x', 40)]).problem).toContain('n0 wrote slot:1 = "x" at 40 ms: slot:<n> holds');
    expect(play(epochsNeverDecrease(), [store(0, 'epoch', 1.5, 40)]).problem).toContain('n0 wrote epoch = 1.5 at 40 ms');
    expect(play(repliesFollowStorage(), [store(0, 'epoch', 'x', 40), ...readers]).problem).toContain('while its stored epoch is the malformed "x"');
    expect(play(repliesFollowStorage(), [writeEpoch(0, 2), store(0, 'slot:1', 'x', 40), send(0, 1, storeOk(2, 1), 51)]).problem).toContain('its storage holds the malformed "x" for slot 1');
  });

  it('each message field as garbage: no property throws', () => {
    const messages = [
      { type: 'Overthrow', epoch: 'x' },
      { type: 'OverthrowReply', epoch: 1, ok: true, lastUsedSlot: -3 },
      { type: 'OverthrowReply', epoch: null, ok: 'yes' },
      { type: 'Store', epoch: 1.5, slot: 'one', operation: 3 },
      { type: 'StoreReply', epoch: 1, slot: 0, ok: true },
      { type: 'StoreReply', epoch: {}, ok: false },
      { type: 'Finalize', epoch: 1, slot: null },
      { type: 'FinalizeReply' },
      { type: 'Read', slot: [] },
      { type: 'ReadReply', forEpoch: 2, slot: 1, epoch: 1, operation: { client: 5 }, finalized: true },
      { type: 'Query' },
      { type: 'ClientRequest', command: 'x' },
      { type: 'ClientReply', sequence: {} },
      { type: 'ClientRedirect' },
    ] as unknown as Message[];
    for (const message of messages) {
      for (const property of everyProperty()) {
        const events = [send(0, 1, message, 10), deliver(0, 1, message, 12), send(1, 0, message, 14)];
        expect(() => play(property, events), `${property.name} on ${JSON.stringify(message)}`).not.toThrow();
      }
    }
    expect(play(epochsAreOwned([0, 1, 2]), [send(0, 1, { type: 'Store', epoch: 1.5, slot: 1, operation: null }, 10)]).problem).toBe(
      'n0 sent Store {"type":"Store","epoch":1.5,"slot":1,"operation":null} to n1 at 10 ms: a Store names an epoch, a positive whole number',
    );
    expect(play(repliesFollowStorage(), [send(0, 1, { type: 'StoreReply', epoch: 1, slot: 0, ok: true }, 10)]).problem).toBe(
      'n0 sent StoreReply {"type":"StoreReply","epoch":1,"slot":0,"ok":true} to n1 at 10 ms: a StoreReply names the epoch and the slot of the store it answers',
    );
  });
});

describe('budgets', () => {
  /** One operation in slot `slot` with n0 leading epoch 3 of three servers: Store and Finalize to n1 and n2 (and a local one, not counted). */
  const oneOperation = (slot: number, timeMs: number): Event[] => [
    writeSlot(0, slot, 3, a, false, timeMs),
    ...[0, 1, 2].map((to) => send(0, to, storeMessage(3, slot, a), timeMs)),
    writeSlot(1, slot, 3, a, false, timeMs + 5),
    writeSlot(0, slot, 3, a, true, timeMs + 10),
    ...[1, 2].map((to) => send(0, to, finalize(3, slot), timeMs + 10)),
    writeSlot(1, slot, 3, a, true, timeMs + 15),
  ];

  it('one store and one finalize round per operation: N-1 of each, with spare rounds', () => {
    const { problem, figures } = play(storeAndFinalizeRounds([0, 1, 2], { fromMs: 0 }), [...oneOperation(1, 10), ...oneOperation(2, 30)]);
    expect(problem).toBeUndefined();
    expect(figures).toEqual({ storesPerSlot: 2, finalizesPerSlot: 2 });
    const resent = [...oneOperation(1, 10), ...[1, 2, 1, 2, 1].map((to) => send(0, to, storeMessage(3, 1, a), 60))];
    expect(play(storeAndFinalizeRounds([0, 1, 2], { fromMs: 0, spareRounds: 3 }), resent).problem).toBeUndefined();
    expect(play(storeAndFinalizeRounds([0, 1, 2], { fromMs: 0 }), resent).problem).toBe(
      '7 Store messages from 0 ms on for 1 slot a leader stored (7 Store, 2 Finalize), at most (N-1) x (slots + 1) = 2 x (1 + 1) = 4 allowed: ' +
        'with a stable leader an operation costs one Store to each other server and one Finalize to each; stores are sent again only to servers that have not answered',
    );
    // Before fromMs nothing counts.
    expect(play(storeAndFinalizeRounds([0, 1, 2], { fromMs: 100 }), resent).figures).toEqual({ storesPerSlot: 0, finalizesPerSlot: 0 });
    const finalizedTwice = [...oneOperation(1, 10), ...[1, 2, 1, 2, 1].map((to) => send(0, to, finalize(3, 1), 60))];
    expect(play(storeAndFinalizeRounds([0, 1, 2], { fromMs: 0 }), finalizedTwice).problem).toMatch(/^7 Finalize messages from 0 ms on for 1 slot/);
  });

  it('answered within one store round trip: from the request reaching the server, since its last redirect', () => {
    const request: Message = { type: 'ClientRequest', command: a };
    const reply: Message = { type: 'ClientReply', sequence: 1, result: {} };
    const options = { fromMs: 100, maxDelayMs: 10 };
    const { problem, figures } = play(answerWithinOneRoundTrip(options), [
      deliver(5, 1, request, 100),
      send(1, 5, { type: 'ClientRedirect', sequence: 1, leader: 0 }, 100),
      deliver(5, 1, request, 150),
      send(1, 5, reply, 168),
      deliver(5, 0, request, 200),
      send(0, 5, reply, 210),
    ]);
    expect(problem).toBeUndefined();
    expect(figures).toEqual({ slowestAnswerMs: 18 });
    expect(play(answerWithinOneRoundTrip(options), [deliver(5, 0, request, 150), deliver(5, 0, request, 160), send(0, 5, reply, 200)]).problem).toBe(
      'n0 answered command 1 of n5 at 200 ms, 50 ms after the request reached it at 150 ms, more than 2 x 10 = 20 ms: a leader answers once a majority stored the operation, ' +
        'one Store and StoreReply round trip after the request; it does not wait for the finalize round, nor for its next heartbeat',
    );
    // A request that reached the server before fromMs is not measured.
    expect(play(answerWithinOneRoundTrip(options), [deliver(5, 0, request, 50), send(0, 5, reply, 200)]).problem).toBeUndefined();
  });

  it('one overthrow round and reads of unfinalized slots per leadership change', () => {
    const servers = [0, 1, 2, 3, 4];
    const cluster = () => new FakeCluster(5);
    const overthrowRound = (epoch: number, from: NodeId, timeMs = 0) => [0, 1, 2, 3, 4].filter((to) => to !== from).map((to) => send(from, to, { type: 'Overthrow', epoch }, timeMs));
    // n1 leads epoch 6, n2 epoch 7.
    const readRound = (slot: number, from: NodeId, timeMs = 0) => [0, 1, 2, 3, 4].filter((to) => to !== from).map((to) => send(from, to, { type: 'Read', epoch: from === 1 ? 6 : 7, slot }, timeMs));
    const good = [writeSlot(1, 1, 5, a, true), writeEpoch(1, 6), ...overthrowRound(6, 1), ...readRound(2, 1), ...readRound(3, 1), writeEpoch(2, 7), ...overthrowRound(7, 2), ...readRound(2, 2)];
    const { problem, figures } = play(leadershipChangeCost(servers), good, cluster());
    expect(problem).toBeUndefined();
    expect(figures).toEqual({ overthrowMessages: 8, readMessages: 12 });
    expect(play(leadershipChangeCost(servers), [...good, send(2, 0, { type: 'Overthrow', epoch: 7 }, 90)], cluster()).problem).toBe(
      'n2 sent 5 Overthrow messages of epoch 7 (the last at 90 ms), at most N-1 = 4: one overthrow round per epoch; ' +
        'a leadership change costs one Overthrow round and one Read round of the slots the new leader has not finalized',
    );
    expect(play(leadershipChangeCost(servers), [...good, send(1, 3, { type: 'Read', epoch: 6, slot: 1 }, 90)], cluster()).problem).toBe(
      'n1 sent Read for slot 1 to n3 at 90 ms, though it holds the slot finalized: a new leader reads only the slots it has not finalized; ' +
        'a leadership change costs one Overthrow round and one Read round of the slots the new leader has not finalized',
    );
    expect(play(leadershipChangeCost(servers), [...good, send(1, 3, { type: 'Read', epoch: 6, slot: 3 }, 90)], cluster()).problem).toContain(
      'n1 sent 5 Read messages for slot 3 in epoch 6 (the last at 90 ms), at most N-1 = 4: a slot is read once from each other server',
    );
  });

  it('no overthrow while a leader is heard: counts distinct epochs', () => {
    const events = [send(0, 1, { type: 'Overthrow', epoch: 3 }, 200), send(0, 2, { type: 'Overthrow', epoch: 3 }, 200), send(1, 2, { type: 'Overthrow', epoch: 4 }, 900)];
    const { problem, figures } = play(overthrowOnlyOnLeaderChange(2), events);
    expect(problem).toBeUndefined();
    expect(figures).toEqual({ overthrowEpochs: 2 });
    expect(play(overthrowOnlyOnLeaderChange(1), events).problem).toBe(
      "Overthrow was sent in 2 epochs (3 by n0 at 200 ms, 4 by n1 at 900 ms), at most 1 allowed: a leader's Query resets every passive server's LeaderTimeout, " +
        'so a server tries to lead only when it hears from no leader',
    );
  });
});

// The properties under the model checker and the simulator, on a tiny scripted cluster of
// three servers: n0 takes epoch 3 (3 % 3 = 0), stores put(x, "a") of n3 in slot 1 on a
// majority, finalizes and executes it; n1, on its one LeaderTimeout, overthrows it with epoch
// 4 and does nothing more. Each bug is a flag of the class. The search explores every order of
// deliveries and of n1's timeout.

interface ScriptedBugs {
  /** n0 sends its Store again to a server that rejected it, instead of stepping down. */
  readonly keepsLeading?: boolean;
  /** A server accepts a Store of an epoch below its own. */
  readonly acceptsOlderStores?: boolean;
  /** n0 finalizes as soon as it stored the operation itself. */
  readonly finalizesAlone?: boolean;
}

const scriptedOperation: KvCommand = { client: 3, sequence: 1, operation: { kind: 'put', key: 'x', value: 'a' } };

function scriptedServer(bugs: ScriptedBugs = {}) {
  return class ScriptedServer extends Node<PaxosLog> {
    role: 'passive' | 'candidate' | 'leader' = 'passive';
    granted: NodeId[] = [];
    stored: NodeId[] = [];

    get epoch(): number {
      return this.storage.get('epoch') ?? 0;
    }

    override onStart(): void {
      if (this.id === 0) this.overthrow(3);
      if (this.id === 1) this.setTimer({ type: 'LeaderTimeout' }, [150, 300]);
    }

    override onTimer(timer: PaxosLog['timer']): void {
      if (timer.type === 'LeaderTimeout') this.overthrow(4);
    }

    overthrow(epoch: number): void {
      this.storage.set('epoch', epoch);
      this.role = 'candidate';
      this.granted = [this.id];
      for (const peer of this.peers) this.send(peer, { type: 'Overthrow', epoch });
    }

    override onMessage(from: NodeId, message: PaxosLog['message']): void {
      const epoch = this.epoch;
      switch (message.type) {
        case 'Overthrow':
          if (message.epoch < epoch) {
            this.send(from, { type: 'OverthrowReply', epoch: message.epoch, ok: false, currentEpoch: epoch });
            return;
          }
          this.storage.set('epoch', message.epoch);
          this.role = 'passive';
          this.send(from, { type: 'OverthrowReply', epoch: message.epoch, ok: true, lastUsedSlot: this.storage.get(slotKey(1)) === undefined ? 0 : 1 });
          return;
        case 'OverthrowReply':
          if (!message.ok || this.role !== 'candidate' || message.epoch !== epoch || this.granted.includes(from)) return;
          this.granted.push(from);
          if (this.granted.length < 2) return;
          this.role = 'leader';
          // Only n0 stores: n1's epoch is there to overthrow it.
          if (this.id !== 0) return;
          this.storage.set(slotKey(1), { epoch, operation: scriptedOperation, finalized: false });
          this.stored = [0];
          for (const peer of this.peers) this.send(peer, { type: 'Store', epoch, slot: 1, operation: scriptedOperation });
          if (bugs.finalizesAlone === true) this.finalizeSlot(epoch);
          return;
        case 'Store':
          if (message.epoch < epoch && bugs.acceptsOlderStores !== true) {
            this.send(from, { type: 'StoreReply', epoch: message.epoch, slot: message.slot, ok: false, currentEpoch: epoch });
            return;
          }
          if (message.epoch > epoch) this.storage.set('epoch', message.epoch);
          this.storage.set(slotKey(message.slot), { epoch: message.epoch, operation: message.operation, finalized: false });
          this.send(from, { type: 'StoreReply', epoch: message.epoch, slot: message.slot, ok: true });
          return;
        case 'StoreReply':
          if (!message.ok) {
            if (bugs.keepsLeading === true && this.role === 'leader') this.send(from, { type: 'Store', epoch: message.epoch, slot: 1, operation: scriptedOperation });
            else this.role = 'passive';
            return;
          }
          if (this.role !== 'leader' || message.epoch !== epoch || this.stored.includes(from)) return;
          this.stored.push(from);
          if (this.stored.length === 2 && bugs.finalizesAlone !== true) this.finalizeSlot(epoch);
          return;
        case 'Finalize': {
          const record = this.storage.get(slotKey(message.slot));
          if (record === undefined || record.epoch !== message.epoch || record.finalized) return;
          this.storage.set(slotKey(message.slot), { ...record, finalized: true });
          this.send(from, { type: 'FinalizeReply', epoch: message.epoch, slot: message.slot, ok: true });
          this.executeSlotOne();
          return;
        }
        default:
          return;
      }
    }

    finalizeSlot(epoch: number): void {
      this.storage.set(slotKey(1), { epoch, operation: scriptedOperation, finalized: true });
      this.executeSlotOne();
      for (const peer of this.peers) this.send(peer, { type: 'Finalize', epoch, slot: 1 });
    }

    executeSlotOne(): void {
      this.output({ type: 'Executed', index: 1, client: scriptedOperation.client, sequence: scriptedOperation.sequence, result: {} });
    }
  };
}

/** Some server finalized slot 1: the search's goal. */
const slotOneFinalized = () =>
  sometimes<PaxosLog>('slot 1 is finalized', (cluster) => (cluster.servers.some((server) => storedSlot(cluster, server, 1)?.finalized === true) ? undefined : 'no server finalized slot 1'));

function scriptedSearch(bugs: ScriptedBugs = {}) {
  return explore<PaxosLog>({
    nodes: [0, 1, 2].map(() => ({ role: 'server' as const, node: scriptedServer(bugs) })),
    config: { heartbeatMs: 50, leaderTimeoutMs: [150, 300] },
    timers: true,
    properties: [...safetyProperties([0, 1, 2]), slotOneFinalized()],
    maxDepth: 30,
  });
}

describe('the properties under the model checker, on a scripted cluster', () => {
  it('copy and hash their memories: the correct script finalizes slot 1, with no violation in any order', () => {
    const result = scriptedSearch();
    expect(result.outcome.kind).toBe('exhausted');
    expect(result.goalsReached.has('slot 1 is finalized')).toBe(true);
  });

  it('find the order where a rejected leader stores again', () => {
    const result = scriptedSearch({ keepsLeading: true });
    expect(result.outcome.kind).toBe('violation');
    if (result.outcome.kind === 'violation') {
      expect(result.outcome.property).toBe('a rejected leader steps down');
      expect(result.outcome.message).toMatch(/^n0 sent Store of epoch 3, slot 1, to n\d at \d+ ms, after an answer rejecting its epoch had reached it/);
    }
  });

  it('find the order where a server accepts an overthrown epoch\'s store', () => {
    const result = scriptedSearch({ acceptsOlderStores: true });
    expect(result.outcome.kind).toBe('violation');
    if (result.outcome.kind === 'violation') {
      expect(result.outcome.property).toBe('replies follow storage');
      expect(result.outcome.message).toMatch(/^n\d sent StoreReply ok for epoch 3, slot 1, to n0 at \d+ ms while its stored epoch is 4: a server rejects/);
    }
  });

  it('find a leader that finalizes what only it stored', () => {
    const result = scriptedSearch({ finalizesAlone: true });
    expect(result.outcome.kind).toBe('violation');
    if (result.outcome.kind === 'violation') expect(result.outcome.property).toBe('finalized only after a majority stored it');
  });

  it('an overthrow stops the old leader: the scripted acceptor that takes old stores, with that property alone', () => {
    const result = explore<PaxosLog>({
      nodes: [0, 1, 2].map(() => ({ role: 'server' as const, node: scriptedServer({ acceptsOlderStores: true }) })),
      config: { heartbeatMs: 50, leaderTimeoutMs: [150, 300] },
      timers: true,
      properties: [overthrowStopsOldLeader([0, 1, 2])],
      maxDepth: 30,
    });
    expect(result.outcome.kind).toBe('violation');
    if (result.outcome.kind === 'violation') expect(result.outcome.message).toMatch(/accepted epoch 3's store for slot 1 after a majority had granted the overthrow of epoch 4 \(n\d, n\d(, n\d)? now hold epoch 4 or above\)/);
  });
});

describe('the properties under the simulator, on the scripted cluster', () => {
  it('pass the correct script, and catch the one that finalizes alone', () => {
    const run = (bugs: ScriptedBugs, seed: number) =>
      simulate<PaxosLog>({
        nodes: [0, 1, 2].map(() => ({ role: 'server' as const, node: scriptedServer(bugs) })),
        config: { heartbeatMs: 50, leaderTimeoutMs: [150, 300] },
        durationMs: 1_000,
        seed: `paxoslog-checks/${seed}`,
        properties: safetyProperties([0, 1, 2]),
      });
    for (let seed = 1; seed <= 5; seed++) expect(run({}, seed).failure).toBeUndefined();
    const failure = run({ finalizesAlone: true }, 1).failure;
    expect(`${failure?.property}: ${failure?.message}`).toMatch(
      /^finalized only after a majority stored it: n0 finalized slot 1 with put\(x, "a"\) of n3 \(command 1\) at \d+ ms, but no majority \(2 of 3\) of servers had stored it there in one epoch: stored in epoch 3 by n0\./,
    );
  });
});

// Small runs of the reference, and of the reference with one bug each: the properties pass the
// one and name the bug of each other.

interface SmallRun {
  readonly servers?: number;
  readonly operations?: number;
  readonly faults?: readonly FaultAction[];
  readonly extra?: readonly Property<PaxosLog>[];
}

function runSmall(server: NodeClass<PaxosLog>, seed: number, options: SmallRun = {}) {
  const setup = paxosLogRun(
    { PaxosLogServer: server },
    {
      servers: options.servers ?? 3,
      clients: 2,
      durationMs: 4_000,
      workload: { operationsPerClient: options.operations ?? 10, keys: ['x', 'y'], thinkMs: [0, 20], startMs: firstCallMs },
      ...(options.extra === undefined ? {} : { extra: options.extra }),
      ...(options.faults === undefined ? {} : { faultsEndMs: Math.max(...options.faults.map((fault) => fault.atMs)) }),
    },
  );
  return simulate<PaxosLog>({ ...setup, seed: `paxoslog-checks/${seed}`, ...(options.faults === undefined ? {} : { faults: options.faults }) });
}

/** The failure of the first of `seeds` runs that fails, as "property: message". */
function firstFailure(server: NodeClass<PaxosLog>, options: SmallRun = {}, seeds = 3): string | undefined {
  for (let seed = 1; seed <= seeds; seed++) {
    const result = runSmall(server, seed, options);
    if (result.failure !== undefined) return `${result.failure.property}: ${result.failure.message}`;
  }
  return undefined;
}

/** Every server crashes at 900 ms and restarts at 1000 ms, and again at 1600 and 1700 ms. */
const wholeClusterRestarts: FaultAction[] = [900, 1_600].flatMap((atMs) =>
  [0, 1, 2].flatMap((node): FaultAction[] => [
    { atMs, type: 'crash', node },
    { atMs: atMs + 100, type: 'restart', node },
  ]),
);

/** Whoever leads at 800 ms (each server in turn) crashes, and restarts 400 ms later. */
const crashes: FaultAction[] = [0, 1, 2].flatMap((node, turn): FaultAction[] => [
  { atMs: 800 + turn * 700, type: 'crash', node },
  { atMs: 1_200 + turn * 700, type: 'restart', node },
]);

describe('the properties on small runs of the reference', () => {
  it('pass the reference, with crashes and restarts, and the budgets measure a stable leader', () => {
    for (let seed = 1; seed <= 2; seed++) {
      expect(runSmall(PaxosLogServer, seed, { faults: crashes }).failure).toBeUndefined();
      expect(runSmall(PaxosLogServer, seed, { faults: wholeClusterRestarts }).failure).toBeUndefined();
    }
    const stable = runSmall(PaxosLogServer, 1, {
      extra: [storeAndFinalizeRounds([0, 1, 2], { fromMs: 0 }), answerWithinOneRoundTrip({ fromMs: 0, maxDelayMs: 10 }), overthrowOnlyOnLeaderChange(1), leadershipChangeCost([0, 1, 2])],
    });
    expect(stable.failure).toBeUndefined();
    expect(stable.measurements).toMatchObject({ storesPerSlot: 2, finalizesPerSlot: 2, overthrowEpochs: 1, overthrowMessages: 2, readMessages: 0 });
    expect(stable.measurements['slowestAnswerMs']).toBeLessThanOrEqual(20);
  });

  it('finalized only after a majority stored it: a leader that finalizes once it stored the operation itself', () => {
    class FinalizesAlone extends PaxosLogServer {
      protected override store(slot: number, operation: Operation): void {
        super.store(slot, operation);
        this.finalize(slot);
      }
    }
    expect(firstFailure(FinalizesAlone)).toMatch(/^finalized only after a majority stored it: n\d finalized slot 1 with .* but no majority \(2 of 3\) of servers had stored it there in one epoch: stored in epoch \d by n\d\./);
  });

  it('epochs never decrease: a server that forgets its epoch when it restarts', () => {
    class EpochForgotten extends PaxosLogServer {
      protected override readEpoch(): number {
        return 0;
      }
    }
    expect(firstFailure(EpochForgotten, { faults: wholeClusterRestarts })).toMatch(/^epochs never decrease: n\d wrote epoch \d+ at \d+ ms over its stored epoch \d+, though it restarted in between/);
  });

  it('replies follow storage: a server that keeps the epoch it grants in memory only', () => {
    class EpochInMemory extends PaxosLogServer {
      protected override acceptEpoch(epoch: number): void {
        if (epoch > this.epoch && this.role !== 'passive') this.becomePassive();
        this.noteEpoch(epoch);
        if (epoch > this.epoch) this.epoch = epoch;
      }
    }
    expect(firstFailure(EpochInMemory)).toMatch(/^replies follow storage: n\d sent OverthrowReply ok for epoch \d to n\d at \d+ ms while its stored epoch is 0: a server that grants an overthrow writes the new epoch to storage first/);
  });

  it('epochs are owned: a candidate that writes its new epoch only once it leads', () => {
    class EpochWrittenAtTakeover extends PaxosLogServer {
      protected override startOverthrow(): void {
        this.becomePassive();
        const epoch = this.nextOwnedEpoch();
        this.noteEpoch(epoch);
        this.epoch = epoch;
        this.role = 'candidate';
        this.grants = new Map([[this.id, this.lastUsedSlot]]);
        for (const peer of this.peers) this.send(peer, { type: 'Overthrow', epoch });
      }

      protected override becomeLeader(): void {
        this.storage.set('epoch', this.epoch);
        super.becomeLeader();
      }
    }
    expect(firstFailure(EpochWrittenAtTakeover)).toMatch(
      /^epochs are owned: n\d sent Overthrow of epoch \d+ to n\d at \d+ ms while its stored epoch is 0: a candidate writes its new epoch to storage before it sends its Overthrow/,
    );
  });

  it('replies follow storage: a server that reports no slots when it grants an overthrow', () => {
    class HidesSlots extends PaxosLogServer {
      protected override answerOverthrow(epoch: number): PaxosLog['message'] & { type: 'OverthrowReply' } {
        const reply = super.answerOverthrow(epoch);
        return reply.ok ? { ...reply, lastUsedSlot: 0 } : reply;
      }
    }
    expect(firstFailure(HidesSlots, { faults: crashes })).toMatch(/^replies follow storage: n\d sent OverthrowReply ok for epoch \d+ to n\d at \d+ ms with lastUsedSlot 0, but it holds a record for slot \d+/);
  });

  it('epochs are owned: a server that takes the next epoch, whoever owns it', () => {
    class NextEpoch extends PaxosLogServer {
      protected override nextOwnedEpoch(): number {
        return Math.max(this.highestEpochSeen, this.epoch) + 1;
      }
    }
    expect(firstFailure(NextEpoch, { faults: crashes })).toMatch(/^epochs are owned: n\d sent Overthrow of epoch \d+ to n\d at \d+ ms, but epoch \d+ is n\d's \(\d+ % 3 = \d\): a server uses only the epochs it owns/);
  });

  it('execution follows the finalized log: a server that executes what it is asked to store', () => {
    class ExecutesStores extends PaxosLogServer {
      protected override answerStore(epoch: number, slot: number, operation: Operation): PaxosLog['message'] & { type: 'StoreReply' } {
        const reply = super.answerStore(epoch, slot, operation);
        if (reply.ok && operation !== null && !this.record(slot).finalized) {
          this.output({ type: 'Executed', index: slot, client: operation.client, sequence: operation.sequence, result: {} });
        }
        return reply;
      }
    }
    expect(firstFailure(ExecutesStores)).toMatch(/^execution follows the finalized log: n\d executed slot 1 \(command 1 of n\d\) at \d+ ms, but its storage holds .* not finalized there: a server executes only slots it has finalized/);
  });

  it('one store and one finalize round per operation: a leader that sends every Finalize twice', () => {
    class FinalizesTwice extends PaxosLogServer {
      protected override finalize(slot: number): void {
        const storedBy = this.pending.get(slot)?.storedBy ?? [];
        super.finalize(slot);
        for (const server of storedBy) if (server !== this.id) this.send(server, { type: 'Finalize', epoch: this.epoch, slot });
      }
    }
    expect(firstFailure(FinalizesTwice, { extra: [storeAndFinalizeRounds([0, 1, 2], { fromMs: 0 })] })).toMatch(
      /^one store and one finalize round per operation: \d+ Finalize messages from 0 ms on for 20 slots a leader stored \(\d+ Store, \d+ Finalize\), at most \(N-1\) x \(slots \+ 1\) = 2 x \(20 \+ 1\) = 42 allowed/,
    );
  });
});

describe('timers of would-be leaders', () => {
  const overthrow = (from: NodeId, to: NodeId, epoch: number, timeMs: number): Event => send(from, to, { type: 'Overthrow', epoch }, timeMs);
  const grant = (from: NodeId, to: NodeId, epoch: number, timeMs: number): Event => send(from, to, { type: 'OverthrowReply', epoch, ok: true, lastUsedSlot: 0 }, timeMs);
  const becameLeader = (node: NodeId, epoch: number, timeMs: number): Event => ({ kind: 'output', node, incarnation: 0, timeMs, output: { type: 'BecameLeader', epoch } });
  const tick = (timeMs: number): Event => deliver(5, 0, { type: 'ClientRequest', sequence: 1, command: { client: 5, sequence: 1, operation: { kind: 'get', key: 'x' } } } as unknown as Message, timeMs);

  it('an overthrow granted resets the LeaderTimeout: no Overthrow of its own within the shortest timeout', () => {
    expect(play(grantResetsLeaderTimeout(150), [grant(2, 1, 4, 100), overthrow(2, 0, 5, 240)]).problem).toMatch(/^n2 sent Overthrow of epoch 5 to n0 .*140 ms after it granted n1's Overthrow of epoch 4/);
    expect(play(grantResetsLeaderTimeout(150), [grant(2, 1, 4, 100), overthrow(2, 0, 5, 250)]).problem).toBeUndefined();
    // Granting the same epoch again (a copy of the Overthrow) resets nothing the handout asks for; answering oneself is no grant.
    expect(play(grantResetsLeaderTimeout(150), [grant(2, 1, 4, 0), grant(2, 1, 4, 100), overthrow(2, 0, 5, 160)]).problem).toBeUndefined();
    expect(play(grantResetsLeaderTimeout(150), [grant(1, 1, 4, 100), overthrow(1, 0, 7, 110)]).problem).toBeUndefined();
  });

  it('an overthrown server writes the higher epoch: judged at its crash, its next Overthrow and the end', () => {
    const crash = (node: NodeId, timeMs: number, midReaction = false): Event => ({ kind: 'crash', node, incarnation: 0, timeMs, midReaction });
    const rejected = (timeMs: number): Event => deliver(1, 0, { type: 'OverthrowReply', epoch: 3, ok: false, currentEpoch: 7 }, timeMs);
    const property = () => overthrownServerWritesEpoch();
    expect(play(property(), [writeEpoch(0, 3, 90), overthrow(0, 1, 3, 100), rejected(110), crash(0, 200)]).problem).toBe(
      "n0 was overthrown at 110 ms, by n1's OverthrowReply rejecting its epoch 3 with currentEpoch 7, and when it crashed at 200 ms its stored epoch is still 3: " +
        'the server a rejection reaches writes the higher epoch, and becomes passive',
    );
    expect(play(property(), [writeEpoch(0, 3, 90), overthrow(0, 1, 3, 100), rejected(110), writeEpoch(0, 7, 110), crash(0, 200)]).problem).toBeUndefined();
    // Its next Overthrow, in an epoch below the one it heard of, and the end of the run.
    expect(play(property(), [overthrow(0, 1, 3, 100), rejected(110), writeEpoch(0, 6, 400), overthrow(0, 1, 6, 400)]).problem).toContain('when it sent an Overthrow at 400 ms its stored epoch is still 6');
    expect(play(property(), [overthrow(0, 1, 3, 100), rejected(110), writeEpoch(0, 9, 400), overthrow(0, 1, 9, 400)]).problem).toBeUndefined();
    expect(play(property(), [overthrow(0, 1, 3, 100), rejected(110)]).problem).toContain('at the end of the run its stored epoch is still 0');
    // A crash in the middle of the reaction to the rejection may come before the write; a rejection of an epoch it had left asks nothing.
    expect(play(property(), [overthrow(0, 1, 3, 100), rejected(110), crash(0, 110, true)]).problem).toBeUndefined();
    expect(play(property(), [overthrow(0, 1, 3, 100), deliver(2, 0, { type: 'Query', epoch: 5 }, 105), rejected(110), crash(0, 200)]).problem).toBeUndefined();
    expect(play(property(), [overthrow(0, 1, 3, 100), overthrow(0, 1, 6, 105), rejected(110), crash(0, 200)]).problem).toBeUndefined();
  });

  it('a candidate tries again, unless it led, heard of a higher epoch or crashed; a leader sending its Overthrow again is no candidate', () => {
    expect(play(candidateTriesAgain(320), [overthrow(0, 1, 3, 100), tick(430)]).problem).toMatch(/^n0 sent Overthrow of epoch 3 at 100 ms and, 330 ms later, had sent no other/);
    expect(play(candidateTriesAgain(320), [overthrow(0, 1, 3, 100), overthrow(0, 1, 6, 300), tick(430)]).problem).toBeUndefined();
    expect(play(candidateTriesAgain(320), [overthrow(0, 1, 3, 100), becameLeader(0, 3, 120), tick(430)]).problem).toBeUndefined();
    expect(play(candidateTriesAgain(320), [overthrow(0, 1, 3, 100), deliver(1, 0, { type: 'Query', epoch: 4 }, 130), tick(430)]).problem).toBeUndefined();
    expect(play(candidateTriesAgain(320), [overthrow(0, 1, 3, 100), becameLeader(0, 3, 120), overthrow(0, 2, 3, 200), tick(600)]).problem).toBeUndefined();
    // Judged at the end too.
    expect(play(candidateTriesAgain(320), [overthrow(0, 1, 3, 100), tick(500)]).problem).toMatch(/^n0 sent Overthrow of epoch 3 at 100 ms/);
  });
});
