// The history timeline in a real browser (Debian's Chromium): lanes, bars, the order found, the
// operation that cannot be placed with its reason, no errors under the page's policy, and text
// from a history shown as text.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, openWatchedPage } from './chromium.ts';
import { checkLinearizability, historyModels, parseHistory, type HistoryOperation, type LinearizabilityResult, type SequentialModel } from 'distlab/testing';
import { renderHistoryTimeline, renderHistoryTimelinePage } from '../../grader/reports/historyTimeline.ts';


type AnyModel = SequentialModel<unknown, unknown, unknown>;

interface Checked {
  readonly operations: readonly HistoryOperation<unknown, unknown>[];
  readonly model: AnyModel;
  readonly result: LinearizabilityResult;
  readonly page: string;
}

const folder = mkdtempSync(join(tmpdir(), 'distlab-timeline-'));

function checkFixture(name: string): Checked {
  const file = `test/fixtures/histories/${name}.json`;
  const history = parseHistory(readFileSync(file, 'utf8'), file);
  const model = historyModels[history.model] as unknown as AnyModel;
  const operations = history.operations as readonly HistoryOperation<unknown, unknown>[];
  const result = checkLinearizability(model, operations);
  const page = join(folder, `${name}.html`);
  writeFileSync(page, renderHistoryTimelinePage(result, operations, model, `${name}.json`));
  return { operations, model, result, page };
}

