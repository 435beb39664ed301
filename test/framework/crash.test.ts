import { describe, expect, it } from 'vitest';
import { always, Node, simulate, unreachable, type FaultAction, type NodeId, type Protocol } from '../../framework/testing.ts';
import { ofKind } from './helpers.ts';

interface Crashy extends Protocol {
  message: { type: 'Ping'; seq: number };
  timer: { type: 'Tick' } | { type: 'Late'; setAt: number };
  input: { type: 'Add'; amount: number };
  output: { type: 'Count'; volatile: number; durable: number } | { type: 'Started'; draw: number; durable: number } | { type: 'Added'; amount: number } | { type: 'Late'; setAt: number };
  config: Record<never, never>;
  storage: { total: number; record: { list: number[] } };
}

/** n0 counts ticks in a field and in storage; n1 pings n0 every 5 ms. */
class Counter extends Node<Crashy> {
  count = 0;
  pings = 0;

  override onStart(): void {
    if (this.id !== 0) {
      this.setTimer({ type: 'Tick' }, 5);
      return;
    }
    this.output({ type: 'Started', draw: this.random(), durable: this.storage.get('total') ?? 0 });
    this.setTimer({ type: 'Tick' }, 10);
    this.setTimer({ type: 'Late', setAt: this.now() }, 150);
  }

  override onTimer(timer: Crashy['timer']): void {
    switch (timer.type) {
      case 'Tick':
        if (this.id !== 0) {
          this.send(0, { type: 'Ping', seq: this.pings++ });
          this.setTimer({ type: 'Tick' }, 5);
          return;
        }
        this.count++;
        this.storage.set('total', (this.storage.get('total') ?? 0) + 1);
        this.output({ type: 'Count', volatile: this.count, durable: this.storage.get('total') ?? 0 });
        if (this.now() === 50) this.setTimer({ type: 'Late', setAt: 50 }, 200);
        this.setTimer({ type: 'Tick' }, 10);
        return;
      case 'Late':
        this.output({ type: 'Late', setAt: timer.setAt });
        return;
      default:
        unreachable(timer);
    }
  }

  override onMessage(_from: NodeId, _message: Crashy['message']): void {
    this.pings++;
  }

  override onInput(input: Crashy['input']): void {
    this.output({ type: 'Added', amount: input.amount });
  }
}

const crashAt = 100;
const restartAt = 200;
const faults: FaultAction[] = [
  { atMs: crashAt, type: 'crash', node: 0 },
  { atMs: restartAt, type: 'restart', node: 0 },
];

function runCrash(extra: Partial<Parameters<typeof simulate<Crashy>>[0]> = {}) {
  return simulate<Crashy>({
    seed: 5,
    nodes: [
      { role: 'server', node: Counter },
      { role: 'server', node: Counter },
    ],
    config: {},
    faults,
    durationMs: 400,
    trace: 'full',
    ...extra,
  });
}

