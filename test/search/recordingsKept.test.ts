// The model checker keeps what a property's record made of a memory and an event, and reuses
// it when the same memory meets the same event again. A record that reads the cluster, or an
// event's time, must still see its own state and step.
import { describe, expect, it } from 'vitest';
import { always, explore, type Property } from '../../framework/testing.ts';
import type { Paxos } from '../../labs/03-paxos/src/protocol.ts';
import { paxosBenchSettings } from '../../bench/search.ts';

/**
 * Fails at the first Accepted sent at step `step` or later, naming the step. Its memory never
 * changes, so the same memory meets the same Accepted at every step.
 */
function acceptedFrom(step: number): Property<Paxos> {
  return always<Paxos, { kept: true }>('no Accepted from step ' + step, {
    memory: () => ({ kept: true }),
    records: ['send:Accepted'],
    record(_memory, event) {
      return event.timeMs >= step ? `an Accepted sent at step ${event.timeMs}` : undefined;
    },
  });
}

/** Keeps the most messages in flight seen at a delivery: a memory that depends on the cluster, not on the event. */
function mostInFlight(readStep: boolean): Property<Paxos> {
  return always<Paxos, { most: number }>('most in flight', {
    memory: () => ({ most: 0 }),
    records: ['deliver'],
    record(memory, _event, cluster) {
      if (readStep && cluster.nowMs < 0) return 'never';
      memory.most = Math.max(memory.most, cluster.inFlight().length);
      return undefined;
    },
  });
}

describe('recordings kept', () => {
  it('give a property that names the step its own step, level by level', () => {
    for (const step of [1, 6, 7]) {
      const result = explore({ ...paxosBenchSettings(), properties: [acceptedFrom(step)], maxDepth: 8 });
      const outcome = result.outcome;
      expect(outcome.kind).toBe('violation');
      if (outcome.kind !== 'violation') continue;
      // The first Accepted is sent at step 5.
      const expected = Math.max(step, 5);
      expect(outcome.path.length).toBe(expected);
      expect(outcome.message).toBe(`an Accepted sent at step ${expected}`);
    }
  });

  it('are never taken for a record that read the cluster', () => {
    // Reading the step as well never lets a recording be kept: the two searches must agree.
    const counts = [false, true].map((readStep) => {
      const result = explore({ ...paxosBenchSettings(), properties: [mostInFlight(readStep)], maxDepth: 9 });
      return result.statistics.statesByDepth;
    });
    expect(counts[0]).toEqual(counts[1]);
    // The memory tells apart states that differ only in it: more states than without the property.
    const without = explore({ ...paxosBenchSettings(), properties: [], maxDepth: 9 }).statistics.statesByDepth;
    expect((counts[0] ?? []).reduce((sum, count) => sum + count, 0)).toBeGreaterThan((without ?? []).reduce((sum, count) => sum + count, 0));
  });
});
