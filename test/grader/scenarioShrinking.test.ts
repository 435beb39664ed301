// What shrinking may and may not take away from a failing schedule: a test's own scenario
// stays as it is, and only the random faults are made smaller. A breadth-first search runs
// once, however many seeds are asked for.
import { describe, expect, it } from 'vitest';
import {
  always,
  crashRestarts,
  Node,
  runTest as declareRunTest,
  type LabSuite,
  type NodeId,
  type Protocol,
} from '../../framework/testing.ts';
import { runTest } from '../../grader/runTest.ts';
import paxosSuite from '../../labs/03-paxos/suite.ts';
import * as paxosSolution from '../../solutions/03-paxos/index.ts';

interface Beats extends Protocol {
  message: { type: 'Beat' };
  timer: { type: 'Tick' };
  input: never;
  output: { type: 'Heard'; from: NodeId };
  config: Record<never, never>;
  storage: Record<never, never>;
}

/** Sends a Beat to every peer every 10 ms, and reports every Beat it hears. */
class Beater extends Node<Beats> {
  override onStart(): void {
    this.setTimer({ type: 'Tick' }, 10);
  }

  override onTimer(): void {
    this.broadcast({ type: 'Beat' });
    this.setTimer({ type: 'Tick' }, 10);
  }

  override onMessage(from: NodeId): void {
    this.output({ type: 'Heard', from });
  }
}

/** The "bug" under test: a node that hears anything after it restarted. */
const nothingHeardAfterARestart = always<Beats, null>('nothing heard after a restart', {
  memory: () => null,
  records: ['output'],
  record(_memory, event) {
    if (event.kind === 'output' && event.incarnation > 0) return `${String(event.node)} heard a Beat after it restarted`;
    return undefined;
  },
});

interface Implementation {
  readonly Beater: typeof Beater;
}

const scenarioTest = declareRunTest<Beats, Implementation>({
  number: 'S.1',
  name: 'a scenario of its own, and random crashes',
  part: '',
  points: 1,
  kind: 'run',
  visibility: 'visible',
  seeds: 5,
  description: 'The test partitions n0 from the others for a while; random crashes and restarts come on top.',
  setup: (implementation) => ({
    nodes: [0, 1, 2].map(() => ({ role: 'server' as const, node: implementation.Beater })),
    config: {},
    durationMs: 2_000,
    properties: [nothingHeardAfterARestart],
  }),
  scenario: () => [
    { atMs: 50, type: 'isolate', node: 0 },
    { atMs: 150, type: 'heal' },
  ],
  faults: (context) => crashRestarts(context.servers, { count: [2, 4], withinMs: [100, 1_500], lengthMs: [20, 200] }),
});

const suite: LabSuite<Implementation> = { lab: 'scenario-test', title: 'scenario', exports: ['Beater'], tests: [scenarioTest] };

describe('a test of its own scenario and random faults', () => {
  it('never shrinks the scenario away, and shrinks the random faults to what the failure needs', () => {
    const outcome = runTest(suite, scenarioTest, { Beater }, { seeds: [1] });
    expect(outcome.passed).toBe(false);
    const failure = outcome.failure;
    expect(failure?.property).toBe('nothing heard after a restart');
    expect(failure?.scenarioActions).toBe(2);
    expect(failure?.schedule.slice(0, 2)).toEqual([
      { atMs: 50, type: 'isolate', node: 0 },
      { atMs: 150, type: 'heal' },
    ]);
    expect(failure?.shrunkSchedule.slice(0, 2)).toEqual(failure?.schedule.slice(0, 2));
    // The random part: one crash and its restart are all a restarted node needs.
    const random = failure?.shrunkSchedule.slice(2) ?? [];
    expect(random.map((action) => action.type)).toEqual(['crash', 'restart']);
    expect(failure?.schedule.length).toBeGreaterThan(4);
    expect(failure?.minimal).toBe(true);
  });
});

describe('a breadth-first search test', () => {
  it('runs once, however many seeds are asked for: every seed would explore the same space', () => {
    const test = paxosSuite.tests.find((candidate) => candidate.number === '3.S2');
    if (test === undefined) throw new Error('no test 3.S2');
    const outcome = runTest(paxosSuite, test, paxosSolution, { seeds: [1, 2, 3, 4, 5] });
    expect(outcome.passed).toBe(true);
    expect(outcome.exhaustive).toBe(true);
    expect(outcome.seedsRun).toBe(1);
    expect(outcome.measurements?.states).toBeGreaterThan(100);
  });
});
