// The Alea generator (the numbers seedrandom.alea gives), stepped from a saved state. It has
// no imports, so the node runtime in a submission's realm uses the very same code.

/** Saved state of an Alea generator: plain data, so it can live inside a node's state. */
export interface AleaState {
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
  readonly c: number;
}

export class Alea {
  // `declare` fields: no undefined-initialised field, so V8 keeps them as unboxed doubles.
  private declare s0: number;
  private declare s1: number;
  private declare s2: number;
  private declare c: number;

  constructor(state: AleaState) {
    this.s0 = state.s0;
    this.s1 = state.s1;
    this.s2 = state.s2;
    this.c = state.c;
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

  state(): AleaState {
    return { s0: this.s0, s1: this.s1, s2: this.s2, c: this.c };
  }

  /** The same as {@link state}: the draws so far, for a reaction that draws elsewhere. */
  current(): AleaState {
    return this.state();
  }

  /** Goes on from the state held in `numbers` at `offset` (s0, s1, s2, c), without building an object. */
  resumeFrom(numbers: Float64Array, offset: number): void {
    this.s0 = numbers[offset] as number;
    this.s1 = numbers[offset + 1] as number;
    this.s2 = numbers[offset + 2] as number;
    this.c = numbers[offset + 3] as number;
  }

  /** Writes the state into `numbers` at `offset` (s0, s1, s2, c), without building an object. */
  saveTo(numbers: Float64Array, offset: number): void {
    numbers[offset] = this.s0;
    numbers[offset + 1] = this.s1;
    numbers[offset + 2] = this.s2;
    numbers[offset + 3] = this.c;
  }

  /** Goes on from `state`, as if the draws made elsewhere had been made here. */
  continueFrom(state: AleaState): void {
    this.s0 = state.s0;
    this.s1 = state.s1;
    this.s2 = state.s2;
    this.c = state.c;
  }
}
