// A crash in the middle of a reaction: a `crash` fault with `afterEffects: k` stops the node
// in its next reaction after k of its sends, storage writes and outputs; the rest never
// happen. The model checker makes the same cut as a choice (`crashes.midReaction`).
import { describe, expect, it } from 'vitest';
import {
  always,
  describeFault,
  explore,
  Node,
  SettingsError,
  simulate,
  unreachable,
  type FaultAction,
  type HistoryEvent,
  type NodeId,
  type Protocol,
} from '../../framework/testing.ts';
import { ofKind } from './helpers.ts';

interface Ledger extends Protocol {
  message: { type: 'Write'; value: number } | { type: 'Prepared'; value: number } | { type: 'Done'; value: number };
  timer: { type: 'Check' };
  input: { type: 'Write'; value: number };
  output: { type: 'Stored'; value: number } | { type: 'Recovered'; value: number | null };
  /** `eager`: n0 sends a Write to n1 when it starts. */
  config: { eager?: boolean };
  storage: { value: number };
}

/**
 * n1 is the ledger: for a Write (an input, or a message from n0) it tells n0 it is
 * Prepared, writes the value to storage, sets a timer, tells n0 it is Done and reports
 * Stored. Surviving effects, in order: send Prepared, storage write, send Done, output
 * (the timer dies with the node and does not count).
 */
class LedgerNode extends Node<Ledger> {
  heard: string[] = [];

  override onStart(): void {
    if (this.id === 1) this.output({ type: 'Recovered', value: this.storage.get('value') ?? null });
    if (this.id === 0 && this.config.eager === true) this.send(1, { type: 'Write', value: 7 });
  }

  override onInput(input: Ledger['input']): void {
    this.write(input.value);
  }

  override onMessage(_from: NodeId, message: Ledger['message']): void {
    switch (message.type) {
      case 'Write':
        this.write(message.value);
        return;
      case 'Prepared':
      case 'Done':
        this.heard.push(message.type);
        return;
      default:
        unreachable(message);
    }
  }

  private write(value: number): void {
    this.send(0, { type: 'Prepared', value });
    this.storage.set('value', value);
    this.setTimer({ type: 'Check' }, 50);
    this.send(0, { type: 'Done', value });
    this.output({ type: 'Stored', value });
  }
}

/** Every history event of the run, as the properties see it. */
function runLedger(faults: FaultAction[], inputs = [{ atMs: 10, node: 1, input: { type: 'Write' as const, value: 7 } }]) {
  const history: HistoryEvent<Ledger>[] = [];
  const result = simulate<Ledger>({
    seed: 1,
    nodes: [
      { role: 'server', node: LedgerNode },
      { role: 'server', node: LedgerNode },
    ],
    config: {},
    faults,
    inputs,
    properties: [
      always<Ledger, null>('history', {
        memory: () => null,
        record(_memory, event) {
          history.push(event);
          return undefined;
        },
      }),
    ],
    durationMs: 300,
    trace: 'full',
  });
  return { result, history };
}

const crashAfter = (afterEffects: number): FaultAction => ({ atMs: 5, type: 'crash', node: 1, afterEffects });
/** What n0 received, in send order (the network may reorder them). */
const messagesTo0 = (result: ReturnType<typeof runLedger>['result']) =>
  ofKind(result.trace, 'deliver')
    .filter((event) => event.node === 0)
    .map((event) => event.label)
    .sort((left, right) => (left === 'Prepared' ? -1 : right === 'Prepared' ? 1 : 0));
const stores = (result: ReturnType<typeof runLedger>['result']) => ofKind(result.trace, 'store').map((event) => `${event.label}=${String(event.detail)}`);

