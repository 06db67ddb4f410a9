// Helpers of the notifications tests: ticket messages shaped as the tickets service publishes them, a stand-in
// for tickets' topic, the platform running notifications, reading maildev's inbox over its REST API, and waiting for
// an outcome.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll } from 'vitest';
import { AUTH_EVENTS_TOPIC } from '../../../events/contracts/auth';
import { CATALOGUE_EVENTS_TOPIC, type EventSnapshot } from '../../../events/contracts/catalogue';
import {
  type OrderCancelledV1,
  TICKET_EVENTS_TOPIC,
  TicketMessageTypes,
  type TicketPurchasedV1,
} from '../../../events/contracts/tickets';
import { USERS_EVENTS_TOPIC } from '../../../events/contracts/users';
import { notifications } from '../../../functions/notifications/manifest';
import type { ServiceManifest } from '../../../layers/common/manifest';
import { type Envelope, envelope } from '../../../layers/common/messages';
import { awsPublisher } from '../../../layers/common/publisher';
import type { Platform } from '../../../local/platform';
import { databasePool } from '../../support/db';
import { withTestPlatform } from '../../support/platform';
import { waitForQueueDrained } from '../../support/sqs';
import { cancellationOf } from '../../support/ticket-messages';
import { waitUntil } from '../../support/wait';

/**
 * Stands in for the services whose messages notifications consumes: only their topics (ticket-events, which the
 * tests publish to the way tickets does, and the auth, catalogue and users topics its other consumers subscribe to).
 */
export const ticketsTopic: ServiceManifest = {
  service: 'tickets',
  description: 'The topics notifications subscribes to, only.',
  database: false,
  topics: [TICKET_EVENTS_TOPIC, AUTH_EVENTS_TOPIC, CATALOGUE_EVENTS_TOPIC, USERS_EVENTS_TOPIC],
  routes: {},
};

/** The real notifications service, with its queues redelivering after `visibilityTimeoutSeconds` (fast tests). */
export function notificationsWith(visibilityTimeoutSeconds: number): ServiceManifest {
  const consumers = Object.fromEntries(
    Object.entries(notifications.consumers).map(([name, consumer]) => [
      name,
      { ...consumer, visibilityTimeoutSeconds },
    ]),
  );
  return { ...notifications, consumers };
}

export interface NotificationsPlatform {
  platform: Platform;
  /** The notifications database. */
  db: pg.Pool;
}

/**
 * Registers the file's beforeAll and afterAll: the platform running `service` (the real notifications service unless
 * given) beside the stand-in topics, without schedules (tests run the scans themselves), and a pool on the
 * notifications database; both closed when the file ends.
 */
export function notificationsPlatform(
  options: { service?: ServiceManifest; consumers?: boolean },
  started: (suite: NotificationsPlatform) => void,
): void {
  let db: pg.Pool | undefined;
  withTestPlatform(
    {
      manifests: [ticketsTopic, options.service ?? notifications],
      consumers: options.consumers,
      schedules: false,
    },
    (platform) => {
      db = databasePool(platform.databaseUrls.notifications);
      started({ platform, db });
    },
  );
  afterAll(async () => {
    await db?.end();
  });
}

export interface Buyer {
  userId: string;
  email: string;
  firstName: string;
}

export const newBuyer = (firstName = 'Ada'): Buyer => {
  const userId = randomUUID();
  return { userId, email: `buyer-${userId}@example.com`, firstName };
};

export const newEvent = (overrides: Partial<EventSnapshot> & { startsInMs?: number } = {}) => {
  const { startsInMs, ...snapshot } = overrides;
  const startsAt = new Date(Date.now() + (startsInMs ?? 10 * 24 * 3_600_000));
  return {
    eventId: randomUUID(),
    event: {
      name: `Show ${randomUUID().slice(0, 8)}`,
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3 * 3_600_000).toISOString(),
      timezone: 'Europe/Paris',
      place: 'Olympia, Paris, FR',
      ...snapshot,
    } satisfies EventSnapshot,
  };
};

const code = () => randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase();

export function purchased(
  buyer: Buyer,
  show: ReturnType<typeof newEvent>,
  options: { quantity?: number; unitPrice?: number; currency?: string } = {},
): Envelope<TicketPurchasedV1> {
  const quantity = options.quantity ?? 2;
  const unitPrice = options.unitPrice ?? 2500;
  const tierId = randomUUID();
  const data: TicketPurchasedV1 = {
    orderId: randomUUID(),
    eventId: show.eventId,
    buyer,
    event: show.event,
    items: [{ tierId, tierName: 'Standard', quantity, unitPrice }],
    tickets: Array.from({ length: quantity }, () => ({
      id: randomUUID(),
      tierId,
      tierName: 'Standard',
      code: code(),
    })),
    total: quantity * unitPrice,
    currency: options.currency ?? 'EUR',
  };
  const { type, version } = TicketMessageTypes.TicketPurchased;
  return envelope('tickets', type, version, data, `test-${randomUUID()}`);
}

export function cancelled(
  order: TicketPurchasedV1,
  reason: OrderCancelledV1['reason'],
): Envelope<OrderCancelledV1> {
  const { type, version } = TicketMessageTypes.OrderCancelled;
  return envelope('tickets', type, version, cancellationOf(order, reason), `test-${randomUUID()}`);
}

/** One email as maildev's REST API (GET /api/email) returns it. */
export interface CaughtEmail {
  id: string;
  subject: string;
  html: string;
  text: string;
  to: { address: string }[];
  from: { address: string; name: string }[];
  headers: Record<string, string>;
}

/** The emails maildev holds for an address; empty while the mail server is down. */
export async function inbox(mailUrl: string, to: string): Promise<CaughtEmail[]> {
  try {
    const response = await fetch(`${mailUrl}/api/email`);
    if (!response.ok) return [];
    const all = (await response.json()) as CaughtEmail[];
    return all.filter((email) => email.to.some((recipient) => recipient.address === to));
  } catch {
    return [];
  }
}

/** Waits until `probe` answers something other than undefined, and answers it (test/support's waitUntil). */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const found = await waitUntil(
    async () => {
      const value = await probe();
      return value === undefined ? undefined : { value };
    },
    { timeoutMs, message: what },
  );
  return found.value;
}

/** Publishes ticket messages on the ticket-events topic, as the tickets service does. */
export const publish = (...messages: Parameters<typeof awsPublisher.publish>[1]) =>
  awsPublisher.publish({ topic: TICKET_EVENTS_TOPIC }, messages);

/** Waits until `to` has received `count` emails, and answers them. */
export const emailsFor = (mailUrl: string, to: string, count = 1, timeoutMs = 20_000) =>
  eventually(
    async () => {
      const emails = await inbox(mailUrl, to);
      return emails.length >= count ? emails : undefined;
    },
    timeoutMs,
    `${count} email(s) to ${to}`,
  );

/** Waits until a queue holds no message at all, in flight or waiting: every copy has been consumed. */
export const drained = (awsEndpoint: string, queueUrl: string, timeoutMs = 45_000) =>
  waitForQueueDrained(awsEndpoint, queueUrl, { timeoutMs });
