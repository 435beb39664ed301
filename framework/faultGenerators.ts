import * as fc from 'fast-check';
import type { CrashReaction, FaultAction, FaultSchedule } from './faults.ts';
import type { NodeId } from './types.ts';

// Fault-schedule generators for suites. Each is a fast-check arbitrary without bias (so
// the first schedule drawn for a seed is as varied as any), and each shrinks towards fewer
// actions, which is how the grader finds a minimal failing schedule.

/** Sorts by time; ties keep their order. */
export function sortSchedule(schedule: readonly FaultAction[]): FaultSchedule {
  return [...schedule].sort((left, right) => left.atMs - right.atMs);
}

/** Concatenates schedules into one, in time order. */
export function combineSchedules(...parts: fc.Arbitrary<FaultSchedule>[]): fc.Arbitrary<FaultSchedule> {
  return fc.tuple(...parts).map((schedules) => sortSchedule(schedules.flat()));
}

export interface WindowOptions {
  /** How many episodes (crash-and-restart, partition-and-heal, ...). */
  readonly count: readonly [min: number, max: number];
  /** Episodes start within this window, in simulated ms. */
  readonly withinMs: readonly [from: number, to: number];
  /** How long each lasts, in simulated ms. */
  readonly lengthMs: readonly [min: number, max: number];
}

const time = ([from, to]: readonly [number, number]) => fc.noBias(fc.integer({ min: from, max: to }));

function episodes<T>(episode: fc.Arbitrary<T>, count: readonly [number, number]): fc.Arbitrary<T[]> {
  return fc.noBias(fc.array(episode, { minLength: count[0], maxLength: count[1] }));
}

export interface CrashOptions extends WindowOptions {
  /**
   * Crash in the middle of a reaction: each crash waits for the node's next reaction and
   * stops it after a number of its sends, storage writes and outputs drawn from this range
   * (see the `afterEffects` of a crash fault). Without it, nodes crash between events.
   */
  readonly afterEffects?: readonly [min: number, max: number];
  /** With `afterEffects`: each crash waits for the node's next reaction of this kind (see the crash fault's `inReactionTo`). */
  readonly inReactionTo?: CrashReaction;
}

/** Crashes of the given nodes, each followed by a restart after `lengthMs`. */
export function crashRestarts(nodes: readonly NodeId[], options: CrashOptions): fc.Arbitrary<FaultSchedule> {
  const episode = fc.tuple(fc.constantFrom(...nodes), time(options.withinMs), time(options.lengthMs));
  const restartAfter = (node: NodeId, atMs: number, lengthMs: number): FaultAction => ({ atMs: atMs + lengthMs, type: 'restart', node });
  if (options.afterEffects === undefined) {
    return episodes(episode, options.count).map((list) =>
      sortSchedule(list.flatMap(([node, atMs, lengthMs]): FaultAction[] => [{ atMs, type: 'crash', node }, restartAfter(node, atMs, lengthMs)])),
    );
  }
  const [fewest, most] = options.afterEffects;
  const midReaction = fc.tuple(episode, fc.noBias(fc.integer({ min: fewest, max: most })));
  return episodes(midReaction, options.count).map((list) =>
    sortSchedule(
      list.flatMap(([[node, atMs, lengthMs], afterEffects]): FaultAction[] => [
        options.inReactionTo === undefined ? { atMs, type: 'crash', node, afterEffects } : { atMs, type: 'crash', node, afterEffects, inReactionTo: options.inReactionTo },
        restartAfter(node, atMs, lengthMs),
      ]),
    ),
  );
}

/** Random two-way splits of `nodes`, each healed after `lengthMs`. */
export function partitions(nodes: readonly NodeId[], options: WindowOptions): fc.Arbitrary<FaultSchedule> {
  const split = fc.noBias(fc.array(fc.boolean(), { minLength: nodes.length, maxLength: nodes.length }));
  const episode = fc.tuple(split, time(options.withinMs), time(options.lengthMs));
  return episodes(episode, options.count).map((list) =>
    sortSchedule(
      list.flatMap(([sides, atMs, lengthMs]): FaultAction[] => {
        const left = nodes.filter((_node, index) => sides[index]);
        const right = nodes.filter((_node, index) => !sides[index]);
        return [
          { atMs, type: 'partition', groups: [left, right] },
          { atMs: atMs + lengthMs, type: 'heal' },
        ];
      }),
    ),
  );
}

/** One node cut off from all others at a time, each healed after `lengthMs`. */
export function isolations(nodes: readonly NodeId[], options: WindowOptions): fc.Arbitrary<FaultSchedule> {
  const episode = fc.tuple(fc.constantFrom(...nodes), time(options.withinMs), time(options.lengthMs));
  return episodes(episode, options.count).map((list) =>
    sortSchedule(
      list.flatMap(([node, atMs, lengthMs]): FaultAction[] => [
        { atMs, type: 'isolate', node },
        { atMs: atMs + lengthMs, type: 'heal' },
      ]),
    ),
  );
}
