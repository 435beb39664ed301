// Debian's Chromium, driven by playwright-core, for the tests of pages the grader writes: a page
// that records what would make it untrustworthy (console errors and warnings, page errors, and
// any request that leaves the file).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const executablePath = process.env.DISTLAB_CHROMIUM ?? '/usr/bin/chromium';
/** Browser tests run where Chromium is installed, and always in CI (where its absence is a failure). */
export const chromiumAvailable = existsSync(executablePath) || process.env.CI === 'true';

export interface WatchedPage {
  readonly browser: Browser;
  readonly page: Page;
  /** Console errors and warnings, and uncaught page errors. */
  readonly problems: string[];
  /** Requests to anything but a file: or data: URL. */
  readonly requests: string[];
}

export async function openWatchedPage(): Promise<WatchedPage> {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) requests.push(request.url());
  });
  return { browser, page, problems, requests };
}
