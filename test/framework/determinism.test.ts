import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Node, serializeTrace, simulate, type FaultAction, type NodeId, type Protocol } from '../../framework/testing.ts';
import { chaosFaults, chaosTrace, runChaos } from './fixtures/chaos.ts';
import { detailOf, ofKind } from './helpers.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const printTraceScript = fileURLToPath(new URL('./fixtures/print-trace.ts', import.meta.url));

function traceFromChildProcess(seed: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', printTraceScript, seed], {
    cwd: projectRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

const node = fc.integer({ min: 0, max: 4 });
const atMs = fc.integer({ min: 0, max: 300 });
const faultAction: fc.Arbitrary<FaultAction> = fc.oneof(
  fc.record({ atMs, node }).map(({ atMs, node }): FaultAction => ({ atMs, type: 'crash', node })),
  fc.record({ atMs, node }).map(({ atMs, node }): FaultAction => ({ atMs, type: 'restart', node })),
  fc.record({ atMs, node }).map(({ atMs, node }): FaultAction => ({ atMs, type: 'isolate', node })),
  atMs.map((atMs): FaultAction => ({ atMs, type: 'heal' })),
  fc
    .record({ atMs, groups: fc.array(fc.uniqueArray(node, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }) })
    // Each node in at most one group: a node listed twice is a schedule error.
    .map(({ atMs, groups }): FaultAction => {
      const seen = new Set<number>();
      const disjoint = groups.map((group) => group.filter((id) => !seen.has(id) && (seen.add(id), true))).filter((group) => group.length > 0);
      return { atMs, type: 'partition', groups: disjoint };
    }),
  fc
    .record({ atMs, from: fc.uniqueArray(node, { minLength: 1, maxLength: 3 }), to: fc.uniqueArray(node, { minLength: 1, maxLength: 3 }) })
    .map(({ atMs, from, to }): FaultAction => ({ atMs, type: 'cut', from, to })),
  fc
    .record({ atMs, dropRate: fc.constantFrom(0, 0.2, 0.6), duplicateRate: fc.constantFrom(0, 0.3, 1), fifo: fc.boolean() })
    .map(({ atMs, dropRate, duplicateRate, fifo }): FaultAction => ({ atMs, type: 'network', dropRate, duplicateRate, fifo })),
);
const faultSchedule = fc.array(faultAction, { maxLength: 8 });
const seed = fc.oneof(fc.integer(), fc.string({ maxLength: 12 }));

describe('determinism: same seed and schedule, same trace', () => {
  it('the reference scenario really exercises drops, duplicates, partitions, crashes and restarts', () => {
    const { trace } = runChaos('42');
    const reasons = new Set(trace.map((event) => event.reason));
    const kinds = new Set(trace.map((event) => event.kind));
    for (const reason of ['lost', 'partitioned', 'receiver crashed', 'local', 'not given: node crashed']) expect(reasons).toContain(reason);
    for (const kind of ['duplicate', 'crash', 'restart', 'timer-cancel', 'output', 'log', 'fault'] as const) expect(kinds).toContain(kind);
  });

  it('two runs with the same seed and fault schedule give identical serialized traces, counters and outputs', () => {
    fc.assert(
      fc.property(seed, faultSchedule, (seed, faults) => {
        const first = runChaos(seed, faults);
        const second = runChaos(seed, faults);
        expect(serializeTrace(second.trace)).toBe(serializeTrace(first.trace));
        expect(second.counters).toEqual(first.counters);
        expect(second.outputs).toEqual(first.outputs);
        expect(second.steps).toBe(first.steps);
        expect(second.endTimeMs).toBe(first.endTimeMs);
      }),
      { seed: 42, numRuns: 40 },
    );
  });

  it('a numeric seed and its string form name the same run', () => {
    expect(chaosTrace(1234)).toBe(chaosTrace('1234'));
  });

  it('different seeds give different traces', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (left, right) => {
        fc.pre(left !== right);
        expect(chaosTrace(left)).not.toBe(chaosTrace(right));
      }),
      { seed: 42, numRuns: 25 },
    );
  });

  it('a different fault schedule changes the trace (the schedule is part of the run)', () => {
    expect(chaosTrace('42', chaosFaults.slice(1))).not.toBe(chaosTrace('42'));
  });

  it('two separate processes produce the same trace as each other and as this process', () => {
    const inProcess = chaosTrace('42');
    const first = traceFromChildProcess('42');
    const second = traceFromChildProcess('42');
    expect(first.length).toBeGreaterThan(1000);
    expect(first).toBe(second);
    expect(first).toBe(inProcess);
    const other = traceFromChildProcess('43');
    expect(other).not.toBe(first);
    expect(other).toBe(chaosTrace('43'));
  }, 30_000);
});

