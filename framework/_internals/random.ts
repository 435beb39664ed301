import seedrandom from 'seedrandom';
import { nodeName, type NodeId } from '../types.ts';
import { Alea } from './alea.ts';

/** Saved state of a random source: plain data, so it can live inside a node's state. */
export type RandomState = seedrandom.State.Alea;

/**
 * A seeded random source. Every generator in a run is forked from the run's seed by a label
 * ("network/n0->n1", "node/n2/1", "workload"), so one component's draws never shift another's.
 */
export class RandomSource extends Alea {
  constructor(seedOrState: string | RandomState) {
    super(typeof seedOrState === 'string' ? seedrandom.alea(seedOrState, { state: true }).state() : seedOrState);
  }

  /** A generator for `label`, independent of every other label under the same seed. */
  static fork(seed: string | number, label: string): RandomSource {
    return new RandomSource(`${seed}/${label}`);
  }

  /** Uniform integer in [minInclusive, maxInclusive]. */
  integer(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(this.next() * (maxInclusive - minInclusive + 1));
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick() needs a non-empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** The random-source labels of a run: one place, so every driver draws the same numbers. */
export const randomLabels = {
  node: (id: NodeId, incarnation: number) => `node/${nodeName(id)}/${incarnation}`,
  timers: (id: NodeId) => `timers/${nodeName(id)}`,
  workload: 'workload',
} as const;

/** A new random source for a node's incarnation. */
export function nodeRandom(seed: string, id: NodeId, incarnation: number): RandomSource {
  return RandomSource.fork(seed, randomLabels.node(id, incarnation));
}