describe('the history timeline as an HTML fragment', () => {
  it('draws the failing operation and its reason, and the fragment is no page', () => {
    const { operations, model, result } = checkFixture('register-stale-read');
    expect(result.verdict).toBe('not linearizable');
    const fragment = renderHistoryTimeline(result, operations, model);
    expect(fragment).toMatch(/^<figure class="history-timeline not-linearizable"/);
    expect(fragment).not.toContain('<html');
    expect(fragment).toContain('class="operation open unknown');
    expect(fragment).toMatch(/class="operation[a-z ]* failing" data-operation="2"/);
  });


  it('outlines a smaller history that fails too, when the checker found one', () => {
    const { operations, model, result } = checkFixture('register-smaller-history');
    if (result.verdict !== 'not linearizable') throw new Error('the fixture should not be linearizable');
    const smaller = result.failures[0].minimalHistory;
    if (smaller === null) throw new Error('the checker should find a smaller failing history here');
    const fragment = renderHistoryTimeline(result, operations, model);
    expect(fragment).toContain(`A smaller history fails too: these ${smaller.length} operations (outlined)`);
    const outlined = [...fragment.matchAll(/class="operation[a-z ]* minimal[a-z ]*" data-operation="(\d+)"/g)].map((match) => Number(match[1]));
    expect(outlined).toEqual([...smaller]);
    expect(outlined).not.toContain(3);
  });

  it('draws only the failing key of a long key-value history', () => {
    // 300 operations one after another on keys x and y; one get of y returns what was never appended.
    const operations = Array.from({ length: 300 }, (_, index) => {
      const key = index % 2 === 0 ? 'x' : 'y';
      const input = index % 4 < 2 ? { kind: 'append', key, value: String(index) } : { kind: 'get', key };
      return { client: index % 10, call: index * 2, return: index * 2 + 1, input, output: index % 4 < 2 ? {} : null };
    });
    operations[151] = { ...operations[151], output: { value: 'never appended' } };
    const file = 'long.json';
    const history = parseHistory(JSON.stringify({ model: 'kv', operations }), file);
    const model = historyModels[history.model] as unknown as AnyModel;
    const result = checkLinearizability(model, history.operations as readonly HistoryOperation<unknown, unknown>[]);
    if (result.verdict !== 'not linearizable') throw new Error('the history should not be linearizable');
    expect(result.failures[0].failingOperation).toBe(151);
    const fragment = renderHistoryTimeline(result, history.operations as readonly HistoryOperation<unknown, unknown>[], model);
    expect(fragment.match(/<g class="operation/g)).toHaveLength(150);
    expect(fragment).toContain('Only the 150 operations of the part that fails are drawn; the other 150 are left out.');
    expect(fragment).toMatch(/class="operation[a-z ]* failing" data-operation="151"/);
  });

  it('says that a check that gave up is not a pass, and draws no order', () => {
    const { operations, model } = checkFixture('kv-concurrent-appends');
    const result: LinearizabilityResult = { verdict: 'unknown', maxSteps: 1_000, undecidedParts: [[0, 1, 2, 4]], parts: 2, steps: 1_000 };
    const fragment = renderHistoryTimeline(result, operations, model);
    expect(fragment).toContain('data-verdict="unknown"');
    expect(fragment).toContain('gave up after 1,000 steps, before deciding 1 part of this history: this is not a pass');
    expect(fragment).not.toContain('class="step"');
    expect(fragment.match(/<g class="operation/g)).toHaveLength(5);
  });
});

describe.skipIf(!chromiumAvailable)('the history timeline in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  let requests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    ({ browser, page, problems, requests } = await openWatchedPage());
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** The on-screen box of an operation's bar. */
  async function barBox(operation: number) {
    const box = await page.locator(`g.operation[data-operation="${operation}"] rect.bar-body`).boundingBox();
    if (box === null) throw new Error(`operation ${operation} has no bar on screen`);
    return box;
  }

  it('draws one lane per client and one bar per operation, from call to return', async () => {
    const checked = checkFixture('kv-concurrent-appends');
    await page.goto(pathToFileURL(checked.page).href);
    expect(await page.locator('g.lane').count()).toBe(4);
    expect(await page.locator('g.lane .lane-label').allTextContents()).toEqual(['client 0', 'client 1', 'client 2', 'client 3']);
    expect(await page.locator('g.operation').count()).toBe(5);
    // append(x, "a") returned before append(x, "b") was called: its bar ends left of the other's start.
    const first = await barBox(0);
    const second = await barBox(1);
    expect(first.x + first.width).toBeLessThan(second.x);
    // append(x, "c") was called with append(x, "b"): their bars start together.
    expect((await barBox(2)).x).toBeCloseTo(second.x, 0);
    // Each bar is in its client's lane.
    for (const [operation, { client }] of checked.operations.entries()) {
      const lane = await page.locator(`g.lane[data-client="${client}"] rect.lane-band`).boundingBox();
      const bar = await barBox(operation);
      expect(bar.y).toBeGreaterThan(lane?.y ?? Infinity);
      expect(bar.y + bar.height).toBeLessThan((lane?.y ?? 0) + (lane?.height ?? 0));
    }
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('draws an operation that never returned open-ended, past every return, and marks its unknown result', async () => {
    const open = page.locator('g.operation.open');
    expect(await open.count()).toBe(1);
    expect(await open.getAttribute('data-operation')).toBe('2');
    expect(await open.locator('path.open-end').count()).toBe(1);
    expect(await open.getAttribute('class')).toContain('unknown');
    expect(await open.locator('.bar-label').textContent()).toMatch(/^\? /);
    const openBar = await barBox(2);
    for (const operation of [0, 1, 3, 4]) {
      const bar = await barBox(operation);
      expect(openBar.x + openBar.width).toBeGreaterThan(bar.x + bar.width);
    }
  });

  it('draws the longest order found through the bars, with the state after each step', async () => {
    const checked = checkFixture('kv-concurrent-appends');
    if (checked.result.verdict !== 'not linearizable') throw new Error('the fixture should not be linearizable');
    const [failure] = checked.result.failures;
    const steps = page.locator('g.step');
    expect(await steps.count()).toBe(failure.longestPrefix.length);
    expect(await steps.evaluateAll((groups) => groups.map((group) => Number(group.getAttribute('data-operation'))))).toEqual([...failure.longestPrefix]);
    // In order from left to right, each point on its own bar.
    let previousX = -Infinity;
    for (const [position, operation] of failure.longestPrefix.entries()) {
      const point = await steps.nth(position).locator('circle').boundingBox();
      const bar = await barBox(operation);
      if (point === null) throw new Error(`step ${position + 1} has no point on screen`);
      const centerX = point.x + point.width / 2;
      expect(centerX).toBeGreaterThanOrEqual(previousX);
      expect(centerX).toBeGreaterThanOrEqual(bar.x);
      expect(centerX).toBeLessThanOrEqual(bar.x + bar.width);
      previousX = centerX;
      expect(await page.locator(`g.operation[data-operation="${operation}"] .state-label`).textContent()).toBe(failure.statesAfterPrefix[position]);
    }
    expect(await page.locator('details.steps li').allTextContents()).toEqual(failure.statesAfterPrefix.map((state) => expect.stringContaining(state)));
    // The other key's operation is not part of this failure: it is dimmed.
    expect(await page.locator('g.operation.elsewhere').evaluateAll((groups) => groups.map((group) => group.getAttribute('data-operation')))).toEqual(['3']);
  });

  it('highlights the first operation that cannot be placed, with the reason', async () => {
    const checked = checkFixture('kv-concurrent-appends');
    if (checked.result.verdict !== 'not linearizable') throw new Error('the fixture should not be linearizable');
    const [failure] = checked.result.failures;
    expect(failure.failingOperation).toBe(4);
    const failing = page.locator('g.operation.failing');
    expect(await failing.count()).toBe(1);
    expect(await failing.getAttribute('data-operation')).toBe('4');
    const reason = await page.locator('p.reason').textContent();
    expect(reason).toContain('client 3');
    expect(reason).toContain(failure.reason);
    expect(reason).toContain('get(x) returned "ba"');
    expect(await failing.locator('title').textContent()).toContain(`why it cannot be placed: ${failure.reason}`);
    expect(await page.locator('figure.history-timeline').getAttribute('data-verdict')).toBe('not linearizable');
  });

  it('draws a linearizable history with its whole order and nothing highlighted', async () => {
    const checked = checkFixture('kv-linearizable');
    if (checked.result.verdict !== 'linearizable') throw new Error('the fixture should be linearizable');
    await page.goto(pathToFileURL(checked.page).href);
    expect(await page.locator('figure.history-timeline').getAttribute('data-verdict')).toBe('linearizable');
    expect(await page.locator('g.operation').count()).toBe(6);
    expect(await page.locator('g.step').count()).toBe(checked.result.linearization.length);
    expect(await page.locator('g.operation.failing, p.reason, g.operation.elsewhere').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('shows hostile text from a history as text, and runs nothing', async () => {
    const checked = checkFixture('kv-hostile');
    await page.goto(pathToFileURL(checked.page).href);
    expect(await page.locator('img, b, script, iframe').count()).toBe(0);
    const key = '</script><img src=x onerror=alert(1)>';
    expect(await page.locator('g.operation[data-operation="0"] .bar-label').textContent()).toContain(key);
    expect(await page.locator('p.reason').textContent()).toContain('returned "<script>alert(2)</script>"');
    expect(await page.locator('details.steps li').first().textContent()).toContain('"<b>bold</b>"');
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });
});
