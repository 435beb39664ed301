import { describe, expect, it } from 'vitest';
import { checkLinearizability, checkSuite, historyModels, parseHistory, runSeed, runTest, type HistoryOperation, type LabSuite, type SequentialModel, type SuiteTest } from '../../framework/testing.ts';
import { axisTitleMaxLength } from '../../framework/suite.ts';
import { describedTest } from '../../grader/grade.ts';
import { renderHistoryTimeline } from '../../grader/reports/historyTimeline.ts';
import { renderHtmlReport } from '../../grader/reports/html.ts';
import { validateReportJson } from '../../grader/reports/schema.ts';
import { splitMeasurements } from '../../grader/reports/terminal.ts';
import { computeTotals, reportSchemaVersion, type GradedTest, type GradingReport } from '../../grader/results.ts';
import * as pingPong from '../../solutions/00-pingpong/index.ts';
import * as mutex from '../../solutions/01-mutex/index.ts';
import * as election from '../../solutions/02-election/index.ts';
import * as paxos from '../../solutions/03-paxos/index.ts';
import * as multipaxos from '../../solutions/04-multipaxos/index.ts';
import * as paxosLog from '../../solutions/06-paxoslog/index.ts';
import * as raft from '../../solutions/05-raft/index.ts';
import { hiddenTests as pingPongHidden } from '../../labs/00-pingpong/hidden.ts';
import { suite as pingPongSuite } from '../../labs/00-pingpong/suite.ts';
import { suite as mutexSuite } from '../../labs/01-mutex/suite.ts';
import { hiddenTests as electionHidden } from '../../labs/02-election/hidden.ts';
import { suite as electionSuite } from '../../labs/02-election/suite.ts';
import { hiddenTests as paxosHidden } from '../../labs/03-paxos/hidden.ts';
import { suite as paxosSuite } from '../../labs/03-paxos/suite.ts';
import { hiddenTests as multipaxosHidden } from '../../labs/04-multipaxos/hidden.ts';
import { suite as multipaxosSuite } from '../../labs/04-multipaxos/suite.ts';
import { hiddenTests as paxosLogHidden } from '../../labs/06-paxoslog/hidden.ts';
import { suite as paxosLogSuite } from '../../labs/06-paxoslog/suite.ts';
import { hiddenTests as raftHidden } from '../../labs/05-raft/hidden.ts';
import { suite as raftSuite } from '../../labs/05-raft/suite.ts';

const seriesMeasurements: Record<string, number> = {};
for (let nodes = 2; nodes <= 9; nodes++) {
  seriesMeasurements[`measured@${nodes}`] = 3 * (nodes - 1);
  seriesMeasurements[`formula@${nodes}`] = 3 * (nodes - 1);
}

function graded(number: string, extra: Partial<GradedTest>): GradedTest {
  return {
    number,
    name: `cost test ${number}`,
    part: 'C',
    kind: 'budget',
    visibility: 'visible',
    description: 'Messages per entry as N grows.',
    maxScore: 1,
    score: 1,
    status: 'passed',
    seedsPlanned: 8,
    seedsRun: 8,
    wallMs: 10,
    measurements: seriesMeasurements,
    ...extra,
  };
}

function report(tests: readonly GradedTest[]): GradingReport {
  return {
    schemaVersion: reportSchemaVersion,
    tool: 'distlab',
    lab: '01-mutex',
    labTitle: 'Lab 1: Mutual exclusion',
    implementation: 'reference',
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:04:06.000Z',
    durationMs: 1000,
    interrupted: false,
    typeErrors: [],
    options: { hidden: false },
    tests,
    totals: computeTotals(tests),
  };
}

/** The SVG of each chart of a page, in order. */
function charts(page: string): string[] {
  return [...page.matchAll(/<figure class="chart"[\s\S]*?<\/figure>/g)].map(([figure]) => figure);
}

function axisTitles(chart: string): { x: string; y: string } {
  return {
    x: /<text class="axis-title x-title"[^>]*>([^<]*)<\/text>/.exec(chart)?.[1] ?? '',
    y: /<text class="axis-title y-title"[^>]*>([^<]*)<\/text>/.exec(chart)?.[1] ?? '',
  };
}