// A sender that sends one numbered message every 10 ms to each of its targets, whatever happens,
// and passive receivers: the traffic does not depend on what arrives, so delivery times of a
// channel depend only on that channel's random draws.
interface Stream extends Protocol {
  message: { type: 'Data'; seq: number };
  timer: { type: 'Send' };
  input: never;
  output: never;
  config: { targets: readonly NodeId[] };
  storage: Record<never, never>;
}

class StreamSender extends Node<Stream> {
  seq = 0;
  override onStart(): void {
    if (this.id === 0) this.setTimer({ type: 'Send' }, 10);
  }
  override onTimer(): void {
    const seq = this.seq++;
    for (const target of this.config.targets) this.send(target, { type: 'Data', seq });
    this.setTimer({ type: 'Send' }, 10);
  }
}

/** "seq@time" of every delivery to `receiver` of a message numbered at least `fromSeq`. */
function deliveriesTo(receiver: NodeId, fromSeq: number, duplicateRate: number, faults: FaultAction[], seed = 7): string[] {
  const result = simulate<Stream>({
    seed,
    nodes: [
      { role: 'server', node: StreamSender },
      { role: 'server', node: StreamSender },
      { role: 'server', node: StreamSender },
    ],
    config: { targets: [1, 2] },
    network: { delay: { kind: 'uniform', minMs: 1, maxMs: 30 }, duplicateRate },
    faults,
    durationMs: 800,
    trace: 'full',
  });
  return ofKind(result.trace, 'deliver')
    .filter((event) => event.node === receiver && detailOf<{ seq: number }>(event).seq >= fromSeq)
    .map((event) => `${detailOf<{ seq: number }>(event).seq}@${event.timeMs}`);
}

describe('determinism: faults do not shift unrelated random draws', () => {
  const cutToTwo: FaultAction[] = [
    { atMs: 100, type: 'cut', from: [0], to: [2] },
    { atMs: 200, type: 'heal' },
  ];
  const cutToOne: FaultAction[] = [
    { atMs: 100, type: 'cut', from: [0], to: [1] },
    { atMs: 200, type: 'heal' },
  ];

  it('cutting the link n0->n2 does not change anything on the link n0->n1', () => {
    expect(deliveriesTo(1, 0, 0.5, cutToTwo)).toEqual(deliveriesTo(1, 0, 0.5, []));
  });

  it('after a cut of n0->n1 heals, later messages on n0->n1 arrive exactly as without the cut (no duplicates)', () => {
    expect(deliveriesTo(1, 30, 0, cutToOne)).toEqual(deliveriesTo(1, 30, 0, []));
  });

  // Every send draws the same four numbers (drop, duplicate, delay, duplicate's delay), even
  // when the message is then blocked, so a blocked message shifts none of the later draws.
  it('after a cut of n0->n1 heals, later messages on n0->n1 arrive exactly as without the cut (with duplicates)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(deliveriesTo(1, 30, 0.5, cutToOne, seed)).toEqual(deliveriesTo(1, 30, 0.5, [], seed));
      }),
      { seed: 42, numRuns: 10 },
    );
  });
});
