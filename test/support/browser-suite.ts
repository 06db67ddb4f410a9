// What every browser test file starts: the local platform and Chromium side by side, and one page whose uncaught errors
// and CSP violations are collected; both stopped when the file ends.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Platform } from '../../local/platform';
import { type Browser, launchBrowser, watchErrors } from '../browser/browser';
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
  beforeAll(async () => {
    const [platform, browser] = await Promise.allSettled([startTestPlatform(options), launchBrowser()]);
    // What did start is stopped by afterAll even when the other did not.
    if (platform.status === 'fulfilled') suite.platform = platform.value;
    if (browser.status === 'fulfilled') suite.browser = browser.value;
    for (const started of [platform, browser]) if (started.status === 'rejected') throw started.reason;
    suite.page = await suite.browser.context.newPage();
    suite.errors = watchErrors(suite.page);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.platform?.stop();
  });
  return suite;
}
