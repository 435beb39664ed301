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
    const rows = page.locator('table.events tbody tr');
    expect(await rows.count()).toBeGreaterThan(10);
    expect(await page.locator('table.events tbody tr.violation').count()).toBe(1);
  });

  it('filters the trace by text, by node and by kind', async () => {
    const trace = page.locator('div.trace').first();
    const visibleRows = () => trace.locator('tbody tr:visible').count();
    const all = await visibleRows();
    await trace.locator('input[name="query"]').fill('PongReceived');
    // The text filter waits for typing to pause.
    await expect.poll(visibleRows).toBeLessThan(all);
    const matching = await visibleRows();
    expect(matching).toBeGreaterThan(0);
    for (const text of await trace.locator('tbody tr:visible').allTextContents()) expect(text).toContain('PongReceived');
    await trace.locator('button[data-reset]').click();
    expect(await visibleRows()).toBe(all);
    await trace.locator('select[name="node"]').selectOption('0');
    const serverRows = await visibleRows();
    expect(serverRows).toBeLessThan(all);
    await trace.locator('button[data-reset]').click();
    await trace.locator('button[data-kinds="none"]').click();
    expect(await visibleRows()).toBe(0);
    await trace.locator('input[name="kind"][value="deliver"]').check();
    const deliveries = await visibleRows();
    expect(deliveries).toBeGreaterThan(0);
    for (const kind of await trace.locator('tbody tr:visible').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-kind')))) {
      expect(kind).toBe('deliver');
    }
  });
});
