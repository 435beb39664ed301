import seedrandom from 'seedrandom';

/** Saved state of a random source: plain data, so it can live inside a node's state. */
export type RandomState = seedrandom.State.Alea;

/**
 * A seeded random source. Every generator in a run is forked from the run's seed by a label
 * ("network/n0->n1", "node/n2/1", "workload"), so one component's draws never shift another's.
 */
export class RandomSource {
  private readonly generator: seedrandom.StatefulPRNG<RandomState>;

  constructor(seedOrState: string | RandomState) {
    this.generator =
      typeof seedOrState === 'string'
        ? seedrandom.alea(seedOrState, { state: true })
        : seedrandom.alea('', { state: { ...seedOrState } });
  }

  /** A generator for `label`, independent of every other label under the same seed. */
  static fork(seed: string | number, label: string): RandomSource {
    return new RandomSource(`${seed}/${label}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.generator();
  }

  /** Uniform integer in [minInclusive, maxInclusive]. */
  integer(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(this.generator() * (maxInclusive - minInclusive + 1));
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick() needs a non-empty array');
    return items[Math.floor(this.generator() * items.length)] as T;
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.generator() < probability;
  }

  state(): RandomState {
    return this.generator.state();
  }
}
