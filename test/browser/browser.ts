// Drives Debian's chromium through playwright-core (Playwright's own browser downloads cannot work here): launch
// with a fresh profile, check each page with axe-core, and save each page's screenshot at desktop and phone width.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { ROOT } from '../../local/platform';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(options: { downloads?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tol-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: DESKTOP,
    acceptDownloads: options.downloads ?? true,
    locale: 'en-GB',
    timezoneId: 'Asia/Tokyo',
  });
  // Generous: two cores shared with the platform under test, and often with more.
  context.setDefaultTimeout(30_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What the web app's pages reported: uncaught errors and Content-Security-Policy violations (the authorization
 * server's own pages, which the app does not serve, are left to the auth tests). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  const ours = () => !new URL(page.url()).pathname.startsWith('/oauth/');
  page.on('pageerror', (error) => {
    if (ours()) errors.push(`pageerror: ${error.message}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && ours() && /Content.Security.Policy|Refused to/i.test(message.text()))
      errors.push(`${page.url()}: ${message.text()}`);
  });
  return errors;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's serious and critical violations on the page as it is now (injected through the DevTools protocol,
 * which the page's CSP does not apply to). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Once per document: the app's own navigations keep it.
  if (!(await page.evaluate("typeof axe !== 'undefined'"))) await page.evaluate(axeSource);
  // A string runs in the page, where axe is the global the injected script defined (Node's types have no DOM).
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)",
  )) as AxeViolation[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes
          .map((node) => JSON.stringify(node.target))
          .join(', ')}`,
    );
}

/** Full-page screenshots at desktop and phone width, named after the page. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/**
 * Signs up through the authorization server's own form (the app's "Sign up", prompt=create): sign-up answers "check
 * your email" with a sign-in form (the same for a taken address), where the new password signs in; back in the app
 * once the header names the user.
 */
export async function signUpInBrowser(
  page: Page,
  origin: string,
  user: { firstName: string; lastName?: string; email: string; password?: string },
) {
  const password = user.password ?? 'correct horse battery staple';
  await page.goto(`${origin}/`);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(/\/oauth\/authorize/);
  await page.getByLabel('First name').fill(user.firstName);
  await page.getByLabel('Last name').fill(user.lastName ?? 'Tester');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: user.firstName }).waitFor();
}
