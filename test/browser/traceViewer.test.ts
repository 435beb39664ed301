// The trace viewer in a real browser (Debian's Chromium): reports of really graded failing runs
// stepped through with the keyboard, node state checked against the trace's own state changes,
// filters on the diagram and the table together, a search path followed to its rows, hostile
// text kept as text, and screenshots of the diagram and the state panel for staff to look at
// (test-results/viewer/).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeStatesAt, type StateChange, type StatePatch, type TraceEvent } from 'distlab/testing';
import { chromiumAvailable, openWatchedPage } from './chromium.ts';
import { grade } from '../../grader/grade.ts';
import { renderHtmlReport } from '../../grader/reports/html.ts';
import type { GradedFailure, GradingReport } from '../../grader/results.ts';

const screenshotFolder = resolve('test-results/viewer');
const pageFolder = mkdtempSync(join(tmpdir(), 'distlab-viewer-'));

function writePage(name: string, html: string): string {
  const file = join(pageFolder, `${name}.html`);
  writeFileSync(file, html);
  return pathToFileURL(file).href;
}

function failureOf(report: GradingReport, testNumber: string): GradedFailure {
  const failure = report.tests.find((test) => test.number === testNumber)?.failure;
  if (failure === undefined) throw new Error(`test ${testNumber} should have failed`);
  return failure;
}

