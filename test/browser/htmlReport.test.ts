// The HTML report in a real browser (Debian's Chromium): its scripts run under its own
// Content-Security-Policy, the trace filters work, and nothing reaches for the network.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, openWatchedPage } from './chromium.ts';
import { grade } from '../../grader/grade.ts';
import { writeHtmlReport } from '../../grader/reports/html.ts';
import { unpackViewerEvents, type PackedViewerEvent } from '../../grader/reports/viewer/model.ts';


describe.skipIf(!chromiumAvailable)('the HTML report in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  let requests: string[] = [];

  beforeAll(async () => {
    // A failing test with a real trace: the no-dedup mutant reports duplicate answers.
    const report = await grade({ lab: 'pingpong', implementation: 'mutant:no-dedup', tests: ['0.1', '0.3'], typecheck: false });
    const file = writeHtmlReport(report, mkdtempSync(join(tmpdir(), 'distlab-html-')));
    ({ browser, page, problems, requests } = await openWatchedPage());
    await page.goto(pathToFileURL(file).href);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no script or policy errors and no network requests', () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('shows the failure with its property and a trace whose violation is marked', async () => {
    expect(await page.locator('body').textContent()).toContain('each ping answered at most once');
    const rows = page.locator('table.events tbody tr[data-position]');
    expect(await rows.count()).toBeGreaterThan(10);
    // The violation's row is drawn where the viewer opens: on the violation.
    expect(await page.locator('table.events tbody tr.violation').count()).toBe(1);
  });

  interface ViewerEvent { i: number; t: number; k: string; n: number; p: number; l: string; d?: string; r?: string; m?: number }
  /** A row's text as the search sees it: every cell. */
  const rowText = (event: ViewerEvent) =>
    [event.i, event.t, event.n >= 0 ? `n${event.n}` : '—', event.p >= 0 ? `n${event.p}` : '', event.k, event.l, event.d ?? '', event.r ?? ''].join(' ').toLowerCase();

  /** The first trace's events, as the page embeds them for its script. */
  async function embeddedEvents(): Promise<ViewerEvent[]> {
    const id = await page.locator('div.trace').first().getAttribute('data-trace');
    const data = JSON.parse((await page.locator(`script[id="${id}-viewer"]`).textContent()) ?? '{}') as { events: PackedViewerEvent[]; messages: { send: number }[] };
    // Events come packed, and a delivery's detail is its send's: the page's script unpacks them
    // and copies it, and so does this.
    const events = unpackViewerEvents(data.events) as ViewerEvent[];
    return events.map((event, position) => {
      const send = event.m === undefined ? undefined : data.messages[event.m]?.send;
      return send === undefined || send < 0 || send === position || event.d !== undefined ? event : { ...event, d: events[send]?.d };
    });
  }

  it('filters the trace by text, by node and by kind, and counts the events shown', async () => {
    const events = await embeddedEvents();
    const trace = page.locator('div.trace').first();
    const shown = () => trace.locator('.shown').textContent();
    const drawnRows = trace.locator('tbody tr[data-position]');
    expect(await shown()).toBe(`${events.length} events`);
    await trace.locator('input[name="query"]').fill('PongReceived');
    // The text filter waits for typing to pause.
    const matching = events.filter((event) => `${event.l} ${event.d ?? ''}`.toLowerCase().includes('pongreceived')).length;
    expect(matching).toBeGreaterThan(0);
    await expect.poll(shown).toBe(`${matching} of ${events.length} events`);
    for (const text of await drawnRows.allTextContents()) expect(text).toContain('PongReceived');
    // Several words: each must be in the row.
    const kind = events.find((event) => rowText(event).includes('pongreceived'))?.k ?? '';
    await trace.locator('input[name="query"]').fill(`PONGRECEIVED  ${kind.toUpperCase()}`);
    const delivered = events.filter((event) => rowText(event).includes('pongreceived') && rowText(event).includes(kind)).length;
    expect(delivered).toBeGreaterThan(0);
    await expect.poll(shown).toBe(`${delivered} of ${events.length} events`);
    await trace.locator('button[data-reset]').click();
    expect(await shown()).toBe(`${events.length} events`);
    await trace.locator('select[name="node"]').selectOption('0');
    const onServer = events.filter((event) => event.n === 0 || event.p === 0).length;
    expect(onServer).toBeLessThan(events.length);
    expect(await shown()).toBe(`${onServer} of ${events.length} events`);
    for (const [node, peer] of await drawnRows.evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-node'), row.getAttribute('data-peer')]))) {
      expect([node, peer]).toContain('0');
    }
    await trace.locator('button[data-reset]').click();
    await trace.locator('button[data-kinds="none"]').click();
    expect(await drawnRows.count()).toBe(0);
    expect(await shown()).toBe(`0 of ${events.length} events`);
    await trace.locator('input[name="kind"][value="deliver"]').check();
    await trace.locator('input[name="kind"][value="send"]').check();
    const messages = events.filter((event) => event.k === 'deliver' || event.k === 'send').length;
    expect(await shown()).toBe(`${messages} of ${events.length} events`);
    expect(await drawnRows.count()).toBeGreaterThan(0);
    for (const kind of await drawnRows.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-kind')))) {
      expect(['deliver', 'send']).toContain(kind);
    }
    expect(problems).toEqual([]);
  });
});
