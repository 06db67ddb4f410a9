// The `web` section: what the web app costs a visitor. For the home page and an event page, opened in headless
// Chromium (Debian's, as the browser tests use it) with an empty cache each time: the JavaScript the page loads
// (bytes and gzip bytes) and the time from navigation to the first render of the page's content. Served by
// `npm run dev` in a child process, as a visitor would reach it. Targets: attendee pages load under 150 KB of gzip
// JavaScript; the event page renders in under a second.
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, DESKTOP } from '../browser/browser';
import { publishBenchEvent, withBenchPlatform } from './dev-process';
import type { BenchSection, Log, SectionOutcome } from './section';
import { percentile } from './stats';

export const WEB_TARGETS = { attendeeJsGzipBytesMax: 150 * 1024, eventPageRenderMsMax: 1_000 } as const;
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 7);

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

interface Timings {
  fcpMs: number;
  htmlMs: number;
  scriptsMs: number;
  apiMs: number;
}

interface PageFigures {
  path: string;
  scripts: { url: string; bytes: number; gzipBytes: number }[];
  jsBytes: number;
  jsGzipBytes: number;
  /** Navigation start to the page's content in the DOM and painted (median of the runs). */
  firstRenderMs: number;
  firstRenderMsSamples: number[];
  firstContentfulPaintMs: number;
  /** Medians, from navigation start: the HTML, the last script and the last API answer fully received. */
  loadedByMs: { html: number; scripts: number; api: number };
}

/** Opens `path` in a fresh context (empty cache) and waits for `ready` (a CSS selector of the page's content). */
async function measure(
  browser: Awaited<ReturnType<typeof chromium.launch>>,
  url: string,
  ready: string,
): Promise<Timings & { renderMs: number; scripts: Map<string, Buffer> }> {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page: Page = await context.newPage();
  const scripts = new Map<string, Buffer>();
  page.on('response', async (response) => {
    if (response.request().resourceType() === 'script')
      scripts.set(response.url(), await response.body().catch(() => Buffer.alloc(0)));
  });
  await page.goto(url, { waitUntil: 'commit' });
  // Polled on each animation frame: the value is the frame the content first appeared in.
  const renderMs = (await (
    await page.waitForFunction(
      // A function, not a string: the app's CSP forbids eval, and Playwright evaluates strings with it.
      (selector: string) =>
        (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
          selector,
        )
          ? performance.now()
          : 0,
      ready,
      { polling: 'raf', timeout: 30_000 },
    )
  ).jsonValue()) as number;
  await page.waitForLoadState('load');
  // A string: tsx would wrap inner functions of a function argument in a helper the page does not have.
  const timings = (await page.evaluate(`(() => {
    const entries = performance.getEntries();
    const end = (match) => Math.max(0, ...entries.filter(match).map((entry) => entry.responseEnd ?? 0));
    return {
      fcpMs: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0,
      htmlMs: end((entry) => entry.entryType === 'navigation'),
      scriptsMs: end((entry) => entry.name.endsWith('.js')),
      apiMs: end((entry) => entry.name.includes('/v1/')),
    };
  })()`)) as Timings;
  await context.close();
  return { renderMs, scripts, ...timings };
}

async function figuresOf(
  browser: Awaited<ReturnType<typeof chromium.launch>>,
  base: string,
  path: string,
  ready: string,
): Promise<PageFigures> {
  const samples: number[] = [];
  const fcps: number[] = [];
  const loaded = { html: [] as number[], scripts: [] as number[], api: [] as number[] };
  let scripts = new Map<string, Buffer>();
  // One unmeasured load first: the server compresses and caches each file on its first request.
  await measure(browser, base + path, ready);
  for (let run = 0; run < RUNS; run += 1) {
    const result = await measure(browser, base + path, ready);
    samples.push(Math.round(result.renderMs));
    fcps.push(Math.round(result.fcpMs));
    loaded.html.push(Math.round(result.htmlMs));
    loaded.scripts.push(Math.round(result.scriptsMs));
    loaded.api.push(Math.round(result.apiMs));
    scripts = result.scripts;
  }
  const list = [...scripts].map(([url, body]) => ({
    url: new URL(url).pathname,
    bytes: body.length,
    gzipBytes: gzipSync(body).length,
  }));
  return {
    path,
    scripts: list,
    jsBytes: list.reduce((sum, script) => sum + script.bytes, 0),
    jsGzipBytes: list.reduce((sum, script) => sum + script.gzipBytes, 0),
    firstRenderMs: median(samples),
    firstRenderMsSamples: samples,
    firstContentfulPaintMs: median(fcps),
    loadedByMs: { html: median(loaded.html), scripts: median(loaded.scripts), api: median(loaded.api) },
  };
}

function run(log: Log): Promise<SectionOutcome> {
  return withBenchPlatform({ label: 'web', log }, async (platform) => {
    let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
    try {
      const token = await platform.issuer.sign(
        {
          iss: platform.apiUrl,
          aud: 'ticketorleaveit-api',
          sub: crypto.randomUUID(),
          email: 'org@example.com',
        },
        { expiresIn: '1h' },
      );
      const event = await publishBenchEvent(platform.apiUrl, token, {
        name: 'Bench night',
        description: 'An event the web bench opens.',
        capacity: 100,
        location: { venue: 'Hall', address: '1 rue', city: 'Paris', country: 'France' },
        ticketTiers: [
          { name: 'Standard', price: 2500, currency: 'EUR', quantity: 90 },
          { name: 'VIP', price: 8000, currency: 'EUR', quantity: 10 },
        ],
      });

      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      log('web: home page');
      const home = await figuresOf(browser, platform.apiUrl, '/', '.event-card');
      log('web: event page');
      const eventPage = await figuresOf(browser, platform.apiUrl, `/events/${event.eventId}`, '.tier');
      const pages = { home, event: eventPage };
      const missed: string[] = [];
      for (const [name, figures] of Object.entries(pages)) {
        if (figures.jsGzipBytes > WEB_TARGETS.attendeeJsGzipBytesMax)
          missed.push(`${name}: ${figures.jsGzipBytes} B of gzip JavaScript`);
      }
      if (eventPage.firstRenderMs > WEB_TARGETS.eventPageRenderMsMax)
        missed.push(`event page first render ${eventPage.firstRenderMs} ms`);
      return {
        summary: {
          allMeetTargets: missed.length === 0,
          homeJsGzipBytes: home.jsGzipBytes,
          eventJsGzipBytes: eventPage.jsGzipBytes,
          homeFirstRenderMs: home.firstRenderMs,
          eventFirstRenderMs: eventPage.firstRenderMs,
          missedTargets: missed,
          note: 'Timings compare only between runs on a quiet machine (see machine.loadAverage1m).',
        },
        details: { targets: WEB_TARGETS, runs: RUNS, browser: CHROMIUM, pages },
        failed: false,
      };
    } finally {
      await browser?.close();
    }
  });
}

export const webSection: BenchSection = {
  name: 'web',
  description:
    'web app: gzip JavaScript per first page and time to first render (home, event) in headless Chromium',
  run,
};