describe('a crash in the middle of a reaction (runs)', () => {
  it('after 1 effect: the first send leaves; the storage write, the later send and the output never happen', () => {
    const { result, history } = runLedger([crashAfter(1)]);
    expect(result.passed).toBe(true);
    expect(messagesTo0(result)).toEqual(['Prepared']);
    expect(stores(result)).toEqual([]);
    expect(result.outputs.map((record) => record.output.type)).toEqual(['Recovered']);
    expect(result.counters.messagesSent).toBe(1);
    // The trace says where the node stopped, and nothing of n1 follows but drops.
    const crash = ofKind(result.trace, 'crash');
    expect(crash.map((event) => [event.timeMs, event.node, event.reason])).toEqual([[10, 1, 'in onInput, after 1 of its 5 effects']]);
    expect(ofKind(result.trace, 'fault').map((event) => event.label)).toEqual(['at 5 ms: crash n1 in its next reaction, after 1 effect']);
    expect(ofKind(result.trace, 'timer-set')).toEqual([]);
    expect(history.filter((event) => event.kind === 'crash')).toEqual([{ kind: 'crash', node: 1, incarnation: 0, timeMs: 10, midReaction: true }]);
    expect(history.filter((event) => event.kind === 'storage')).toEqual([]);
  });

  it('after 2 effects: the write reaches storage, the later send and the output do not', () => {
    const { result, history } = runLedger([crashAfter(2), { atMs: 100, type: 'restart', node: 1 }]);
    expect(messagesTo0(result)).toEqual(['Prepared']);
    expect(stores(result)).toEqual(['value=7']);
    expect(history.filter((event) => event.kind === 'storage')).toEqual([{ kind: 'storage', node: 1, incarnation: 0, timeMs: 10, key: 'value', value: 7 }]);
    // The restarted node finds the write.
    expect(result.outputs.map((record) => [record.incarnation, record.output])).toEqual([
      [0, { type: 'Recovered', value: null }],
      [1, { type: 'Recovered', value: 7 }],
    ]);
  });

  it('after 0 effects: nothing of the reaction happens', () => {
    const { result } = runLedger([crashAfter(0)]);
    expect(messagesTo0(result)).toEqual([]);
    expect(stores(result)).toEqual([]);
    expect(ofKind(result.trace, 'crash').map((event) => event.reason)).toEqual(['in onInput, after 0 of its 5 effects']);
  });

  it('after more effects than the reaction makes: all of them happen, then the node stops', () => {
    const { result, history } = runLedger([crashAfter(9)]);
    expect(messagesTo0(result)).toEqual(['Prepared', 'Done']);
    expect(stores(result)).toEqual(['value=7']);
    expect(result.outputs.map((record) => record.output.type)).toEqual(['Recovered', 'Stored']);
    expect(ofKind(result.trace, 'crash').map((event) => event.reason)).toEqual(['in onInput, after 5 of its 5 effects']);
    // Its timer died with it.
    expect(ofKind(result.trace, 'timer-fire')).toEqual([]);
    expect(history.filter((event) => event.kind === 'crash').map((event) => event.kind === 'crash' && event.midReaction)).toEqual([true]);
  });

  it('a restart while the crash still waits for a reaction crashes the node first', () => {
    const { result, history } = runLedger([crashAfter(1), { atMs: 8, type: 'restart', node: 1 }]);
    const crash = ofKind(result.trace, 'crash');
    expect(crash.map((event) => [event.timeMs, event.reason])).toEqual([[8, 'its crash was still waiting for a reaction']]);
    expect(ofKind(result.trace, 'restart').map((event) => event.timeMs)).toEqual([8]);
    // The new incarnation reacts to the input in full: the crash was spent.
    expect(messagesTo0(result)).toEqual(['Prepared', 'Done']);
    expect(result.outputs.map((record) => [record.incarnation, record.output.type])).toEqual([
      [0, 'Recovered'],
      [1, 'Recovered'],
      [1, 'Stored'],
    ]);
    expect(history.filter((event) => event.kind === 'crash' || event.kind === 'restart')).toEqual([
      { kind: 'crash', node: 1, incarnation: 0, timeMs: 8, midReaction: false },
      { kind: 'restart', node: 1, incarnation: 1, timeMs: 8 },
    ]);
  });

  it('a crash waiting on a node that is already down changes nothing', () => {
    const plain = runLedger([{ atMs: 5, type: 'crash', node: 1 }]);
    const twice = runLedger([{ atMs: 5, type: 'crash', node: 1 }, crashAfter(1)]);
    expect(ofKind(twice.result.trace, 'crash')).toHaveLength(1);
    expect(twice.result.outputs).toEqual(plain.result.outputs);
  });

  it('the schedule is checked: afterEffects must be a whole number, at least 0', () => {
    for (const afterEffects of [-1, 1.5, Number.NaN]) {
      expect(() => runLedger([crashAfter(afterEffects)]), String(afterEffects)).toThrow(SettingsError);
      expect(() => runLedger([crashAfter(afterEffects)])).toThrow(/afterEffects must be a whole number of effects, at least 0/);
    }
    expect(describeFault(crashAfter(3))).toBe('at 5 ms: crash n1 in its next reaction, after 3 effects');
  });
});

