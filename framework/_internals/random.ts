import seedrandom from 'seedrandom';
import { nodeName, type NodeId } from '../types.ts';

/** Saved state of a random source: plain data, so it can live inside a node's state. */
export type RandomState = seedrandom.State.Alea;

/**
 * A seeded random source. Every generator in a run is forked from the run's seed by a label
 * ("network/n0->n1", "node/n2/1", "workload"), so one component's draws never shift another's.
 */
export class RandomSource {
  // Alea (seedrandom.alea) inlined: the same numbers, without a closure call per draw.
  // `declare` fields: no undefined-initialised field, so V8 keeps them as unboxed doubles.
  private declare s0: number;
  private declare s1: number;
  private declare s2: number;
  private declare c: number;

  constructor(seedOrState: string | RandomState) {
    const state = typeof seedOrState === 'string' ? seedrandom.alea(seedOrState, { state: true }).state() : seedOrState;
    this.s0 = state.s0;
    this.s1 = state.s1;
    this.s2 = state.s2;
    this.c = state.c;
  }

  /** A generator for `label`, independent of every other label under the same seed. */
  static fork(seed: string | number, label: string): RandomSource {
    return new RandomSource(`${seed}/${label}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10;
    this.s0 = this.s1;
    this.s1 = this.s2;
    const carry = t | 0;
    this.c = carry;
    const value = t - carry;
    this.s2 = value;
    return value;
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

  state(): RandomState {
    return { s0: this.s0, s1: this.s1, s2: this.s2, c: this.c };
  }

  /** The same as {@link state}: the draws so far, for a reaction that draws elsewhere. */
  current(): RandomState {
    return this.state();
  }

  /** Goes on from `state`, as if the draws made elsewhere had been made here. */
  continueFrom(state: RandomState): void {
    this.s0 = state.s0;
    this.s1 = state.s1;
    this.s2 = state.s2;
    this.c = state.c;
  }
}

/** The random-source labels of a run: one place, so every driver draws the same numbers. */
export const randomLabels = {
  node: (id: NodeId, incarnation: number) => `node/${nodeName(id)}/${incarnation}`,
  timers: (id: NodeId) => `timers/${nodeName(id)}`,
  channel: (from: NodeId, to: NodeId) => `network/${nodeName(from)}->${nodeName(to)}`,
  workload: 'workload',
} as const;

/** A new random source for a node's incarnation. */
export function nodeRandom(seed: string, id: NodeId, incarnation: number): RandomSource {
  return RandomSource.fork(seed, randomLabels.node(id, incarnation));
}
