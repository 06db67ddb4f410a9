// The data-subject requests through every service for real (GDPR articles 15 and 17): a copy of one's data holds the
// profile, orders, tickets and emails of that person only, and only they can get it; deleting an account ends every
// sign-in, deletes the profile and picture, keeps the orders for the organizer without the person, and lets the
// address sign up again; an organizer with an event still on sale is told to cancel it first.
import { randomUUID } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS_EVENTS_TOPIC, UsersMessageTypes } from '../../../events/contracts/users';
import { summaryScanDeps } from '../../../functions/notifications/sales-summaries.deps';
import { makeHandler as scanHandler } from '../../../functions/notifications/scan-sales-summaries.schedule';
import { requestExport } from '../../../functions/users/data-exports';
import { exportDeps } from '../../../functions/users/privacy.deps';
import { getPool } from '../../../layers/common/db';
import { topicArnEnv } from '../../../layers/common/env-names';
import { envelope } from '../../../layers/common/messages';
import type { Platform } from '../../../local/platform';
import { passwordGrant, refreshGrant, signUp, type TestUser } from '../../support/accounts';
import { databasePool } from '../../support/db';
import { client } from '../../support/http';
import { payOrder } from '../../support/payments';
import { startTestPlatform } from '../../support/platform';
import { waitForQueueDrained } from '../../support/sqs';
import { waitUntil } from '../../support/wait';
import { eventBody, inDays } from '../events/support';
import { inbox } from '../notifications/support';

let platform: Platform;
const api = client(() => platform.apiUrl);

beforeAll(async () => {
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  platform = await startTestPlatform({ schedules: false });
});
afterAll(async () => {
  await platform?.stop();
});

/** Puts the user on the organizer's check-in team for the event, with the token the invitation email carries. */
async function joinTeam(organizer: TestUser, member: TestUser, eventId: string) {
  const invited = await api('POST', '/v1/organizer/team/invitations', {
    token: organizer.accessToken,
    body: { email: member.email, role: 'check-in', eventId },
  });
  expect(invited.status).toBe(201);
  const events = databasePool(platform.databaseUrls.events, 1);
  try {
    const { rows } = await events.query<{ token: string }>(
      `SELECT envelope->'data'->>'token' AS token FROM outbox
       WHERE envelope->>'type' = 'TeamInvitationSent' AND envelope->'data'->>'invitationId' = $1`,
      [invited.body.id],
    );
    const accepted = await api('POST', '/v1/team-invitations/accept', {
      token: member.accessToken,
      body: { token: rows[0]?.token },
    });
    expect(accepted.status).toBe(200);
  } finally {
    await events.end();
  }
}

const teamOf = async (organizer: TestUser) =>
  (await api('GET', '/v1/organizer/team', { token: organizer.accessToken })).body.members as {
    userId: string;
  }[];

/** A published event with a paid tier and a free one, on sale now; the organizer is signed up for it. */
async function eventOnSale(organizer: TestUser, name = `Privacy night ${randomUUID().slice(0, 6)}`) {
  const created = await api('POST', '/v1/events', {
    token: organizer.accessToken,
    body: eventBody({
      name,
      startsAt: inDays(20),
      capacity: 50,
      ticketTiers: [
        { name: 'Standard', price: 2500, currency: 'EUR', quantity: 30 },
        { name: 'Free', price: 0, currency: 'EUR', quantity: 20 },
      ],
    }),
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await api('POST', `/v1/events/${id}/publish`, { token: organizer.accessToken })).status).toBe(200);
  const tiers = created.body.ticketTiers as { id: string; name: string }[];
  return { id, name, paidTier: tiers[0]?.id as string, freeTier: tiers[1]?.id as string };
}

/** Buys one paid ticket (paid through the provider's webhook) and waits for its confirmation email. */
async function buyPaid(buyer: TestUser, event: { id: string; paidTier: string; name: string }) {
  const placed = await api('POST', `/v1/events/${event.id}/orders`, {
    token: buyer.accessToken,
    headers: { 'idempotency-key': randomUUID() },
    body: { items: [{ tierId: event.paidTier, quantity: 1 }] },
  });
  expect(placed.status).toBe(201);
  await payOrder(platform.apiUrl, placed.body);
  await waitUntil(
    async () => (await inbox(platform.mailUrl, buyer.email)).some((m) => m.subject.includes(event.name)),
    {
      message: `the confirmation email to ${buyer.email}`,
    },
  );
  return placed.body.id as string;
}

