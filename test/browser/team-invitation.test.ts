// The team invitation page in a real browser against the whole local platform: an organizer invites someone to an
// event as check-in staff; the invitee opens the link from the email, signs in, sees the event and the role, and
// accepts; the organizer's team then lists them. Checked with axe-core and photographed.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventBody } from '../integration/events/support';
import { eventually, inbox } from '../integration/notifications/support';
import { signUp } from '../support/accounts';
import { browserSuite } from '../support/browser-suite';
import { client } from '../support/http';
import { screenshots, seriousViolations } from './browser';

beforeAll(() => {
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  // Not a test of the password-hash bulkhead: a loaded machine must not turn a sign-up into a 503.
  process.env.PASSWORD_HASH_MAX_WAIT_MS = '60000';
});
const suite = browserSuite({ redisUrl: null });
const api = client(() => suite.platform.apiUrl);

/** The focused element's id and the style of the outline drawn around it. */
const focused = (on: Page) =>
  on.evaluate<{ id: string; outline: string }>(
    '({ id: document.activeElement.id, outline: getComputedStyle(document.activeElement).outlineStyle })',
  );

describe('the team invitation page in Chromium', () => {
  it('shows the invitee the event and role, and accepting puts them on the team', async () => {
    const { platform, page, errors } = suite;
    // Prepare: an organizer's event and an invitation to an account that exists
    const organizer = await signUp(platform.apiUrl);
    const invitee = await signUp(platform.apiUrl, {
      email: `invitee-${randomUUID().slice(0, 8)}@example.com`,
      firstName: 'Ivy',
    });
    const name = `Door duty ${randomUUID().slice(0, 6)}`;
    const event = await api('POST', '/v1/events', {
      token: organizer.accessToken,
      body: eventBody({ name }),
    });
    expect(event.status).toBe(201);
    const invited = await api('POST', '/v1/organizer/team/invitations', {
      token: organizer.accessToken,
      body: { email: invitee.email, role: 'check-in', eventId: event.body.id },
    });
    expect(invited.status).toBe(201);
    // Sign-up sent the invitee an address confirmation first: the invitation is the one that says so.
    const invitation = await eventually(
      async () =>
        (await inbox(platform.mailUrl, invitee.email)).find((email) =>
          email.subject.includes('invites you to their team'),
        ),
      60_000,
      'the invitation email',
    );
    const link = invitation.text.match(/Accept: (\S+)/)?.[1];
    expect(link).toContain('/team-invitations/accept#token=');

    // Act: the invitee follows the link, signs in, and accepts
    await page.goto(link as string);
    await page.getByRole('heading', { name: 'Team invitation' }).waitFor();
    await page.locator('#main').getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/oauth\/authorize/);
    await page.getByLabel('Email').fill(invitee.email);
    await page.getByLabel('Password', { exact: true }).fill(invitee.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const offer = page.getByText('You are invited to');
    await offer.waitFor();
    expect(await offer.textContent()).toBe(
      `You are invited to ${name} as check-in staff: scanning tickets at the door.`,
    );
    expect(await seriousViolations(page)).toEqual([]);
    // The page's content has the focus for screen readers, without a focus ring around it; a keyboard stop has one.
    expect(await focused(page)).toEqual({ id: 'main', outline: 'none' });
    await screenshots(page, 'team-invitation');
    await page.keyboard.press('Tab');
    expect((await focused(page)).outline).toBe('solid');
    await page.getByRole('button', { name: 'Accept' }).click();

    // Assess
    const joined = page.getByText('You joined the team of');
    await joined.waitFor();
    expect(await joined.textContent()).toContain(name);
    expect(await page.getByRole('link', { name: 'Go there now' }).getAttribute('href')).toBe(
      `/organizer/events/${event.body.id}/check-in`,
    );
    const team = await api('GET', '/v1/organizer/team', { token: organizer.accessToken });
    expect(team.body.members).toEqual([
      expect.objectContaining({ email: invitee.email, role: 'check-in', eventId: event.body.id }),
    ]);
    expect(errors).toEqual([]);
  });
});