describe('chart axis titles', () => {
  const hostileTitle = '</text><script>alert(1)</script> & "per"';
  const page = renderHtmlReport(
    report([
      graded('1C.6', { axes: { x: 'nodes (N)', y: 'messages sent per critical-section entry' } }),
      graded('1C.7', {}),
      graded('1C.8', { axes: { x: hostileTitle, y: 'y'.repeat(axisTitleMaxLength) } }),
    ]),
  );
  const [declared, undeclared, hostile] = charts(page) as [string, string, string];

  it('draws the declared titles under the x ticks and turned along the y axis, and names them in the description', () => {
    expect(axisTitles(declared)).toEqual({ x: 'nodes (N)', y: 'messages sent per critical-section entry' });
    expect(declared).toMatch(/<text class="axis-title y-title" transform="translate\(16 [\d.]+\) rotate\(-90\)"/);
    // The x title sits below the tick labels.
    const tickLabelY = Number(/<text x="[\d.]+" y="([\d.]+)" text-anchor="middle">2<\/text>/.exec(declared)?.[1]);
    const titleY = Number(/<text class="axis-title x-title"[^>]* y="([\d.]+)"/.exec(declared)?.[1]);
    expect(titleY).toBeGreaterThan(tickLabelY + 10);
    expect(declared).toMatch(/<desc id="[^"]+">Line chart of 2 series; x axis: nodes \(N\), from 2 to 9; y axis: messages sent per critical-section entry, from 0 to \d+:/);
    // The data table's first column is the x axis.
    expect(declared).toContain('<th class="num">nodes (N)</th>');
  });

  it('says plainly what an undeclared axis is', () => {
    expect(axisTitles(undeclared)).toEqual({ x: 'x (as measured)', y: 'measured value (unit not given)' });
  });

  it('escapes the titles, and squeezes one too long for its axis', () => {
    expect(axisTitles(hostile).x).toBe('&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;per&quot;');
    expect(hostile).not.toContain('<script');
    expect(hostile).toMatch(/<text class="axis-title y-title"[^>]* textLength="[\d.]+" lengthAdjust="spacingAndGlyphs">y+<\/text>/);
    expect(hostile).not.toMatch(/<text class="axis-title x-title"[^>]* textLength=/);
  });
});

