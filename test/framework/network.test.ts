import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Node, SettingsError, simulate, type DelayDistribution, type NetworkSettings, type NodeId, type Protocol } from '../../framework/testing.ts';
import { detailOf, ofKind } from './helpers.ts';

interface Net extends Protocol {
  message: { type: 'Data'; seq: number };
  timer: { type: 'Next' };
  input: never;
  output: never;
  config: {
    /** How many messages each sender sends to `target`. */
    count: number;
    /** 0: all at start; otherwise one every `spacingMs`. */
    spacingMs: number;
    senders: readonly NodeId[];
    target: NodeId;
  };
  storage: Record<never, never>;
}

class Sender extends Node<Net> {
  sent = 0;
  override onStart(): void {
    if (!this.config.senders.includes(this.id)) return;
    if (this.config.spacingMs === 0) {
      for (let seq = 0; seq < this.config.count; seq++) this.send(this.config.target, { type: 'Data', seq });
      this.sent = this.config.count;
    } else {
      this.setTimer({ type: 'Next' }, this.config.spacingMs);
    }
  }
  override onTimer(): void {
    this.send(this.config.target, { type: 'Data', seq: this.sent++ });
    if (this.sent < this.config.count) this.setTimer({ type: 'Next' }, this.config.spacingMs);
  }
}

function run(seed: number | string, network: Partial<NetworkSettings>, config: Partial<Net['config']> = {}, trace: 'full' | 'ring' = 'full') {
  return simulate<Net>({
    seed,
    nodes: [
      { role: 'server', node: Sender },
      { role: 'server', node: Sender },
      { role: 'server', node: Sender },
    ],
    config: { count: 100, spacingMs: 0, senders: [0], target: 1, ...config },
    network,
    durationMs: 1_000_000,
    trace,
  });
}

/** Sequence numbers n1 received from `sender`, in delivery order. */
function receivedFrom(trace: ReturnType<typeof run>['trace'], sender: NodeId, receiver: NodeId = 1): number[] {
  return ofKind(trace, 'deliver')
    .filter((event) => event.peer === sender && event.node === receiver)
    .map((event) => detailOf<{ seq: number }>(event).seq);
}

function inversions(sequence: readonly number[]): number {
  let count = 0;
  for (let index = 1; index < sequence.length; index++) if ((sequence[index] as number) < (sequence[index - 1] as number)) count++;
  return count;
}

describe('message loss', () => {
  // n = 5000 messages: the drop count is Binomial(n, p), standard deviation sqrt(p(1-p)/n) <= 0.0071 in
  // fraction; 5 standard deviations (~0.035) is a tolerance a correct implementation misses with
  // probability below 1e-6, while a wrong rate (p ± 0.05) or a broken comparison is caught.
  const n = 5000;
  for (const p of [0.1, 0.3, 0.7]) {
    it(`with dropRate ${p} the observed drop fraction over ${n} messages is within 5 sigma of ${p}`, () => {
      const tolerance = 5 * Math.sqrt((p * (1 - p)) / n);
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const result = run(seed, { dropRate: p }, { count: n }, 'ring');
          const { messagesSent, messagesDropped, messagesDelivered } = result.counters;
          expect(messagesSent).toBe(n);
          expect(messagesDropped + messagesDelivered).toBe(n);
          expect(Math.abs(messagesDropped / n - p)).toBeLessThanOrEqual(tolerance);
        }),
        { seed: 42, numRuns: 4 },
      );
    });
  }

  it('drops are traced as "lost" drops of the right message, and the receiver gets exactly the rest', () => {
    const result = run(5, { dropRate: 0.3 }, { count: 1000 });
    const lost = ofKind(result.trace, 'drop').filter((event) => event.reason === 'lost');
    expect(lost.length).toBe(result.counters.messagesDropped);
    for (const event of lost) {
      expect(event.node).toBe(1);
      expect(event.peer).toBe(0);
    }
    const lostSeqs = new Set(lost.map((event) => detailOf<{ seq: number }>(event).seq));
    const received = receivedFrom(result.trace, 0).sort((a, b) => a - b);
    const expected = Array.from({ length: 1000 }, (_unused, seq) => seq).filter((seq) => !lostSeqs.has(seq));
    expect(received).toEqual(expected);
  });

  it('dropRate 0 loses nothing and dropRate 1 loses everything', () => {
    expect(run(1, { dropRate: 0 }, { count: 500 }, 'ring').counters.messagesDelivered).toBe(500);
    const all = run(1, { dropRate: 1 }, { count: 500 }, 'ring');
    expect(all.counters.messagesDropped).toBe(500);
    expect(all.counters.messagesDelivered).toBe(0);
  });

  it('a network fault changes the drop rate from its time on', () => {
    const result = simulate<Net>({
      seed: 9,
      nodes: [
        { role: 'server', node: Sender },
        { role: 'server', node: Sender },
      ],
      config: { count: 400, spacingMs: 1, senders: [0], target: 1 },
      faults: [{ atMs: 200, type: 'network', dropRate: 1 }],
      durationMs: 10_000,
      trace: 'full',
    });
    const received = receivedFrom(result.trace, 0);
    // Messages sent at 1..199 ms (seq 0..198) all arrive; nothing sent from 200 ms on does.
    expect(received.sort((a, b) => a - b)).toEqual(Array.from({ length: 199 }, (_unused, seq) => seq));
  });
});

