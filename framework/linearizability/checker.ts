import type {
  HistoryOperation,
  LinearizabilityOptions,
  LinearizabilityResult,
  PartFailure,
  SequentialModel,
} from './types.ts';
import { stillWorking } from '../_internals/longWork.ts';

const defaultMaxSteps = 10_000_000;
/**
 * Each memo entry holds a bitset of the part's operations and a model state: about 700 bytes for
 * a key-value part of 2,000 operations, so the default memo of such a part stays near 350 MB.
 */
const defaultMaxMemoEntries = 500_000;
/** A larger part's bitsets are larger: its default limit keeps about as many bytes. */
const defaultMemoBytesPerEntry = 450;

function defaultMemoLimit(partSize: number): number {
  const bitsetBytes = 4 * Math.ceil(partSize / 32);
  return Math.min(defaultMaxMemoEntries, Math.floor((defaultMaxMemoEntries * (defaultMemoBytesPerEntry + 252)) / (defaultMemoBytesPerEntry + bitsetBytes)));
}
/** The model steps spent looking for a minimal failing sub-history, apart from `maxSteps`. */
const minimizeStepsTotal = 300_000;
/** The model steps spent, apart from `maxSteps`, to list every output a failing operation could have had. */
const describeSteps = 50_000;
/** The most steps one candidate sub-history may take while minimizing. */
const minimizeStepsPerCandidate = 20_000;
/**
 * How far into the pending events the memo looks for operations that bound what a state can
 * show: far enough for a put a few returns away, short enough to cost little per step.
 */
const forgetScanEntries = 64;
/** How many distinct expected outputs a reason lists. */
const expectedOutputsShown = 6;

/** A call or a return in the search's doubly linked list of events. */
interface Entry {
  /** The operation's index within its part. */
  readonly operation: number;
  readonly isCall: boolean;
  /** A call's return (null when it never returned); a return's call. */
  match: Entry | null;
  previous: Entry | null;
  next: Entry | null;
}

interface Budget {
  remaining: number;
  /** The most entries the memo of one part may hold (it is freed when the part is done); undefined: by the part's size. */
  readonly maxMemoEntries: number | undefined;
  /** The most entries any part's memo held. */
  largestMemoEntries: number;
}

type PartOutcome =
  | { readonly kind: 'linearizable'; readonly order: readonly number[] }
  | {
      readonly kind: 'failed';
      /** Local indexes, in linearization order. */
      readonly longestPrefix: readonly number[];
      /** Per local operation, the outputs the model expected where it was tried and refused. */
      readonly expectedOutputs: ReadonlyMap<number, ReadonlySet<string>>;
      /** Whether looking ahead ruled states out: then some orders' outputs went unrecorded. */
      readonly lookedAhead?: boolean;
    }
  | { readonly kind: 'unknown'; readonly exhausted: 'steps' | 'memo entries' };

/** Operations of one kind (the same input and output) are interchangeable; one that JSON cannot write is of a kind of its own. */
function kindOf(input: unknown, output: unknown): string | symbol {
  try {
    return JSON.stringify([input, output]);
  } catch {
    return Symbol('an operation JSON cannot write');
  }
}

/** A fixed pseudo-random 32-bit word per operation, so a set of operations hashes by XOR. */
function operationHash(index: number): number {
  let value = Math.imul(index + 1, 0x9e3779b1) | 0;
  value = Math.imul(value ^ (value >>> 16), 0x85ebca6b);
  value = Math.imul(value ^ (value >>> 13), 0xc2b2ae35);
  return (value ^ (value >>> 16)) | 0;
}

function describeOutput<State, Input, Output>(model: SequentialModel<State, Input, Output>, input: Input, output: Output): string {
  return model.describeOutput ? model.describeOutput(input, output) : JSON.stringify(output);
}

/**
 * Wing & Gong's search with Lowe's memo: operations are tried in call order, an operation may be
 * linearized once every operation before it in the list is a call (it is minimal), and a
 * (set of linearized operations, model state) pair seen before is never explored again.
 * A never-returned operation has no return entry, so it may be linearized after its call or
 * left out; one with an unknown result may be left out when its return comes first and nothing
 * else fits. The search succeeds once every returned operation is placed or left out.
 */
