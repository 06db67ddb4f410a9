// What every browser test file starts: the local platform and Chromium side by side, and one page whose uncaught errors
// and CSP violations are collected; both stopped when the file ends.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Platform } from '../../local/platform';
import { type Browser, launchBrowser, SCREENSHOTS, watchErrors } from '../browser/browser';
import { startTestPlatform, type TestPlatformOptions } from './platform';

export interface BrowserSuite {
  platform: Platform;
  browser: Browser;
  /** The first page, opened before the tests. */
  page: Page;
  /** What the first page reported (watchErrors). */
  errors: string[];
}

/**
 * Registers the file's beforeAll and afterAll; the suite's fields are there once the tests run (read them inside a
 * test or hook, not at the top of the file).
 */
export function browserSuite(options: TestPlatformOptions = {}): BrowserSuite {
  const suite = {} as BrowserSuite;
  let traffic: string[] = [];
  beforeAll(async () => {
    const [platform, browser] = await Promise.allSettled([startTestPlatform(options), launchBrowser()]);
    // What did start is stopped by afterAll even when the other did not.
    if (platform.status === 'fulfilled') suite.platform = platform.value;
    if (browser.status === 'fulfilled') suite.browser = browser.value;
    for (const started of [platform, browser]) if (started.status === 'rejected') throw started.reason;
    suite.page = await suite.browser.context.newPage();
    suite.errors = watchErrors(suite.page);
    traffic = recordTraffic(suite.page);
  });
  // A failed test says what the page showed and what it loaded: where it was, its text, a screenshot, and the last
  // console lines and requests (a chunk that never loaded and a sign-in never restored look alike from the test).
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || !suite.page) return;
    const page = suite.page;
    const file = join(SCREENSHOTS, `failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const shot = await page.screenshot({ path: file, fullPage: true, timeout: 5_000 }).then(
      () => file,
      (error: Error) => `none (${error.message})`,
    );
    const text = await page
      .locator('body')
      .textContent({ timeout: 5_000 })
      .then((content) => content ?? '')
      .catch((error: Error) => `unreadable (${error.message})`);
    console.error(
      [
        `browser page at failure: ${page.url()}`,
        `screenshot: ${shot}`,
        `text: ${text.slice(0, 600)}`,
        'last console lines and requests:',
        ...traffic.slice(-40),
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.platform?.stop();
  });
  return suite;
}

/** The page's recent console lines and requests (newest last, at most 200), for a failed test's report. */
function recordTraffic(page: Page): string[] {
  const lines: string[] = [];
  const note = (line: string) => {
    lines.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (lines.length > 200) lines.shift();
  };
  page.on('console', (message) => note(`console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => note(`pageerror: ${error.message}`));
  page.on('requestfailed', (request) =>
    note(`failed ${request.method()} ${request.url()}: ${request.failure()?.errorText}`),
  );
  page.on('response', (response) =>
    note(`${response.status()} ${response.request().method()} ${response.url()}`),
  );
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) note(`navigated to ${frame.url()}`);
  });
  return lines;
}