describe('duplication', () => {
  it('with duplicateRate 1 every message arrives exactly twice, as two independent copies', () => {
    const result = run(3, { duplicateRate: 1 }, { count: 300 });
    const counts = new Map<number, number>();
    for (const seq of receivedFrom(result.trace, 0)) counts.set(seq, (counts.get(seq) ?? 0) + 1);
    expect(counts.size).toBe(300);
    for (const count of counts.values()) expect(count).toBe(2);
    expect(result.counters.messagesDuplicated).toBe(300);
    expect(result.counters.messagesDelivered).toBe(600);
    expect(result.counters.messagesSent).toBe(300);
    expect(ofKind(result.trace, 'duplicate')).toHaveLength(300);
  });

  it('with duplicateRate 0.2 the duplicated fraction is near 0.2 (5 sigma over 5000 messages)', () => {
    const n = 5000;
    const result = run(11, { duplicateRate: 0.2 }, { count: n }, 'ring');
    expect(Math.abs(result.counters.messagesDuplicated / n - 0.2)).toBeLessThanOrEqual(5 * Math.sqrt((0.2 * 0.8) / n));
    expect(result.counters.messagesDelivered).toBe(n + result.counters.messagesDuplicated);
  });

  it('a dropped message is not also duplicated', () => {
    const result = run(3, { duplicateRate: 1, dropRate: 1 }, { count: 50 }, 'ring');
    expect(result.counters.messagesDelivered).toBe(0);
    expect(result.counters.messagesDuplicated).toBe(0);
  });
});