function searchPart<State, Input, Output>(
  model: SequentialModel<State, Input, Output>,
  history: readonly HistoryOperation<Input, Output>[],
  part: readonly number[],
  budget: Budget,
  /** Whether to rule states out by the first read-only operation not yet placed, however far off (see `observedLater`). */
  lookAhead = true,
): PartOutcome {
  const count = part.length;
  const events: Entry[] = [];
  let remainingReturned = 0;
  const neverObserved = model.neverObserved ? model.neverObserved(part.map((index) => history[index] as HistoryOperation<Input, Output>)) : [];
  for (let local = 0; local < count; local++) {
    const operation = history[part[local] as number] as HistoryOperation<Input, Output>;
    // An operation whose effect nothing observes and that need not take effect is left out.
    if (neverObserved[local] === true && (operation.output === null || operation.returnTime === null)) continue;
    const call: Entry = { operation: local, isCall: true, match: null, previous: null, next: null };
    events.push(call);
    if (operation.returnTime !== null) {
      const returned: Entry = { operation: local, isCall: false, match: call, previous: null, next: null };
      call.match = returned;
      events.push(returned);
      remainingReturned++;
    }
  }
  const timeOf = (entry: Entry): number => {
    const operation = history[part[entry.operation] as number] as HistoryOperation<Input, Output>;
    return entry.isCall ? operation.callTime : (operation.returnTime as number);
  };
  // Calls before returns at the same time: a call and a return at the same time overlap.
  events.sort((left, right) => timeOf(left) - timeOf(right) || Number(left.isCall === false) - Number(right.isCall === false) || left.operation - right.operation);
  const head: Entry = { operation: -1, isCall: false, match: null, previous: null, next: null };
  let last = head;
  for (const entry of events) {
    entry.previous = last;
    last.next = entry;
    last = entry;
  }

  const words = Math.ceil(count / 32) || 1;
  const linearized = new Uint32Array(words);
  let setHash = 0;
  const memo = new Map<number, { readonly bits: Uint32Array; readonly state: State }[]>();
  let memoEntries = 0;
  const memoLimit = budget.maxMemoEntries ?? defaultMemoLimit(count);
  const remember = (state: State): boolean => {
    const key = (setHash ^ Math.imul(model.hash(state), 0x27d4eb2d)) | 0;
    let bucket = memo.get(key);
    if (bucket === undefined) {
      bucket = [];
      memo.set(key, bucket);
    } else {
      for (const seen of bucket) {
        let same = true;
        for (let word = 0; word < words; word++) {
          if (seen.bits[word] !== linearized[word]) {
            same = false;
            break;
          }
        }
        if (same && model.equal(seen.state, state)) return false;
      }
    }
    bucket.push({ bits: linearized.slice(), state });
    memoEntries++;
    if (memoEntries > budget.largestMemoEntries) budget.largestMemoEntries = memoEntries;
    return true;
  };
  const toggle = (local: number) => {
    linearized[local >>> 5] = (linearized[local >>> 5] as number) ^ (1 << (local & 31));
    setHash ^= operationHash(local);
  };
  const lift = (call: Entry) => {
    (call.previous as Entry).next = call.next;
    if (call.next !== null) call.next.previous = call.previous;
    const returned = call.match;
    if (returned !== null) {
      (returned.previous as Entry).next = returned.next;
      if (returned.next !== null) returned.next.previous = returned.previous;
      remainingReturned--;
    }
  };
  const unlift = (call: Entry) => {
    const returned = call.match;
    if (returned !== null) {
      (returned.previous as Entry).next = returned;
      if (returned.next !== null) returned.next.previous = returned;
      remainingReturned++;
    }
    (call.previous as Entry).next = call;
    if (call.next !== null) call.next.previous = call;
  };

  const pruning = model.mayLaterReturn !== undefined;
  const expectedOutputs = new Map<number, Set<string>>();
  const recordExpected = (local: number, input: Input, expected: Output) => {
    let seen = expectedOutputs.get(local);
    if (seen === undefined) {
      seen = new Set();
      expectedOutputs.set(local, seen);
    }
    if (seen.size < expectedOutputsShown + 1) seen.add(describeOutput(model, input, expected));
  };
  const forget = model.forget;
  const between: { readonly input: Input; readonly output: Output | null }[] = [];
  /**
   * The state the memo keeps for `current`: the model's `forget` of it before the unplaced
   * operation that returns first among those that must be placed (returned, output known), with
   * the unplaced operations called before that return (only they can come before it). States
   * the model deems alike there lead to the same verdict. Only that first return is tried: it
   * keeps the scan short.
   */
  const canonical = (current: State): State => {
    if (forget === undefined) return current;
    between.length = 0;
    const betweenOperations: number[] = [];
    let state = current;
    let scanned = 0;
    for (let scan = head.next; scan !== null && scanned < forgetScanEntries; scan = scan.next, scanned++) {
      const operation = history[part[scan.operation] as number] as HistoryOperation<Input, Output>;
      if (scan.isCall) {
        between.push({ input: operation.input, output: operation.output });
        betweenOperations.push(scan.operation);
      } else if (operation.output !== null) {
        // The boundary's own call is in the list before its return: it is not "between", but
        // comes before the next boundary.
        const own = betweenOperations.indexOf(scan.operation);
        // A call comes before its return in the list, so it is always found.
        if (own === -1) continue;
        const ownEntry = between[own] as { readonly input: Input; readonly output: Output | null };
        between.splice(own, 1);
        state = forget(state, operation.input, between);
        between.splice(own, 0, ownEntry);
      }
    }
    return state;
  };
  /**
   * Identical operations (the same input and output) are interchangeable: of two that could
   * both be placed now, placing the one that returns later first and the other later (or never)
   * gives the orders placing them the other way round give, so the search never does. Per
   * operation in the search: the others of its kind that return no later (by return time, then
   * index), nearest first; absent when there are none.
   */
  const twinsBefore: (readonly number[] | undefined)[] = [];
  {
    const byKind = new Map<string | symbol, number[]>();
    for (const entry of events) {
      if (!entry.isCall) continue;
      const operation = history[part[entry.operation] as number] as HistoryOperation<Input, Output>;
      const kind = kindOf(operation.input, operation.output);
      const twins = byKind.get(kind);
      if (twins === undefined) byKind.set(kind, [entry.operation]);
      else twins.push(entry.operation);
    }
    const returnOf = (local: number) => (history[part[local] as number] as HistoryOperation<Input, Output>).returnTime ?? Infinity;
    for (const twins of byKind.values()) {
      if (twins.length < 2) continue;
      twins.sort((left, right) => returnOf(left) - returnOf(right) || left - right);
      twins.forEach((local, position) => {
        if (position > 0) twinsBefore[local] = twins.slice(0, position).reverse();
      });
    }
  }
  /** Whether an identical operation that returns no later than `local` could be placed now instead. */
  const twinGoesFirst = (local: number, firstReturnTime: number): boolean => {
    const twins = twinsBefore[local];
    if (twins === undefined) return false;
    for (const twin of twins) {
      const operation = history[part[twin] as number] as HistoryOperation<Input, Output>;
      // Every operation that returned before the first pending return is placed or left out.
      if (operation.returnTime !== null && operation.returnTime < firstReturnTime) return false;
      if ((((linearized[twin >>> 5] as number) >>> (twin & 31)) & 1) === 1) continue;
      // Called before the first pending return: it could be placed now.
      if (operation.callTime <= firstReturnTime) return true;
    }
    return false;
  };
  const readOnly = part.map((index) => {
    const operation = history[index] as HistoryOperation<Input, Output>;
    return model.isReadOnly ? model.isReadOnly(operation.input, operation.output) : false;
  });
  /**
   * Whether some operation that must still be placed (returned, output known, called before the
   * first pending return) can no longer return what it did, from `current` with the operations
   * not yet placed that were called before its return.
   */
  const mayLaterReturn = model.mayLaterReturn as (state: State, input: Input, output: Output, available: readonly Input[]) => boolean;
  const available: Input[] = [];
  /** The first return in the list, found by `doomed` for `observedLater`. */
  let firstReturn: Entry | null = null;
  const doomed = (current: State): boolean => {
    available.length = 0;
    let collected: Entry | null = head.next;
    let scan = head.next;
    for (; scan !== null && scan.isCall; scan = scan.next) {
      if (scan.match === null) continue;
      const operation = history[part[scan.operation] as number] as HistoryOperation<Input, Output>;
      if (operation.output === null) continue;
      const returnTime = operation.returnTime as number;
      // The list is in time order: extend the unplaced calls seen so far up to this return.
      for (; collected !== null && timeOf(collected) <= returnTime; collected = collected.next) {
        if (collected.isCall) available.push((history[part[collected.operation] as number] as HistoryOperation<Input, Output>).input);
      }
      if (!mayLaterReturn(current, operation.input, operation.output, available)) {
        recordExpected(scan.operation, operation.input, model.step(current, operation.input, operation.output).expected);
        return true;
      }
    }
    firstReturn = scan;
    return lookAhead && observedLater(current);
  };
  /**
   * The read-only operations with a known output, in call order. The first one not yet placed
   * is checked too, however far down the list: writes called long before it (appends nothing
   * reads in between) would otherwise be tried in every order before any read rules one out.
   */
  const observing = part
    .map((_index, local) => local)
    .filter((local) => {
      const operation = history[part[local] as number] as HistoryOperation<Input, Output>;
      return readOnly[local] === true && operation.returnTime !== null && operation.output !== null;
    })
    .sort((left, right) => (history[part[left] as number] as HistoryOperation<Input, Output>).callTime - (history[part[right] as number] as HistoryOperation<Input, Output>).callTime || left - right);
  /** Every operation of `observing` before this position is placed (kept per stack frame). */
  let observingCursor = 0;
  /** Whether `observedLater` ruled out some state. */
  let lookedAhead = false;
  const isPlaced = (local: number) => (((linearized[local >>> 5] as number) >>> (local & 31)) & 1) === 1;
  const observedLater = (current: State): boolean => {
    while (observingCursor < observing.length && isPlaced(observing[observingCursor] as number)) observingCursor++;
    const local = observing[observingCursor];
    if (local === undefined) return false;
    const operation = history[part[local] as number] as HistoryOperation<Input, Output>;
    // Called before the first pending return: `doomed` has just checked it.
    if (firstReturn !== null && operation.callTime <= timeOf(firstReturn)) return false;
    const returnTime = operation.returnTime as number;
    available.length = 0;
    for (let scan = head.next; scan !== null && timeOf(scan) <= returnTime; scan = scan.next) {
      if (scan.isCall) available.push((history[part[scan.operation] as number] as HistoryOperation<Input, Output>).input);
    }
    // Not recorded as an expected output: the operations before it are not all placed yet.
    if (mayLaterReturn(current, operation.input, operation.output as Output, available)) return false;
    lookedAhead = true;
    return true;
  };

  /** `forced`: a read-only operation placed as soon as it fit, which no other choice can beat. */
  /** `dropped`: an operation with an unknown result taken as never having taken effect. */
  const stack: {
    readonly call: Entry;
    readonly stateBefore: State;
    readonly canonicalBefore: State;
    readonly forced: boolean;
    readonly pass: number;
    readonly urgent: Entry | null;
    readonly dropped: boolean;
    readonly observingCursor: number;
  }[] = [];
  const placedSoFar = () => stack.filter((frame) => !frame.dropped).map((frame) => frame.call.operation);
  let longestPrefix: number[] = [];
  let longestDepth = 0;
  let state = model.initial();
  /** What the memo keeps for `state` (its `canonical`). */
  let canonicalState = canonical(state);
  /** The call of the operation whose return comes first: it must be placed before any call after that return. */
  const urgentCall = (): Entry | null => {
    for (let scan = head.next; scan !== null; scan = scan.next) if (!scan.isCall) return scan.match;
    return null;
  };
  // At each depth the search tries, in turn: the operation that returns first (placing it as
  // late as possible delays every other choice), the other returned operations in call order,
  // and last the never-returned ones (placing one early and finding out much later is what
  // makes searches explode).
  const readOnlyPass = -1;
  const urgentPass = 0;
  const returnedPass = 1;
  const neverReturnedPass = 2;
  let urgent = urgentCall();
  let pass = readOnlyPass;
  let entry = head.next;
  while (remainingReturned > 0) {
    let backtrack = false;
    if (pass === readOnlyPass) {
      if (entry === null || !entry.isCall) {
        pass = urgentPass;
        entry = urgent;
        continue;
      }
      if (entry.match === null || (readOnly[entry.operation] !== true && neverObserved[entry.operation] !== true)) {
        entry = entry.next;
        continue;
      }
    }
    if (pass === urgentPass && entry === null) {
      pass = returnedPass;
      entry = head.next;
      continue;
    }
    if (entry !== null && entry.isCall) {
      if (pass > urgentPass && ((entry.match === null) !== (pass === neverReturnedPass) || entry === urgent)) {
        entry = entry.next;
        continue;
      }
      if (twinGoesFirst(entry.operation, urgent === null ? Infinity : timeOf(urgent.match as Entry))) {
        if (pass === urgentPass) {
          pass = returnedPass;
          entry = head.next;
        } else entry = entry.next;
        continue;
      }
      if (budget.remaining <= 0) return { kind: 'unknown', exhausted: 'steps' };
      // Checked before each remember, so the memo never holds more than its limit.
      if (memoEntries >= memoLimit) return { kind: 'unknown', exhausted: 'memo entries' };
      budget.remaining--;
      // A long search is the grader's time, not a handler's: its child must not fall silent.
      if ((budget.remaining & 4095) === 0) stillWorking();
      const call = entry;
      const operation = history[part[call.operation] as number] as HistoryOperation<Input, Output>;
      const result = model.step(state, operation.input, operation.output);
      if (result.ok) {
        toggle(call.operation);
        lift(call);
        const canonicalNext = canonical(result.next);
        // A never-observed operation placed where the memo keeps the same state changes nothing
        // any other operation sees: placing it now is as good as anywhere later.
        const harmless = neverObserved[call.operation] === true && model.equal(canonicalNext, canonicalState);
        if (pass === readOnlyPass && readOnly[call.operation] !== true && !harmless) {
          unlift(call);
          toggle(call.operation);
        } else if (remember(canonicalNext)) {
          const forced = readOnly[call.operation] === true || harmless;
          stack.push({ call, stateBefore: state, canonicalBefore: canonicalState, forced, pass, urgent, dropped: false, observingCursor });
          state = result.next;
          canonicalState = canonicalNext;
          if (stack.length > longestDepth) {
            longestDepth = stack.length;
            longestPrefix = placedSoFar();
          }
          urgent = urgentCall();
          pass = readOnlyPass;
          entry = head.next;
          if (!(pruning && !forced && doomed(state))) continue;
          backtrack = true;
        } else {
          unlift(call);
          toggle(call.operation);
          // Seen before and failed; for a read-only operation that fits, no other choice here can do better.
          if (readOnly[call.operation] === true || harmless) backtrack = true;
        }
      } else {
        recordExpected(call.operation, operation.input, result.expected);
      }
      if (!backtrack) {
        if (pass === urgentPass) {
          pass = returnedPass;
          entry = head.next;
        } else entry = call.next;
        continue;
      }
    } else if (pass === returnedPass) {
      pass = neverReturnedPass;
      entry = head.next;
      continue;
    } else if (entry !== null && (history[part[entry.operation] as number] as HistoryOperation<Input, Output>).output === null) {
      // The first return is of an operation whose result is unknown and that no order placed
      // in time: it may not have taken effect at all, the last thing to try here.
      const call = entry.match as Entry;
      if (memoEntries >= memoLimit) return { kind: 'unknown', exhausted: 'memo entries' };
      toggle(call.operation);
      lift(call);
      const canonicalNext = canonical(state);
      if (remember(canonicalNext)) {
        stack.push({ call, stateBefore: state, canonicalBefore: canonicalState, forced: true, pass, urgent, dropped: true, observingCursor });
        canonicalState = canonicalNext;
        urgent = urgentCall();
        pass = readOnlyPass;
        entry = head.next;
        continue;
      }
      unlift(call);
      toggle(call.operation);
    }
    // A return before any placeable call, or a doomed state: the last free choice was wrong.
    for (;;) {
      const frame = stack.pop();
      if (frame === undefined) return { kind: 'failed', longestPrefix, expectedOutputs, lookedAhead };
      state = frame.stateBefore;
      canonicalState = frame.canonicalBefore;
      observingCursor = frame.observingCursor;
      toggle(frame.call.operation);
      unlift(frame.call);
      if (frame.forced) continue;
      urgent = frame.urgent;
      if (frame.pass === urgentPass) {
        pass = returnedPass;
        entry = head.next;
      } else {
        pass = frame.pass;
        entry = frame.call.next;
      }
      break;
    }
  }
  return { kind: 'linearizable', order: placedSoFar().map((local) => part[local] as number) };
}

