// The grading report of a failed linearizability check in a real browser (Debian's Chromium):
// the clients' history is drawn as a timeline inside the failure, under the report's policy,
// with no console errors and no requests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, openWatchedPage } from './chromium.ts';
import { writeHtmlReport } from '../../grader/reports/html.ts';
import { failingRecord, graded, reportWith } from '../fixtures/kv/report.ts';

describe.skipIf(!chromiumAvailable)('a failed linearizability check in the HTML report, in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  let requests: string[] = [];

  beforeAll(async () => {
    const failure = failingRecord('stale-reads');
    const file = writeHtmlReport(reportWith(graded(failure)), mkdtempSync(join(tmpdir(), 'distlab-html-')));
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

  it('draws the history inside the failure: a lane per client, a bar per operation, the failing one highlighted', async () => {
    const timeline = page.locator('section.failure section.linearizability figure.history-timeline');
    expect(await timeline.count()).toBe(1);
    expect(await timeline.getAttribute('data-verdict')).toBe('not linearizable');
    const box = await timeline.locator('svg.timeline').boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(box?.height).toBeGreaterThan(100);
    expect(await timeline.locator('.operation').count()).toBeGreaterThan(10);
    expect(await timeline.locator('.operation.failing').count()).toBe(1);
    const reason = await timeline.locator('p.reason').textContent();
    // Which operation the checker names depends on the run's draws: a get no order explains, or an operation no order can place.
    expect(reason).toMatch(/get\([xy]\) returned ".*" but every order of the operations before it gives|.+ cannot be placed: no order of the operations before its return/);
  });

  it('styles the timeline with the report\'s own CSS (allowed by its policy)', async () => {
    // The timeline's CSS hides nothing a bar needs: a failing bar has a stroke of its own.
    const failing = page.locator('section.linearizability .operation.failing rect').first();
    // In the page's realm: the test's own types know no DOM.
    const stroke = String(await failing.evaluate('(element) => getComputedStyle(element).stroke'));
    expect(stroke).not.toBe('none');
    expect(stroke).not.toBe('');
  });
});
