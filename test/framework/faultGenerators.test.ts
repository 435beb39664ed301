// The fault-schedule generators: what they draw, that the same seed draws the same schedule,
// and that fast-check shrinks a failing schedule towards fewer and simpler actions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combineSchedules, crashRestarts, isolations, validateSchedule, type FaultAction, type FaultSchedule } from '../../framework/testing.ts';

function draw(arbitrary: fc.Arbitrary<FaultSchedule>, seed: number): FaultSchedule {
  const [schedule] = fc.sample(arbitrary, { seed, numRuns: 1 });
  if (schedule === undefined) throw new Error('no schedule drawn');
  return schedule;
}

const window = { count: [1, 4], withinMs: [0, 1_000], lengthMs: [50, 300] } as const;

describe('crashRestarts', () => {
  it('pairs every crash with a restart of the same node after the crash, in time order', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const schedule = draw(crashRestarts([1, 2], window), seed);
      expect(validateSchedule(schedule, 3)).toBeUndefined();
      expect(schedule.map((action) => action.atMs)).toEqual([...schedule.map((action) => action.atMs)].sort((left, right) => left - right));
      const crashes = schedule.filter((action) => action.type === 'crash');
      const restarts = schedule.filter((action) => action.type === 'restart');
      expect(crashes.length).toBe(restarts.length);
      expect(crashes.length).toBeGreaterThanOrEqual(1);
      for (const crash of crashes) {
        expect([1, 2]).toContain(crash.node);
        expect(crash.afterEffects).toBeUndefined();
      }
    }
  });

  it('with afterEffects, crashes wait for a reaction and cut it after a drawn number of effects', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 60; seed++) {
      const schedule = draw(crashRestarts([0], { ...window, afterEffects: [0, 2] }), seed);
      expect(validateSchedule(schedule, 1)).toBeUndefined();
      for (const action of schedule) {
        if (action.type !== 'crash') continue;
        expect(action.afterEffects).toBeGreaterThanOrEqual(0);
        expect(action.afterEffects).toBeLessThanOrEqual(2);
        seen.add(action.afterEffects as number);
      }
    }
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });

  it('with inReactionTo, every crash waits for a reaction of that kind; without it, none does', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const kept = draw(crashRestarts([0, 1], { ...window, afterEffects: [0, 2], inReactionTo: 'input:Snapshot' }), seed);
      expect(validateSchedule(kept, 2)).toBeUndefined();
      const crashes = kept.filter((action) => action.type === 'crash');
      expect(crashes.length).toBeGreaterThanOrEqual(1);
      for (const crash of crashes) expect(crash).toMatchObject({ inReactionTo: 'input:Snapshot' });
      const any = draw(crashRestarts([0, 1], { ...window, afterEffects: [0, 2] }), seed);
      expect(any.some((action) => 'inReactionTo' in action)).toBe(false);
    }
  });

  it('draws the same schedule for the same seed, and another one for another seed', () => {
    const arbitrary = crashRestarts([0, 1, 2], { ...window, afterEffects: [0, 3] });
    expect(draw(arbitrary, 7)).toEqual(draw(arbitrary, 7));
    const others = [8, 9, 10, 11].map((seed) => JSON.stringify(draw(arbitrary, seed)));
    expect(others.some((other) => other !== JSON.stringify(draw(arbitrary, 7)))).toBe(true);
  });

  it('shrinks a failing schedule to one crash, with the fewest effects that still fail', () => {
    // A "bug" that shows whenever node 2 crashes after at least one effect of a reaction.
    const fails = (schedule: FaultSchedule) => schedule.some((action) => action.type === 'crash' && action.node === 2 && (action.afterEffects ?? 0) >= 1);
    const details = fc.check(
      fc.property(crashRestarts([0, 1, 2], { count: [3, 6], withinMs: [0, 1_000], lengthMs: [50, 300], afterEffects: [0, 3] }), (schedule) => !fails(schedule)),
      { seed: 3, numRuns: 200 },
    );
    expect(details.failed).toBe(true);
    const [shrunk] = details.counterexample ?? [[]];
    const crashes = (shrunk as FaultSchedule).filter((action): action is Extract<FaultAction, { type: 'crash' }> => action.type === 'crash');
    expect(crashes).toHaveLength(3);
    const culprit = crashes.find((crash) => crash.node === 2 && (crash.afterEffects ?? 0) >= 1);
    expect(culprit?.afterEffects).toBe(1);
  });
});

describe('combineSchedules', () => {
  it('merges schedules in time order and stays valid', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const schedule = draw(combineSchedules(crashRestarts([0], window), isolations([0, 1, 2], window)), seed);
      expect(validateSchedule(schedule, 3)).toBeUndefined();
      const times = schedule.map((action) => action.atMs);
      expect(times).toEqual([...times].sort((left, right) => left - right));
      expect(schedule.some((action) => action.type === 'isolate')).toBe(true);
    }
  });
});