describe('crash and restart', () => {
  it('a crash loses volatile fields but keeps durable storage', () => {
    const result = runCrash();
    expect(result.passed).toBe(true);
    const counts = result.outputs.filter((record) => record.output.type === 'Count').map((record) => ({ t: record.timeMs, ...record.output }));
    const before = counts.filter((record) => record.t < crashAt);
    const after = counts.filter((record) => record.t >= restartAt);
    expect(before.map((record) => record.t)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(before.at(-1)).toMatchObject({ volatile: 9, durable: 9 });
    // The fresh object counts from 1 again; storage continues from 9.
    expect(after[0]).toMatchObject({ t: 210, volatile: 1, durable: 10 });
    expect(after.at(-1)).toMatchObject({ t: 400, volatile: 20, durable: 29 });
    const starts = result.outputs.filter((record) => record.output.type === 'Started');
    expect(starts.map((record) => [record.timeMs, (record.output as { durable: number }).durable])).toEqual([
      [0, 0],
      [200, 9],
    ]);
  });

  it('restart calls onStart again, on a fresh object: the cluster shows the node down, then up as its next incarnation', () => {
    const seen: { timeMs: number; crashed: boolean; incarnation: number }[] = [];
    const result = runCrash({
      properties: [
        always<Crashy>('watch n0', (cluster) => {
          seen.push({ timeMs: cluster.nowMs, crashed: cluster.isCrashed(0), incarnation: cluster.incarnation(0) });
          return undefined;
        }),
      ],
    });
    const before = seen.filter((entry) => entry.timeMs < crashAt);
    const whileDown = seen.filter((entry) => entry.timeMs >= crashAt && entry.timeMs < restartAt);
    const after = seen.filter((entry) => entry.timeMs >= restartAt);
    expect(before.length).toBeGreaterThan(0);
    expect(whileDown.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    for (const entry of before) expect(entry).toMatchObject({ crashed: false, incarnation: 0 });
    for (const entry of whileDown) expect(entry).toMatchObject({ crashed: true, incarnation: 0 });
    for (const entry of after) expect(entry).toMatchObject({ crashed: false, incarnation: 1 });
    // The second onStart ran on a fresh object: its count starts again, stamped with incarnation 1.
    const counts = result.outputs.filter((record) => record.output.type === 'Count' && record.node === 0);
    expect(counts.filter((record) => record.timeMs < crashAt).every((record) => record.incarnation === 0)).toBe(true);
    expect(counts.find((record) => record.timeMs > restartAt)).toMatchObject({ incarnation: 1, output: { volatile: 1 } });
  });

  it('a crashed node receives nothing: messages to it are dropped as "receiver crashed" and counted', () => {
    const result = runCrash();
    const delivered = ofKind(result.trace, 'deliver').filter((event) => event.node === 0);
    expect(delivered.some((event) => event.timeMs < crashAt)).toBe(true);
    expect(delivered.some((event) => event.timeMs > restartAt)).toBe(true);
    expect(delivered.filter((event) => event.timeMs >= crashAt && event.timeMs < restartAt)).toEqual([]);
    const drops = ofKind(result.trace, 'drop');
    expect(drops.length).toBeGreaterThanOrEqual(15);
    for (const drop of drops) {
      expect(drop.reason).toBe('receiver crashed');
      expect(drop.node).toBe(0);
      expect(drop.peer).toBe(1);
      expect(drop.timeMs).toBeGreaterThanOrEqual(crashAt);
      expect(drop.timeMs).toBeLessThan(restartAt);
    }
    expect(result.counters.messagesDropped).toBe(drops.length);
    expect(result.counters.receivedByNode[0]).toBe(delivered.length);
  });

  it("a crashed node's timers die: none fires while it is down, and none set before the crash fires after the restart", () => {
    const result = runCrash();
    const fires = ofKind(result.trace, 'timer-fire').filter((event) => event.node === 0);
    expect(fires.filter((event) => event.timeMs >= crashAt && event.timeMs < restartAt)).toEqual([]);
    // 'Late' timers: set at 0 (due 150, while down) and at 50 (due 250, after the restart); the
    // second incarnation's own 'Late' (set at 200, due 350) is the only one that fires.
    const late = result.outputs.filter((record) => record.output.type === 'Late');
    expect(late.map((record) => [record.timeMs, (record.output as { setAt: number }).setAt])).toEqual([[350, 200]]);
    // And the old Tick timer (due at 110 ms) did not come back: ticks after the restart are 210, 220, ...
    const ticks = fires.filter((event) => event.label === 'Tick').map((event) => event.timeMs);
    expect(ticks.filter((time) => time > restartAt && time < 260)).toEqual([210, 220, 230, 240, 250]);
  });

  it('inputs to a crashed node are not given, and are traced as such', () => {
    const result = runCrash({
      inputs: [
        { atMs: 50, node: 0, input: { type: 'Add', amount: 1 } },
        { atMs: 150, node: 0, input: { type: 'Add', amount: 2 } },
        { atMs: 250, node: 0, input: { type: 'Add', amount: 3 } },
      ],
    });
    const added = result.outputs.filter((record) => record.output.type === 'Added').map((record) => (record.output as { amount: number }).amount);
    expect(added).toEqual([1, 3]);
    const inputs = ofKind(result.trace, 'input');
    expect(inputs.map((event) => [event.timeMs, event.reason])).toEqual([
      [50, undefined],
      [150, 'not given: node crashed'],
      [250, undefined],
    ]);
  });

  it('a restarted node draws fresh random numbers, not a replay of its first life', () => {
    const result = runCrash();
    const draws = result.outputs.filter((record) => record.output.type === 'Started').map((record) => (record.output as { draw: number }).draw);
    expect(draws).toHaveLength(2);
    expect(draws[0]).not.toBe(draws[1]);
  });

  it('crashing a crashed node and restarting a live node change nothing', () => {
    const plain = runCrash();
    const redundant = runCrash({
      faults: [
        { atMs: 20, type: 'restart', node: 0 },
        ...faults,
        { atMs: 150, type: 'crash', node: 0 },
        { atMs: 300, type: 'restart', node: 0 },
      ],
    });
    // (Fault actions are events too, so only the step numbers may differ.)
    const view = (records: typeof plain.outputs) => records.map(({ timeMs, node, output }) => ({ timeMs, node, output }));
    expect(view(redundant.outputs)).toEqual(view(plain.outputs));
    expect(ofKind(redundant.trace, 'crash')).toHaveLength(1);
    expect(ofKind(redundant.trace, 'restart')).toHaveLength(1);
  });

  it('crash and restart are traced with the node and its class', () => {
    const result = runCrash();
    const crash = ofKind(result.trace, 'crash');
    const restart = ofKind(result.trace, 'restart');
    expect(crash.map((event) => [event.timeMs, event.node, event.label])).toEqual([[crashAt, 0, 'Counter']]);
    expect(restart.map((event) => [event.timeMs, event.node, event.label])).toEqual([[restartAt, 0, 'Counter']]);
    expect(ofKind(result.trace, 'fault').map((event) => event.label)).toEqual([`at ${crashAt} ms: crash n0`, `at ${restartAt} ms: restart n0`]);
  });
});

describe('durable storage', () => {
  interface Store extends Protocol {
    message: never;
    timer: { type: 'Check' };
    input: never;
    output: { type: 'Seen'; record: unknown; keys: string[]; total: unknown };
    config: Record<never, never>;
    storage: { total: number; record: { list: number[] } };
  }
  class Keeper extends Node<Store> {
    override onStart(): void {
      if (this.storage.get('record') !== undefined) {
        this.output({ type: 'Seen', record: this.storage.get('record'), keys: this.storage.keys(), total: this.storage.get('total') });
        return;
      }
      const record = { list: [1, 2] };
      this.storage.set('record', record);
      record.list.push(3); // after set: not stored
      const read = this.storage.get('record');
      read?.list.push(4); // a read value is a copy: not stored either
      this.storage.set('total', 7);
      this.storage.delete('total');
    }
  }

  it('values are copied in and out, keys are listed sorted, delete removes; all survive a crash', () => {
    const result = simulate<Store>({
      seed: 1,
      nodes: [{ role: 'server', node: Keeper }],
      config: {},
      faults: [
        { atMs: 10, type: 'crash', node: 0 },
        { atMs: 20, type: 'restart', node: 0 },
      ],
      durationMs: 100,
    });
    expect(result.passed).toBe(true);
    expect(result.outputs.map((record) => record.output)).toEqual([{ type: 'Seen', record: { list: [1, 2] }, keys: ['record'], total: undefined }]);
  });

  it('storing something that is not plain data fails the run naming the key', () => {
    class BadStore extends Node<Store> {
      override onStart(): void {
        this.storage.set('record', { list: [1], extra: () => 1 } as unknown as { list: number[] });
      }
    }
    const result = simulate<Store>({ seed: 1, nodes: [{ role: 'server', node: BadStore }], config: {}, durationMs: 100 });
    expect(result.passed).toBe(false);
    expect(result.failure?.property).toBe('plain data');
    expect(result.failure?.message).toContain('storage record');
    expect(result.failure?.message).toContain('extra');
  });

  it('storage is per node', () => {
    class Mine extends Node<Store> {
      override onStart(): void {
        const before = this.storage.get('total');
        this.storage.set('total', this.id * 10);
        this.setTimer({ type: 'Check' }, 1);
        if (before !== undefined) throw new Error('storage leaked between nodes');
      }
      override onTimer(): void {
        this.output({ type: 'Seen', record: undefined, keys: this.storage.keys(), total: this.storage.get('total') });
      }
    }
    const result = simulate<Store>({
      seed: 1,
      nodes: [
        { role: 'server', node: Mine },
        { role: 'server', node: Mine },
        { role: 'client', node: Mine },
      ],
      config: {},
      durationMs: 100,
    });
    expect(result.passed).toBe(true);
    expect(result.outputs.map((record) => [record.node, (record.output as { total: unknown }).total])).toEqual([
      [0, 0],
      [1, 10],
      [2, 20],
    ]);
  });
});