function validateHistory<Input, Output>(history: readonly HistoryOperation<Input, Output>[]): void {
  history.forEach((operation, index) => {
    if (!Number.isFinite(operation.callTime)) throw new RangeError(`operation ${index}: callTime must be a finite number, not ${operation.callTime}`);
    if (operation.returnTime !== null) {
      if (!Number.isFinite(operation.returnTime)) throw new RangeError(`operation ${index}: returnTime must be a finite number or null, not ${operation.returnTime}`);
      if (operation.returnTime < operation.callTime) {
        throw new RangeError(`operation ${index}: returnTime ${operation.returnTime} is before callTime ${operation.callTime}`);
      }
    }
  });
}

function validatePartition(parts: readonly (readonly number[])[], size: number): void {
  const seen = new Uint8Array(size);
  for (const part of parts) {
    for (const index of part) {
      if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`the model's partition names operation ${index}, which is not in the history`);
      if (seen[index] === 1) throw new RangeError(`the model's partition puts operation ${index} in two parts`);
      seen[index] = 1;
    }
  }
  const missing = seen.indexOf(0);
  if (missing !== -1) throw new RangeError(`the model's partition leaves out operation ${missing}`);
}

/**
 * Merges the parts' linearizations into one for the whole history: repeatedly takes a part's
 * next operation that no unplaced operation returned before (locality guarantees one exists).
 */
