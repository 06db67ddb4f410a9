// The web app in a real browser against the whole local platform: an organizer creates, illustrates and publishes an
// event; an attendee signs up through the authorize page, searches, buys and sees the tickets' QR codes and the
// confirmation email; the organizer sees the sale on the dashboard and downloads the attendees CSV; sold-out
// answers are shown as such. Every page is checked with axe-core and photographed at desktop and phone width.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../local/handlers';
import { signUp } from '../support/accounts';
import { browserSuite } from '../support/browser-suite';
import { waitUntil } from '../support/wait';
import { DESKTOP, PHONE, screenshots, seriousViolations, signUpInBrowser, watchErrors } from './browser';
import { solidPng } from './png';

const suite = browserSuite({ redisUrl: null });
let organizer: Page;
let attendee: Page;
const errors = new Map<Page, string[]>();
const tag = `t${randomUUID().slice(0, 8)}`;
const eventName = `Jazz night ${tag}`;
const attendeeEmail = `attendee-${tag}@example.com`;
let eventId = '';

const url = (path: string) => `${suite.platform.apiUrl}${path}`;

/** axe finds nothing serious, the page logged no error, and its screenshots are saved. */
async function checkPage(page: Page, name: string) {
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
  await screenshots(page, name);
}

/** Signs up through the authorization server's own form and comes back signed in, on the home page. */
async function signUpHere(page: Page, firstName: string, email: string) {
  await signUpInBrowser(page, suite.platform.apiUrl, { firstName, email });
  expect(new URL(page.url()).pathname).toBe('/');
}

const inDays = (days: number, hour: number) => {
  const date = new Date(Date.now() + days * 86_400_000);
  return `${date.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`;
};

