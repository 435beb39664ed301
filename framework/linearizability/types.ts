/**
 * The linearizability checker's vocabulary: a history of operations, the sequential model it is
 * judged against, and the verdicts. See docs/testing.md ("Linearizability").
 */

/** One operation of a client, as the client saw it. */
export interface HistoryOperation<Input, Output> {
  readonly client: number;
  /** When the client called it; call and return times share one clock. */
  readonly callTime: number;
  /**
   * When it returned; null: it never returned, so it may have taken effect at any time after
   * its call, or never. A call and a return at the same time count as overlapping.
   */
  readonly returnTime: number | null;
  readonly input: Input;
  /**
   * null: the result is unknown. It may not have taken effect at all; if it did, it did so
   * between its call and its return (any time after its call if it never returned), and any
   * result is accepted.
   */
  readonly output: Output | null;
}

/** What one step of a sequential model gives. */
export interface ModelStep<State, Output> {
  /** False when the given (known) output is not what the model returns here. */
  readonly ok: boolean;
  readonly next: State;
  /** What the model returns here. */
  readonly expected: Output;
}

/** The sequential specification a history is judged against. States are never mutated. */
export interface SequentialModel<State, Input, Output> {
  readonly name: string;
  initial(): State;
  /** Applies `input`; `ok` is false when `output` (known) is not what the model returns there. */
  step(state: State, input: Input, output: Output | null): ModelStep<State, Output>;
  equal(left: State, right: State): boolean;
  /** A cheap hash consistent with `equal`. */
  hash(state: State): number;
  describeState(state: State): string;
  /** An operation as a student reads it: `get(x) returned "ab"`, `put(x, "a")`. */
  describeOperation(input: Input, output: Output | null): string;
  /** An output alone (`"ab"`, `true`), for "every order gives ..."; absent: JSON. */
  describeOutput?(input: Input, output: Output): string;
  /**
   * Optional, for speed: true when `input` with `output` leaves every state where it is `ok`
   * unchanged (a get, a read, a failed compare-and-set), so the search places it as soon as it
   * fits and never tries it elsewhere.
   */
  isReadOnly?(input: Input, output: Output | null): boolean;
  /**
   * Optional, for speed: false when `input` can no longer return `output`: no sequence of
   * operations among `available` (not yet placed, called before its return) leads from `state`
   * to one where it does. Must never be false when it could: a key-value get whose value is not
   * the value now, or an available put's value, followed by values of available appends.
   */
  mayLaterReturn?(state: State, input: Input, output: Output, available: readonly Input[]): boolean;
  /**
   * Optional, for speed: a state that leads to the same verdicts as `state` when `boundary` is
   * the next operation that must take effect and only `between` (in any order, any of them left
   * out) may take effect before it; the search's memo keeps that state, so histories where many
   * orders of appends are erased by a later put stay small. A key-value map forgets the value a
   * put overwrites when no get among `between` could see it. Must never merge states that some
   * order of `between`, then `boundary`, tells apart. Absent: every state is its own.
   */
  forget?(state: State, boundary: Input, between: readonly { readonly input: Input; readonly output: Output | null }[]): State;
  /**
   * Optional, for speed: which of `operations` (one part) have an effect no operation can
   * observe, so that leaving one out, or moving it earlier to where the state it changes is
   * forgotten (see `forget`), never turns a linearization into one that fails: a key-value
   * append or put whose value no get returned any part of. The search leaves such an operation out
   * when its result is unknown or it never returned, and places it without branching where the
   * memo keeps the same state after it as before. Must never mark an operation whose effect
   * some operation could see. Absent: none.
   */
  neverObserved?(operations: readonly HistoryOperation<Input, Output>[]): readonly boolean[];
  /**
   * P-compositionality: splits a history into parts (lists of operation indexes) that are
   * linearizable together exactly when each is on its own (a key-value map: one part per key).
   * Absent: one part.
   */
  partition?(operations: readonly HistoryOperation<Input, Output>[]): readonly (readonly number[])[];
}

export interface LinearizabilityOptions {
  /**
   * The most model steps the check of every part may take together; past it the verdict is
   * `unknown`. Default 10,000,000. (The search for a smaller failing history has a budget of
   * its own, 300,000 steps per failing part.)
   */
  readonly maxSteps?: number;
  /**
   * The most entries (a set of placed operations with a model state) the search of one part may
   * remember; past it the verdict is `unknown`. This bounds memory whatever the history: the
   * default, 500,000 (fewer for parts over 2,000 operations, whose entries are larger), keeps
   * the memo to a few hundred megabytes.
   */
  readonly maxMemoEntries?: number;
  /** Whether to look for a smaller failing history (default true). */
  readonly minimize?: boolean;
}

/** Why one part of a history is not linearizable. */
export interface PartFailure {
  /** The part's operations (indexes into the history), in history order. */
  readonly operations: readonly number[];
  /** The longest linearizable prefix the search found: operation indexes in linearization order. */
  readonly longestPrefix: readonly number[];
  /** The model state after each operation of `longestPrefix`, described. */
  readonly statesAfterPrefix: readonly string[];
  /** The model state before the prefix, described. */
  readonly initialState: string;
  /** The operations that could not be placed after the prefix (their calls came before the first pending return). */
  readonly unplaced: readonly number[];
  /** The operation that had to be placed next and could not: the earliest-returning of `unplaced`. */
  readonly failingOperation: number;
  /** Why, e.g. `get(x) returned "ab" but every order of the operations before it gives "a" or "abc"`. */
  readonly reason: string;
  /**
   * A smaller history (operation indexes, history order) that is not linearizable either: the
   * part without the read-only operations (gets, reads) it can fail without, found greedily
   * within a step budget. Every write stays. Null when none smaller was found.
   */
  readonly minimalHistory: readonly number[] | null;
  /** Whether `minimalHistory` becomes linearizable when any one more read-only operation is dropped. */
  readonly minimalHistoryIsMinimal: boolean;
}

export interface LinearizableResult {
  readonly verdict: 'linearizable';
  /**
   * One linearization of the whole history: operation indexes in order. Operations left out
   * (never returned, or with an unknown result) did not take effect.
   */
  readonly linearization: readonly number[];
  readonly parts: number;
  readonly steps: number;
}

export interface NotLinearizableResult {
  readonly verdict: 'not linearizable';
  /** One entry per failing part. */
  readonly failures: readonly PartFailure[];
  readonly parts: number;
  readonly steps: number;
}

export interface UnknownResult {
  readonly verdict: 'unknown';
  /** Which limit ended the search: the steps, or the entries of the memo (absent: the steps). */
  readonly exhausted?: 'steps' | 'memo entries';
  readonly maxSteps: number;
  /** The memo limit of the undecided parts (the smallest, when it depends on their sizes). */
  readonly maxMemoEntries?: number;
  /** The most entries any part's memo held (never more than `maxMemoEntries`). */
  readonly largestMemoEntries?: number;
  /** Parts whose search did not end (operation indexes). */
  readonly undecidedParts: readonly (readonly number[])[];
  readonly parts: number;
  readonly steps: number;
}

export type LinearizabilityResult = LinearizableResult | NotLinearizableResult | UnknownResult;
export type LinearizabilityVerdict = LinearizabilityResult['verdict'];
