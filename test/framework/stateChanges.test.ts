// Node states in full traces: what each reaction changed, as patches that rebuild every
// node's fields and durable storage at any event, for runs and for a search's path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyStatePatches, Node, nodeStatesAt, simulate, stateChangesFrom, toJsonValue, type FaultSchedule, type LabSuite, type NodeId, type Protocol, type StateChange } from '../../framework/testing.ts';
import { stateLeadEvents } from '../../framework/simulation.ts';
import { diffStates } from '../../framework/_internals/stateDiff.ts';
import { StateRecorder } from '../../framework/trace.ts';
import { serversOf } from './helpers.ts';
import paxosSuite from '../../labs/03-paxos/suite.ts';
import * as paxosSolution from '../../solutions/03-paxos/index.ts';
import * as sameBallotRetry from '../../solutions/03-paxos/mutants/same-ballot-retry.ts';

function runOf<I>(suite: LabSuite<I>, implementation: I, testNumber: string, trace: 'ring' | 'full', faults: FaultSchedule = []) {
  const test = suite.tests.find((candidate) => candidate.number === testNumber);
  if (test === undefined) throw new Error(`no test ${testNumber}`);
  const prepared = test.prepare(implementation, 2);
  if (prepared.kind !== 'run') throw new Error(`test ${testNumber} is not a run`);
  return { prepared, result: prepared.simulate(`${suite.lab}/${testNumber}/2`, [...prepared.scenario, ...faults], trace) };
}

