// Buying through the API: the tickets service on a platform of its own (with a test issuer's tokens), an event put
// on sale through tickets' internal inventory call (as publishing an event does), a signed-in person, the purchase.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import {
  CATALOGUE_EVENTS_TOPIC,
  type EventSnapshot,
  type InventorySyncRequest,
} from '../../events/contracts/catalogue';
import { USERS_EVENTS_TOPIC } from '../../events/contracts/users';
import { platform as platformService } from '../../functions/platform/manifest';
import { tickets } from '../../functions/tickets/manifest';
import { invokeInternal } from '../../layers/common/internal';
import type { ServiceManifest } from '../../layers/common/manifest';
import type { Platform } from '../../local/platform';
import { databasePool } from './db';
import { startTestPlatform } from './platform';
import { startTrustedIssuer, type TestIssuer } from './tokens';

/** The topics tickets' consumers subscribe to, without the services that publish on them (tests publish themselves). */
export const ticketsTopics: ServiceManifest = {
  service: 'events',
  description: 'topics only',
  database: false,
  topics: [CATALOGUE_EVENTS_TOPIC, AUTH_EVENTS_TOPIC, USERS_EVENTS_TOPIC],
  routes: {},
};

export interface TicketsPlatform {
  platform: Platform;
  issuer: TestIssuer;
  /** The tickets database. */
  db: pg.Pool;
  stop(): Promise<void>;
}

/** The tickets service (and the platform routes) behind the gateway, accepting the test issuer's tokens. */
export async function startTicketsPlatform(): Promise<TicketsPlatform> {
  const issuer = await startTrustedIssuer();
  const platform = await startTestPlatform({
    manifests: [tickets, platformService, ticketsTopics],
    schedules: false,
  });
  const db = databasePool(platform.databaseUrls.tickets);
  return {
    platform,
    issuer,
    db,
    stop: async () => {
      await db.end();
      await platform.stop();
      await issuer.close();
    },
  };
}

/** A signed-in person: their id and an access token the platform's authorizer accepts. */
export async function person(
  issuer: TestIssuer,
  apiUrl: string,
  who: { userId?: string; email?: string; givenName?: string; familyName?: string } = {},
) {
  const userId = who.userId ?? randomUUID();
  const token = await issuer.sign({
    iss: apiUrl,
    aud: 'ticketorleaveit-api',
    sub: userId,
    client_id: 'web',
    scope: 'api',
    email: who.email ?? `user-${userId}@example.com`,
    given_name: who.givenName ?? 'Ada',
    ...(who.familyName ? { family_name: who.familyName } : {}),
  });
  return { userId, token };
}

export interface OnSale {
  eventId: string;
  tierId: string;
}

/** Puts an event with one tier on sale in the tickets service (an organizer of its own unless one is given). */
export async function putOnSale(
  event: EventSnapshot,
  tier: { name: string; price: number; currency: string; quantity: number },
  organizerId: string = randomUUID(),
): Promise<OnSale> {
  const eventId = randomUUID();
  const tierId = randomUUID();
  const inventory: InventorySyncRequest = {
    eventId,
    organizerId,
    status: 'on_sale',
    capacity: tier.quantity,
    event,
    tiers: [{ tierId, ...tier }],
  };
  await invokeInternal('tickets.syncInventory', inventory, `on-sale-${eventId}`);
  return { eventId, tierId };
}

/** A signed-in person's request headers (JSON body). */
export async function buyerHeaders(
  issuer: TestIssuer,
  apiUrl: string,
  buyer: { email: string; givenName: string; familyName?: string; userId?: string },
) {
  const { token } = await person(issuer, apiUrl, buyer);
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

/** POST /v1/events/{id}/orders with a fresh Idempotency-Key unless one is given. */
export const buy = (
  apiUrl: string,
  headers: Record<string, string>,
  onSale: OnSale,
  quantity: number,
  idempotencyKey: string = randomUUID(),
) =>
  fetch(`${apiUrl}/v1/events/${onSale.eventId}/orders`, {
    method: 'POST',
    headers: { ...headers, 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ items: [{ tierId: onSale.tierId, quantity }] }),
  });
