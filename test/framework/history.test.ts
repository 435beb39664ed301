// The history the framework keeps for properties: inputs, outputs, sends (even lost ones),
// deliveries, durable writes, crashes, restarts and network faults, each stamped with the
// time and the node's incarnation.
import { describe, expect, it } from 'vitest';
import { always, Node, simulate, type ClusterView, type FaultAction, type HistoryEvent, type HistoryKind, type Protocol } from '../../framework/testing.ts';
import { serversOf } from './helpers.ts';

interface Journal extends Protocol {
  message: { type: 'Saved'; key: string } | { type: 'Note'; key: string };
  timer: never;
  input: { type: 'Put'; key: 'a' | 'b'; value: number } | { type: 'Remove'; key: 'a' | 'b' };
  output: { type: 'Started'; keys: string[] };
  config: Record<never, never>;
  storage: { a: { value: number }; b: { value: number } };
}

/** Writes what it is given to storage and tells n0 (and itself) about it; reports its keys when it starts. */
class Journaler extends Node<Journal> {
  override onStart(): void {
    this.output({ type: 'Started', keys: this.storage.keys() });
  }
  override onInput(input: Journal['input']): void {
    if (input.type === 'Remove') {
      this.storage.delete(input.key);
      return;
    }
    this.storage.set(input.key, { value: input.value });
    this.send(0, { type: 'Saved', key: input.key });
    this.send(this.id, { type: 'Note', key: input.key });
  }
}

const faults: FaultAction[] = [
  { atMs: 20, type: 'network', dropRate: 1 },
  { atMs: 30, type: 'crash', node: 1 },
  { atMs: 40, type: 'restart', node: 1 },
];
const put = (atMs: number, key: 'a' | 'b', value: number) => ({ atMs, node: 1, input: { type: 'Put' as const, key, value } });

/** The history of a run as one property records it (`records` as given). */
function historyOf(records?: readonly HistoryKind[]) {
  const history: HistoryEvent<Journal>[] = [];
  const views: { event: HistoryKind; storage: unknown }[] = [];
  const result = simulate<Journal>({
    // A seed on which n1's first Saved takes the longest delay, 10 ms: it arrives just after the fault.
    seed: 9,
    nodes: serversOf(2, Journaler),
    config: {},
    faults,
    inputs: [put(10, 'a', 1), { atMs: 15, node: 1, input: { type: 'Remove', key: 'a' } }, put(25, 'b', 2), put(35, 'a', 3), put(50, 'a', 4)],
    properties: [
      always<Journal, null>('history', {
        memory: () => null,
        ...(records === undefined ? {} : { records }),
        record(_memory, event, cluster: ClusterView<Journal>) {
          history.push(event);
          if (event.kind === 'storage') views.push({ event: event.kind, storage: Object.fromEntries(cluster.storage(1)) });
          return undefined;
        },
      }),
    ],
    durationMs: 100,
  });
  return { result, history, views };
}

/** `kind node/incarnation@time` lines, for the events of node 1 and the faults. */
function lines(history: readonly HistoryEvent<Journal>[]): string[] {
  return history.flatMap((event) => {
    switch (event.kind) {
      case 'fault':
        return [`fault @${event.timeMs}`];
      case 'send':
      case 'deliver':
        return event.from === 1 || event.to === 1 ? [`${event.kind} ${event.message.type} n${event.from}->n${event.to}/${event.incarnation}@${event.timeMs}${event.local ? ' local' : ''}`] : [];
      case 'storage':
        return [`storage ${event.key}=${JSON.stringify(event.value) ?? 'deleted'} n${event.node}/${event.incarnation}@${event.timeMs}`];
      default:
        return event.node === 1 ? [`${event.kind} n1/${event.incarnation}@${event.timeMs}`] : [];
    }
  });
}