describe('delays', () => {
  it('every message is in flight for a time inside the uniform [minMs, maxMs], and the ends are reached', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 5 }), fc.integer(), (minMs, width, seed) => {
        const maxMs = minMs + width;
        const result = run(seed, { delay: { kind: 'uniform', minMs, maxMs } }, { count: 200, spacingMs: 3 });
        const sentAt = new Map(ofKind(result.trace, 'send').map((event) => [detailOf<{ seq: number }>(event).seq, event.timeMs]));
        const delays = ofKind(result.trace, 'deliver').map((event) => event.timeMs - (sentAt.get(detailOf<{ seq: number }>(event).seq) as number));
        expect(delays).toHaveLength(200);
        for (const delay of delays) {
          expect(delay).toBeGreaterThanOrEqual(minMs);
          expect(delay).toBeLessThanOrEqual(maxMs);
        }
        expect(Math.min(...delays)).toBe(minMs);
        expect(Math.max(...delays)).toBe(maxMs);
      }),
      { seed: 42, numRuns: 30 },
    );
  });

  it('exponential delays stay within [minMs, maxMs] and their mean is near meanMs + minMs', () => {
    const delay: DelayDistribution = { kind: 'exponential', meanMs: 20, minMs: 2, maxMs: 1000 };
    const result = run(4, { delay }, { count: 4000, spacingMs: 1 });
    const sentAt = new Map(ofKind(result.trace, 'send').map((event) => [detailOf<{ seq: number }>(event).seq, event.timeMs]));
    const delays = ofKind(result.trace, 'deliver').map((event) => event.timeMs - (sentAt.get(detailOf<{ seq: number }>(event).seq) as number));
    for (const value of delays) {
      expect(value).toBeGreaterThanOrEqual(2);
      expect(value).toBeLessThanOrEqual(1000);
    }
    // floor(Exp(20)) has mean ~19.5; its sd is 20, so the sample mean's sd is 20/sqrt(4000) ~ 0.32.
    const mean = delays.reduce((sum, value) => sum + value, 0) / delays.length;
    expect(Math.abs(mean - (2 + 19.5))).toBeLessThan(2);
  });

  it('invalid network settings are rejected with a SettingsError before the run', () => {
    const bad: Partial<NetworkSettings>[] = [
      { dropRate: 1.5 },
      { duplicateRate: -0.1 },
      { dropRate: Number.NaN },
      { delay: { kind: 'uniform', minMs: 0, maxMs: 5 } },
      { delay: { kind: 'uniform', minMs: 5, maxMs: 4 } },
      { delay: { kind: 'exponential', meanMs: 0 } },
    ];
    for (const network of bad) expect(() => run(1, network, { count: 1 })).toThrow(SettingsError);
  });

  it('invalid settings in a "network" fault action are rejected like invalid run settings', () => {
    const attempt = (change: Partial<NetworkSettings>) => () =>
      simulate<Net>({
        seed: 1,
        nodes: [
          { role: 'server', node: Sender },
          { role: 'server', node: Sender },
        ],
        config: { count: 10, spacingMs: 1, senders: [0], target: 1 },
        faults: [{ atMs: 5, type: 'network', ...change }],
        durationMs: 100,
      });
    expect(attempt({ dropRate: 5 })).toThrow(SettingsError);
    expect(attempt({ delay: { kind: 'uniform', minMs: 0, maxMs: 0 } })).toThrow(SettingsError);
  });
});

describe('ordering', () => {
  it('FIFO channels never reorder: each receiver sees every sender\'s messages in send order', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(0, 0.3), fc.constantFrom(0, 0.5), (seed, dropRate, duplicateRate) => {
        const result = run(
          seed,
          { fifo: true, dropRate, duplicateRate, delay: { kind: 'uniform', minMs: 1, maxMs: 100 } },
          { count: 150, spacingMs: 1, senders: [0, 2], target: 1 },
        );
        for (const sender of [0, 2]) {
          const seqs = receivedFrom(result.trace, sender);
          expect(seqs.length).toBeGreaterThan(50);
          expect(inversions(seqs)).toBe(0);
        }
      }),
      { seed: 42, numRuns: 30 },
    );
  });

  it('FIFO holds for messages sent in the same instant too', () => {
    const result = run(8, { fifo: true, delay: { kind: 'uniform', minMs: 1, maxMs: 50 } }, { count: 300 });
    expect(receivedFrom(result.trace, 0)).toEqual(Array.from({ length: 300 }, (_unused, seq) => seq));
  });

  it('the non-FIFO network does reorder messages on one channel', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const result = run(seed, { fifo: false, delay: { kind: 'uniform', minMs: 1, maxMs: 100 } }, { count: 150, spacingMs: 1 });
        const seqs = receivedFrom(result.trace, 0);
        expect(seqs).toHaveLength(150);
        expect(inversions(seqs)).toBeGreaterThan(0);
      }),
      { seed: 42, numRuns: 10 },
    );
  });

  it('a fault that turns FIFO on mid-run keeps later messages in order', () => {
    const result = simulate<Net>({
      seed: 2,
      nodes: [
        { role: 'server', node: Sender },
        { role: 'server', node: Sender },
      ],
      config: { count: 300, spacingMs: 1, senders: [0], target: 1 },
      network: { delay: { kind: 'uniform', minMs: 1, maxMs: 100 } },
      faults: [{ atMs: 150, type: 'network', fifo: true }],
      durationMs: 10_000,
      trace: 'full',
    });
    const seqs = receivedFrom(result.trace, 0);
    expect(inversions(seqs.filter((seq) => seq < 149))).toBeGreaterThan(0);
    expect(inversions(seqs.filter((seq) => seq >= 149))).toBe(0);
  });
});