function mergeLinearizations<Input, Output>(history: readonly HistoryOperation<Input, Output>[], orders: readonly (readonly number[])[]): number[] {
  const byReturn = orders
    .flat()
    .filter((index) => (history[index] as HistoryOperation<Input, Output>).returnTime !== null)
    .sort((left, right) => ((history[left] as HistoryOperation<Input, Output>).returnTime as number) - ((history[right] as HistoryOperation<Input, Output>).returnTime as number));
  const placed = new Uint8Array(history.length);
  const positions = orders.map(() => 0);
  const merged: number[] = [];
  const total = orders.reduce((sum, order) => sum + order.length, 0);
  let earliestUnplaced = 0;
  while (merged.length < total) {
    while (earliestUnplaced < byReturn.length && placed[byReturn[earliestUnplaced] as number] === 1) earliestUnplaced++;
    const bound = earliestUnplaced < byReturn.length ? ((history[byReturn[earliestUnplaced] as number] as HistoryOperation<Input, Output>).returnTime as number) : Infinity;
    let chosen = -1;
    let chosenCall = Infinity;
    orders.forEach((order, part) => {
      const next = order[positions[part] as number];
      if (next === undefined) return;
      const call = (history[next] as HistoryOperation<Input, Output>).callTime;
      if (call <= bound && call < chosenCall) {
        chosen = part;
        chosenCall = call;
      }
    });
    if (chosen === -1) throw new Error('internal error: the parts\' linearizations cannot be merged');
    const index = (orders[chosen] as readonly number[])[positions[chosen] as number] as number;
    positions[chosen] = (positions[chosen] as number) + 1;
    placed[index] = 1;
    merged.push(index);
  }
  return merged;
}

