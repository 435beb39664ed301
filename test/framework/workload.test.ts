import { describe, expect, it } from 'vitest';
import { Node, SettingsError, simulate, type FaultAction, type NodeId, type Protocol, type Workload } from '../../framework/testing.ts';
import { detailOf, ofKind, serversOf } from './helpers.ts';

interface Service extends Protocol {
  message: never;
  timer: { type: 'Finish'; n: number };
  input: { type: 'Request'; n: number };
  output: { type: 'Done'; n: number };
  config: { workMs: number };
  storage: Record<never, never>;
}

/** Answers each Request after `workMs` (immediately when 0). */
class Server extends Node<Service> {
  override onInput(input: Service['input']): void {
    if (this.config.workMs === 0) this.output({ type: 'Done', n: input.n });
    else this.setTimer({ type: 'Finish', n: input.n }, this.config.workMs);
  }
  override onTimer(timer: Service['timer']): void {
    this.output({ type: 'Done', n: timer.n });
  }
}

function run(workload: Workload<Service>, options: { faults?: FaultAction[]; workMs?: number; seed?: number; nodes?: number } = {}) {
  return simulate<Service>({
    seed: options.seed ?? 1,
    nodes: serversOf(options.nodes ?? 2, Server),
    config: { workMs: options.workMs ?? 3 },
    workload,
    faults: options.faults ?? [],
    durationMs: 1000,
    trace: 'full',
  });
}

const givenInputs = (result: ReturnType<typeof run>) =>
  ofKind(result.trace, 'input').map((event) => ({ t: event.timeMs, node: event.node, n: detailOf<{ n: number }>(event).n, reason: event.reason }));

