// A failure report shows its run's last events with the nodes' states: the grader records only
// that window of the run again, and what it shows must be what a run recorded whole shows there.
import { describe, expect, it } from 'vitest';
import { Node, nodeStatesAt, simulate, type FaultSchedule, type NodeId, type Protocol, type TraceEvent } from '../../framework/testing.ts';
import { stateLeadEvents } from '../../framework/simulation.ts';
import { jsonEvent, recordedForReport, runOnce, runTest, type ScheduleRun } from '../../grader/runTest.ts';
import { suite as multiPaxosSuite } from '../../labs/04-multipaxos/suite.ts';
import * as acceptsWithoutRaisingPromise from '../../solutions/04-multipaxos/mutants/accepts-without-raising-promise.ts';

describe('a failure report of a long run', () => {
  it('shows the last events of the shrunk run and every node’s state at each of them, as a whole recording does', () => {
    const test = multiPaxosSuite.tests.find((candidate) => candidate.number === '4.4');
    if (test === undefined) throw new Error('lab 4 has no test 4.4');
    const traceLimit = 500;
    const outcome = runTest(multiPaxosSuite, test, acceptsWithoutRaisingPromise, { seeds: [1], shrinkBudget: 5, traceLimit });
    const failure = outcome.failure;
    if (failure === undefined || failure.kind !== 'violation') throw new Error(`expected a violation, got ${JSON.stringify(outcome.failure?.kind)}`);
    const whole = runOnce(multiPaxosSuite, test, acceptsWithoutRaisingPromise, 1, failure.shrunkSchedule, 'full');
    // Long enough that the window starts well past the states' lead.
    expect(whole.traceLength).toBeGreaterThan(traceLimit + 2 * stateLeadEvents);
    expect(failure.trace).toEqual(whole.trace.map(jsonEvent).slice(-traceLimit));
    expect(failure.traceTruncated).toBe(true);
    const states = failure.states ?? [];
    expect(states.length).toBeGreaterThan(0);
    for (const event of failure.trace) {
      expect(nodeStatesAt(states, event.index), `at ${event.index}`).toEqual(nodeStatesAt(whole.states ?? [], event.index));
    }
    // Where no HTML report is written: the same failure and the same window, without the states.
    const withoutStates = runTest(multiPaxosSuite, test, acceptsWithoutRaisingPromise, { seeds: [1], shrinkBudget: 5, traceLimit, nodeStates: false });
    expect(withoutStates.failure?.states).toBeUndefined();
    const { states: _states, ...rest } = failure;
    expect(withoutStates.failure).toEqual(rest);
  });
});

interface Spray extends Protocol {
  message: { type: 'Drop'; index: number } | { type: 'Echo' };
  timer: never;
  input: never;
  output: never;
  config: { sprayCount: number };
  storage: { heard: number };
}

/** n0 sends n1 `sprayCount` messages in one reaction when it starts; n1 echoes each to n2. */
class Sprayer extends Node<Spray> {
  heard = 0;
  override onStart(): void {
    if (this.id === 0) for (let index = 0; index < this.config.sprayCount; index++) this.send(1, { type: 'Drop', index });
  }
  override onMessage(_from: NodeId, message: Spray['message']): void {
    this.heard++;
    this.storage.set('heard', this.heard);
    if (message.type === 'Drop') this.send(2, { type: 'Echo' });
  }
}

const sprayRun =
  (sprayCount: number, nodeStates = true): ScheduleRun =>
  (schedule, trace, traceFrom) =>
    simulate<Spray>({
      seed: 9,
      nodes: [0, 1, 2].map(() => ({ role: 'server' as const, node: Sprayer })),
      config: { sprayCount },
      durationMs: 200,
      faults: [...schedule],
      trace: trace ?? 'ring',
      ...(traceFrom !== undefined ? { traceFrom } : {}),
      nodeStates,
    });

