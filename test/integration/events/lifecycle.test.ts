// An event's life over HTTP through the local platform, against the real tickets service, PostgreSQL and the AWS
// emulator: draft, publish (inventory first), change (never below what is sold), cancel (sales stop, the
// cancellation is announced), images, ownership, and every kind of bad input.
import { randomUUID } from 'node:crypto';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE_EVENTS_TOPIC } from '../../../events/contracts/catalogue';
import { functionNameEnv, topicArnEnv } from '../../../layers/common/env-names';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { databasePool } from '../../support/db';
import { EDGE_MS, READ_MARGIN_MS, staleFor } from '../../support/edge';
import { startTestPlatform } from '../../support/platform';
import { waitUntil } from '../../support/wait';
import { eventBody, inDays, MANIFESTS, setSold, steps, uniqueWord } from './support';

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

let platform: Platform;
let tickets: pg.Pool;
let events: pg.Pool;
let ada: TestUser;
let mallory: TestUser;
const { api, organizer, create, publish, published } = steps(() => platform);

beforeAll(async () => {
  // Each test signs up its organizers; the sign-up limit per address is for real clients, not this file.
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  process.env.EVENTS_CACHE_PREFIX = `events-${randomUUID()}`;
  platform = await startTestPlatform({ manifests: MANIFESTS, schedules: false });
  tickets = databasePool(platform.databaseUrls.tickets);
  events = databasePool(platform.databaseUrls.events);
  [ada, mallory] = await Promise.all([organizer(), organizer()]);
});
afterAll(async () => {
  await tickets?.end();
  await events?.end();
  await platform?.stop();
});

const inventoryOf = async (eventId: string) => {
  const inventory = await tickets.query(
    'SELECT status, capacity, name, place FROM inventories WHERE event_id = $1',
    [eventId],
  );
  const tiers = await tickets.query(
    'SELECT tier_id, name, price::int AS price, quantity, sold, open FROM tier_stock WHERE event_id = $1 ORDER BY position',
    [eventId],
  );
  return { inventory: inventory.rows[0], tiers: tiers.rows };
};

const fieldsOf = (body: { errors?: { field: string }[] }) =>
  (body.errors ?? []).map((error) => error.field).sort();