describe('a measured series that meets its formula exactly', () => {
  const [chart] = charts(renderHtmlReport(report([graded('1C.6', {})]))) as [string];
  const plot = chart.slice(0, chart.indexOf('</svg>'));
  const groups = [...plot.matchAll(/<g class="series s(\d)">(.*?)<\/g>/g)].map((match) => ({ series: Number(match[1]), body: match[2] ?? '' }));

  it('draws the formula first and the measured series over it, so that neither hides the other', () => {
    // The legend keeps the suite's order (measured, formula); the plot draws the formula underneath.
    expect(groups.map((group) => group.series)).toEqual([1, 0]);
    expect(groups[0]?.body).toContain('stroke-dasharray');
    expect(groups[0]?.body).toContain('class="marker hollow"');
    expect(groups[1]?.body).not.toContain('hollow');
  });

  it("gives the formula's hollow markers room around the measured ones", () => {
    const size = (body: string) => Number(/d="M[\d.]+,[\d.]+h([\d.]+)v/.exec(body)?.[1] ?? /a([\d.]+),/.exec(body)?.[1]);
    // The formula's squares are wider than the measured circles' diameter.
    expect(size(groups[0]?.body ?? '')).toBeGreaterThan(2 * size(groups[1]?.body ?? ''));
  });
});

describe('axes declared by a suite', () => {
  const declare = (axes: unknown): SuiteTest<unknown> =>
    runTest({
      number: '9.1',
      name: 'a measured test',
      part: '',
      kind: 'budget',
      points: 1,
      visibility: 'visible',
      seeds: 1,
      description: 'Measures.',
      axes: axes as { x: string; y: string },
      setup: () => ({ nodes: [], config: {}, durationMs: 1 }),
    });
  const problemsWith = (axes: unknown) => checkSuite({ lab: '99-test', title: 'Test', exports: [], tests: [declare(axes)] } as LabSuite<unknown>);

  it('accepts two short titles and refuses anything else', () => {
    expect(problemsWith({ x: 'nodes (N)', y: 'messages per election' })).toEqual([]);
    expect(problemsWith('nodes')).toEqual(['test 9.1: axes must be an object { x, y } of two titles']);
    expect(problemsWith({ x: 'nodes (N)' })).toEqual(['test 9.1: axes.y must be a string']);
    expect(problemsWith({ x: 3, y: 'messages' })).toEqual(['test 9.1: axes.x must be a string']);
    expect(problemsWith({ x: '  ', y: 'messages' })).toEqual(['test 9.1: axes.x is empty']);
    expect(problemsWith({ x: 'nodes', y: 'm'.repeat(axisTitleMaxLength + 1) })).toEqual([`test 9.1: axes.y is longer than ${axisTitleMaxLength} characters`]);
    expect(problemsWith({ x: 'nodes\n(N)', y: 'messages' })).toEqual(['test 9.1: axes.x contains a control character']);
  });

  it('carries them to the graded test and report.json, whose schema takes them', () => {
    const test = declare({ x: 'nodes (N)', y: 'messages per election' });
    const described = describedTest(test, 1);
    expect(described.axes).toEqual({ x: 'nodes (N)', y: 'messages per election' });
    const passing: GradedTest = { ...described, score: 1, status: 'passed', seedsRun: 1, wallMs: 1, measurements: { 'measured@3': 4 } };
    expect(validateReportJson(JSON.parse(JSON.stringify(report([passing]))))).toEqual([]);
    const malformed = { ...passing, axes: { x: 'nodes (N)', y: 7 } };
    expect(validateReportJson(JSON.parse(JSON.stringify(report([malformed as unknown as GradedTest]))))).not.toEqual([]);
  });
});

describe("every lab's measured series", () => {
  const labs: readonly { suite: LabSuite<unknown>; hidden: readonly SuiteTest<unknown>[]; implementation: unknown }[] = [
    { suite: pingPongSuite as LabSuite<unknown>, hidden: pingPongHidden as readonly SuiteTest<unknown>[], implementation: pingPong },
    { suite: mutexSuite as LabSuite<unknown>, hidden: [], implementation: mutex },
    { suite: electionSuite as LabSuite<unknown>, hidden: electionHidden as readonly SuiteTest<unknown>[], implementation: election },
    { suite: paxosSuite as LabSuite<unknown>, hidden: paxosHidden as readonly SuiteTest<unknown>[], implementation: paxos },
    { suite: multipaxosSuite as LabSuite<unknown>, hidden: multipaxosHidden as readonly SuiteTest<unknown>[], implementation: multipaxos },
    { suite: raftSuite as LabSuite<unknown>, hidden: raftHidden as readonly SuiteTest<unknown>[], implementation: raft },
    { suite: paxosLogSuite as LabSuite<unknown>, hidden: paxosLogHidden as readonly SuiteTest<unknown>[], implementation: paxosLog },
  ];

  it('every run test whose figures form series declares its axes', () => {
    const measured: string[] = [];
    const undeclared: string[] = [];
    for (const { suite, hidden, implementation } of labs) {
      expect(checkSuite({ ...suite, tests: [...suite.tests, ...hidden] })).toEqual([]);
      for (const test of [...suite.tests, ...hidden]) {
        if (test.kind === 'search') continue;
        // Seed 1 on the reference: which figures a test reports does not depend on the seed.
        const prepared = test.prepare(implementation, 1);
        if (prepared.kind !== 'run') continue;
        const result = prepared.simulate(runSeed(suite.lab, test.number, 1), prepared.scenario, 'ring');
        if (splitMeasurements(prepared.measure(result)).series.length === 0) continue;
        measured.push(test.number);
        if (test.axes === undefined) undeclared.push(`${suite.lab} ${test.number}`);
      }
    }
    expect(undeclared).toEqual([]);
    // The message costs of labs 1 to 3 and lab 5's latency are all found.
    expect(measured).toEqual(expect.arrayContaining(['1A.5', '1B.4', '1C.6', '1D.6', '2A.10', '2B.10', '3.8', '5E.12']));
  }, 300_000);
});

describe('the history timeline', () => {
  it('titles its time axis with the unit', () => {
    const history = parseHistory(
      JSON.stringify({
        model: 'register',
        operations: [
          { client: 0, call: 0, return: 10, input: { kind: 'write', value: 1 }, output: {} },
          { client: 1, call: 20, return: 30, input: { kind: 'read' }, output: { value: 1 } },
        ],
      }),
      'history.json',
    );
    const model = historyModels[history.model] as unknown as SequentialModel<unknown, unknown, unknown>;
    const operations = history.operations as readonly HistoryOperation<unknown, unknown>[];
    const fragment = renderHistoryTimeline(checkLinearizability(model, operations), operations, model);
    expect(fragment).toContain('<text class="axis-title" x="96" y="13">time (simulated ms) →, calls and returns in order, evenly spaced</text>');
    expect(fragment).toMatch(/aria-label="Timeline of 2 operations by 2 clients, time \(simulated ms\) left to right: linearizable"/);
  });
});