/** Asks for an export and polls it until it is ready; answers the export's JSON file. */
async function exportOf(user: TestUser) {
  const started = await api('POST', '/v1/me/export', { token: user.accessToken });
  expect(started.status).toBe(202);
  expect(started.headers.get('location')).toBe(`/v1/me/export/${started.body.id}`);
  const ready = await waitUntil(
    async () => {
      const polled = await api('GET', `/v1/me/export/${started.body.id}`, { token: user.accessToken });
      return polled.body.status === 'ready' ? polled.body : undefined;
    },
    { message: 'the export to be ready' },
  );
  const download = await fetch(ready.downloadUrl);
  expect(download.status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: the test reads the exported JSON as it is.
  return { id: started.body.id as string, file: (await download.json()) as any };
}

describe('a copy of my data', () => {
  it('holds my profile, orders, tickets and emails, nobody else’s, and only I can get it', async () => {
    // Prepare: two buyers of the same event
    const organizer = await signUp(platform.apiUrl);
    const event = await eventOnSale(organizer);
    const [ada, bob] = await Promise.all([
      signUp(platform.apiUrl, { firstName: 'Ada' }),
      signUp(platform.apiUrl, { firstName: 'Bob' }),
    ]);
    const adaOrder = await buyPaid(ada, event);
    const bobOrder = await buyPaid(bob, event);

    // Act
    const { id, file } = await exportOf(ada);

    // Assess
    expect(file.profile).toMatchObject({ email: ada.email, firstName: 'Ada' });
    expect(file.orders.map((order: { id: string }) => order.id)).toEqual([adaOrder]);
    expect(file.orders[0]).toMatchObject({ total: 2500, currency: 'EUR', status: 'confirmed' });
    expect(file.tickets).toHaveLength(1);
    expect(file.tickets[0]).toMatchObject({ orderId: adaOrder, tierName: 'Standard' });
    expect(file.notifications.map((email: { subject: string }) => email.subject)).toContainEqual(
      expect.stringContaining(event.name),
    );
    expect(JSON.stringify(file)).not.toContain(bob.email);
    expect(JSON.stringify(file)).not.toContain(bobOrder);
    // Someone else's export is not there for them, even with its id.
    expect((await api('GET', `/v1/me/export/${id}`, { token: bob.accessToken })).status).toBe(404);
  });
});

describe('asking for a copy of my data again', () => {
  it('gives one export for two requests at once, both having found none in progress', async () => {
    // Prepare: two requests that each look for an export in progress before either records one
    const ada = await signUp(platform.apiUrl, { firstName: 'Ada' });
    const real = exportDeps();
    let looked = 0;
    let bothLooked: () => void = () => {};
    const together = new Promise<void>((resolve) => {
      bothLooked = resolve;
    });
    const deps = {
      ...real,
      exports: {
        ...real.exports,
        async pendingOf(userId: string) {
          const found = await real.exports.pendingOf(userId);
          if (++looked === 2) bothLooked();
          await together;
          return found;
        },
      },
    };

    // Act
    const [first, second] = await Promise.all([
      requestExport(deps, ada.id, 'export-1'),
      requestExport(deps, ada.id, 'export-2'),
    ]);

    // Assess
    expect(second.id).toBe(first.id);
    const polled = await api('GET', `/v1/me/export/${first.id}`, { token: ada.accessToken });
    expect(polled.status).toBe(200);
  });

  it('starts a new export when the one in progress has been stuck for more than a day', async () => {
    // Prepare: an export asked for 25 hours ago that never completed
    const ada = await signUp(platform.apiUrl, { firstName: 'Ada' });
    const longAgo = new Date(Date.now() - 25 * 3_600_000);
    const stuck = await requestExport({ ...exportDeps(), now: () => longAgo }, ada.id, 'stuck-export');

    // Act
    const again = await api('POST', '/v1/me/export', { token: ada.accessToken });

    // Assess: a new export that completes; the stuck one says to ask again
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(stuck.id);
    await expect
      .poll(
        async () =>
          (await api('GET', `/v1/me/export/${again.body.id}`, { token: ada.accessToken })).body.status,
        {
          timeout: 30_000,
        },
      )
      .toBe('ready');
    const old = await api('GET', `/v1/me/export/${stuck.id}`, { token: ada.accessToken });
    expect(old.body).toMatchObject({ status: 'expired', downloadUrl: null });
  });
});

describe('deleting my account', () => {
  it('ends my sign-ins, deletes my profile and picture, takes me off teams, and keeps my order for the organizer without me', async () => {
    // Prepare: a buyer with a profile picture and a paid order
    const organizer = await signUp(platform.apiUrl);
    const event = await eventOnSale(organizer);
    const ada = await signUp(platform.apiUrl, { firstName: 'Ada' });
    const issued = await api('POST', '/v1/users/me/picture', {
      token: ada.accessToken,
      body: { contentType: 'image/png' },
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(issued.body.fields as Record<string, string>))
      form.append(name, value);
    form.append('file', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'me.png');
    expect((await fetch(issued.body.uploadUrl, { method: 'POST', body: form })).status).toBeLessThan(300);
    const profile = await api('PATCH', '/v1/users/me', {
      token: ada.accessToken,
      body: { pictureKey: issued.body.key },
    });
    expect(profile.status).toBe(200);
    const pictureUrl = profile.body.pictureUrl as string;
    expect((await fetch(pictureUrl)).status).toBe(200);
    const orderId = await buyPaid(ada, event);
    await joinTeam(organizer, ada, event.id);
    expect((await teamOf(organizer)).map((member) => member.userId)).toEqual([ada.id]);

    // Act: a wrong password changes nothing; the right one deletes
    const wrong = await api('DELETE', '/v1/me', {
      token: ada.accessToken,
      body: { password: 'not my password' },
    });
    expect(wrong.status).toBe(403);
    expect((await passwordGrant(platform.apiUrl, ada.email, ada.password)).status).toBe(200);
    const deleted = await api('DELETE', '/v1/me', {
      token: ada.accessToken,
      body: { password: ada.password },
    });

    // Assess
    expect(deleted.status).toBe(204);
    const signIn = await passwordGrant(platform.apiUrl, ada.email, ada.password);
    expect(signIn.status).toBe(400);
    expect(await signIn.json()).toMatchObject({ error: 'invalid_grant' });
    const refresh = await refreshGrant(platform.apiUrl, ada.refreshToken);
    expect(refresh.status).toBe(400);
    await expect
      .poll(async () => (await api('GET', '/v1/users/me', { token: ada.accessToken })).status, {
        timeout: 30_000,
      })
      .toBe(403);
    await expect.poll(async () => (await fetch(pictureUrl)).status, { timeout: 30_000 }).toBe(404);
    await expect
      .poll(
        async () => (await api('GET', '/v1/users/me/notifications', { token: ada.accessToken })).body.items,
        {
          timeout: 30_000,
        },
      )
      .toEqual([]);
    // The person has left the organizer's team.
    await expect.poll(async () => teamOf(organizer), { timeout: 30_000 }).toEqual([]);
    // The organizer keeps the sale, its money and the seat, without the person.
    const attendees = await waitUntil(async () => {
      const page = await api('GET', `/v1/organizer/events/${event.id}/attendees`, {
        token: organizer.accessToken,
      });
      const mine = page.body.items.filter((item: { orderId: string }) => item.orderId === orderId);
      return mine.length === 1 && mine[0].email !== ada.email ? mine : undefined;
    });
    expect(attendees[0]).toMatchObject({ firstName: 'Deleted account' });
    expect(JSON.stringify(attendees)).not.toContain(ada.email);
    const dashboard = await api('GET', '/v1/organizer/dashboard', { token: organizer.accessToken });
    expect(dashboard.body.revenue).toContainEqual(expect.objectContaining({ currency: 'EUR', gross: 2500 }));
    expect(dashboard.body.orders).toMatchObject({ placed: 1, confirmed: 1 });
    // Deleting again is answered the same; the address is free for a new account.
    expect(
      (await api('DELETE', '/v1/me', { token: ada.accessToken, body: { password: ada.password } })).status,
    ).toBe(204);
    const again = await signUp(platform.apiUrl, { email: ada.email, firstName: 'Ada' });
    expect(again.id).not.toBe(ada.id);
    const fresh = await api('GET', '/v1/users/me', { token: again.accessToken });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ email: ada.email.toLowerCase(), pictureUrl: null });
    expect((await api('GET', '/v1/users/me/orders', { token: again.accessToken })).body.items).toEqual([]);
  });

  it('forgets my address where it was kept without my account: a team invitation and its email', async () => {
    // Prepare: an organizer invites Ada's address to their team; she never answers
    const organizer = await signUp(platform.apiUrl);
    const ada = await signUp(platform.apiUrl, { firstName: 'Ada' });
    const invited = await api('POST', '/v1/organizer/team/invitations', {
      token: organizer.accessToken,
      body: { email: ada.email, role: 'manager' },
    });
    expect(invited.status).toBe(201);
    await waitUntil(async () => (await inbox(platform.mailUrl, ada.email)).length > 0, {
      message: `the invitation email to ${ada.email}`,
    });
    const notifications = await getPool('notifications');
    const sentTo = async () =>
      (
        await notifications.query('SELECT kind FROM deliveries WHERE lower(recipient) = lower($1)', [
          ada.email,
        ])
      ).rows;
    expect(await sentTo()).toEqual([{ kind: 'team-invitation' }]);
    const before = await api('GET', '/v1/organizer/team', { token: organizer.accessToken });
    expect(JSON.stringify(before.body.invitations)).toContain(ada.email.toLowerCase());

    // Act
    const deleted = await api('DELETE', '/v1/me', {
      token: ada.accessToken,
      body: { password: ada.password },
    });
    expect(deleted.status).toBe(204);
    await waitForQueueDrained(platform.awsEndpoint, platform.queueUrls['notifications-privacy'] as string);
    await waitForQueueDrained(platform.awsEndpoint, platform.queueUrls['events-account-deletions'] as string);

    // Assess: notifications keeps no email sent to her address, and the organizer's team no invitation to it
    expect(await sentTo()).toEqual([]);
    const team = await api('GET', '/v1/organizer/team', { token: organizer.accessToken });
    expect(JSON.stringify(team.body)).not.toContain(ada.email.toLowerCase());
  });

  // Review finding 7: an access token stays valid for up to 15 minutes after its account is deleted.
  it('leaves my still-valid access token nothing to do: no purchase, no export, no profile change', async () => {
    // Prepare: a buyer with a free ticket, then the account deleted
    const organizer = await signUp(platform.apiUrl);
    const event = await eventOnSale(organizer);
    const ada = await signUp(platform.apiUrl, { firstName: 'Ada' });
    const buyFree = () =>
      api('POST', `/v1/events/${event.id}/orders`, {
        token: ada.accessToken,
        headers: { 'idempotency-key': randomUUID() },
        body: { items: [{ tierId: event.freeTier, quantity: 1 }] },
      });
    expect((await buyFree()).status).toBe(201);
    const deleted = await api('DELETE', '/v1/me', {
      token: ada.accessToken,
      body: { password: ada.password },
    });
    expect(deleted.status).toBe(204);
    const attendees = async () =>
      (await api('GET', `/v1/organizer/events/${event.id}/attendees`, { token: organizer.accessToken })).body
        .items as { email: string }[];
    // Tickets has processed the deletion once the order no longer names the buyer; users once the profile is gone.
    await waitUntil(async () => {
      const items = await attendees();
      return items.length === 1 && items[0]?.email !== ada.email;
    });
    await expect
      .poll(async () => (await api('GET', '/v1/users/me', { token: ada.accessToken })).body.type, {
        timeout: 30_000,
      })
      .toBe('/problems/account-deleted');

    // Act: the old access token tries to buy, to export, to change the profile
    const bought = await buyFree();
    const exported = await api('POST', '/v1/me/export', { token: ada.accessToken });
    const renamed = await api('PATCH', '/v1/users/me', {
      token: ada.accessToken,
      body: { firstName: 'Eve' },
    });
    const upload = await api('POST', '/v1/users/me/picture', {
      token: ada.accessToken,
      body: { contentType: 'image/png' },
    });

    // Assess: each refused as a deleted account, and no second order stored
    for (const refused of [bought, exported, renamed, upload]) {
      expect(refused).toMatchObject({ status: 403, body: { type: '/problems/account-deleted' } });
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await attendees()).toHaveLength(1);
    const dashboard = await api('GET', `/v1/organizer/dashboard`, { token: organizer.accessToken });
    expect(dashboard.body.orders).toMatchObject({ placed: 1 });
  });

  it('is refused while I organize an event still on sale, and nothing is deleted', async () => {
    // Prepare
    const organizer = await signUp(platform.apiUrl);
    const event = await eventOnSale(organizer);

    // Act
    const refused = await api('DELETE', '/v1/me', {
      token: organizer.accessToken,
      body: { password: organizer.password },
    });

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      type: '/problems/organizer-has-upcoming-events',
      events: [{ id: event.id, name: event.name }],
    });
    expect(refused.body.detail).toMatch(/cancel/i);
    expect((await passwordGrant(platform.apiUrl, organizer.email, organizer.password)).status).toBe(200);
    expect((await api('GET', `/v1/events/${event.id}`)).status).toBe(200);
  });
});

