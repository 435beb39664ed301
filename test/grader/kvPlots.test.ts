import { describe, expect, it } from 'vitest';
import { runSeed, type FaultAction, type FaultSchedule, type SimulationResult, type Protocol, type TraceEvent } from '../../framework/testing.ts';
import { renderHtmlReport } from '../../grader/reports/html.ts';
import { clientOperations, faultBands, renderKvPlots } from '../../grader/reports/kvPlots.ts';
import { computeTotals, reportSchemaVersion, type GradedTest, type GradingReport } from '../../grader/results.ts';
import * as pingPong from '../../solutions/00-pingpong/index.ts';
import * as multipaxos from '../../solutions/04-multipaxos/index.ts';
import { suite as pingPongSuite } from '../../labs/00-pingpong/suite.ts';
import { suite as multipaxosSuite } from '../../labs/04-multipaxos/suite.ts';

/** Lab 4's crash test, seed 1, on the reference: its scenario cuts, heals, crashes and restarts servers. */
const crashTestNumber = '4.16';

function crashRun(): { result: SimulationResult<Protocol>; schedule: FaultSchedule } {
  const test = multipaxosSuite.tests.find((candidate) => candidate.number === crashTestNumber);
  if (test === undefined) throw new Error(`lab 4 has no test ${crashTestNumber}`);
  const prepared = test.prepare(multipaxos, 1);
  if (prepared.kind !== 'run') throw new Error(`${crashTestNumber} is not a run test`);
  const schedule = prepared.scenario;
  return { result: prepared.simulate(runSeed(multipaxosSuite.lab, crashTestNumber, 1), schedule, 'full'), schedule };
}

const { result, schedule } = crashRun();
const trace = result.trace;

/** Each client's calls and returns, straight from the trace: the k-th return of a client answers its k-th call. */
function callsAndReturns(events: readonly TraceEvent[]) {
  const byClient = new Map<number, { calls: TraceEvent[]; returns: TraceEvent[] }>();
  for (const event of events) {
    const isCall = event.kind === 'input' && event.label === 'Invoke';
    const isReturn = event.kind === 'output' && event.label === 'Returned';
    if (!isCall && !isReturn) continue;
    const entry = byClient.get(event.node) ?? { calls: [], returns: [] };
    (isCall ? entry.calls : entry.returns).push(event);
    byClient.set(event.node, entry);
  }
  return byClient;
}

/** The titles of the elements of one class in the fragment, with their attributes. */
function elements(fragment: string, className: RegExp): { attributes: string; title: string }[] {
  return [...fragment.matchAll(/<(circle|path|rect|line) class="([^"]*)"([^>]*)><title>([^<]*)<\/title>/g)]
    .filter(([, , classes]) => className.test(classes as string))
    .map(([, , , attributes, title]) => ({ attributes: attributes as string, title: title as string }));
}