describe('an event from draft to cancellation', () => {
  it('is created as a draft with its own id and one per tier, normalised tags and the canonical time zone', async () => {
    const response = await api('POST', '/v1/events', {
      token: ada.accessToken,
      body: eventBody({ tags: ['  Live Music ', 'JAZZ', 'jazz'], timezone: 'europe/paris' }),
    });
    expect(response.status).toBe(201);
    const event = response.body;
    expect(response.headers.get('location')).toBe(`/v1/organizer/events/${event.id}`);
    expect(event).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'draft',
      name: 'Jazz at the Sunset',
      type: 'concert',
      timezone: 'Europe/Paris',
      tags: ['live-music', 'jazz'],
      capacity: 100,
      sold: 0,
      images: [],
      publishedAt: null,
    });
    expect(event.ticketTiers).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Standard',
        price: 2500,
        currency: 'EUR',
        quantity: 60,
      }),
      expect.objectContaining({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'VIP', quantity: 40 }),
    ]);
    expect(event.ticketTiers[0].id).not.toBe(event.ticketTiers[1].id);

    // Nobody but its organizer sees a draft, and tickets knows nothing of it.
    expect((await api('GET', `/v1/events/${event.id}`)).status).toBe(404);
    expect((await api('GET', `/v1/events/${event.id}`, { token: ada.accessToken })).status).toBe(404);
    expect(
      (await api('GET', '/v1/events?q=Sunset&limit=100')).body.items.map((item: { id: string }) => item.id),
    ).not.toContain(event.id);
    expect((await inventoryOf(event.id)).inventory).toBeUndefined();
    const own = await api('GET', `/v1/organizer/events/${event.id}`, { token: ada.accessToken });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: event.id, status: 'draft', sold: 0 });
  });

  it('goes on sale when published: tickets holds the inventory and the catalogue shows every ticket remaining', async () => {
    const word = uniqueWord();
    const draft = await create(ada, { name: `Modal jazz ${word}` });
    const response = await api('POST', `/v1/events/${draft.id}/publish`, { token: ada.accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'published',
      sold: 0,
      remaining: 100,
      publishedAt: expect.any(String),
    });

    const { inventory, tiers } = await inventoryOf(draft.id);
    expect(inventory).toEqual({
      status: 'on_sale',
      capacity: 100,
      name: `Modal jazz ${word}`,
      place: 'Sunset Sunside, Paris, France',
    });
    expect(tiers.map((tier) => [tier.tier_id, tier.quantity, tier.sold, tier.open])).toEqual([
      [draft.ticketTiers[0].id, 60, 0, true],
      [draft.ticketTiers[1].id, 40, 0, true],
    ]);

    const page = await api('GET', `/v1/events/${draft.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-degraded')).toBeNull();
    expect(page.body).toMatchObject({ id: draft.id, status: 'published', remaining: 100 });
    expect(page.body.degraded).toBeUndefined();
    expect(page.body.ticketTiers.map((tier: { remaining: number }) => tier.remaining)).toEqual([60, 40]);

    const listed = await api('GET', `/v1/events?q=${word}`);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([draft.id]);
    expect(listed.body.items[0]).toMatchObject({
      priceFrom: { price: 2500, currency: 'EUR' },
      imageUrl: null,
    });

    // Publishing again changes nothing.
    const again = await api('POST', `/v1/events/${draft.id}/publish`, { token: ada.accessToken });
    expect(again.status).toBe(200);
    expect(again.body.publishedAt).toBe(response.body.publishedAt);
  });

  it('shows a change within the edge’s second, keeps tier ids, adds new tiers, and tickets follows', async () => {
    const word = uniqueWord();
    const event = await published(ada, { name: `Quartet ${word}` });
    // Warm the caches of both the page and the catalogue.
    await api('GET', `/v1/events/${event.id}`);
    await api('GET', `/v1/events?q=${word}`);

    const [standard, vip] = event.ticketTiers;
    const response = await api('PATCH', `/v1/events/${event.id}`, {
      token: ada.accessToken,
      body: {
        name: `Quintet ${word}`,
        capacity: 150,
        ticketTiers: [
          { id: standard.id, name: 'Standard', price: 2800, currency: 'EUR', quantity: 80 },
          { id: vip.id, name: 'VIP', price: 6000, currency: 'EUR', quantity: 40 },
          { name: 'Students', price: 1000, currency: 'EUR', quantity: 30 },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.ticketTiers.map((tier: { id: string }) => tier.id).slice(0, 2)).toEqual([
      standard.id,
      vip.id,
    ]);
    const students = response.body.ticketTiers[2];
    expect(students.id).toMatch(/^[0-9a-f-]{36}$/);
    const changed = Date.now();

    // The catalogue at once; the page once the edge's copy (at most a second old) has expired.
    expect((await api('GET', `/v1/events?q=${word}`)).body.items[0].name).toBe(`Quintet ${word}`);
    const read = async () => (await api('GET', `/v1/events/${event.id}`)).body;
    const stale = await staleFor(read, (page) => page.name === `Quintet ${word}`, changed);
    expect(stale).toBeLessThanOrEqual(EDGE_MS + READ_MARGIN_MS);
    const page = await api('GET', `/v1/events/${event.id}`);
    expect(page.body).toMatchObject({ name: `Quintet ${word}`, capacity: 150, remaining: 150 });
    const { inventory, tiers } = await inventoryOf(event.id);
    expect(inventory).toMatchObject({ capacity: 150, name: `Quintet ${word}` });
    expect(tiers.map((tier) => [tier.tier_id, tier.price, tier.quantity])).toEqual([
      [standard.id, 2800, 80],
      [vip.id, 6000, 40],
      [students.id, 1000, 30],
    ]);
  });

  it('refuses to go below what is sold with a 409 that says why, and changes nothing anywhere', async () => {
    const event = await published(ada);
    const [standard, vip] = event.ticketTiers;
    await setSold(platform, standard.id, 50);
    const before = (await api('GET', `/v1/organizer/events/${event.id}`, { token: ada.accessToken })).body;
    expect(before).toMatchObject({ sold: 50, remaining: 50 });
    expect(before.ticketTiers[0]).toMatchObject({ quantity: 60, sold: 50, remaining: 10 });

    const lowerTier = await api('PATCH', `/v1/events/${event.id}`, {
      token: ada.accessToken,
      body: {
        capacity: 70,
        ticketTiers: [
          { id: standard.id, name: 'Standard', price: 2500, currency: 'EUR', quantity: 30 },
          { id: vip.id, name: 'VIP', price: 6000, currency: 'EUR', quantity: 40 },
        ],
      },
    });
    expect(lowerTier.status).toBe(409);
    expect(lowerTier.headers.get('content-type')).toBe('application/problem+json');
    expect(lowerTier.body).toMatchObject({
      type: '/problems/below-sold',
      status: 409,
      tiers: [{ tierId: standard.id, quantity: 30, sold: 50 }],
    });

    const dropTier = await api('PATCH', `/v1/events/${event.id}`, {
      token: ada.accessToken,
      body: { ticketTiers: [{ id: vip.id, name: 'VIP', price: 6000, currency: 'EUR', quantity: 40 }] },
    });
    expect(dropTier.status).toBe(409);
    expect(dropTier.body.type).toBe('/problems/tier-has-sales');

    const after = (await api('GET', `/v1/organizer/events/${event.id}`, { token: ada.accessToken })).body;
    expect(after).toEqual(before);
    const { inventory, tiers } = await inventoryOf(event.id);
    expect(inventory.capacity).toBe(100);
    expect(tiers.map((tier) => tier.quantity)).toEqual([60, 40]);
    // The sales were written straight into the tickets database, behind the service's back: the public page shows
    // them once its availability snapshot (kept at most SNAPSHOT_TTL_MS without a change through the service) and the
    // edge's copy of the page have expired.
    const page = await waitUntil(async () => {
      const answer = await api('GET', `/v1/events/${event.id}`);
      return answer.body.remaining === 50 ? answer : undefined;
    });
    expect(page.body).toMatchObject({ capacity: 100, remaining: 50 });
    expect(page.body.ticketTiers.map((tier: { remaining: number }) => tier.remaining)).toEqual([10, 40]);

    // Down to exactly what is sold is allowed.
    const exact = await api('PATCH', `/v1/events/${event.id}`, {
      token: ada.accessToken,
      body: {
        ticketTiers: [
          { id: standard.id, name: 'Standard', price: 2500, currency: 'EUR', quantity: 50 },
          { id: vip.id, name: 'VIP', price: 6000, currency: 'EUR', quantity: 40 },
        ],
      },
    });
    expect(exact.status).toBe(200);
    expect(exact.body.ticketTiers[0]).toMatchObject({ quantity: 50, sold: 50, remaining: 0 });
  });

  it('cancels: sales stop, the event leaves the catalogue, its page says cancelled, and EventCancelled goes out', async () => {
    const sqs = new SQSClient({ endpoint: platform.awsEndpoint, region: 'us-east-1' });
    const sns = new SNSClient({ endpoint: platform.awsEndpoint, region: 'us-east-1' });
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `listen-${randomUUID()}` }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      await sns.send(
        new SubscribeCommand({
          TopicArn: process.env[topicArnEnv(CATALOGUE_EVENTS_TOPIC)],
          Protocol: 'sqs',
          Endpoint: Attributes?.QueueArn,
          Attributes: { RawMessageDelivery: 'true' },
        }),
      );

      const word = uniqueWord();
      const event = await published(ada, { name: `Farewell ${word}` });
      expect((await api('GET', `/v1/events?q=${word}`)).body.items).toHaveLength(1);

      const response = await api('POST', `/v1/events/${event.id}/cancel`, {
        token: ada.accessToken,
        body: { reason: 'The band is stuck abroad.' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        status: 'cancelled',
        cancelReason: 'The band is stuck abroad.',
        remaining: 0,
      });

      expect((await inventoryOf(event.id)).inventory.status).toBe('cancelled');
      expect((await inventoryOf(event.id)).tiers.every((tier) => tier.open === false)).toBe(true);
      expect((await api('GET', `/v1/events?q=${word}`)).body.items).toEqual([]);
      const page = await api('GET', `/v1/events/${event.id}`);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ status: 'cancelled', remaining: 0 });
      expect(page.body.ticketTiers.map((tier: { remaining: number }) => tier.remaining)).toEqual([0, 0]);

      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }),
      );
      // Publishing announced the event's details (EventChanged) before the cancellation.
      const messages = (received.Messages ?? [])
        .map((message) => JSON.parse(message.Body ?? '{}'))
        .filter((message) => message.type !== 'EventChanged');
      expect(messages).toEqual([
        expect.objectContaining({
          type: 'EventCancelled',
          version: 1,
          source: 'events',
          data: {
            eventId: event.id,
            organizerId: ada.id,
            name: `Farewell ${word}`,
            startsAt: event.startsAt,
            timezone: 'Europe/Paris',
            reason: 'The band is stuck abroad.',
          },
        }),
      ]);

      // A cancelled event is final.
      expect((await api('POST', `/v1/events/${event.id}/cancel`, { token: ada.accessToken })).status).toBe(
        200,
      );
      const patch = await api('PATCH', `/v1/events/${event.id}`, {
        token: ada.accessToken,
        body: { name: 'Back on' },
      });
      expect(patch.status).toBe(409);
      expect(patch.body.type).toBe('/problems/event-cancelled');
      expect((await api('POST', `/v1/events/${event.id}/publish`, { token: ada.accessToken })).status).toBe(
        409,
      );
    } finally {
      sqs.destroy();
      sns.destroy();
    }
  });

  it('cancels a draft without a body, and leaves nothing on sale in tickets', async () => {
    const draft = await create(ada);
    const response = await api('POST', `/v1/events/${draft.id}/cancel`, { token: ada.accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'cancelled', cancelReason: null });
    // A publish whose own commit failed could have opened sales; cancelling closes them whatever happened.
    expect((await inventoryOf(draft.id)).inventory).toMatchObject({ status: 'cancelled' });
  });

  it('keeps the event a draft and answers 503 when tickets cannot set up sales', async () => {
    const draft = await create(ada);
    const key = functionNameEnv('tickets.syncInventory');
    const real = process.env[key];
    process.env[key] = 'tickets-gone';
    try {
      const response = await api('POST', `/v1/events/${draft.id}/publish`, { token: ada.accessToken });
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('retry-after')).toBeTruthy();
    } finally {
      process.env[key] = real;
    }
    expect(
      (await api('GET', `/v1/organizer/events/${draft.id}`, { token: ada.accessToken })).body.status,
    ).toBe('draft');
    expect((await api('GET', `/v1/events/${draft.id}`)).status).toBe(404);
    // Once tickets is back, publishing works.
    expect((await api('POST', `/v1/events/${draft.id}/publish`, { token: ada.accessToken })).status).toBe(
      200,
    );
  });
});

describe('an organizer sees and changes only their own events', () => {
  it('answers 404 to anyone else on every organizer route, as if the event did not exist', async () => {
    const draft = await create(ada);
    const live = await published(ada);
    for (const id of [draft.id, live.id]) {
      const token = mallory.accessToken;
      const answers = await Promise.all([
        api('GET', `/v1/organizer/events/${id}`, { token }),
        api('PATCH', `/v1/events/${id}`, { token, body: { name: 'Mine now' } }),
        api('POST', `/v1/events/${id}/publish`, { token }),
        api('POST', `/v1/events/${id}/cancel`, { token }),
        api('POST', `/v1/events/${id}/images`, { token, body: { contentType: 'image/png' } }),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404]);
      // The same answer as for an id that exists nowhere: nothing leaks.
      const nowhere = await api('GET', `/v1/organizer/events/${randomUUID()}`, { token });
      expect(answers[0]?.body.detail).toBe(nowhere.body.detail);
    }
    const own = await api('GET', '/v1/organizer/events?limit=100', { token: mallory.accessToken });
    expect(own.body.items).toEqual([]);
    expect((await api('GET', `/v1/organizer/events/${live.id}`, { token: ada.accessToken })).body.name).toBe(
      'Jazz at the Sunset',
    );
    expect((await api('GET', `/v1/events/${live.id}`)).body.status).toBe('published');
  });

  it('lists the organizer’s own events, drafts included, newest first, page by page', async () => {
    const grace = await organizer();
    const made = [];
    for (let index = 0; index < 5; index += 1) made.push(await create(grace, { name: `Event ${index}` }));
    await publish(grace, made[1].id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await api('GET', `/v1/organizer/events${query}`, { token: grace.accessToken });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    // Newest first; two created in the same millisecond are ordered by id, as the cursor is.
    const newestFirst = [...made].sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
    );
    expect(seen).toEqual(newestFirst.map((event) => event.id));
    const drafts = await api('GET', '/v1/organizer/events?status=draft', { token: grace.accessToken });
    expect(drafts.body.items).toHaveLength(4);
    const live = await api('GET', '/v1/organizer/events?status=published', { token: grace.accessToken });
    expect(live.body.items).toEqual([expect.objectContaining({ id: made[1].id, sold: 0, remaining: 100 })]);
  });

  it('needs a signed-in user, and a well-formed id', async () => {
    expect((await api('POST', '/v1/events', { body: eventBody() })).status).toBe(401);
    expect((await api('GET', '/v1/organizer/events')).status).toBe(401);
    const malformed = await api('GET', '/v1/events/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([expect.objectContaining({ in: 'path', field: 'id' })]);
    const patch = await api('PATCH', '/v1/events/12345', { token: ada.accessToken, body: { name: 'x' } });
    expect(patch.status).toBe(400);
    expect(patch.body.errors).toEqual([expect.objectContaining({ in: 'path', field: 'id' })]);
  });
});

describe('bad input is refused with a 4xx naming each bad field, and nothing is stored', () => {
  const refuse = async (body: unknown, fields: string[]) => {
    const response = await api('POST', '/v1/events', { token: ada.accessToken, body });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(fieldsOf(response.body)).toEqual(fields);
    for (const error of response.body.errors) {
      expect(error.in).toBe('body');
      expect(error.message).toEqual(expect.any(String));
    }
    return response.body;
  };

  it('refuses an end before the start, and a start in the past', async () => {
    await refuse(eventBody({ startsAt: inDays(10), endsAt: inDays(9) }), ['endsAt']);
    await refuse(eventBody({ startsAt: inDays(-1), endsAt: inDays(1) }), ['startsAt']);
  });

  it('refuses a zero or negative capacity, and tiers that hold more than it', async () => {
    await refuse(eventBody({ capacity: 0 }), ['capacity']);
    await refuse(eventBody({ capacity: -5 }), ['capacity']);
    await refuse(eventBody({ capacity: 2.5 }), ['capacity']);
    const over = await refuse(eventBody({ capacity: 90 }), ['ticketTiers']);
    expect(over.errors[0].message).toContain('100');
  });

  it('refuses an unknown type, an invalid time zone, an invalid or mixed currency', async () => {
    await refuse(eventBody({ type: 'rave' }), ['type']);
    await refuse(eventBody({ timezone: 'Mars/Olympus_Mons' }), ['timezone']);
    await refuse(eventBody({ timezone: '+02:00' }), ['timezone']);
    await refuse(
      eventBody({ ticketTiers: [{ name: 'Standard', price: 2500, currency: 'EUX', quantity: 10 }] }),
      ['ticketTiers.0.currency'],
    );
    await refuse(
      eventBody({
        ticketTiers: [
          { name: 'Standard', price: 2500, currency: 'EUR', quantity: 10 },
          { name: 'Abroad', price: 2500, currency: 'USD', quantity: 10 },
        ],
      }),
      ['ticketTiers.1.currency'],
    );
    await refuse(
      eventBody({ ticketTiers: [{ name: 'Standard', price: -1, currency: 'EUR', quantity: 0 }] }),
      ['ticketTiers.0.price', 'ticketTiers.0.quantity'],
    );
    await refuse(eventBody({ ticketTiers: [] }), ['ticketTiers']);
  });

  it('refuses too many or too long tags, and a description over 5000 characters', async () => {
    await refuse(eventBody({ tags: Array.from({ length: 11 }, (_, index) => `tag${index}`) }), ['tags']);
    await refuse(eventBody({ tags: ['ok', 'x'.repeat(31)] }), ['tags.1']);
    await refuse(eventBody({ tags: ['rock,pop'] }), ['tags.0']);
    await refuse(eventBody({ description: 'x'.repeat(5001) }), ['description']);
    // Ten distinct tags after normalisation are fine, however they were spelled.
    const fine = await create(ada, {
      tags: [...Array.from({ length: 10 }, (_, index) => `Tag ${index}`), 'TAG 0'],
    });
    expect(fine.tags).toHaveLength(10);
  });

  it('refuses a half location, unknown fields and missing ones, all in one answer', async () => {
    await refuse(eventBody({ location: { venue: 'Somewhere', city: 'Paris' } }), [
      'location.address',
      'location.country',
    ]);
    await refuse(eventBody({ location: { onlineUrl: 'ftp://example.com/x' } }), ['location.onlineUrl']);
    await refuse({ ...eventBody({ capacity: 0 }), startAt: inDays(3), name: undefined }, [
      'capacity',
      'name',
      'startAt',
    ]);
  });

  it('refuses the same mistakes in a change, judged on the event as it would become', async () => {
    const event = await create(ada);
    const patch = (body: unknown) => api('PATCH', `/v1/events/${event.id}`, { token: ada.accessToken, body });
    const endBeforeStart = await patch({
      endsAt: new Date(Date.parse(event.startsAt) - 60_000).toISOString(),
    });
    expect(endBeforeStart.status).toBe(400);
    expect(fieldsOf(endBeforeStart.body)).toEqual(['endsAt']);
    expect(fieldsOf((await patch({ capacity: 50 })).body)).toEqual(['ticketTiers']);
    expect(
      fieldsOf(
        (
          await patch({
            ticketTiers: [{ id: randomUUID(), name: 'X', price: 1, currency: 'EUR', quantity: 1 }],
          })
        ).body,
      ),
    ).toEqual(['ticketTiers.0.id']);
    expect(fieldsOf((await patch({})).body)).toEqual(['']);
    expect(
      (await api('GET', `/v1/organizer/events/${event.id}`, { token: ada.accessToken })).body,
    ).toMatchObject({
      capacity: 100,
      endsAt: event.endsAt,
    });
  });

  it('stores nothing for a refused event', async () => {
    const grace = await organizer();
    await api('POST', '/v1/events', { token: grace.accessToken, body: eventBody({ capacity: 0 }) });
    await api('POST', '/v1/events', { token: grace.accessToken, rawBody: '{"name": ' });
    expect((await api('GET', '/v1/organizer/events', { token: grace.accessToken })).body.items).toEqual([]);
  });
});

describe('promotional images', () => {
  async function upload(eventId: string, bytes: Buffer, contentType = 'image/png', formType?: string) {
    const issued = await api('POST', `/v1/events/${eventId}/images`, {
      token: ada.accessToken,
      body: { contentType },
    });
    expect(issued.status).toBe(201);
    const form = new FormData();
    for (const [name, value] of Object.entries(issued.body.fields as Record<string, string>)) {
      form.append(name, name === 'Content-Type' && formType ? formType : value);
    }
    form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), 'image');
    const response = await fetch(issued.body.uploadUrl, { method: 'POST', body: form });
    expect(response.status).toBeLessThan(300);
    return issued.body.key as string;
  }

  it('uploads through a presigned form, attaches in order, and the public page shows URLs that load them', async () => {
    const event = await published(ada);
    const issued = await api('POST', `/v1/events/${event.id}/images`, {
      token: ada.accessToken,
      body: { contentType: 'image/webp' },
    });
    expect(issued.body.key).toMatch(new RegExp(`^events/${event.id}/images/[0-9a-f-]{36}$`));
    expect(issued.body.maxBytes).toBe(5 * 1024 * 1024);
    const policy = JSON.parse(Buffer.from(issued.body.fields.Policy, 'base64').toString('utf8'));
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 5 * 1024 * 1024],
        ['eq', '$Content-Type', 'image/webp'],
      ]),
    );

    const first = await upload(event.id, PNG);
    const second = await upload(event.id, PNG, 'image/jpeg');
    const attached = await api('PATCH', `/v1/events/${event.id}`, {
      token: ada.accessToken,
      body: { images: [second, first] },
    });
    expect(attached.status).toBe(200);
    expect(attached.body.images.map((image: { key: string }) => image.key)).toEqual([second, first]);

    const page = await api('GET', `/v1/events/${event.id}`);
    expect(page.body.images).toHaveLength(2);
    const picture = await fetch(page.body.images[1].url);
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await picture.arrayBuffer()).equals(PNG)).toBe(true);

    // Detaching an image removes it from the bucket.
    const oldUrl = page.body.images[0].url;
    await api('PATCH', `/v1/events/${event.id}`, { token: ada.accessToken, body: { images: [first] } });
    expect((await fetch(oldUrl)).status).toBe(404);
  });

  it('refuses an image of the wrong type or size, and a key of another event', async () => {
    const event = await create(ada);
    const wrongType = await api('POST', `/v1/events/${event.id}/images`, {
      token: ada.accessToken,
      body: { contentType: 'image/gif' },
    });
    expect(wrongType.status).toBe(400);
    expect(fieldsOf(wrongType.body)).toEqual(['contentType']);
    const tooBig = await api('POST', `/v1/events/${event.id}/images`, {
      token: ada.accessToken,
      body: { contentType: 'image/png', sizeBytes: 6 * 1024 * 1024 },
    });
    expect(tooBig.status).toBe(400);
    expect(fieldsOf(tooBig.body)).toEqual(['sizeBytes']);

    // Should the bucket let a wrong upload in, it is still never attached.
    const html = await upload(event.id, Buffer.from('<script>alert(1)</script>'), 'image/png', 'text/html');
    const huge = await upload(event.id, Buffer.alloc(5 * 1024 * 1024 + 1));
    const neverUploaded = (
      await api('POST', `/v1/events/${event.id}/images`, {
        token: ada.accessToken,
        body: { contentType: 'image/png' },
      })
    ).body.key;
    const refused = await api('PATCH', `/v1/events/${event.id}`, {
      token: ada.accessToken,
      body: { images: [html, huge, neverUploaded] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('/problems/image-not-allowed');
    expect(fieldsOf(refused.body)).toEqual(['images.0', 'images.1', 'images.2']);

    const other = await create(ada);
    const foreign = await upload(other.id, PNG);
    const mismatch = await api('PATCH', `/v1/events/${event.id}`, {
      token: ada.accessToken,
      body: { images: [foreign] },
    });
    expect(mismatch.status).toBe(400);
    expect(fieldsOf(mismatch.body)).toEqual(['images.0']);
    const tooMany = await api('PATCH', `/v1/events/${event.id}`, {
      token: ada.accessToken,
      body: { images: Array.from({ length: 11 }, () => foreign) },
    });
    expect(tooMany.status).toBe(400);
    expect(fieldsOf(tooMany.body)).toEqual(['images']);
    expect(
      (await api('GET', `/v1/organizer/events/${event.id}`, { token: ada.accessToken })).body.images,
    ).toEqual([]);
  });
});