describe('a deleted organizer', () => {
  it('gets no daily sales summary, even when a preference change made before the deletion arrives after it', async () => {
    // Prepare: two organizers opted in to the summary; notifications has both choices
    const [ada, bob] = await Promise.all([
      signUp(platform.apiUrl, { firstName: 'Ada' }),
      signUp(platform.apiUrl, { firstName: 'Bob' }),
    ]);
    for (const user of [ada, bob]) {
      const optIn = await api('PUT', '/v1/users/me/notification-preferences', {
        token: user.accessToken,
        body: { dailySalesSummary: true, timeZone: null },
      });
      expect(optIn.status).toBe(200);
    }
    const notifications = await getPool('notifications');
    await waitUntil(
      async () =>
        (
          await notifications.query('SELECT 1 FROM summary_subscriptions WHERE user_id = ANY ($1)', [
            [ada.id, bob.id],
          ])
        ).rowCount === 2,
      { message: 'both choices copied to notifications' },
    );
    const beforeDeletion = new Date().toISOString();

    // Act: Ada deletes her account; her last change of preferences is delivered only after that
    const deleted = await api('DELETE', '/v1/me', {
      token: ada.accessToken,
      body: { password: ada.password },
    });
    expect(deleted.status).toBe(204);
    await waitForQueueDrained(platform.awsEndpoint, platform.queueUrls['notifications-privacy'] as string);
    const { NotificationPreferencesChanged } = UsersMessageTypes;
    const late = envelope(
      'users',
      NotificationPreferencesChanged.type,
      NotificationPreferencesChanged.version,
      {
        userId: ada.id,
        email: ada.email,
        firstName: 'Ada',
        dailySalesSummary: true,
        timeZone: null,
        asOf: beforeDeletion,
      },
      'late-preferences',
    );
    const sns = new SNSClient({ endpoint: platform.awsEndpoint, region: 'us-east-1' });
    await sns.send(
      new PublishCommand({
        TopicArn: process.env[topicArnEnv(USERS_EVENTS_TOPIC)],
        Message: JSON.stringify(late),
      }),
    );
    sns.destroy();
    await waitForQueueDrained(
      platform.awsEndpoint,
      platform.queueUrls['notifications-user-preferences'] as string,
    );
    const tomorrow = new Date(Date.now() + 86_400_000);
    const scan = await scanHandler(() => ({ ...summaryScanDeps(), now: () => tomorrow }))();

    // Assess: only Bob's summary is queued; nothing of Ada is kept to write to
    expect(scan.queued).toBe(1);
    const kept = await notifications.query('SELECT email FROM summary_subscriptions WHERE user_id = $1', [
      ada.id,
    ]);
    expect(kept.rows).toEqual([]);
  });
});