/** The number of distinct byte values in a PNG's decompressed rows: a blank image has a handful. */
function distinctPngBytes(png: Buffer): number {
  const chunks: Buffer[] = [];
  for (let offset = 8; offset + 8 <= png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    if (type === 'IDAT') chunks.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  return new Set(inflateSync(Buffer.concat(chunks))).size;
}

async function screenshot(locator: Locator, name: string): Promise<void> {
  mkdirSync(screenshotFolder, { recursive: true });
  const file = join(screenshotFolder, `${name}.png`);
  const png = await locator.screenshot({ path: file });
  console.log(`screenshot: ${file}`);
  expect(distinctPngBytes(png)).toBeGreaterThan(24);
}

const selectedPosition = (viewer: Locator) => viewer.locator('tbody tr.selected').getAttribute('data-position');

describe.skipIf(!chromiumAvailable)('the trace viewer in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  let requests: string[] = [];
  let dialogs: string[] = [];
  let runReport: GradingReport;
  let searchReport: GradingReport;

  beforeAll(async () => {
    // A run test failing on a mutant (an acceptor that accepts below its promise), and a search
    // test failing on another (ballots compared without the tie-break).
    runReport = await grade({ lab: 'paxos', implementation: 'mutant:accept-ignores-ballot', tests: ['3.3'], typecheck: false });
    searchReport = await grade({ lab: 'paxos', implementation: 'mutant:no-tiebreak', tests: ['3.S1'], typecheck: false });
    ({ browser, page, problems, requests } = await openWatchedPage());
    dialogs = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.setViewportSize({ width: 1400, height: 1000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function open(url: string): Promise<Locator> {
    await page.goto(url);
    await page.waitForSelector('body[data-viewer-ready]');
    return page.locator('.viewer').first();
  }

  it('steps to the violation with the keyboard and shows each node state as the trace recorded it', async () => {
    const failure = failureOf(runReport, '3.3');
    const states: readonly StateChange[] = failure.states ?? [];
    expect(states.length).toBeGreaterThan(0);
    const viewer = await open(writePage('run', renderHtmlReport(runReport)));
    const events: readonly TraceEvent[] = failure.trace;

    // Opened on the violation, marked in the diagram.
    expect(await viewer.locator('svg.diagram .violation-mark').count()).toBe(1);
    expect(await viewer.locator('svg.diagram g.lane').count()).toBeGreaterThanOrEqual(3);
    expect(await viewer.locator('svg.diagram g.message').count()).toBeGreaterThan(5);

    // Clicking the viewer focuses it; the keys step.
    await viewer.locator('.state-panel').click();
    await page.keyboard.press('Home');
    expect(await selectedPosition(viewer)).toBe('0');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await selectedPosition(viewer)).toBe('2');
    await page.keyboard.press('ArrowLeft');
    expect(await selectedPosition(viewer)).toBe('1');
    // Shift+→: the next event at a later time.
    await page.keyboard.press('Shift+ArrowRight');
    const afterTimeStep = Number(await selectedPosition(viewer));
    const laterTime = events.findIndex((event) => event.timeMs > (events[1] as TraceEvent).timeMs);
    expect(afterTimeStep).toBe(laterTime);
    await page.keyboard.press('End');
    expect(await selectedPosition(viewer)).toBe(String(events.length - 1));
    await page.keyboard.press('Home');
    await page.keyboard.press('v');
    const violationRow = viewer.locator('tbody tr.selected');
    expect(await violationRow.getAttribute('class')).toContain('violation');
    expect(await violationRow.getAttribute('data-kind')).toBe('violation');
    expect(await viewer.locator('tbody tr.selected').count()).toBe(1);
    expect(await viewer.locator('.current-event').textContent()).toContain(failure.property);

    // Every node's promise, as the folded state changes say, at the violation and halfway.
    for (const position of [Number(await selectedPosition(viewer)), Math.floor(events.length / 2)]) {
      await viewer.locator('input.step-slider').fill(String(position));
      expect(await selectedPosition(viewer)).toBe(String(position));
      const folded = nodeStatesAt(states, (events[position] as TraceEvent).index);
      let checked = 0;
      for (const [node, state] of folded) {
        if (state.fields === null) continue;
        const promised = (state.fields as { promised?: unknown }).promised;
        const shown = viewer.locator(`.state-panel .node-state[data-node="${node}"] .field[data-path="fields.promised"] .value`);
        expect(await shown.textContent()).toBe(JSON.stringify(promised));
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(3);
    }

    // At a change, the changed field is highlighted.
    const change = states.find((candidate) => candidate.patches.some(([path]) => path.length >= 2 && path[0] === 'fields'));
    if (change === undefined) throw new Error('the run should change some node fields');
    const changePosition = events.findIndex((event) => event.index === change.index);
    await viewer.locator('input.step-slider').fill(String(changePosition));
    const changedPaths = await viewer.locator(`.node-state[data-node="${change.node}"] .field.changed`).evaluateAll((fields) => fields.map((field) => field.getAttribute('data-path')));
    const patched = change.patches.map(([path]) => path.join('.'));
    expect(changedPaths.some((path) => patched.some((patchPath) => path !== null && (patchPath === path || patchPath.startsWith(`${path}.`))))).toBe(true);

    await viewer.locator('button[data-action="violation"]').click();
    expect(await viewer.locator('tbody tr.selected').getAttribute('data-kind')).toBe('violation');
    await screenshot(viewer.locator('.diagram-pane'), 'paxos-3.3-diagram');
    await screenshot(viewer.locator('.state-panel'), 'paxos-3.3-state-panel');
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('filters the diagram and the table together by message type', async () => {
    const viewer = await open(writePage('run', renderHtmlReport(runReport)));
    await viewer.locator('select[name="type"]').selectOption('Promise');
    const arrows = viewer.locator('svg.diagram g.message');
    await expect.poll(() => arrows.evaluateAll((groups) => groups.filter((group) => group.getAttribute('data-type') !== 'Promise').length)).toBe(0);
    expect(await arrows.count()).toBeGreaterThan(0);
    const rows = await viewer.locator('tbody tr[data-position]').evaluateAll((visible) => visible.map((row) => [row.getAttribute('data-kind'), row.children[5]?.textContent]));
    expect(rows.length).toBeGreaterThan(0);
    for (const [kind, label] of rows) {
      expect(['send', 'deliver', 'drop', 'duplicate']).toContain(kind);
      expect(label).toBe('Promise');
    }
    // The kinds filter too: only deliveries of Promises.
    await viewer.locator('button[data-kinds="none"]').click();
    await viewer.locator('input[name="kind"][value="deliver"]').check();
    for (const kind of await viewer.locator('tbody tr[data-position]').evaluateAll((visible) => visible.map((row) => row.getAttribute('data-kind')))) expect(kind).toBe('deliver');
    await viewer.locator('button[data-reset]').click();
    expect(await viewer.locator('.shown').textContent()).toBe(`${failureOf(runReport, '3.3').trace.length} events`);
    expect(await viewer.locator('tbody tr[data-position]').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('zooms the time axis, pans by dragging, selects by clicking an arrow, and lists the messages in flight', async () => {
    const failure = failureOf(runReport, '3.3');
    const viewer = await open(writePage('run', renderHtmlReport(runReport)));
    const diagram = viewer.locator('svg.diagram');
    const box = viewer.locator('.diagram-box');
    const height = async () => Number(await diagram.getAttribute('height'));
    const before = await height();
    await viewer.locator('button[data-action="zoom-in"]').click();
    expect(await height()).toBeGreaterThan(before);
    await viewer.locator('button[data-action="zoom-in"]').click();
    // Dragging the diagram scrolls its box.
    await box.evaluate((element) => element.scrollTo(0, 0));
    await box.scrollIntoViewIfNeeded();
    const bounds = await box.boundingBox();
    if (bounds === null) throw new Error('the diagram box should be shown');
    await page.mouse.move(bounds.x + bounds.width / 2, bounds.y + bounds.height - 20);
    await page.mouse.down();
    await page.mouse.move(bounds.x + bounds.width / 2, bounds.y + 40, { steps: 5 });
    await page.mouse.up();
    expect(await box.evaluate((element) => element.scrollTop)).toBeGreaterThan(100);
    // Ctrl+wheel zooms out again.
    const zoomed = await height();
    await page.mouse.move(bounds.x + bounds.width / 2, bounds.y + bounds.height / 2);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, 200);
    await page.keyboard.up('Control');
    await expect.poll(height).toBeLessThan(zoomed);

    // Clicking an arrow selects its send, in the table too.
    await viewer.locator('button[data-action="zoom-reset"]').click();
    await box.evaluate((element) => element.scrollTo(0, 0));
    const data = JSON.parse((await page.locator(`script[id="${await viewer.getAttribute('data-trace')}-viewer"]`).textContent()) ?? '{}') as {
      messages: { from: number; to: number; send: number; end: number; outcome: string }[];
    };
    const chosen = data.messages.findIndex((message) => message.outcome === 'delivered' && message.from !== message.to && message.end > message.send + 1);
    const arrow = viewer.locator(`svg.diagram g.message[data-message="${chosen}"]`);
    await expect.poll(() => arrow.count()).toBe(1);
    const position = await arrow.getAttribute('data-position');
    await arrow.dispatchEvent('click');
    expect(await selectedPosition(viewer)).toBe(position);
    expect(failure.trace[Number(position)]?.kind).toBe('send');
    expect(await arrow.getAttribute('class')).toContain('selected');
    // In flight just after that send: the messages sent and not yet delivered or dropped.
    const at = Number(position);
    const inFlight = data.messages.filter((message) => message.send <= at && !(message.end >= 0 && message.end <= at) && message.outcome !== 'local').length;
    expect(inFlight).toBeGreaterThan(0);
    expect(await viewer.locator('.state-panel ul.in-flight li[data-message]').count()).toBe(inFlight);
    expect(problems).toEqual([]);
  });

  it("follows a search failure's path to its rows", async () => {
    const failure = failureOf(searchReport, '3.S1');
    expect(failure.path?.length ?? 0).toBeGreaterThan(0);
    const viewer = await open(writePage('search', renderHtmlReport(searchReport)));
    const links = page.locator('ol.path a[data-position]');
    expect(await links.count()).toBe(failure.path?.length);
    const last = links.last();
    const position = await last.getAttribute('data-position');
    const href = await last.getAttribute('href');
    await last.click();
    const selected = viewer.locator('tbody tr.selected');
    expect(await selected.getAttribute('data-position')).toBe(position);
    expect(`#${await selected.getAttribute('id')}`).toBe(href);
    // The row is the first event of its path step.
    const step = Number(await links.evaluateAll((all, target) => all.findIndex((link) => link === target), await last.elementHandle())) + 1;
    expect(failure.trace[Number(position)]?.step).toBe(step);
    expect(failure.trace.findIndex((event) => event.step === step)).toBe(Number(position));
    await screenshot(viewer.locator('.diagram-pane'), 'paxos-3.S1-diagram');
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('keeps markup in message types, details, labels and node state as text', async () => {
    const payload = '</svg><script>alert("type")</script><b class="injected">Accept';
    const detailPayload = '</script><img class="injected" src=x onerror=alert(1)>';
    const original = failureOf(runReport, '3.3');
    const trace = original.trace.map((event) =>
      event.label === 'Accept' && ['send', 'deliver', 'drop', 'duplicate'].includes(event.kind)
        ? { ...event, label: payload, detail: { type: payload, note: detailPayload } }
        : event.kind === 'store'
          ? { ...event, label: `</svg><svg onload=alert(2)>${event.label}` }
          : event,
    );
    const firstIndex = trace[0]?.index ?? 0;
    const patches: StatePatch[] = [
      [['fields', '</svg><b class="injected">key'], '<script>alert(3)</script>'],
      [['fields', '__proto__'], { polluted: true }],
    ];
    const states: StateChange[] = [...(original.states ?? []), { index: firstIndex, node: 0, patches }].sort((left, right) => left.index - right.index);
    const hostile: GradingReport = {
      ...runReport,
      tests: runReport.tests.map((test) => (test.number === '3.3' ? { ...test, failure: { ...original, trace, states } } : test)),
    };
    const viewer = await open(writePage('hostile', renderHtmlReport(hostile)));
    expect(await page.locator('.injected').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(3);
    expect(await viewer.locator('svg.diagram svg').count()).toBe(0);
    await viewer.locator('select[name="type"]').selectOption(payload);
    const arrows = viewer.locator('svg.diagram g.message');
    await expect.poll(() => arrows.count()).toBeGreaterThan(0);
    expect(await arrows.first().getAttribute('data-type')).toBe(payload);
    await viewer.locator('button[data-reset]').click();
    await viewer.locator('.state-panel').click();
    await page.keyboard.press('Home');
    const keys = await viewer.locator('.node-state[data-node="0"] .key').allTextContents();
    expect(keys).toContain('</svg><b class="injected">key');
    expect(keys).toContain('__proto__');
    expect(await page.evaluate(() => ({} as { polluted?: unknown }).polluted)).toBeUndefined();
    // Hovering an arrow shows its whole message as text.
    await viewer.locator('.state-panel').click();
    await page.keyboard.press('End');
    const hostileLine = viewer.locator(`svg.diagram g.message[data-type="${payload.replace(/"/g, '\\"')}"] line.hit`).first();
    await hostileLine.scrollIntoViewIfNeeded();
    // A point a third of the way along the arrow (its middle may lie under its label or another mark).
    await expect
      .poll(async () => {
        const diagram = await viewer.locator('svg.diagram').boundingBox();
        const [x1, y1, x2, y2] = await Promise.all(['x1', 'y1', 'x2', 'y2'].map(async (name) => Number(await hostileLine.getAttribute(name))));
        if (diagram === null) return '';
        await page.mouse.move(diagram.x + (x1 as number) + ((x2 as number) - (x1 as number)) / 3, diagram.y + (y1 as number) + ((y2 as number) - (y1 as number)) / 3);
        return (await viewer.locator('.message-details').isVisible()) ? await viewer.locator('.message-details').textContent() : '';
      })
      .toContain(JSON.stringify(detailPayload));
    expect(await page.locator('.injected').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('keeps a long trace\'s table small: rows are drawn near what is in view, on scroll, selection and filtering', async () => {
    // A run of 4,000 events: pings from n0 and n1 to n2 and their deliveries, one odd event near
    // the end, and the violation last.
    const original = failureOf(runReport, '3.3');
    const length = 4_000;
    const needle = length - 300;
    const trace: TraceEvent[] = Array.from({ length }, (_unused, position): TraceEvent => {
      const sender = position % 4 < 2 ? 0 : 1;
      const base = { index: position, step: position, timeMs: Math.floor(position / 2) };
      if (position === length - 1) return { ...base, kind: 'violation', node: 2, peer: -1, label: 'every ping answered' };
      if (position === needle) return { ...base, kind: 'log', node: 1, peer: -1, label: 'a needle in the trace' };
      return position % 2 === 0
        ? { ...base, kind: 'send', node: sender, peer: 2, label: 'Ping', detail: { type: 'Ping', seq: position } }
        : { ...base, kind: 'deliver', node: 2, peer: sender, label: 'Ping', detail: { type: 'Ping', seq: position - 1 } };
    });
    const long: GradingReport = {
      ...runReport,
      tests: runReport.tests.map((test) =>
        test.number === '3.3' ? { ...test, failure: { ...original, trace, lastEvents: [], states: [], traceIndex: length - 1, step: length - 1, timeMs: trace[length - 1]?.timeMs ?? 0 } } : test,
      ),
    };
    const viewer = await open(writePage('long', renderHtmlReport(long)));
    const wrap = viewer.locator('.trace-wrap');
    const rows = viewer.locator('tbody tr[data-position]');
    const drawnPositions = () => rows.evaluateAll((drawn) => drawn.map((row) => Number(row.getAttribute('data-position'))));
    /** Whether the row of this position is drawn inside the table's scrolling box. */
    const rowInView = (position: number) =>
      wrap.evaluate((element, wanted) => {
        const row = element.querySelector(`tr[data-position="${wanted}"]`);
        if (row === null) return false;
        const box = element.getBoundingClientRect();
        const bounds = row.getBoundingClientRect();
        return bounds.top >= box.top && bounds.bottom <= box.bottom + 1;
      }, position);

    // Opened on the violation, the last event: its row is drawn, selected and in view.
    expect(await viewer.locator('.shown').textContent()).toBe(`${length} events`);
    expect(await viewer.locator('tbody tr.selected').getAttribute('data-position')).toBe(String(length - 1));
    await wrap.scrollIntoViewIfNeeded();
    await expect.poll(() => rowInView(length - 1)).toBe(true);
    expect(await rows.count()).toBeLessThanOrEqual(400);

    // Scrolling the table to the top, then down, draws the rows coming into view.
    await wrap.evaluate((element) => element.scrollTo(0, 0));
    await expect.poll(async () => Math.min(...(await drawnPositions()))).toBe(0);
    const firstDrawn = await drawnPositions();
    expect(firstDrawn.length).toBeLessThanOrEqual(400);
    const lastDrawn = Math.max(...firstDrawn);
    expect(lastDrawn).toBeLessThan(length / 2);
    await wrap.evaluate((element) => element.scrollBy(0, element.scrollHeight / 2));
    await expect.poll(async () => Math.min(...(await drawnPositions()))).toBeGreaterThan(lastDrawn);
    expect(await rows.count()).toBeLessThanOrEqual(400);
    // And it is scrolled: the rows in view are near the middle of the trace.
    await expect.poll(async () => (await Promise.all([length / 2 - 40, length / 2, length / 2 + 40].map(rowInView))).some(Boolean)).toBe(true);

    // Selecting an event far away draws its row and scrolls to it.
    await viewer.locator('.state-panel').click();
    await page.keyboard.press('Home');
    await expect.poll(() => rowInView(0)).toBe(true);
    await viewer.locator('input.step-slider').fill(String(3_100));
    expect(await viewer.locator('tbody tr.selected').getAttribute('data-position')).toBe('3100');
    expect(await viewer.locator('tbody tr.selected').getAttribute('id')).toBe(`${await viewer.getAttribute('data-trace')}-e3100`);
    await expect.poll(() => rowInView(3_100)).toBe(true);
    expect(await rows.count()).toBeLessThanOrEqual(400);
    // Clicking a row selects its event.
    await rows.filter({ has: page.locator('td', { hasText: /^3105$/ }) }).locator('td').nth(5).click();
    expect(await viewer.locator('tbody tr.selected').getAttribute('data-position')).toBe('3105');
    expect(await viewer.locator('.step-slider').inputValue()).toBe('3105');

    // The link to the violation scrolls the table back to the last row.
    await viewer.locator('.state-panel').click();
    await page.keyboard.press('Home');
    await page.locator(`a[href="#${await viewer.getAttribute('data-trace')}-e${length - 1}"]`).first().click();
    await expect.poll(() => rowInView(length - 1)).toBe(true);
    expect(await viewer.locator('tbody tr.selected').getAttribute('data-position')).toBe(String(length - 1));

    // The search finds an event that was not drawn, from the data.
    await wrap.evaluate((element) => element.scrollTo(0, 0));
    await expect.poll(async () => (await drawnPositions()).includes(needle)).toBe(false);
    await viewer.locator('input[name="query"]').fill('NEEDLE');
    await expect.poll(() => viewer.locator('.shown').textContent()).toBe(`1 of ${length} events`);
    expect(await drawnPositions()).toEqual([needle]);
    expect(await rows.first().textContent()).toContain('a needle in the trace');
    // So does the node filter: n1's events, far past the first rows drawn.
    await viewer.locator('button[data-reset]').click();
    await viewer.locator('select[name="node"]').selectOption('1');
    const ofNodeOne = trace.filter((event) => event.node === 1 || event.peer === 1).length;
    expect(await viewer.locator('.shown').textContent()).toBe(`${ofNodeOne} of ${length} events`);
    await wrap.evaluate((element) => element.scrollTo(0, element.scrollHeight));
    const lastOfNodeOne = Math.max(...trace.filter((event) => event.node === 1 || event.peer === 1).map((event) => event.index));
    await expect.poll(async () => Math.max(...(await drawnPositions()))).toBe(lastOfNodeOne);
    for (const [node, peer] of await rows.evaluateAll((drawn) => drawn.map((row) => [row.getAttribute('data-node'), row.getAttribute('data-peer')]))) expect([node, peer]).toContain('1');
    expect(await rows.count()).toBeLessThanOrEqual(400);
    expect(problems).toEqual([]);
  });
});
