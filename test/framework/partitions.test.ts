import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Node, simulate, type FaultAction, type NodeId, type Protocol, type TraceEvent } from '../../framework/testing.ts';
import { detailOf, ofKind, serversOf } from './helpers.ts';

interface Mesh extends Protocol {
  message: { type: 'Ping'; seq: number };
  timer: { type: 'Tick' };
  input: never;
  output: never;
  config: Record<never, never>;
  storage: Record<never, never>;
}

/** Every 5 ms, sends a numbered Ping to every other node. */
class Pinger extends Node<Mesh> {
  seq = 0;
  override onStart(): void {
    this.setTimer({ type: 'Tick' }, 5);
  }
  override onTimer(): void {
    const seq = this.seq++;
    for (const peer of this.peers) this.send(peer, { type: 'Ping', seq });
    this.setTimer({ type: 'Tick' }, 5);
  }
}

const nodeCount = 4;
const durationMs = 400;
const maxDelayMs = 12;

function runMesh(faults: readonly FaultAction[], seed: number | string = 1) {
  return simulate<Mesh>({
    seed,
    nodes: serversOf(nodeCount, Pinger),
    config: {},
    network: { delay: { kind: 'uniform', minMs: 1, maxMs: maxDelayMs } },
    faults,
    durationMs,
    trace: 'full',
  });
}

/** A reference model of which directed links a schedule blocks at a time (faults apply before anything else at their ms). */
function blockedLinks(faults: readonly FaultAction[], timeMs: number): Set<string> {
  let blocked = new Set<string>();
  const ordered = faults.map((fault, index) => ({ fault, index })).sort((a, b) => a.fault.atMs - b.fault.atMs || a.index - b.index);
  for (const { fault } of ordered) {
    if (fault.atMs > timeMs) break;
    switch (fault.type) {
      case 'partition': {
        const groupOf = (id: NodeId) => {
          let group = fault.groups.length;
          fault.groups.forEach((members, index) => {
            if (members.includes(id)) group = index;
          });
          return group;
        };
        blocked = new Set();
        for (let from = 0; from < nodeCount; from++) {
          for (let to = 0; to < nodeCount; to++) if (groupOf(from) !== groupOf(to)) blocked.add(`${from}>${to}`);
        }
        break;
      }
      case 'isolate':
        for (let other = 0; other < nodeCount; other++) {
          if (other === fault.node) continue;
          blocked.add(`${fault.node}>${other}`);
          blocked.add(`${other}>${fault.node}`);
        }
        break;
      case 'cut':
        for (const from of fault.from) for (const to of fault.to) if (from !== to) blocked.add(`${from}>${to}`);
        break;
      case 'heal':
        blocked = new Set();
        break;
      default:
        break;
    }
  }
  return blocked;
}

const keyOf = (event: TraceEvent, from: NodeId, to: NodeId) => `${from}>${to}#${detailOf<{ seq: number }>(event).seq}`;

/** Checks every message of the run against the model: delivered iff its link was open when sent and when due. */
function checkAgainstModel(faults: readonly FaultAction[], trace: readonly TraceEvent[]): { delivered: number; blocked: number } {
  const outcome = new Map<string, TraceEvent>();
  for (const event of trace) {
    if (event.kind === 'deliver' || (event.kind === 'drop' && event.reason === 'partitioned')) {
      const key = keyOf(event, event.peer, event.node);
      expect(outcome.has(key), `${key} has one outcome`).toBe(false);
      outcome.set(key, event);
    }
  }
  let delivered = 0;
  let blocked = 0;
  for (const send of ofKind(trace, 'send')) {
    const link = `${send.node}>${send.peer}`;
    const result = outcome.get(keyOf(send, send.node, send.peer));
    if (result === undefined) {
      // Only a message still in flight when the run ended may have no outcome.
      expect(send.timeMs, `the message ${keyOf(send, send.node, send.peer)} sent at ${send.timeMs} ms has an outcome`).toBeGreaterThan(durationMs - maxDelayMs);
      continue;
    }
    if (blockedLinks(faults, send.timeMs).has(link)) {
      expect(result.kind, `${link} is blocked at ${send.timeMs} ms`).toBe('drop');
      expect(result.timeMs).toBe(send.timeMs);
      blocked++;
    } else {
      const cut = blockedLinks(faults, result.timeMs).has(link);
      expect(result.kind, `${link} at ${result.timeMs} ms (sent at ${send.timeMs} ms)`).toBe(cut ? 'drop' : 'deliver');
      if (cut) blocked++;
      else delivered++;
    }
  }
  return { delivered, blocked };
}

/** Senders whose Pings `receiver` got during [fromMs, toMs). */
function heardFrom(trace: readonly TraceEvent[], receiver: NodeId, fromMs: number, toMs: number): NodeId[] {
  const senders = new Set<NodeId>();
  for (const event of ofKind(trace, 'deliver')) if (event.node === receiver && event.timeMs >= fromMs && event.timeMs < toMs) senders.add(event.peer);
  return [...senders].sort();
}