describe('workloads', () => {
  it('workload.start schedules inputs at now + delayMs', () => {
    const result = run({
      start: (context) => {
        expect(context.cluster.nowMs).toBe(0);
        context.input(0, { type: 'Request', n: 1 }, 10);
        context.input(1, { type: 'Request', n: 2 }, 25);
        context.input(0, { type: 'Request', n: 3 });
      },
    });
    expect(givenInputs(result)).toEqual([
      { t: 0, node: 0, n: 3, reason: undefined },
      { t: 10, node: 0, n: 1, reason: undefined },
      { t: 25, node: 1, n: 2, reason: undefined },
    ]);
    expect(result.outputs.map((record) => [record.timeMs, record.node, record.output.n])).toEqual([
      [3, 0, 3],
      [13, 0, 1],
      [28, 1, 2],
    ]);
  });

  it('onOutput sees each output as it happens and can schedule the next input (a closed loop)', () => {
    const seen: [number, number, number][] = [];
    const result = run({
      start: (context) => context.input(0, { type: 'Request', n: 0 }),
      onOutput: (record, context) => {
        seen.push([record.timeMs, record.node, record.output.n]);
        expect(context.cluster.nowMs).toBe(record.timeMs);
        if (record.output.n < 4) context.input(1 - record.node, { type: 'Request', n: record.output.n + 1 }, 5);
      },
    });
    // Request at t, Done at t+3, next Request at t+8.
    expect(seen).toEqual([
      [3, 0, 0],
      [11, 1, 1],
      [19, 0, 2],
      [27, 1, 3],
      [35, 0, 4],
    ]);
    expect(result.outputs).toHaveLength(5);
    expect(result.endReason).toBe('quiescent');
  });

  it('an input with delay 0 from onOutput is given right after the current event, at the same time', () => {
    const result = run(
      {
        start: (context) => context.input(0, { type: 'Request', n: 0 }, 7),
        onOutput: (record, context) => {
          if (record.output.n < 3) context.input(0, { type: 'Request', n: record.output.n + 1 }, 0);
        },
      },
      { workMs: 0 },
    );
    expect(givenInputs(result).map(({ t, n }) => [t, n])).toEqual([
      [7, 0],
      [7, 1],
      [7, 2],
      [7, 3],
    ]);
    const steps = ofKind(result.trace, 'input').map((event) => event.step);
    expect(steps).toEqual([1, 2, 3, 4]);
  });

  it('inputs to crashed nodes are not given (workload and scheduled inputs alike)', () => {
    const faults: FaultAction[] = [
      { atMs: 20, type: 'crash', node: 1 },
      { atMs: 60, type: 'restart', node: 1 },
    ];
    const result = simulate<Service>({
      seed: 1,
      nodes: serversOf(2, Server),
      config: { workMs: 3 },
      workload: {
        start: (context) => {
          for (const at of [10, 30, 50, 70]) context.input(1, { type: 'Request', n: at }, at);
        },
      },
      inputs: [{ atMs: 40, node: 1, input: { type: 'Request', n: 40 } }],
      faults,
      durationMs: 1000,
      trace: 'full',
    });
    expect(givenInputs(result)).toEqual([
      { t: 10, node: 1, n: 10, reason: undefined },
      { t: 30, node: 1, n: 30, reason: 'not given: node crashed' },
      { t: 40, node: 1, n: 40, reason: 'not given: node crashed' },
      { t: 50, node: 1, n: 50, reason: 'not given: node crashed' },
      { t: 70, node: 1, n: 70, reason: undefined },
    ]);
    expect(result.outputs.map((record) => record.output.n)).toEqual([10, 70]);
  });

  it("the workload's random source is seeded: same seed, same draws; another seed, other draws", () => {
    const draws = (seed: number) => {
      const values: number[] = [];
      run({ start: (context) => values.push(context.random.next(), context.random.integer(1, 1000), context.random.next()) }, { seed });
      return values;
    };
    expect(draws(5)).toEqual(draws(5));
    expect(draws(5)).not.toEqual(draws(6));
  });

  it('a random workload gives the same run for the same seed', () => {
    const workload: Workload<Service> = {
      start: (context) => {
        for (let n = 0; n < 20; n++) context.input(context.random.pick(context.cluster.servers), { type: 'Request', n }, context.random.integer(1, 100));
      },
    };
    const first = run(workload, { seed: 3, nodes: 3 });
    const second = run(workload, { seed: 3, nodes: 3 });
    expect(givenInputs(second)).toEqual(givenInputs(first));
    expect(new Set(givenInputs(first).map((input) => input.node)).size).toBeGreaterThan(1);
  });

  it('an input changed by the workload after giving it is not changed for the node', () => {
    const result = run({
      start: (context) => {
        const input: Service['input'] = { type: 'Request', n: 1 };
        context.input(0, input, 5);
        input.n = 99;
      },
    });
    expect(result.outputs.map((record) => record.output.n)).toEqual([1]);
  });

  it('an input to an unknown node is a SettingsError', () => {
    expect(() => run({ start: (context) => context.input(5 as NodeId, { type: 'Request', n: 0 }) })).toThrow(SettingsError);
    expect(() =>
      simulate<Service>({
        seed: 1,
        nodes: serversOf(1, Server),
        config: { workMs: 1 },
        inputs: [{ atMs: 1, node: 3, input: { type: 'Request', n: 0 } }],
        durationMs: 10,
      }),
    ).toThrow(SettingsError);
  });
});

describe('the history of a run', () => {
  it('records each input given and each output with its time: invocations and responses', () => {
    interface Echo extends Protocol {
      message: never;
      timer: { type: 'Done'; id: number };
      input: { type: 'Ask'; id: number };
      output: { type: 'Answer'; id: number };
      config: object;
      storage: Record<never, never>;
    }
    class Answerer extends Node<Echo> {
      override onInput(input: Echo['input']): void {
        this.setTimer({ type: 'Done', id: input.id }, 5 + input.id);
      }
      override onTimer(timer: Echo['timer']): void {
        this.output({ type: 'Answer', id: timer.id });
      }
    }
    const result = simulate<Echo>({
      seed: 1,
      nodes: [{ role: 'client', node: Answerer }],
      config: {},
      inputs: [
        { atMs: 10, node: 0, input: { type: 'Ask', id: 1 } },
        { atMs: 12, node: 0, input: { type: 'Ask', id: 2 } },
      ],
      durationMs: 100,
    });
    expect(result.inputs.map((record) => [record.timeMs, record.input.id])).toEqual([[10, 1], [12, 2]]);
    expect(result.outputs.map((record) => [record.timeMs, record.output.id])).toEqual([[16, 1], [19, 2]]);
  });
});