describe('state patches', () => {
  it('turn any JSON state into any other, leaving the first as it was', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, json, (before, after) => {
        const frozen = JSON.stringify(before);
        const patches = diffStates(before, after);
        expect(applyStatePatches(before, patches)).toEqual(after);
        expect(JSON.stringify(before)).toBe(frozen);
      }),
      { numRuns: 300, seed: 17 },
    );
  });

  it('rebuild a run of states in turn, changing in place only their own copies: the recorded states and patches stay as they were', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(fc.array(json, { minLength: 1, maxLength: 6 }), (states) => {
        const chain = states.map((after, index) => diffStates(index === 0 ? {} : states[index - 1], after));
        const recorded = JSON.stringify([states, chain]);
        const owned = new WeakSet<object>();
        let state: unknown = {};
        for (const [index, patches] of chain.entries()) {
          state = applyStatePatches(state, patches, owned);
          expect(state).toEqual(states[index]);
        }
        expect(JSON.stringify([states, chain])).toBe(recorded);
      }),
      { numRuns: 300, seed: 23 },
    );
  });

  it('say only what changed: a log that grew by one entry is one patch', () => {
    const log = Array.from({ length: 100 }, (_unused, slot) => ({ slot, command: `c${slot}` }));
    expect(diffStates({ log, term: 3 }, { log: [...log, { slot: 100, command: 'c100' }], term: 3 })).toEqual([[['log', 100], { slot: 100, command: 'c100' }]]);
    expect(diffStates({ log }, { log: log.slice(0, 10) })).toEqual([[['log', 'length'], 10]]);
    expect(diffStates({ a: 1, b: 2 }, { a: 1 })).toEqual([[['b']]]);
  });

  it('treat a field named __proto__ as a field, never as the prototype', () => {
    const after = JSON.parse('{"fields": {"__proto__": {"polluted": true}}}') as unknown;
    const rebuilt = applyStatePatches({ fields: {} }, diffStates({ fields: {} }, after)) as { fields: object };
    expect(Object.getPrototypeOf(rebuilt.fields)).toBe(Object.prototype);
    expect(Object.keys(rebuilt.fields)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the state recorder', () => {
  it('keeps changed values up to its budget, then a note in their place', () => {
    const recorder = new StateRecorder(1_000);
    const storage = new Map<string, unknown>();
    for (let tick = 0; tick < 5; tick++) recorder.record(tick, 0, { page: String(tick).padEnd(400, 'x'), tick }, storage);
    const pages = recorder.changes.map((change) => JSON.stringify(change.patches));
    expect(pages[0]).toContain('0xxx');
    expect(pages[1]).toContain('1xxx');
    expect(pages[4]).toContain("(not kept: this run's node states passed");
    // Small values stay: the tick is always there.
    expect(nodeStatesAt(recorder.changes, 4).get(0)?.fields).toEqual(expect.objectContaining({ tick: 4 }));
  });
});

describe('node states in a full trace', () => {
  it('rebuild each node’s durable storage at every store, and its fields as the reaction left them', () => {
    const crashAndRestart: FaultSchedule = [
      { atMs: 30, type: 'crash', node: 1 },
      { atMs: 400, type: 'restart', node: 1 },
    ];
    const { result } = runOf(paxosSuite, paxosSolution, '3.6', 'full', crashAndRestart);
    const states = result.states ?? [];
    expect(states.length).toBeGreaterThan(20);
    const stores = result.trace.filter((event) => event.kind === 'store');
    expect(stores.length).toBeGreaterThan(5);
    const lastOfStep = new Map(result.trace.map((event) => [event.step, event.index]));
    for (const store of stores) {
      // The state holds from the reaction's last event on: the end of the store's step.
      const storage = nodeStatesAt(states, lastOfStep.get(store.step) ?? store.index).get(store.node)?.storage ?? {};
      const value = store.reason === 'deleted' ? undefined : toJsonValue(store.detail);
      expect(storage[store.label], `event #${store.index}`).toEqual(value);
    }
    // Fields are null while a node is down and come back (fresh) when it restarts.
    const lifecycle = result.trace.filter((event) => event.kind === 'crash' || event.kind === 'start' || event.kind === 'restart');
    expect(lifecycle.some((event) => event.kind === 'crash')).toBe(true);
    for (const event of lifecycle) {
      const fields = nodeStatesAt(states, lastOfStep.get(event.step) ?? event.index).get(event.node)?.fields;
      if (event.kind === 'crash') expect(fields, `after crash #${event.index}`).toBeNull();
      else expect(fields, `after ${event.kind} #${event.index}`).toEqual(expect.objectContaining({}));
    }
    expect(result.roles).toHaveLength(new Set(result.trace.filter((event) => event.node >= 0).map((event) => event.node)).size);
  });

  it('are not kept in a ring trace', () => {
    expect(runOf(paxosSuite, paxosSolution, '3.6', 'ring').result.states).toBeUndefined();
  });

  it('start a window of the trace with each node’s whole state', () => {
    const { result } = runOf(paxosSuite, paxosSolution, '3.6', 'full');
    const states = result.states ?? [];
    const firstIndex = Math.floor(result.trace.length / 2);
    const window = stateChangesFrom(states, firstIndex);
    expect(window.every((change) => change.index >= firstIndex)).toBe(true);
    for (const index of [firstIndex, firstIndex + 7, result.trace.length - 1]) {
      expect(nodeStatesAt(window, index)).toEqual(nodeStatesAt(states, index));
    }
    expect(stateChangesFrom(states, 0)).toEqual(states);
  });

  it('follow a search failure’s path step by step', () => {
    const test = paxosSuite.tests.find((candidate) => candidate.number === '3.S5');
    if (test === undefined) throw new Error('lab 3 has no test 3.S5');
    const prepared = test.prepare(sameBallotRetry, 1);
    if (prepared.kind !== 'search') throw new Error('not a search');
    const found = prepared.run(`${paxosSuite.lab}/${test.number}/1`);
    const path = found.outcome.kind === 'violation' ? found.outcome.path : [];
    expect(path).toHaveLength(5);
    const replayed = prepared.replay(`${paxosSuite.lab}/${test.number}/1`, path);
    const changes: readonly StateChange[] = replayed.states;
    expect(changes.length).toBeGreaterThanOrEqual(replayed.roles.length);
    const last = replayed.trace[replayed.trace.length - 1];
    const finalStates = nodeStatesAt(changes, last?.index ?? 0);
    expect(finalStates.size).toBe(replayed.roles.length);
    for (const state of finalStates.values()) expect(state.fields === null || typeof state.fields === 'object').toBe(true);
  });
});

interface Relay extends Protocol {
  message: { type: 'Pass'; hops: number } | { type: 'Burst' };
  timer: { type: 'Tick' };
  input: never;
  output: never;
  config: { burstSize: number };
  storage: { passed: number };
}

/**
 * Passes a message around, counting in its fields and its storage, with a timer of its own;
 * n0's first Tick sends n1 a Burst, to which n1 answers with `burstSize` messages at once.
 */
class Relayer extends Node<Relay> {
  passed = 0;
  recent: number[] = [];
  override onStart(): void {
    this.passed = this.storage.get('passed') ?? 0;
    this.setTimer({ type: 'Tick' }, 7);
    if (this.id === 0) this.send(1, { type: 'Pass', hops: 0 });
  }
  override onMessage(_from: NodeId, message: Relay['message']): void {
    if (message.type === 'Burst') {
      for (let index = 0; index < this.config.burstSize; index++) this.send(2, { type: 'Pass', hops: -1 });
      return;
    }
    if (message.hops < 0) return;
    this.passed++;
    this.recent = [...this.recent.slice(-4), message.hops];
    this.storage.set('passed', this.passed);
    this.send((this.id + 1) % 3, { type: 'Pass', hops: message.hops + 1 });
  }
  override onTimer(): void {
    if (this.id === 0 && this.passed < 3) this.send(1, { type: 'Burst' });
    this.setTimer({ type: 'Tick' }, 7);
  }
}

function relay(trace: 'full' | 'ring', traceFrom?: number, burstSize = 0) {
  return simulate<Relay>({
    seed: 5,
    nodes: serversOf(3, Relayer),
    config: { burstSize },
    durationMs: 4_000,
    trace,
    ...(traceFrom !== undefined ? { traceFrom } : {}),
    faults: [
      { atMs: 1_500, type: 'crash', node: 1 },
      { atMs: 1_560, type: 'restart', node: 1 },
      { atMs: 2_400, type: 'crash', node: 2, afterEffects: 1, inReactionTo: 'message' },
      { atMs: 2_430, type: 'restart', node: 2 },
    ],
  });
}

describe('a full trace kept from an index on', () => {
  const whole = relay('full');
  const length = whole.traceLength;

  it('keeps the same events from there, with their contents, and counts the ones before', () => {
    expect(length).toBeGreaterThan(3 * stateLeadEvents);
    for (const traceFrom of [1, stateLeadEvents + 1, Math.floor(length / 2), length - 1]) {
      const windowed = relay('full', traceFrom);
      expect(windowed.traceLength).toBe(length);
      expect(windowed.trace).toEqual(whole.trace.filter((event) => event.index >= traceFrom));
    }
  });

  it('refuses a start that is no whole number of events, naming it', () => {
    for (const traceFrom of [-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => relay('full', traceFrom)).toThrow(`traceFrom must be a whole number of trace events, 0 or more, not ${String(traceFrom)}`);
    }
  });

  it('gives every node the state it had at each kept event, crashes and restarts included', () => {
    const crashes = whole.trace.filter((event) => event.kind === 'crash').map((event) => event.index);
    expect(crashes).toHaveLength(2);
    // Windows that begin just before, at and after each crash, and far from any.
    const starts = [stateLeadEvents + 1, Math.floor(length / 2), length - 3, ...crashes.flatMap((index) => [index - 1, index, index + 1])];
    for (const traceFrom of starts) {
      const windowed = relay('full', traceFrom);
      const states = windowed.states ?? [];
      expect(states.length).toBeGreaterThan(0);
      for (let index = traceFrom; index < length; index += index < traceFrom + 40 ? 1 : 97) {
        expect(nodeStatesAt(states, index), `from ${traceFrom}, at ${index}`).toEqual(nodeStatesAt(whole.states ?? [], index));
      }
      expect(nodeStatesAt(stateChangesFrom(states, traceFrom), length - 1)).toEqual(nodeStatesAt(whole.states ?? [], length - 1));
    }
  });

  it('gives no states when one reaction began too long before the kept events to know the state it began from', () => {
    const burst = relay('full', undefined, 3 * stateLeadEvents);
    const burstAt = burst.trace.find((event) => event.kind === 'deliver' && event.label === 'Burst')?.index ?? -1;
    expect(burstAt).toBeGreaterThan(0);
    // Kept from inside the burst's sends: its reaction began more than the lead before.
    const inside = relay('full', burstAt + 2 * stateLeadEvents, 3 * stateLeadEvents);
    expect(inside.states).toBeUndefined();
    expect(inside.trace[0]?.index).toBe(burstAt + 2 * stateLeadEvents);
    // Kept from after it: the states are whole again.
    const after = relay('full', burstAt + 3 * stateLeadEvents + 5, 3 * stateLeadEvents);
    expect(nodeStatesAt(after.states ?? [], burst.traceLength - 1)).toEqual(nodeStatesAt(burst.states ?? [], burst.traceLength - 1));
  });
});

interface Spray extends Protocol {
  message: { type: 'Drop'; index: number };
  timer: never;
  input: never;
  output: never;
  config: Record<never, never>;
  storage: Record<never, never>;
}

/** n0 sends n1 `sprayCount` messages when it starts, all dropped while n1 is down: long stretches without a reaction. */
const sprayCount = 3_000;
class Sprayer extends Node<Spray> {
  heard = 0;
  override onStart(): void {
    if (this.id === 0) for (let index = 0; index < sprayCount; index++) this.send(1, { type: 'Drop', index });
  }
  override onMessage(): void {
    this.heard++;
  }
}

function spray(traceFrom?: number) {
  return simulate<Spray>({
    seed: 3,
    nodes: serversOf(3, Sprayer),
    config: {},
    durationMs: 100,
    trace: 'full',
    ...(traceFrom !== undefined ? { traceFrom } : {}),
    faults: [
      { atMs: 0, type: 'crash', node: 1 },
      { atMs: 5, type: 'crash', node: 2 },
      { atMs: 20, type: 'restart', node: 1 },
    ],
  });
}

describe('a full trace kept from inside a long stretch without reactions', () => {
  const whole = spray();
  const length = whole.traceLength;
  const crashOfN2 = whole.trace.find((event) => event.kind === 'crash' && event.node === 2)?.index ?? -1;
  const restartOfN1 = whole.trace.find((event) => event.kind === 'restart' && event.node === 1)?.index ?? -1;

  it('has its states as they stood, down nodes included, where the first change after its start comes late', () => {
    expect(crashOfN2).toBeGreaterThan(stateLeadEvents);
    expect(restartOfN1 - crashOfN2).toBeGreaterThan(stateLeadEvents);
    // Kept from the crash on; from between the crash and the restart, where the states begin only at the restart.
    for (const traceFrom of [crashOfN2, crashOfN2 + 1, restartOfN1 - 10]) {
      const windowed = spray(traceFrom);
      expect(windowed.trace).toEqual(whole.trace.filter((event) => event.index >= traceFrom));
      for (const index of [traceFrom, traceFrom + 1, restartOfN1 - 1, restartOfN1, length - 1]) {
        expect(nodeStatesAt(windowed.states ?? [], index), `from ${traceFrom}, at ${index}`).toEqual(nodeStatesAt(whole.states ?? [], index));
      }
    }
  });
});
