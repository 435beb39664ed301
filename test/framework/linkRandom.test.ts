import { describe, expect, it } from 'vitest';
import { drawsPerSend, LinkRandom } from '../../framework/_internals/linkRandom.ts';
import { Node, simulate, type NodeId, type Protocol } from '../../framework/testing.ts';

/** Pearson correlation of two equally long samples. */
function correlation(left: readonly number[], right: readonly number[]): number {
  const count = left.length;
  let sumLeft = 0;
  let sumRight = 0;
  for (let index = 0; index < count; index++) {
    sumLeft += left[index] as number;
    sumRight += right[index] as number;
  }
  const meanLeft = sumLeft / count;
  const meanRight = sumRight / count;
  let covariance = 0;
  let varianceLeft = 0;
  let varianceRight = 0;
  for (let index = 0; index < count; index++) {
    const deltaLeft = (left[index] as number) - meanLeft;
    const deltaRight = (right[index] as number) - meanRight;
    covariance += deltaLeft * deltaRight;
    varianceLeft += deltaLeft * deltaLeft;
    varianceRight += deltaRight * deltaRight;
  }
  return covariance / Math.sqrt(varianceLeft * varianceRight);
}

/** Pearson's chi-squared statistic of bucket counts against equal expected counts. */
function chiSquared(buckets: readonly number[]): number {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  const expected = total / buckets.length;
  return buckets.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

/** The first `sends` sends' draw `draw` on the link from → to. */
function draws(random: LinkRandom, from: number, to: number, sends: number, draw: number): number[] {
  const linkKey = random.linkKey(from, to);
  return Array.from({ length: sends }, (_unused, count) => random.draw(random.sendKey(linkKey, count), draw));
}

// The draws are fixed by the seed, so these are checks of the function, not of luck: each bound
// is several standard deviations wide, and the same numbers come out on every run.
describe('per-link network draws', () => {
  const random = new LinkRandom('linkRandom.test/1');

  it('are the same for the same seed, link, count and draw, and differ across seeds', () => {
    const again = new LinkRandom('linkRandom.test/1');
    const other = new LinkRandom('linkRandom.test/2');
    const drawOf = (source: LinkRandom) => source.draw(source.sendKey(source.linkKey(3, 4), 17), 2);
    expect(drawOf(again)).toBe(drawOf(random));
    expect(drawOf(other)).not.toBe(drawOf(random));
  });

  it('drawSend, the simulator\'s one call per send, gives the draws of linkKey, sendKey and draw', () => {
    for (const [from, to, count] of [[0, 1, 0], [7, 3, 12], [499, 0, 4_000_000_000]] as const) {
      const sendKey = random.sendKey(random.linkKey(from, to), count);
      expect([...random.drawSend(from, to, count)]).toEqual([0, 1, 2, 3].map((draw) => random.draw(sendKey, draw)));
    }
  });

  it('are uniform in [0, 1): mean, bucket counts, at least 32 bits', () => {
    const sample: number[] = [];
    for (let from = 0; from < 8; from++) {
      for (let to = 0; to < 8; to++) {
        for (let draw = 0; draw < drawsPerSend; draw++) sample.push(...draws(random, from, to, 500, draw));
      }
    }
    expect(sample.every((value) => value >= 0 && value < 1)).toBe(true);
    const mean = sample.reduce((sum, value) => sum + value, 0) / sample.length;
    // 128,000 draws: the mean's standard deviation is 0.0008.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.004);
    const buckets = new Array<number>(64).fill(0);
    for (const value of sample) (buckets[Math.floor(value * 64)] as number)++;
    // 63 degrees of freedom: 110 is beyond the 99.99th percentile.
    expect(chiSquared(buckets)).toBeLessThan(110);
    // The low bits vary too: draws are 32-bit fractions, not coarser ones.
    const lowBits = new Array<number>(16).fill(0);
    for (const value of sample) (lowBits[Math.floor(value * 2 ** 32) & 15] as number)++;
    expect(chiSquared(lowBits)).toBeLessThan(50);
  });

  it('are independent across neighbouring counts, draws and links', () => {
    const sends = 20_000;
    const base = draws(random, 5, 6, sends + 1, 0);
    const pairs: [string, number[], number[]][] = [
      ['next count', base.slice(0, sends), base.slice(1)],
      ['next draw of the same send', base.slice(0, sends), draws(random, 5, 6, sends, 1)],
      ['next receiver', base.slice(0, sends), draws(random, 5, 7, sends, 0)],
      ['next sender', base.slice(0, sends), draws(random, 6, 6, sends, 0)],
      ['reversed link', base.slice(0, sends), draws(random, 6, 5, sends, 0)],
      ['same count of the other draws', draws(random, 5, 6, sends, 2), draws(random, 5, 6, sends, 3)],
    ];
    for (const [name, left, right] of pairs) {
      // 20,000 pairs: a correlation's standard deviation is 0.007.
      expect(Math.abs(correlation(left, right)), name).toBeLessThan(0.035);
      // Joint buckets: an 8 x 8 grid of pairs, 63 degrees of freedom.
      const grid = new Array<number>(64).fill(0);
      for (let index = 0; index < sends; index++) {
        (grid[Math.floor((left[index] as number) * 8) * 8 + Math.floor((right[index] as number) * 8)] as number)++;
      }
      expect(chiSquared(grid), name).toBeLessThan(110);
    }
  });
});

interface Pairs extends Protocol {
  message: { type: 'Data'; seq: number };
  timer: never;
  input: never;
  output: never;
  config: { count: number };
  storage: Record<never, never>;
}

/** Nodes 0 and 2 each send `count` messages at start: 0 to 1, 2 to 3. */
class PairSender extends Node<Pairs> {
  override onStart(): void {
    if (this.id % 2 !== 0) return;
    for (let seq = 0; seq < this.config.count; seq++) this.send((this.id + 1) as NodeId, { type: 'Data', seq });
  }
}

describe('a link draws on its own', () => {
  function deliveriesFrom0To1(cutLink23: boolean): string[] {
    const result = simulate<Pairs>({
      seed: 11,
      nodes: Array.from({ length: 4 }, () => ({ role: 'server' as const, node: PairSender })),
      config: { count: 40 },
      network: { delay: { kind: 'uniform', minMs: 1, maxMs: 50 }, dropRate: 0.2, duplicateRate: 0.2 },
      faults: cutLink23 ? [{ atMs: 0, type: 'cut', from: [2], to: [3] }] : [],
      durationMs: 1_000,
      trace: 'full',
    });
    return result.trace.filter((event) => event.node === 1).map((event) => `${event.timeMs} ${event.kind} ${JSON.stringify(event.detail)}`);
  }

  it('a fault on another link does not change what arrives on this one', () => {
    const plain = deliveriesFrom0To1(false);
    expect(plain.length).toBeGreaterThan(10);
    expect(deliveriesFrom0To1(true)).toEqual(plain);
  });
});
