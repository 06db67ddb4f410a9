// Fixture manifests for the infra tests: every kind of entry and bind the CDK app turns into resources (auth and
// public routes, the catch-all, a topic fan-out to consumers, a schedule, an internal function, database, ping,
// topic, queue, bucket, redis, mail, invokes and logSearch binds, the log shipper), with handler files under
// test/infra/fixtures/functions.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { CATALOGUE_EVENTS_TOPIC } from '../../events/contracts/catalogue';
import { TICKET_EVENTS_TOPIC } from '../../events/contracts/tickets';
import type { ServiceManifest } from '../../layers/common/manifest';

export const FIXTURE_FUNCTIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/functions');
/** A built web app of one page, for the web stack to upload. */
export const FIXTURE_WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/web');

const ok = { 200: { description: 'OK' } };

export const fixtureManifests: readonly ServiceManifest[] = [
  {
    service: 'events',
    description:
      'Fixture: a database, a topic, an authenticated write, a cached public read, and an update that asks ' +
      'tickets synchronously (declared before tickets, so binding cannot rely on manifest order).',
    database: true,
    topics: [CATALOGUE_EVENTS_TOPIC],
    routes: {
      createEvent: {
        method: 'POST',
        path: '/v1/events',
        handler: 'create-event.ts',
        summary: 'Creates an event',
        auth: true,
        responses: { 201: { description: 'Created' } },
        binds: { database: true, publishes: [CATALOGUE_EVENTS_TOPIC], bucket: 'readwrite' },
        memoryMb: 1024,
        timeoutSeconds: 15,
      },
      getEvent: {
        method: 'GET',
        path: '/v1/events/{id}',
        handler: 'get-event.ts',
        summary: 'Reads one event',
        auth: false,
        request: { params: z.object({ id: z.uuid() }) },
        edgeCacheSeconds: 1,
        responses: ok,
        binds: { database: true, redis: true },
      },
      updateEvent: {
        method: 'PATCH',
        path: '/v1/events/{id}',
        handler: 'update-event.ts',
        summary: 'Changes an event; capacity no lower than what is sold',
        auth: true,
        responses: ok,
        binds: { database: true, invokes: ['tickets.soldCount'] },
      },
    },
  },
  {
    service: 'tickets',
    description:
      'Fixture: consumes catalogue events, publishes ticket events, sends to a queue directly, answers an ' +
      'internal call.',
    database: true,
    topics: [TICKET_EVENTS_TOPIC],
    routes: {
      purchase: {
        method: 'POST',
        path: '/v1/events/{id}/purchases',
        handler: 'purchase.ts',
        summary: 'Buys tickets',
        auth: true,
        responses: { 201: { description: 'Created' } },
        binds: { database: true, publishes: [TICKET_EVENTS_TOPIC], sends: ['ticket-emails'], redis: true },
      },
    },
    consumers: {
      catalogueChanged: {
        queue: 'tickets-catalogue',
        handler: 'catalogue-changed.consumer.ts',
        summary: 'Keeps inventory in step with the catalogue',
        subscribesTo: [CATALOGUE_EVENTS_TOPIC],
        batchSize: 5,
        maxReceiveCount: 3,
        binds: { database: true },
        timeoutSeconds: 20,
      },
    },
    functions: {
      soldCount: {
        handler: 'sold-count.internal.ts',
        summary: 'Tickets sold for an event',
        binds: { database: true },
        timeoutSeconds: 5,
        memoryMb: 256,
      },
    },
  },
  {
    service: 'notifications',
    description: 'Fixture: a consumer fed by two topics and a schedule that mails.',
    database: true,
    routes: {},
    consumers: {
      ticketEmails: {
        queue: 'ticket-emails',
        handler: 'ticket-purchased.consumer.ts',
        summary: 'Mails purchase confirmations',
        subscribesTo: [TICKET_EVENTS_TOPIC, CATALOGUE_EVENTS_TOPIC],
        visibilityTimeoutSeconds: 90,
        binds: { database: true, mail: true },
      },
    },
    schedules: {
      reminders: {
        name: 'notifications-reminders',
        handler: 'reminders.schedule.ts',
        summary: 'Mails reminders for tomorrow',
        expression: 'rate(15 minutes)',
        localEverySeconds: 60,
        binds: { database: true, mail: true },
      },
    },
  },
  {
    service: 'users',
    description: 'Fixture: no database; a bucket read outside the VPC.',
    database: false,
    routes: {
      picture: {
        method: 'GET',
        path: '/v1/users/me/picture',
        handler: 'picture.ts',
        summary: 'Reads the caller profile picture',
        auth: true,
        responses: ok,
        binds: { bucket: 'read' },
      },
    },
  },
  {
    service: 'platform',
    description:
      'Fixture: health pings other databases and reads the log domain; the catch-all has no binds.',
    database: false,
    routes: {
      health: {
        method: 'GET',
        path: '/v1/health',
        handler: 'health.ts',
        summary: 'Reports dependencies',
        auth: false,
        responses: ok,
        binds: { pingDatabases: ['events', 'tickets'], redis: true, bucket: 'read', logSearch: true },
      },
      notFound: {
        method: 'GET',
        path: '$default',
        handler: 'not-found.ts',
        summary: 'Answers unknown routes',
        auth: false,
        internal: true,
        responses: { 404: { description: 'No such route' } },
      },
    },
  },
  {
    service: 'ops',
    description:
      'Fixture: the log shipper with its dead-letter queue, and a retention job that deletes indices.',
    database: false,
    routes: {},
    schedules: {
      expireLogIndices: {
        name: 'ops-expire-log-indices',
        handler: 'expire-log-indices.schedule.ts',
        summary: 'Deletes old log indices',
        expression: 'cron(15 0 * * ? *)',
        localEverySeconds: 3600,
        binds: { logSearch: 'manage' },
        timeoutSeconds: 300,
        memoryMb: 256,
      },
    },
    logShipper: {
      handler: 'ship-logs.ts',
      summary: 'Ships log lines to OpenSearch',
      deadLetterQueue: 'log-shipper-dlq',
      binds: { logSearch: true },
      timeoutSeconds: 120,
      memoryMb: 256,
    },
  },
];