async function apiJson(
  path: string,
  token: string,
  init: { method?: string; body?: unknown; key?: string } = {},
) {
  const response = await fetch(url(path), {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(init.key ? { 'idempotency-key': init.key } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return {
    status: response.status,
    body: (await response.json().catch(() => undefined)) as Record<string, never>,
  };
}

beforeAll(async () => {
  organizer = suite.page;
  errors.set(organizer, suite.errors);
  attendee = await suite.browser.context.newPage();
  errors.set(attendee, watchErrors(attendee));
});

describe('the web app in Chromium', () => {
  it('an organizer signs up, creates an event with an image and publishes it', async () => {
    await signUpHere(organizer, 'Olga', `organizer-${tag}@example.com`);
    await organizer.getByRole('link', { name: 'Organize' }).click();
    await organizer.getByRole('heading', { name: 'Organize' }).waitFor();
    await checkPage(organizer, 'organizer-home-empty');

    await organizer.getByRole('link', { name: 'New event' }).click();
    await organizer.getByLabel('Name', { exact: true }).fill(eventName);
    await organizer.getByLabel('Type').selectOption('concert');
    await organizer.getByLabel('Tags (comma-separated)').fill(`jazz, ${tag}`);
    await organizer.getByLabel('Description').fill('A night of jazz.\n\nDoors open at 19:30.');
    await organizer.getByLabel('Time zone').selectOption('Europe/Paris');
    await organizer.getByLabel('Starts (local time)').fill(inDays(30, 20));
    await organizer.getByLabel('Ends (local time)').fill(inDays(30, 23));
    await organizer.getByLabel('Venue', { exact: true }).fill('Le Duc des Lombards');
    await organizer.getByLabel('Address', { exact: true }).fill('42 rue des Lombards');
    await organizer.getByLabel('City', { exact: true }).fill('Paris');
    await organizer.getByLabel('Country', { exact: true }).fill('France');
    await organizer.getByLabel('Capacity (seats in all)').fill('11');
    await organizer.getByLabel('Tier name').first().fill('Standard');
    await organizer.getByLabel('Quantity').first().fill('10');
    await organizer.getByRole('button', { name: 'Add a tier' }).click();
    await organizer.getByLabel('Tier name').nth(1).fill('VIP');
    await organizer.getByLabel('Price').nth(1).fill('80.00');
    await organizer.getByLabel('Quantity').nth(1).fill('1');
    await checkPage(organizer, 'organizer-new-event');
    await organizer.getByRole('button', { name: 'Create draft' }).click();

    await organizer.getByRole('heading', { name: `Edit ${eventName}` }).waitFor();
    eventId = /\/organizer\/events\/([^/]+)\/edit/.exec(organizer.url())?.[1] ?? '';
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);

    await organizer.getByLabel(/Add an image/).setInputFiles({
      name: 'poster.png',
      mimeType: 'image/png',
      buffer: solidPng(640, 360, [91, 33, 182]),
    });
    // The notice says how the upload ended: success, or the API's reason.
    const notice = organizer.locator('.alert').first();
    await notice.waitFor();
    expect(await notice.textContent()).toBe('Image added.');
    await organizer.getByRole('img', { name: `${eventName}, upload 1` }).waitFor();

    await organizer.getByRole('button', { name: 'Publish' }).click();
    await organizer.getByText('Published: the event is on sale.').waitFor();
    await checkPage(organizer, 'organizer-edit-event');
  });

  it('an attendee signs up, searches, buys and sees the QR codes and the confirmation email', async () => {
    await signUpHere(attendee, 'Ada', attendeeEmail);
    await checkPage(attendee, 'home');

    await attendee.getByRole('searchbox', { name: 'Search' }).fill(tag);
    await attendee.getByRole('button', { name: 'Search', exact: true }).click();
    const card = attendee.getByRole('listitem').filter({ hasText: eventName });
    await card.getByText('11 left').waitFor();
    await checkPage(attendee, 'home-search');

    await card.getByRole('link', { name: eventName }).click();
    await attendee.getByRole('heading', { name: eventName }).waitFor();
    // The browser runs in Tokyo; the event is shown in Paris time, as its venue's clock reads.
    await attendee.getByText(/20:00/).first().waitFor();
    await attendee.getByRole('img', { name: `${eventName} (1 of 1)` }).waitFor();
    await checkPage(attendee, 'event');

    await attendee.getByLabel('Quantity of Standard').selectOption('2');
    await attendee.getByRole('button', { name: 'Buy tickets' }).click();
    await attendee.getByRole('heading', { name: 'Checkout' }).waitFor();
    await attendee.locator('tfoot').getByText('€50.00').waitFor();
    await checkPage(attendee, 'checkout');
    await attendee.getByRole('button', { name: 'Confirm purchase' }).click();
    // The seats are held and the local test-mode page plays Stripe's checkout: the test card pays.
    await attendee.getByLabel('Card number').fill('4242 4242 4242 4242');
    await attendee.getByRole('button', { name: /^Pay / }).click();
    await attendee.getByRole('heading', { name: 'Payment succeeded' }).waitFor();
    await attendee.getByRole('link', { name: 'See your order' }).click();

    await attendee.getByText('Your order is confirmed.').waitFor();
    const qrCodes = attendee.locator('svg.qr');
    await expect.poll(() => qrCodes.count()).toBe(2);
    const codes = await qrCodes.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-code')));
    for (const code of codes) {
      expect(code).toBeTruthy();
      await attendee.getByText(code as string, { exact: true }).waitFor();
    }
    await checkPage(attendee, 'order');

    await attendee.getByRole('link', { name: 'My tickets' }).click();
    await attendee.getByRole('heading', { name: eventName }).waitFor();
    await expect.poll(() => attendee.locator('svg.qr').count()).toBe(2);
    await checkPage(attendee, 'my-tickets');

    await attendee.getByRole('link', { name: 'My orders' }).click();
    await attendee.getByRole('link', { name: eventName }).waitFor();
    await checkPage(attendee, 'my-orders');

    await attendee.getByRole('link', { name: 'Ada' }).click();
    await attendee.getByLabel('First name').waitFor();
    await checkPage(attendee, 'profile');

    const email = await waitUntil(async () => {
      const inbox = (await (await fetch(`${suite.platform.mailUrl}/api/email`)).json()) as {
        subject: string;
        to: { address: string }[];
      }[];
      // The attendee's mail: the sign-up's address confirmation, then the order's confirmation.
      return inbox.find(
        (mail) => mail.to.some((to) => to.address === attendeeEmail) && mail.subject.includes(eventName),
      );
    });
    expect(email.subject).toBe(`Your tickets for ${eventName}`);
  });

  it('the organizer sees the sale on the dashboard chart and downloads the attendees CSV', async () => {
    await organizer.goto(url(`/organizer/events/${eventId}`));
    const sold = organizer.getByTestId('sold');
    await expect
      .poll(async () => {
        if ((await sold.count()) === 0 || (await sold.textContent()) !== '2')
          await organizer.getByRole('button', { name: 'Refresh' }).click();
        return sold.textContent();
      })
      .toBe('2');
    const salesChart = organizer.locator('figure').filter({ hasText: 'Sales per hour' });
    await salesChart.locator('canvas').waitFor();
    await salesChart.getByText('Figures').click();
    await salesChart
      .getByRole('row')
      .filter({ has: organizer.getByRole('cell', { name: '2', exact: true }) })
      .first()
      .waitFor();
    await checkPage(organizer, 'organizer-dashboard');

    await organizer.getByRole('link', { name: 'Attendees' }).click();
    await organizer.getByRole('cell', { name: attendeeEmail }).first().waitFor();
    // When the ticket was bought reads as a date in the event's time (Paris: UTC+1, or +2 in summer), not ISO.
    const bought = organizer
      .getByRole('row')
      .filter({ hasText: attendeeEmail })
      .first()
      .getByRole('cell')
      .last();
    expect(await bought.textContent()).toMatch(/^\d{1,2} [A-Z][a-z]{2,3} \d{4}, \d{2}:\d{2} UTC\+[12]$/);
    await checkPage(organizer, 'organizer-attendees');
    // On a phone every column is in view, each value under its column's name: nothing scrolls sideways.
    await organizer.setViewportSize(PHONE);
    try {
      const table = organizer.locator('.table-scroll');
      expect(await table.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
      const status = await organizer
        .locator('tr', { hasText: attendeeEmail })
        .first()
        .locator('td[data-label="Status"]')
        .boundingBox();
      expect((status?.x ?? Number.POSITIVE_INFINITY) + (status?.width ?? 0)).toBeLessThanOrEqual(PHONE.width);
      expect(await seriousViolations(organizer), 'axe on organizer-attendees at phone width').toEqual([]);
    } finally {
      await organizer.setViewportSize(DESKTOP);
    }
    const [download] = await Promise.all([
      organizer.waitForEvent('download'),
      organizer.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    expect(csv.split('\n').filter((line) => line.includes(attendeeEmail))).toHaveLength(2);
  });

  it('shows sold out: the refusal with what remains at checkout, then the card and the event page', async () => {
    const owner = await signUp(suite.platform.apiUrl);
    const created = await apiJson('/v1/events', owner.accessToken, {
      method: 'POST',
      body: {
        name: `Tiny gig ${tag}`,
        type: 'concert',
        timezone: 'Europe/Paris',
        startsAt: new Date(Date.now() + 20 * 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 20 * 86_400_000 + 7_200_000).toISOString(),
        capacity: 2,
        location: { venue: 'Cave', address: '1 rue', city: 'Paris', country: 'France' },
        ticketTiers: [{ name: 'Entry', price: 1000, currency: 'EUR', quantity: 2 }],
      },
    });
    expect(created.status).toBe(201);
    const gig = created.body as unknown as { id: string; ticketTiers: { id: string }[] };
    const tierId = gig.ticketTiers[0]?.id ?? '';
    expect(
      (await apiJson(`/v1/events/${gig.id}/publish`, owner.accessToken, { method: 'POST' })).status,
    ).toBe(200);
    const rival = await signUp(suite.platform.apiUrl);
    const buy = () =>
      apiJson(`/v1/events/${gig.id}/orders`, rival.accessToken, {
        method: 'POST',
        key: randomUUID(),
        body: { items: [{ tierId, quantity: 1 }] },
      });
    expect((await buy()).status).toBe(201);

    // The attendee asks for two when one is left: the 409 names what remains.
    await attendee.goto(url(`/checkout/${gig.id}?items=${tierId}:2`));
    await attendee.getByRole('button', { name: 'Confirm purchase' }).click();
    await attendee.getByText('Sold out.').waitFor();
    await attendee.getByText('Entry: 1 left').waitFor();
    await checkPage(attendee, 'checkout-sold-out');

    expect((await buy()).status).toBe(201);
    await attendee.goto(url(`/?q=${encodeURIComponent(`Tiny gig ${tag}`)}`));
    const card = attendee.getByRole('listitem').filter({ hasText: `Tiny gig ${tag}` });
    await card.getByText('Sold out').waitFor();
    await card.getByRole('link', { name: `Tiny gig ${tag}` }).click();
    await attendee.getByText('Sold out: every ticket is taken.').waitFor();
    // Nothing left to choose or buy: no quantity to pick and no Buy button.
    expect(await attendee.getByRole('button', { name: 'Buy tickets' }).count()).toBe(0);
    expect(await attendee.getByLabel('Quantity of Entry').count()).toBe(0);
    await checkPage(attendee, 'event-sold-out');
  });

  it('serves the app on the API origin: index.html for app paths, long-cached assets, API 404s untouched', async () => {
    const page = await fetch(url('/events/some-id'), { headers: { 'accept-encoding': 'gzip' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const script = /<script[^>]*src="([^"]+)"/.exec(html)?.[1] ?? '';
    const asset = await fetch(url(script));
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
    // Built for production even here (the tests build it under NODE_ENV=test): no source file paths or line numbers,
    // which the development JSX transform puts in (and which would say where the app was built).
    const code = await asset.text();
    expect(code.includes(ROOT), `the bundle holds the checkout's path ${ROOT}`).toBe(false);
    expect(/\blineNumber\b/.test(code), 'the bundle holds JSX source positions').toBe(false);

    const api = await fetch(url('/v1/nowhere'));
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(url('/assets/missing.js'))).status).toBe(404);
  });

  it('no page reported an error or a Content-Security-Policy violation', () => {
    expect([...errors.values()].flat()).toEqual([]);
  });
});