describe('client latency and throughput of a key-value run', () => {
  it('pairs each return with its call: the latency is Returned.time − Invoke.time', () => {
    const operations = clientOperations(trace);
    const byClient = callsAndReturns(trace);
    const calls = [...byClient.values()].reduce((sum, entry) => sum + entry.calls.length, 0);
    expect(calls).toBeGreaterThan(100);
    expect(operations).toHaveLength(calls);
    // No client crashes in this test: every call returns.
    expect(operations.every((operation) => operation.returnTimeMs !== null)).toBe(true);
    let checked = 0;
    for (const [client, { calls: clientCalls, returns }] of byClient) {
      expect(returns).toHaveLength(clientCalls.length);
      for (const position of [0, 1, Math.floor(clientCalls.length / 2), clientCalls.length - 1]) {
        const call = clientCalls[position] as TraceEvent;
        const returned = returns[position] as TraceEvent;
        // The return names the operation it answers: the pairing is right.
        expect((returned.detail as { operation: unknown }).operation).toEqual((call.detail as { operation: unknown }).operation);
        const operation = operations.find((candidate) => candidate.callIndex === call.index);
        expect(operation?.client).toBe(client);
        expect(operation?.returnIndex).toBe(returned.index);
        expect((operation?.returnTimeMs ?? Number.NaN) - (operation?.callTimeMs ?? Number.NaN)).toBe(returned.timeMs - call.timeMs);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(16);
  });

  it('draws a latency point per answered operation, at its return time, with its latency', () => {
    const fragment = renderKvPlots(trace, schedule, result.endTimeMs, 'run-kv');
    if (fragment === undefined) throw new Error('a key-value run has client operations');
    const points = elements(fragment, /\bpoint\b/);
    const operations = clientOperations(trace);
    expect(points).toHaveLength(operations.length);
    for (const operation of [operations[0], operations[7], operations[operations.length - 1]]) {
      if (operation === undefined || operation.returnTimeMs === null) throw new Error('the operation should have returned');
      const latencyMs = operation.returnTimeMs - operation.callTimeMs;
      const point = points.find(({ title }) => title.startsWith(`n${operation.client} call ${operation.call} `));
      expect(point?.attributes).toContain(`data-latency-ms="${latencyMs}"`);
      expect(point?.title).toContain(`: ${latencyMs} ms, called at ${operation.callTimeMs} ms, returned at ${operation.returnTimeMs} ms`);
    }
    // Axis titles with units, and the throughput's windows, which count every answered operation once.
    expect(fragment).toContain('>time (simulated ms)</text>');
    expect(fragment).toContain('>latency (simulated ms)</text>');
    expect(fragment).toContain('>operations completed per second</text>');
    const windowTitle = /\(in (\d+) ms windows\)<\/text>/.exec(fragment);
    expect(windowTitle).not.toBeNull();
    const windows = [...fragment.matchAll(/<rect class="window"[^>]*><title>[^<]*: (\d+) completed, /g)].map(([, count]) => Number(count));
    expect(windows.reduce((sum, count) => sum + count, 0)).toBe(operations.length);
    expect(windows.length * Number(windowTitle?.[1])).toBeGreaterThanOrEqual(result.endTimeMs);
    expect(fragment).not.toMatch(/NaN|Infinity|undefined|null/);
  });

  it('shades the schedule: each crash until its restart, each cut until the next heal', () => {
    const bands = faultBands(schedule, 0, result.endTimeMs);
    const sorted = [...schedule].map((action, position) => ({ action, position })).sort((left, right) => left.action.atMs - right.action.atMs || left.position - right.position);
    const crashes = sorted.filter(({ action }) => action.type === 'crash');
    expect(crashes.length).toBeGreaterThan(3);
    for (const { action, position } of crashes) {
      if (action.type !== 'crash') continue;
      const restart = sorted.find(({ action: later, position: laterPosition }) => later.type === 'restart' && later.node === action.node && (later.atMs > action.atMs || (later.atMs === action.atMs && laterPosition > position)));
      expect(bands).toContainEqual({ kind: 'crashed', startMs: action.atMs, endMs: restart?.action.atMs ?? result.endTimeMs, open: restart === undefined, label: `n${action.node}` });
    }
    const cuts = sorted.filter(({ action }) => action.type === 'cut');
    expect(cuts.length).toBeGreaterThan(1);
    for (const cut of cuts) {
      const action = cut.action;
      if (action.type !== 'cut') continue;
      const heal = sorted.slice(sorted.indexOf(cut) + 1).find(({ action: later }) => later.type === 'heal' || later.type === 'partition');
      const band = bands.find((candidate) => candidate.kind === 'cut' && candidate.startMs === action.atMs && candidate.label === `{${action.from.map((id) => `n${id}`).join(',')}} -> {${action.to.map((id) => `n${id}`).join(',')}}`);
      expect(band?.endMs).toBe(heal?.action.atMs ?? result.endTimeMs);
    }
    // The page shows each band on both plots and in the legend, numbered in the order of the list.
    const fragment = renderKvPlots(trace, schedule, result.endTimeMs) ?? '';
    const legend = /<ol class="kv-faults">([\s\S]*?)<\/ol>/.exec(fragment)?.[1] ?? '';
    expect(legend.match(/<li>/g)).toHaveLength(bands.length);
    const shaded = elements(fragment, /^band band-(crashed|cut|partition|isolation)$/);
    expect(shaded).toHaveLength(2 * bands.filter((band) => band.kind !== 'network').length);
    expect(shaded[0]?.title).toBe(`1. crashed ${bands[0]?.label}, ${bands[0]?.startMs}–${bands[0]?.endMs} ms`);
  });

  it('marks the operations never answered on the top edge, at their call time', () => {
    // The run cut short halfway: the operations in progress there never returned.
    const half = trace.slice(0, Math.floor(trace.length / 2));
    const operations = clientOperations(half);
    const pending = operations.filter((operation) => operation.returnTimeMs === null);
    expect(pending.length).toBeGreaterThan(0);
    const fragment = renderKvPlots(half, schedule, undefined) ?? '';
    const marks = elements(fragment, /\bunanswered\b/);
    expect(marks).toHaveLength(pending.length);
    expect(marks[0]?.title).toContain(`never answered (called at ${pending[0]?.callTimeMs} ms)`);
    expect(fragment).toContain('never answered (at its call time, on the top edge)');
  });

  it('forgets the calls of a client that crashed: they are never answered', () => {
    const events: TraceEvent[] = [
      { index: 0, step: 0, timeMs: 0, kind: 'input', node: 3, peer: -1, label: 'Invoke', detail: { type: 'Invoke', operation: { kind: 'get', key: 'x' } } },
      { index: 1, step: 1, timeMs: 10, kind: 'crash', node: 3, peer: -1, label: 'KvClient' },
      { index: 2, step: 2, timeMs: 20, kind: 'restart', node: 3, peer: -1, label: 'KvClient' },
      { index: 3, step: 3, timeMs: 30, kind: 'input', node: 3, peer: -1, label: 'Invoke', detail: { type: 'Invoke', operation: { kind: 'get', key: 'y' } } },
      { index: 4, step: 4, timeMs: 45, kind: 'output', node: 3, peer: -1, label: 'Returned', detail: { type: 'Returned', sequence: 2, operation: { kind: 'get', key: 'y' }, result: { value: '' } } },
    ];
    const operations = clientOperations(events);
    expect(operations.map((operation) => [operation.callTimeMs, operation.returnTimeMs, operation.sequence])).toEqual([
      [0, null, undefined],
      [30, 45, 2],
    ]);
  });

  it('escapes hostile operations and schedule entries', () => {
    const hostile = '</svg><script>alert(1)</script><img src=x onerror=alert(2)> {{x}} "\u202e';
    const events: TraceEvent[] = [
      { index: 0, step: 0, timeMs: 0, kind: 'input', node: 2, peer: -1, label: 'Invoke', detail: { type: 'Invoke', operation: { kind: 'put', key: hostile, value: hostile } } },
      { index: 1, step: 1, timeMs: 12, kind: 'output', node: 2, peer: -1, label: 'Returned', detail: { type: 'Returned', sequence: 1, operation: { kind: 'put', key: hostile, value: hostile }, result: {} } },
      { index: 2, step: 2, timeMs: 20, kind: 'input', node: 2, peer: -1, label: 'Invoke', detail: { type: 'Invoke', operation: { kind: 'get', key: hostile } } },
    ];
    const hostileSchedule = [
      { atMs: 5, type: 'crash', node: 0 },
      { atMs: 6, type: hostile },
      { atMs: 7, type: 'partition', groups: [[0, hostile]] },
      { atMs: Number.NaN, type: 'crash', node: 1 },
    ] as unknown as FaultAction[];
    const fragment = renderKvPlots(events, hostileSchedule, 40, `"><script>`) ?? '';
    expect(fragment).not.toMatch(/<script|<img|<\/svg><script|\u202e/);
    expect(fragment).toContain('&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(fragment).toContain('{{x}}');
    expect(fragment).toContain('id="---script-"');
    expect(fragment).not.toMatch(/NaN|Infinity|undefined|null/);
    // The markup is the grader's: only these elements appear.
    const tags = new Set([...fragment.matchAll(/<([a-z]+)[\s>/]/g)].map(([, tag]) => tag));
    expect([...tags].sort()).toEqual(['circle', 'desc', 'figcaption', 'figure', 'g', 'li', 'line', 'ol', 'path', 'polyline', 'rect', 'span', 'svg', 'text', 'title', 'ul']);
  });

  it('draws nothing for a run without client operations', () => {
    const test = pingPongSuite.tests[0];
    if (test === undefined) throw new Error('lab 0 has tests');
    const prepared = test.prepare(pingPong, 1);
    if (prepared.kind !== 'run') throw new Error('the first test of lab 0 is a run test');
    const run = prepared.simulate(runSeed(pingPongSuite.lab, test.number, 1), prepared.scenario, 'full');
    expect(run.trace.length).toBeGreaterThan(10);
    expect(renderKvPlots(run.trace, prepared.scenario, run.endTimeMs)).toBeUndefined();
    expect(renderKvPlots([], [], 0)).toBeUndefined();
  });

  it('shows under the trace of a failure and of a watched run, headed "Client latency and throughput"', () => {
    const failed: GradedTest = {
      number: crashTestNumber,
      name: 'crashes and restarts',
      part: '',
      kind: 'run',
      visibility: 'visible',
      description: 'Crashes every server in turn.',
      maxScore: 4,
      score: 0,
      status: 'failed',
      seedsPlanned: 5,
      seedsRun: 1,
      wallMs: 900,
      failure: {
        seed: 1,
        kind: 'liveness',
        property: 'every operation returns',
        message: 'an operation never returned',
        step: trace[trace.length - 1]?.step ?? 0,
        timeMs: result.endTimeMs,
        schedule,
        shrunkSchedule: schedule,
        minimal: true,
        shrinkRuns: 0,
        lastEvents: trace.slice(-3),
        trace,
        traceTruncated: false,
        replayCode: 'eyJ2IjoxfQ',
        replayCommand: 'npm run grade -- multipaxos --replay eyJ2IjoxfQ',
      },
    };
    const report: GradingReport = {
      schemaVersion: reportSchemaVersion,
      tool: 'distlab',
      lab: multipaxosSuite.lab,
      labTitle: multipaxosSuite.title,
      implementation: 'reference',
      startedAt: '2026-01-02T03:04:05.000Z',
      finishedAt: '2026-01-02T03:04:06.000Z',
      durationMs: 1000,
      interrupted: false,
      typeErrors: [],
      options: { hidden: false },
      tests: [failed],
      totals: computeTotals([failed]),
    };
    const page = renderHtmlReport(report);
    // After the failure's trace, in its section: the heading, then the plots of its run.
    const failureAt = page.indexOf('<section class="failure"');
    const traceAt = page.indexOf('<h3>Trace</h3>', failureAt);
    const headingAt = page.indexOf('<h3>Client latency and throughput</h3>', failureAt);
    expect(failureAt).toBeGreaterThanOrEqual(0);
    expect(traceAt).toBeGreaterThan(failureAt);
    expect(headingAt).toBeGreaterThan(traceAt);
    const plots = page.slice(headingAt, page.indexOf('</figure>', headingAt));
    expect(/^<h3>Client latency and throughput<\/h3>\s*<figure class="kv-plots" id="test-0-4-16-kv">/.test(plots)).toBe(true);
    expect(plots.match(/<circle class="point [^"]*"[^>]*data-latency-ms=/g)).toHaveLength(clientOperations(trace).length);

    const watchedPage = renderHtmlReport(
      { ...report, tests: [{ ...failed, status: 'passed', score: 4, failure: undefined } as GradedTest] },
      { testNumber: crashTestNumber, seed: 1, verdict: 'passed', schedule, trace, totalEvents: trace.length, endTimeMs: result.endTimeMs, command: 'npm run watch' },
    );
    const watchedAt = watchedPage.indexOf('<section class="watched"');
    const watchedHeadingAt = watchedPage.indexOf('<h3>Client latency and throughput</h3>', watchedAt);
    expect(watchedAt).toBeGreaterThanOrEqual(0);
    expect(watchedHeadingAt).toBeGreaterThan(watchedPage.indexOf('<h3>Trace</h3>', watchedAt));
    expect(/^<h3>Client latency and throughput<\/h3>\s*<figure class="kv-plots" id="watched-kv">/.test(watchedPage.slice(watchedHeadingAt))).toBe(true);
  });
});