describe('the history of a run', () => {
  it('records every kind of event in order, with the time and the incarnation of the node', () => {
    const { result, history } = historyOf();
    expect(result.passed).toBe(true);
    expect(lines(history)).toEqual([
      'output n1/0@0',
      'input n1/0@10',
      'storage a={"value":1} n1/0@10',
      'send Saved n1->n0/0@10',
      'send Note n1->n1/0@10 local',
      'deliver Note n1->n1/0@10 local',
      'input n1/0@15',
      'storage a=deleted n1/0@15',
      'fault @20',
      // Sent before the network began to lose everything; a delivery carries the receiver's incarnation.
      'deliver Saved n1->n0/0@20',
      'input n1/0@25',
      'storage b={"value":2} n1/0@25',
      // Lost to the network (dropRate 1), and recorded all the same.
      'send Saved n1->n0/0@25',
      'send Note n1->n1/0@25 local',
      'deliver Note n1->n1/0@25 local',
      'crash n1/0@30',
      // No input at 35: n1 is down.
      'restart n1/1@40',
      'output n1/1@40',
      'input n1/1@50',
      'storage a={"value":4} n1/1@50',
      'send Saved n1->n0/1@50',
      'send Note n1->n1/1@50 local',
      'deliver Note n1->n1/1@50 local',
    ]);
    expect(history.find((event) => event.kind === 'crash')).toEqual({ kind: 'crash', node: 1, incarnation: 0, timeMs: 30, midReaction: false });
    expect(history.find((event) => event.kind === 'fault')).toEqual({ kind: 'fault', timeMs: 20, action: faults[0] });
  });

  it('the records of a run carry the incarnation too', () => {
    const { result } = historyOf();
    expect(result.inputs.map((record) => [record.timeMs, record.incarnation])).toEqual([
      [10, 0],
      [15, 0],
      [25, 0],
      [50, 1],
    ]);
    expect(result.outputs.filter((record) => record.node === 1).map((record) => [record.incarnation, record.output.keys])).toEqual([
      [0, []],
      [1, ['b']],
    ]);
  });

  it('a property is given only the kinds it records', () => {
    const { history } = historyOf(['storage', 'restart']);
    expect([...new Set(history.map((event) => event.kind))]).toEqual(['storage', 'restart']);
    expect(history.map((event) => (event.kind === 'storage' ? `${event.key}@${event.timeMs}` : `restart@${event.timeMs}`))).toEqual([
      'a@10',
      'a@15',
      'b@25',
      'restart@40',
      'a@50',
    ]);
  });

  it('a storage event is recorded once the write is in storage, as the cluster view shows', () => {
    const { views } = historyOf(['storage']);
    expect(views.map((view) => view.storage)).toEqual([{ a: { value: 1 } }, {}, { b: { value: 2 } }, { a: { value: 4 }, b: { value: 2 } }]);
  });

  it('what a property reads of storage is frozen: a property cannot change what a node stored', () => {
    const attempts: string[] = [];
    const result = simulate<Journal>({
      seed: 1,
      nodes: serversOf(2, Journaler),
      config: {},
      inputs: [put(10, 'a', 1)],
      properties: [
        always<Journal>('meddles', (cluster) => {
          const stored = cluster.storage(1).get('a') as { value: number } | undefined;
          if (stored === undefined) return undefined;
          try {
            stored.value = 99;
          } catch (error) {
            attempts.push((error as Error).name);
          }
          return undefined;
        }),
      ],
      faults: [
        { atMs: 20, type: 'crash', node: 1 },
        { atMs: 30, type: 'restart', node: 1 },
      ],
      durationMs: 100,
    });
    expect(attempts.length).toBeGreaterThan(0);
    expect(new Set(attempts)).toEqual(new Set(['TypeError']));
    expect(result.outputs.map((record) => record.output.keys)).toEqual([[], [], ['a']]);
  });

  it("a property's record that throws fails the run as that property", () => {
    const result = simulate<Journal>({
      seed: 1,
      nodes: serversOf(2, Journaler),
      config: {},
      inputs: [put(10, 'a', 1)],
      properties: [
        always<Journal, null>('fragile', {
          memory: () => null,
          records: ['storage'],
          record() {
            throw new Error('oops');
          },
        }),
      ],
      durationMs: 100,
    });
    expect(result.failure).toMatchObject({ kind: 'violation', property: 'fragile', node: 1, timeMs: 10 });
    // The message names the event the property was reading, with its values, so that a malformed one is seen at once.
    expect(result.failure?.message).toMatch(/^the property's own check threw \(Error: oops\) while reading n1's write of "[^"]+" = .+ at 10 ms: check the fields of that value against the handout/);
  });
});
