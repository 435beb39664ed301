// The labs with search tests give their nodes no clock in runs either: the model checker has
// none, and a node that could read one in runs could behave one way where the time passes a
// second (every run) and another where it cannot read it (every search), and keep the points of
// searches its runs would fail. Only lab 5's part F gives a clock, where the handout lets a
// server time the leader it heard from.
import { describe, expect, it } from 'vitest';
import { simulate, type Protocol } from '../../framework/testing.ts';
import { Node } from '../../framework/index.ts';
import { withHiddenTests } from '../../grader/hiddenTests.ts';
import type { LabSuite } from '../../framework/suite.ts';
import { suite as paxos } from '../../labs/03-paxos/suite.ts';
import { hiddenTests as paxosHidden } from '../../labs/03-paxos/hidden.ts';
import { suite as multipaxos } from '../../labs/04-multipaxos/suite.ts';
import { hiddenTests as multipaxosHidden } from '../../labs/04-multipaxos/hidden.ts';
import { suite as raft } from '../../labs/05-raft/suite.ts';
import { hiddenTests as raftHidden } from '../../labs/05-raft/hidden.ts';
import { suite as paxoslog } from '../../labs/06-paxoslog/suite.ts';
import { hiddenTests as paxoslogHidden } from '../../labs/06-paxoslog/hidden.ts';
import * as paxosReference from '../../solutions/03-paxos/index.ts';
import * as multipaxosReference from '../../solutions/04-multipaxos/index.ts';
import * as raftReference from '../../solutions/05-raft/index.ts';
import * as paxoslogReference from '../../solutions/06-paxoslog/index.ts';

/** Each run test's number, with whether its runs give the nodes a clock. */
function clocks<Implementation>(suite: LabSuite<Implementation>, implementation: Implementation): [string, boolean][] {
  const rows: [string, boolean][] = [];
  for (const test of suite.tests) {
    if (test.kind !== 'run') continue;
    const prepared = test.prepare(implementation, 1);
    if (prepared.kind === 'run') rows.push([test.number, prepared.clock]);
  }
  return rows;
}

describe('runs of the labs with search tests give no clock', () => {
  it.each([
    ['3', withHiddenTests(paxos, paxosHidden), paxosReference],
    ['4', withHiddenTests(multipaxos, multipaxosHidden), multipaxosReference],
    ['6', withHiddenTests(paxoslog, paxoslogHidden), paxoslogReference],
  ] as const)('lab %s: no run test, visible or hidden, gives one', (_lab, suite, reference) => {
    const rows = clocks(suite as LabSuite<unknown>, reference);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter(([, clock]) => clock)).toEqual([]);
  });

  it('lab 5: only part F gives one', () => {
    const suite = withHiddenTests(raft, raftHidden);
    const rows = clocks(suite as LabSuite<unknown>, raftReference);
    const partOf = new Map(suite.tests.map((test) => [test.number, test.part]));
    expect(rows.filter(([number]) => partOf.get(number) === 'F').length).toBeGreaterThan(5);
    expect(rows.filter(([number, clock]) => clock !== (partOf.get(number) === 'F'))).toEqual([]);
  });

  it('a node that reads the clock in a run without one fails, with a message that says why', () => {
    interface Clocked extends Protocol {
      message: never;
      timer: { type: 'Tick' };
      input: never;
      output: never;
      config: Record<never, never>;
      storage: Record<never, never>;
    }
    class ReadsTheClock extends Node<Clocked> {
      override onStart(): void {
        this.setTimer({ type: 'Tick' }, 5);
      }

      override onTimer(): void {
        this.log(`it is ${this.now()} ms`);
      }
    }
    const settings = { seed: 1, nodes: [{ role: 'server' as const, node: ReadsTheClock }], config: {}, durationMs: 100 };
    expect(simulate<Clocked>(settings).passed).toBe(true);
    const failed = simulate<Clocked>({ ...settings, clock: false });
    expect(failed.failure?.kind).toBe('exception');
    expect(failed.failure?.message).toMatch(/this\.now\(\) has no meaning here: the model checker has no clock.*a lab with search tests gives no clock in its runs either/);
  });
});