describe('a crash kept for a kind of reaction', () => {
  /** n0 sends n1 a Write as it starts; n1 is also given a Write input at 10 ms. */
  const eager = (faults: FaultAction[]) =>
    simulate<Ledger>({
      seed: 1,
      nodes: [
        { role: 'server', node: LedgerNode },
        { role: 'server', node: LedgerNode },
      ],
      config: { eager: true },
      faults,
      inputs: [{ atMs: 10, node: 1, input: { type: 'Write', value: 8 } }],
      durationMs: 300,
      trace: 'full',
    });

  it('waits past reactions of other kinds: kept for an input, it lets the Write message through and stops the Write input', () => {
    const result = eager([{ atMs: 0, type: 'crash', node: 1, afterEffects: 1, inReactionTo: 'input' }]);
    expect(ofKind(result.trace, 'crash').map((event) => [event.timeMs, event.reason])).toEqual([[10, 'in onInput, after 1 of its 5 effects']]);
    // The message's reaction came first, whole.
    expect(result.outputs.map((record) => record.output)).toEqual([
      { type: 'Recovered', value: null },
      { type: 'Stored', value: 7 },
    ]);
    const kept = eager([{ atMs: 0, type: 'crash', node: 1, afterEffects: 2, inReactionTo: 'message:Write' }]);
    expect(ofKind(kept.trace, 'crash').map((event) => event.reason)).toEqual(['in onMessage, after 2 of its 5 effects']);
  });

  it('says what it waits for, and the schedule is checked', () => {
    expect(describeFault({ atMs: 5, type: 'crash', node: 1, afterEffects: 1, inReactionTo: 'input' })).toBe('at 5 ms: crash n1 in its next reaction to an input, after 1 effect');
    expect(describeFault({ atMs: 5, type: 'crash', node: 1, afterEffects: 0, inReactionTo: 'input:Snapshot' })).toBe(
      'at 5 ms: crash n1 in its next reaction to a Snapshot input, after 0 effects',
    );
    const problems: FaultAction[] = [
      { atMs: 5, type: 'crash', node: 1, inReactionTo: 'input' },
      { atMs: 5, type: 'crash', node: 1, afterEffects: 1, inReactionTo: 'start' as 'input' },
      { atMs: 5, type: 'crash', node: 1, afterEffects: 1, inReactionTo: 'input:' },
    ];
    for (const fault of problems) expect(() => runLedger([fault]), JSON.stringify(fault)).toThrow(/inReactionTo must be 'input', 'message' or 'timer'/);
  });
});

describe('a crash in the middle of a reaction (search)', () => {
  /** n0 sends a Write to n1 when it starts; n1 may crash once, never to restart. */
  const searchSettings = (midReaction: number | undefined) => {
    const seen = new Set<string>();
    const settings = {
      nodes: [
        { role: 'server' as const, node: LedgerNode },
        { role: 'server' as const, node: LedgerNode },
      ],
      config: { eager: true },
      timers: false,
      crashes: { nodes: [1], max: 1, restart: false, ...(midReaction === undefined ? {} : { midReaction }) },
      properties: [
        // What n1 has sent so far (a memory, so part of each state) and what it stored.
        always<Ledger, string[]>('observe', {
          memory: () => [],
          records: ['send'],
          record(sent, event) {
            if (event.kind === 'send' && event.from === 1) sent.push(event.message.type);
            return undefined;
          },
          check(cluster, sent) {
            seen.add(`${cluster.isCrashed(1) ? 'down' : 'up'} stored:${String(cluster.storage(1).get('value') ?? '-')} sent:${sent.join(',')}`);
            return undefined;
          },
        }),
      ],
    };
    return { settings, seen };
  };

  it('adds the states where only part of a reaction happened', () => {
    const whole = searchSettings(undefined);
    const cut = searchSettings(3);
    const wholeResult = explore(whole.settings);
    const cutResult = explore(cut.settings);
    expect(wholeResult.outcome).toEqual({ kind: 'exhausted' });
    expect(cutResult.outcome).toEqual({ kind: 'exhausted' });
    // A crash after Prepared left and before the write; and one after the write, before Done.
    expect(cut.seen).toContain('down stored:- sent:Prepared');
    expect(cut.seen).toContain('down stored:7 sent:Prepared');
    expect(whole.seen).not.toContain('down stored:- sent:Prepared');
    expect(whole.seen).not.toContain('down stored:7 sent:Prepared');
    // Every state of the whole-reaction search is one of the cut search too.
    for (const state of whole.seen) expect(cut.seen).toContain(state);
    // Whole reactions: 12 states (n1 crashes before the Write, or after it at any point of
    // n0 hearing Prepared and Done). The cuts add 5: the Write consumed with nothing done;
    // Prepared sent with nothing stored, heard or not yet; Prepared sent and 7 stored, heard
    // or not yet.
    expect(wholeResult.statistics.states).toBe(12);
    expect(cutResult.statistics.states).toBe(17);
  });

  it('a cut counts as one of the crashes allowed, and midReaction 1 only cuts before the first effect', () => {
    const one = searchSettings(1);
    explore(one.settings);
    expect(one.seen).toContain('down stored:- sent:');
    expect(one.seen).not.toContain('down stored:- sent:Prepared');
  });
});
