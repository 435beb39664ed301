// `npm run bench -- viewer`: the report page of a 10,000-event run, as the trace viewer shows it.
// Runs a long test of lab 5 (5C.10, over 12,000 events) on the reference with the full trace, keeps its
// last 10,000 events with their node states (as a watched run's page does), and reports the
// page's size and, where Debian's Chromium is installed, how long it takes to open: until the
// DOM is parsed, until the viewer's script marks the page drawn (`data-viewer-ready`, in ms
// since navigation began), and until the load event.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stateChangesFrom, type TraceEvent } from '../framework/testing.ts';
import { loadSuite } from '../grader/grade.ts';
import { findLab } from '../grader/labs.ts';
import { renderHtmlReport, type WatchedRun } from '../grader/reports/html.ts';
import { computeTotals, reportSchemaVersion, type GradedTest, type GradingReport } from '../grader/results.ts';
import { runOnce, seedSchedule } from '../grader/runTest.ts';

/** Events the page holds: the size the issue asks to open instantly. */
const eventsShown = 10_000;
const labName = 'raft';
const testNumber = '5C.10';
const chromiumPath = process.env.DISTLAB_CHROMIUM ?? '/usr/bin/chromium';
/** Openings measured; the median is reported. */
const openings = 5;

const round = (value: number) => Math.round(value * 10) / 10;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[sorted.length >> 1] as number;
}

/** A watched run of the test on the reference: seeds in order until one runs past `eventsShown` events. */
async function longRun(): Promise<{ readonly report: GradingReport; readonly watched: WatchedRun; readonly totalEvents: number }> {
  const lab = findLab(labName);
  const suite = await loadSuite(lab);
  const test = suite.tests.find((candidate) => candidate.number === testNumber);
  if (test === undefined) throw new Error(`lab ${lab.id} has no test ${testNumber}`);
  const implementation: unknown = await import(pathToFileURL(join(lab.solutionDirectory, 'index.ts')).href);
  for (let seed = 1; seed <= 50; seed++) {
    const prepared = test.prepare(implementation, seed);
    if (prepared.kind !== 'run') throw new Error(`test ${testNumber} is not a run test`);
    const schedule = seedSchedule(suite, test, prepared, seed);
    const result = runOnce(suite, test, implementation, seed, schedule, 'full');
    if (result.trace.length < eventsShown) continue;
    const trace: readonly TraceEvent[] = result.trace.slice(-eventsShown);
    const watched: WatchedRun = {
      testNumber,
      seed,
      verdict: `Every property held, for all ${result.trace.length} events.`,
      schedule,
      trace,
      ...(result.states !== undefined ? { states: stateChangesFrom(result.states, trace[0]?.index ?? 0) } : {}),
      roles: result.roles,
      totalEvents: result.trace.length,
      endTimeMs: result.endTimeMs,
      command: `npm run watch -- ${labName} ${testNumber} --seed ${seed}`,
    };
    const graded: GradedTest = {
      number: test.number,
      name: test.name,
      part: test.part,
      kind: test.kind,
      visibility: test.visibility,
      description: test.description ?? '',
      maxScore: test.points,
      score: test.points,
      status: 'passed',
      seedsPlanned: 1,
      seedsRun: 1,
      wallMs: 0,
    };
    const now = new Date().toISOString();
    const report: GradingReport = {
      schemaVersion: reportSchemaVersion,
      tool: 'distlab',
      lab: lab.id,
      labTitle: suite.title,
      implementation: 'solutions',
      startedAt: now,
      finishedAt: now,
      durationMs: 0,
      interrupted: false,
      typeErrors: [],
      options: { seed, hidden: false, tests: [testNumber] },
      tests: [graded],
      totals: computeTotals([graded]),
    };
    return { report, watched, totalEvents: result.trace.length };
  }
  throw new Error(`no seed of test ${testNumber} ran ${eventsShown} events`);
}

interface Opening {
  readonly domContentLoadedMs: number;
  readonly viewerReadyMs: number;
  readonly loadMs: number;
}

/** Opens the page `openings` times in Chromium and times each opening from navigation start. */
async function openInChromium(file: string): Promise<Opening[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const results: Opening[] = [];
    for (let index = 0; index < openings; index++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.waitForSelector('body[data-viewer-ready]');
      // A string: this file is compiled without the DOM's types.
      const timing = (await page.evaluate(`(() => {
        const navigation = performance.getEntriesByType('navigation')[0];
        return {
          domContentLoadedMs: navigation ? navigation.domContentLoadedEventEnd : NaN,
          viewerReadyMs: Number(document.body.getAttribute('data-viewer-ready')),
          loadMs: navigation ? navigation.loadEventEnd : NaN,
        };
      })()`)) as Opening;
      results.push(timing);
      await page.close();
    }
    return results;
  } finally {
    await browser.close();
  }
}

/** The "viewer" workload: see the module comment. */
export async function runViewerBench(): Promise<Record<string, unknown>> {
  const started = performance.now();
  const { report, watched, totalEvents } = await longRun();
  const runMs = performance.now() - started;
  const renderStarted = performance.now();
  const html = renderHtmlReport(report, watched);
  const renderMs = performance.now() - renderStarted;
  const folder = mkdtempSync(join(tmpdir(), 'distlab-viewer-bench-'));
  const file = join(folder, 'report.html');
  writeFileSync(file, html);
  const viewerData = /<script type="application\/json" id="watched-trace-viewer">([^<]*)<\/script>/.exec(html)?.[1] ?? '';
  const result: Record<string, unknown> = {
    workload: 'viewer',
    lab: labName,
    test: testNumber,
    seed: watched.seed,
    runEvents: totalEvents,
    pageEvents: watched.trace.length,
    stateChanges: watched.states?.length ?? 0,
    pageBytes: Buffer.byteLength(html, 'utf8'),
    viewerDataBytes: Buffer.byteLength(viewerData, 'utf8'),
    runMs: Math.round(runMs),
    renderMs: Math.round(renderMs),
  };
  if (existsSync(chromiumPath)) {
    const timings = await openInChromium(file);
    result.chromium = {
      openings,
      statistic: 'median',
      domContentLoadedMs: round(median(timings.map((timing) => timing.domContentLoadedMs))),
      viewerReadyMs: round(median(timings.map((timing) => timing.viewerReadyMs))),
      loadMs: round(median(timings.map((timing) => timing.loadMs))),
    };
  } else {
    result.chromium = `not found at ${chromiumPath}`;
  }
  rmSync(folder, { recursive: true, force: true });
  return result;
}