describe('partitions', () => {
  it('without faults every node hears from every other node', () => {
    const { trace } = runMesh([]);
    for (let node = 0; node < nodeCount; node++) {
      expect(heardFrom(trace, node, 0, durationMs)).toEqual([0, 1, 2, 3].filter((other) => other !== node));
    }
    expect(ofKind(trace, 'drop')).toHaveLength(0);
  });

  it("'partition' blocks exactly the pairs in different groups; unlisted nodes form one more group", () => {
    const faults: FaultAction[] = [
      { atMs: 100, type: 'partition', groups: [[0], [1]] },
      { atMs: 250, type: 'heal' },
    ];
    const { trace } = runMesh(faults);
    // During the partition (from 100 ms, plus the longest delay, so nothing sent before is still due).
    expect(heardFrom(trace, 0, 113, 250)).toEqual([]);
    expect(heardFrom(trace, 1, 113, 250)).toEqual([]);
    expect(heardFrom(trace, 2, 113, 250)).toEqual([3]);
    expect(heardFrom(trace, 3, 113, 250)).toEqual([2]);
    // 'heal' restores every link.
    for (let node = 0; node < nodeCount; node++) {
      expect(heardFrom(trace, node, 263, durationMs)).toEqual([0, 1, 2, 3].filter((other) => other !== node));
    }
    checkAgainstModel(faults, trace);
  });

  it("'isolate' cuts one node off from every other node, both ways", () => {
    const faults: FaultAction[] = [
      { atMs: 100, type: 'isolate', node: 2 },
      { atMs: 250, type: 'heal' },
    ];
    const { trace } = runMesh(faults);
    expect(heardFrom(trace, 2, 113, 250)).toEqual([]);
    expect(heardFrom(trace, 0, 113, 250)).toEqual([1, 3]);
    expect(heardFrom(trace, 1, 113, 250)).toEqual([0, 3]);
    expect(heardFrom(trace, 3, 113, 250)).toEqual([0, 1]);
    expect(heardFrom(trace, 2, 263, durationMs)).toEqual([0, 1, 3]);
    checkAgainstModel(faults, trace);
  });

  it("a one-way 'cut' blocks only the direction from -> to", () => {
    const faults: FaultAction[] = [
      { atMs: 100, type: 'cut', from: [0], to: [1, 2] },
      { atMs: 250, type: 'heal' },
    ];
    const { trace } = runMesh(faults);
    expect(heardFrom(trace, 1, 113, 250)).toEqual([2, 3]);
    expect(heardFrom(trace, 2, 113, 250)).toEqual([1, 3]);
    // The reverse directions, and 0 -> 3, still work.
    expect(heardFrom(trace, 0, 113, 250)).toEqual([1, 2, 3]);
    expect(heardFrom(trace, 3, 113, 250)).toEqual([0, 1, 2]);
    expect(heardFrom(trace, 1, 263, durationMs)).toEqual([0, 2, 3]);
    checkAgainstModel(faults, trace);
  });

  it('messages already in flight across a new cut are dropped on arrival, traced as partitioned', () => {
    const faults: FaultAction[] = [{ atMs: 100, type: 'isolate', node: 0 }];
    const { trace } = runMesh(faults);
    const lateDrops = ofKind(trace, 'drop').filter((event) => event.reason === 'partitioned' && event.timeMs > 100 && event.timeMs <= 112);
    const sentBefore = lateDrops.filter((drop) => {
      const send = ofKind(trace, 'send').find((event) => keyOf(event, event.node, event.peer) === keyOf(drop, drop.peer, drop.node));
      return send !== undefined && send.timeMs < 100;
    });
    expect(sentBefore.length).toBeGreaterThan(0);
    const { blocked } = checkAgainstModel(faults, trace);
    expect(blocked).toBeGreaterThan(0);
  });

  it('partitioned drops are counted as dropped messages', () => {
    const faults: FaultAction[] = [{ atMs: 50, type: 'isolate', node: 3 }];
    const result = runMesh(faults);
    const partitioned = ofKind(result.trace, 'drop').filter((event) => event.reason === 'partitioned');
    expect(partitioned.length).toBeGreaterThan(0);
    expect(result.counters.messagesDropped).toBe(partitioned.length);
    expect(result.counters.messagesDelivered + result.counters.messagesDropped).toBe(result.counters.messagesSent - inFlightAtEnd(result.trace));
  });

  it('random schedules of partition / isolate / cut / heal block exactly the links a reference model blocks', () => {
    const node = fc.integer({ min: 0, max: nodeCount - 1 });
    const atMs = fc.integer({ min: 0, max: durationMs });
    const action: fc.Arbitrary<FaultAction> = fc.oneof(
      fc
        .record({ atMs, groups: fc.array(fc.uniqueArray(node, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }) })
        // A node listed in two groups is ambiguous; keep each node in at most one group.
        .map(({ atMs, groups }): FaultAction => {
          const seen = new Set<NodeId>();
          const disjoint = groups.map((group) => group.filter((id) => !seen.has(id) && (seen.add(id), true))).filter((group) => group.length > 0);
          return { atMs, type: 'partition', groups: disjoint };
        }),
      fc.record({ atMs, node }).map(({ atMs, node }): FaultAction => ({ atMs, type: 'isolate', node })),
      fc
        .record({ atMs, from: fc.uniqueArray(node, { minLength: 1, maxLength: 3 }), to: fc.uniqueArray(node, { minLength: 1, maxLength: 3 }) })
        .map(({ atMs, from, to }): FaultAction => ({ atMs, type: 'cut', from, to })),
      atMs.map((atMs): FaultAction => ({ atMs, type: 'heal' })),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 8 }), fc.integer(), (faults, seed) => {
        checkAgainstModel(faults, runMesh(faults, seed).trace);
      }),
      { seed: 42, numRuns: 60 },
    );
  });
});

/** Messages sent but neither delivered nor dropped when the run ended. */
function inFlightAtEnd(trace: readonly TraceEvent[]): number {
  const settled = new Set<string>();
  for (const event of trace) if (event.kind === 'deliver' || event.kind === 'drop') settled.add(keyOf(event, event.peer, event.node));
  return ofKind(trace, 'send').filter((event) => !settled.has(keyOf(event, event.node, event.peer))).length;
}
