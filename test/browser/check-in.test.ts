// The door page in a real browser against the whole local platform: an organizer signs in and checks tickets in by
// typed code; the first scan shows a big green Admit with the holder and tier, the second a red Already admitted with
// where it went in, an unknown code a red answer too; the event's dashboard then shows who is in. Checked with
// axe-core and photographed.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDoor } from '../integration/check-in/seed';
import { browserSuite } from '../support/browser-suite';
import { databasePool } from '../support/db';
import { screenshots, seriousViolations, signUpInBrowser } from './browser';

const suite = browserSuite({ redisUrl: null });
let db: pg.Pool;

beforeAll(() => {
  db = databasePool(suite.platform.databaseUrls.tickets, 1);
});

afterAll(async () => {
  await db?.end();
});

describe('the check-in page in Chromium', () => {
  it('answers a first scan green and a second red with where the ticket went in', async () => {
    const { platform, page, errors } = suite;
    const email = `door-${randomUUID().slice(0, 8)}@example.com`;
    await signUpInBrowser(page, platform.apiUrl, { firstName: 'Dora', lastName: 'Door', email });
    const users = databasePool(platform.databaseUrls.auth, 1);
    const { rows } = await users.query('SELECT id FROM accounts WHERE email = $1', [email]);
    await users.end();
    const event = await seedDoor(db, { count: 1, organizerId: rows[0].id });
    const code = (event.tickets[0] as { code: string }).code;

    await page.goto(`${platform.apiUrl}/organizer/events/${event.eventId}/check-in`);
    await page.getByRole('heading', { name: 'Check-in' }).waitFor();
    await page.getByLabel('Gate').fill('North door');
    await page.getByLabel('Ticket code').fill(code);
    await page.getByRole('button', { name: 'Check in' }).click();
    const admitted = page.locator('[data-verdict="admitted"]');
    await admitted.waitFor();
    expect(await admitted.textContent()).toContain('Ada · General');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, 'check-in-admitted');

    await page.getByLabel('Ticket code').fill(code);
    await page.getByRole('button', { name: 'Check in' }).click();
    const again = page.locator('[data-verdict="already-admitted"]');
    await again.waitFor();
    // When and where: how long ago (the door's question: is a copy being passed back?), at which gate.
    expect(await again.textContent()).toMatch(/First scanned \d+ (second|minute)s? ago \(.+\) at North door/);
    await screenshots(page, 'check-in-already-admitted');

    await page.getByLabel('Ticket code').fill('ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ');
    await page.getByRole('button', { name: 'Check in' }).click();
    await page.locator('[data-verdict="unknown"]').waitFor();
    expect(errors.filter((line) => !line.includes('404') && !line.includes('409'))).toEqual([]);

    // The event's dashboard shows who is in.
    await page.getByRole('link', { name: 'Event dashboard' }).click();
    const admittedSoFar = page.getByTestId('admitted');
    await admittedSoFar.waitFor();
    expect(await admittedSoFar.textContent()).toContain('Admitted: 1 of 1');
    expect(await admittedSoFar.textContent()).toContain('North door 1');
  });
});