describe('recording a run for its report', () => {
  const schedule: FaultSchedule = [{ atMs: 50, type: 'crash', node: 2 }];
  const traceLimit = 300;

  function expectSameWindow(shown: { readonly trace: readonly TraceEvent[]; readonly states?: unknown }, whole: ReturnType<ScheduleRun>) {
    expect(shown.trace).toEqual(whole.trace.slice(-traceLimit));
    const states = (shown as ReturnType<ScheduleRun>).states ?? [];
    for (const index of [whole.traceLength - traceLimit, whole.traceLength - 1]) expect(nodeStatesAt(states, index)).toEqual(nodeStatesAt(whole.states ?? [], index));
  }

  it('keeps only the window its expected length gives, and all of the run when there is no window to keep', () => {
    const run = sprayRun(1_500);
    const whole = run(schedule, 'full');
    const windowed = recordedForReport(run, schedule, 'full', traceLimit, whole.traceLength);
    expect(windowed.trace[0]?.index).toBe(whole.traceLength - traceLimit);
    expectSameWindow(windowed, whole);
    expect(recordedForReport(run, schedule, 'full', 0, whole.traceLength).trace).toEqual(whole.trace);
    expect(recordedForReport(run, schedule, 'full', traceLimit, undefined).trace).toEqual(whole.trace);
  });

  it('records the run again from its own length when it is shorter than expected', () => {
    const run = sprayRun(1_500);
    const whole = run(schedule, 'full');
    const calls: (number | undefined)[] = [];
    const counted: ScheduleRun = (candidate, trace, traceFrom) => {
      calls.push(traceFrom);
      return run(candidate, trace, traceFrom);
    };
    expectSameWindow(recordedForReport(counted, schedule, 'full', traceLimit, whole.traceLength + 5_000), whole);
    expect(calls).toEqual([whole.traceLength + 5_000 - traceLimit, whole.traceLength - traceLimit]);
  });

  it('records the run again when one reaction ran from before the states’ lead into the window', () => {
    // n0's first reaction records more than the lead's events, all of them before n1 hears anything.
    const run = sprayRun(4 * stateLeadEvents);
    const whole = run(schedule, 'full');
    const burstEnd = whole.trace.findIndex((event) => event.kind === 'deliver');
    expect(burstEnd).toBeGreaterThan(2 * stateLeadEvents);
    const expectedLength = burstEnd + traceLimit - 10;
    const first = run(schedule, 'full', expectedLength - traceLimit);
    expect(first.states).toBeUndefined();
    const calls: (number | undefined)[] = [];
    const counted: ScheduleRun = (candidate, trace, traceFrom) => {
      calls.push(traceFrom);
      return run(candidate, trace, traceFrom);
    };
    const shown = recordedForReport(counted, schedule, 'full', traceLimit, expectedLength);
    expect(calls).toHaveLength(2);
    expectSameWindow(shown, whole);
  });

  it('records the window once, without node states, where none are wanted', () => {
    const run = sprayRun(4 * stateLeadEvents, false);
    const whole = run(schedule, 'full');
    expect(whole.states).toBeUndefined();
    expect(whole.trace).toEqual(sprayRun(4 * stateLeadEvents)(schedule, 'full').trace);
    // The window that needed a second recording for its states above needs none.
    const burstEnd = whole.trace.findIndex((event) => event.kind === 'deliver');
    const expectedLength = burstEnd + traceLimit - 10;
    const calls: (number | undefined)[] = [];
    const counted: ScheduleRun = (candidate, trace, traceFrom) => {
      calls.push(traceFrom);
      return run(candidate, trace, traceFrom);
    };
    const shown = recordedForReport(counted, schedule, 'full', traceLimit, expectedLength, false);
    expect(calls).toEqual([expectedLength - traceLimit]);
    expect(shown.states).toBeUndefined();
    expect(shown.trace).toEqual(whole.trace.slice(expectedLength - traceLimit));
    // A run shorter than expected is still recorded again from its own length.
    calls.length = 0;
    expect(recordedForReport(counted, schedule, 'full', traceLimit, whole.traceLength + 5_000, false).trace).toEqual(whole.trace.slice(-traceLimit));
    expect(calls).toEqual([whole.traceLength + 5_000 - traceLimit, whole.traceLength - traceLimit]);
  });

  it('refuses a nodeStates setting that is not true or false, naming it', () => {
    expect(() =>
      simulate<Spray>({ seed: 9, nodes: [0, 1, 2].map(() => ({ role: 'server' as const, node: Sprayer })), config: { sprayCount: 1 }, durationMs: 200, trace: 'full', nodeStates: 'no' as unknown as boolean }),
    ).toThrow(/nodeStates must be true or false, not no/);
  });
});