function quote(values: readonly string[]): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} or ${values.at(-1) as string}`;
}

/** Turns a failed search into what a student reads. */
function describeFailure<State, Input, Output>(
  model: SequentialModel<State, Input, Output>,
  history: readonly HistoryOperation<Input, Output>[],
  part: readonly number[],
  outcome: Extract<PartOutcome, { kind: 'failed' }>,
): Omit<PartFailure, 'minimalHistory' | 'minimalHistoryIsMinimal'> {
  let state = model.initial();
  const statesAfterPrefix: string[] = [];
  for (const local of outcome.longestPrefix) {
    const operation = history[part[local] as number] as HistoryOperation<Input, Output>;
    state = model.step(state, operation.input, operation.output).next;
    statesAfterPrefix.push(model.describeState(state));
  }
  const inPrefix = new Set(outcome.longestPrefix);
  const rest = part.map((_index, local) => local).filter((local) => !inPrefix.has(local));
  const operationOf = (local: number) => history[part[local] as number] as HistoryOperation<Input, Output>;
  let failingLocal = -1;
  // An operation with a known output first: one with an unknown result may simply not have taken effect.
  const mustPlace = rest.some((local) => operationOf(local).returnTime !== null && operationOf(local).output !== null);
  for (const local of rest) {
    const returnTime = operationOf(local).returnTime;
    if (returnTime === null || (mustPlace && operationOf(local).output === null)) continue;
    if (failingLocal === -1 || returnTime < (operationOf(failingLocal).returnTime as number)) failingLocal = local;
  }
  const bound = operationOf(failingLocal).returnTime as number;
  const unplaced = rest.filter((local) => operationOf(local).callTime <= bound).map((local) => part[local] as number);
  const failing = operationOf(failingLocal);
  const described = model.describeOperation(failing.input, failing.output);
  const expected = [...(outcome.expectedOutputs.get(failingLocal) ?? [])];
  let reason: string;
  if (expected.length === 0) {
    reason = `${described} cannot be placed: no order of the operations before its return leaves a state from which it and the operations concurrent with it can all be placed`;
  } else {
    const shown = expected.slice(0, expectedOutputsShown);
    const more = expected.length > expectedOutputsShown ? ' (among others)' : '';
    reason = `${described} but every order of the operations before it gives ${quote(shown)}${more}`;
  }
  return {
    operations: part,
    longestPrefix: outcome.longestPrefix.map((local) => part[local] as number),
    statesAfterPrefix,
    initialState: model.describeState(model.initial()),
    unplaced,
    failingOperation: part[failingLocal] as number,
    reason,
  };
}

/**
 * Greedily drops read-only operations (gets, reads) from a failing part while it stays
 * non-linearizable, always keeping the failing operation: first every one called after it
 * returned, then each client's, then one at a time. Writes stay: dropping one could make up a
 * failure of its own. Null when the model cannot tell read-only operations.
 */
function minimizeFailure<State, Input, Output>(
  model: SequentialModel<State, Input, Output>,
  history: readonly HistoryOperation<Input, Output>[],
  part: readonly number[],
  failingOperation: number,
  maxMemoEntries: number | undefined,
): { readonly operations: readonly number[] | null; readonly minimal: boolean } {
  if (model.isReadOnly === undefined) return { operations: null, minimal: false };
  const operationOf = (index: number) => history[index] as HistoryOperation<Input, Output>;
  const droppable = (index: number) => index !== failingOperation && (model.isReadOnly as (input: Input, output: Output | null) => boolean)(operationOf(index).input, operationOf(index).output);
  const total: Budget = { remaining: minimizeStepsTotal, maxMemoEntries, largestMemoEntries: 0 };
  let undecided = false;
  let exhausted = false;
  let current = [...part];
  /** Keeps `candidate` when it still fails. */
  const attempt = (candidate: readonly number[]) => {
    if (exhausted || candidate.length === current.length) return false;
    if (total.remaining <= 0) {
      exhausted = true;
      return false;
    }
    const given = Math.min(minimizeStepsPerCandidate, total.remaining);
    const budget: Budget = { remaining: given, maxMemoEntries, largestMemoEntries: 0 };
    const outcome = searchPart(model, history, candidate, budget);
    total.remaining -= given - budget.remaining;
    if (outcome.kind === 'unknown') undecided = true;
    if (outcome.kind !== 'failed') return false;
    current = [...candidate];
    return true;
  };
  const failingReturn = operationOf(failingOperation).returnTime as number;
  attempt(current.filter((index) => !droppable(index) || operationOf(index).callTime <= failingReturn));
  for (const client of new Set(current.map((index) => operationOf(index).client))) {
    attempt(current.filter((index) => !droppable(index) || operationOf(index).client !== client));
  }
  // Passes until one drops nothing: a drop can make an operation kept earlier droppable.
  let dropped = true;
  while (!exhausted && dropped) {
    dropped = false;
    for (let position = current.length - 1; position >= 0; position--) {
      const index = current[position] as number;
      if (droppable(index) && attempt(current.filter((other) => other !== index))) dropped = true;
    }
  }
  return { operations: current.length < part.length ? current : null, minimal: !exhausted && !undecided };
}

/**
 * Checks that `history` is linearizable with respect to `model`: that its operations can be
 * ordered so that each takes effect at one instant between its call and its return, and the
 * model, run in that order, gives every known output. Operations that never returned, or whose
 * result is unknown, may be left out (they did not take effect). Each part of the model's
 * partition is checked on its own.
 *
 * `unknown` means the step budget ran out, or the memo reached its limit of entries; a test must treat it as a failure, never as a pass.
 *
 * @example
 * const result = checkLinearizability(keyValueModel, history);
 * if (result.verdict !== 'linearizable') throw new Error(formatLinearizabilityResult(keyValueModel, history, result));
 */
export function checkLinearizability<State, Input, Output>(
  model: SequentialModel<State, Input, Output>,
  history: readonly HistoryOperation<Input, Output>[],
  options: LinearizabilityOptions = {},
): LinearizabilityResult {
  const maxSteps = options.maxSteps ?? defaultMaxSteps;
  if (!(Number.isSafeInteger(maxSteps) && maxSteps > 0)) throw new RangeError(`maxSteps must be a positive integer, not ${maxSteps}`);
  validateHistory(history);
  const parts = model.partition ? model.partition(history) : [history.map((_operation, index) => index)];
  if (model.partition) validatePartition(parts, history.length);
  const maxMemoEntries = options.maxMemoEntries;
  if (maxMemoEntries !== undefined && !(Number.isSafeInteger(maxMemoEntries) && maxMemoEntries > 0)) throw new RangeError(`maxMemoEntries must be a positive integer, not ${maxMemoEntries}`);
  const budget: Budget = { remaining: maxSteps, maxMemoEntries, largestMemoEntries: 0 };
  let exhausted: 'steps' | 'memo entries' = 'steps';
  const orders: (readonly number[])[] = [];
  const failures: PartFailure[] = [];
  const undecidedParts: (readonly number[])[] = [];
  for (const part of parts) {
    if (part.length === 0) continue;
    if (budget.remaining <= 0) {
      undecidedParts.push(part);
      continue;
    }
    const outcome = searchPart(model, history, part, budget);
    if (outcome.kind === 'linearizable') orders.push(outcome.order);
    else if (outcome.kind === 'unknown') {
      undecidedParts.push(part);
      if (outcome.exhausted === 'memo entries') exhausted = outcome.exhausted;
    }
    else {
      // Ruling states out early leaves some orders' outputs unrecorded: the reason lists every
      // output the orders before the failing operation give when a search without it decides.
      const describeBudget: Budget = { remaining: describeSteps, maxMemoEntries, largestMemoEntries: 0 };
      const complete = outcome.lookedAhead === true ? searchPart(model, history, part, describeBudget, false) : outcome;
      const failure = describeFailure(model, history, part, complete.kind === 'failed' ? complete : outcome);
      const minimal = options.minimize === false ? { operations: null, minimal: false } : minimizeFailure(model, history, part, failure.failingOperation, maxMemoEntries);
      failures.push({ ...failure, minimalHistory: minimal.operations, minimalHistoryIsMinimal: minimal.minimal });
    }
  }
  const steps = maxSteps - budget.remaining;
  if (failures.length > 0) return { verdict: 'not linearizable', failures, parts: parts.length, steps };
  if (undecidedParts.length > 0) {
    const memoLimit = maxMemoEntries ?? Math.min(...undecidedParts.map((part) => defaultMemoLimit(part.length)));
    return { verdict: 'unknown', exhausted, maxSteps, maxMemoEntries: memoLimit, largestMemoEntries: budget.largestMemoEntries, undecidedParts, parts: parts.length, steps };
  }
  return { verdict: 'linearizable', linearization: mergeLinearizations(history, orders), parts: parts.length, steps };
}

/** A verdict as a few lines of text, for a test's failure message or a command's output. */
export function formatLinearizabilityResult<State, Input, Output>(
  model: SequentialModel<State, Input, Output>,
  history: readonly HistoryOperation<Input, Output>[],
  result: LinearizabilityResult,
): string {
  const describe = (index: number) => {
    const operation = history[index] as HistoryOperation<Input, Output>;
    return `#${index} client ${operation.client}: ${model.describeOperation(operation.input, operation.output)}`;
  };
  switch (result.verdict) {
    case 'linearizable':
      return `linearizable (${history.length} operations, ${result.parts} parts, ${result.steps} steps)`;
    case 'unknown':
      if (result.exhausted === 'memo entries') {
        return `unknown: the linearizability check's memo reached its limit of ${result.maxMemoEntries} entries (after ${result.steps} steps) with ${result.undecidedParts.length} of ${result.parts} parts undecided; this is not a pass (raise maxMemoEntries if memory allows, or make the history smaller)`;
      }
      return `unknown: the linearizability check ran out of its budget of ${result.maxSteps} steps with ${result.undecidedParts.length} of ${result.parts} parts undecided; this is not a pass (raise maxSteps, or make the history smaller)`;
    case 'not linearizable': {
      const lines = [`not linearizable (${history.length} operations, ${result.failures.length} of ${result.parts} parts fail, model ${model.name})`];
      for (const failure of result.failures) {
        lines.push(`  ${failure.reason}`);
        lines.push(`  failing operation: ${describe(failure.failingOperation)}`);
        lines.push(`  longest linearizable prefix (${failure.longestPrefix.length} operations), from ${failure.initialState}:`);
        failure.longestPrefix.slice(-10).forEach((index, at, shown) => {
          const state = failure.statesAfterPrefix[failure.longestPrefix.length - shown.length + at] as string;
          lines.push(`    ${describe(index)} -> ${state}`);
        });
        if (failure.minimalHistory !== null) {
          lines.push(`  a smaller failing history (${failure.minimalHistory.length} operations${failure.minimalHistoryIsMinimal ? ', minimal' : ''}):`);
          for (const index of failure.minimalHistory.slice(0, 20)) lines.push(`    ${describe(index)}`);
        }
      }
      return lines.join('\n');
    }
  }
}
