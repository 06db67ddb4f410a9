// Shared by the events integration tests: an HTTP client for the local API, a valid event to start from, and the
// steps every test takes (sign up an organizer, create and publish an event, buy tickets of it).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { auth } from '../../../functions/auth/manifest';
import { events } from '../../../functions/events/manifest';
import { tickets } from '../../../functions/tickets/manifest';
import { users } from '../../../functions/users/manifest';
import type { Platform } from '../../../local/platform';
import { signUp, type TestUser } from '../../support/accounts';
import { databasePool } from '../../support/db';
import { client } from '../../support/http';
import { startTestPlatform } from '../../support/platform';

/** What the events tests run: accounts (to sign organizers up), the catalogue, and the inventory it relies on. */
// users: its topic carries messages tickets consumes.
export const MANIFESTS = [auth, users, events, tickets];

const DAY = 86_400_000;

/** An instant `days` from now, at a whole minute. */
export const inDays = (days: number, hour = 20) => {
  const date = new Date(Date.now() + days * DAY);
  date.setUTCHours(hour, 0, 0, 0);
  return date.toISOString();
};

/** A valid event: a concert in Paris a month from now, 100 seats in two tiers (60 + 40). */
export function eventBody(overrides: Record<string, unknown> = {}) {
  const startsAt = (overrides.startsAt as string | undefined) ?? inDays(30);
  return {
    name: 'Jazz at the Sunset',
    type: 'concert',
    description: 'An evening of modal jazz with a quartet from Lyon.',
    startsAt,
    endsAt: new Date(Date.parse(startsAt) + 3 * 3_600_000).toISOString(),
    timezone: 'Europe/Paris',
    location: { venue: 'Sunset Sunside', address: '60 rue des Lombards', city: 'Paris', country: 'France' },
    capacity: 100,
    ticketTiers: [
      { name: 'Standard', price: 2500, currency: 'EUR', quantity: 60 },
      { name: 'VIP', price: 6000, currency: 'EUR', quantity: 40 },
    ],
    tags: ['jazz', 'live music'],
    ...overrides,
  };
}

/** A word no other event carries, so a test can find exactly its own events. */
export const uniqueWord = () => `zq${randomUUID().replaceAll('-', '').slice(0, 10)}`;

export function steps(platform: () => Platform) {
  const api = client(() => platform().apiUrl);
  const create = async (user: TestUser, overrides: Record<string, unknown> = {}) => {
    const response = await api('POST', '/v1/events', { token: user.accessToken, body: eventBody(overrides) });
    if (response.status !== 201)
      throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const publish = async (user: TestUser, id: string) => {
    const response = await api('POST', `/v1/events/${id}/publish`, { token: user.accessToken });
    if (response.status !== 200)
      throw new Error(`publish failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  return {
    api,
    organizer: (): Promise<TestUser> => signUp(platform().apiUrl),
    create,
    publish,
    /** A new event, published. */
    published: async (user: TestUser, overrides: Record<string, unknown> = {}) =>
      publish(user, (await create(user, overrides)).id),
    /** The order `user` bought (201) of `quantity` tickets of a tier, under a fresh Idempotency-Key. */
    bought: async (user: TestUser, eventId: string, tierId: string, quantity: number) => {
      const response = await api('POST', `/v1/events/${eventId}/orders`, {
        token: user.accessToken,
        headers: { 'idempotency-key': randomUUID() },
        body: { items: [{ tierId, quantity }] },
      });
      if (response.status !== 201)
        throw new Error(`purchase failed: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
  };
}

/** Sets how many tickets of a tier are sold, straight in the tickets database: its slots filled in slot order. */
export async function setSold(platform: Platform, tierId: string, sold: number) {
  const db = new pg.Client({ connectionString: platform.databaseUrls.tickets });
  await db.connect();
  try {
    await db.query(
      `UPDATE tier_slots s SET sold = least(s.quantity, greatest(0, $2 - f.before))
       FROM (SELECT slot, coalesce(sum(quantity) OVER (ORDER BY slot ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
               AS before
             FROM tier_slots WHERE tier_id = $1) f
       WHERE s.tier_id = $1 AND s.slot = f.slot`,
      [tierId, sold],
    );
  } finally {
    await db.end();
  }
}

/** The admin connection of the platform's PostgreSQL cluster (same port as every service database). */
export function adminUrl(platform: Platform) {
  const port = new URL(platform.databaseUrls.events as string).port;
  return `postgres://postgres:postgres-local@127.0.0.1:${port}/postgres`;
}

export interface EventsPlatform {
  platform: Platform;
  /** The events database. */
  events: pg.Pool;
  /** An organizer signed up when the platform started. */
  ada: TestUser;
}

/**
 * Starts the events platform (MANIFESTS, no schedules, a cache prefix of its own) before the file's tests and stops it
 * after them; `started` hands the test file what it needs.
 */
export function eventsPlatform(started: (platform: EventsPlatform) => void): void {
  let events: pg.Pool | undefined;
  let platform: Platform | undefined;
  beforeAll(async () => {
    process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
    process.env.EVENTS_CACHE_PREFIX = `events-${randomUUID()}`;
    platform = await startTestPlatform({ manifests: MANIFESTS, schedules: false });
    events = databasePool(platform.databaseUrls.events);
    started({ platform, events, ada: await signUp(platform.apiUrl) });
  });
  afterAll(async () => {
    await events?.end();
    await platform?.stop();
  });
}
