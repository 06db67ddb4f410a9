// Events service: the catalogue. Organizers create, change, publish and cancel their events and attach images;
// everyone searches published events and sees what is still for sale.
import { CATALOGUE_EVENTS_TOPIC } from '../../events/contracts/catalogue';
import { defineService } from '../../layers/common/manifest';
import {
  catalogueQuery,
  createEventBody,
  eventIdParams,
  imageUploadBody,
  organizerQuery,
  updateEventBody,
} from './requests.schemas';
import {
  cataloguePage,
  imageUploadResponse,
  organizerEventResponse,
  organizerPage,
  publicEventResponse,
} from './responses.schemas';

const DEGRADED = 'x-degraded names what is missing; the body says so in `degraded`';

export const events = defineService({
  service: 'events',
  description: 'Event creation and lifecycle, types and tags, search, promotional images.',
  database: true,
  topics: [CATALOGUE_EVENTS_TOPIC],
  routes: {
    createEvent: {
      method: 'POST',
      path: '/v1/events',
      handler: 'create-event.ts',
      summary: 'Create a draft event',
      auth: true,
      request: { body: createEventBody, maxBodyBytes: 32 * 1024 },
      responses: { 201: { description: 'The draft, with its tier ids', schema: organizerEventResponse } },
      binds: { database: true },
    },
    listEvents: {
      method: 'GET',
      path: '/v1/events',
      handler: 'list-events.ts',
      summary: 'Search the published, upcoming events',
      auth: false,
      request: { query: catalogueQuery },
      responses: {
        200: { description: `A page of events; ${DEGRADED}`, schema: cataloguePage },
        503: { description: 'The catalogue cannot be read and this page was never cached' },
      },
      binds: { database: true, redis: true, bucket: 'read' },
    },
    getEvent: {
      method: 'GET',
      path: '/v1/events/{id}',
      handler: 'get-event.ts',
      summary:
        'A published or cancelled event with the tickets still for sale; remaining tickets at most 1 s behind sales (ETag: 304 while unchanged)',
      auth: false,
      request: { params: eventIdParams },
      responses: {
        200: { description: `The event; ${DEGRADED}`, schema: publicEventResponse },
        304: { description: 'Unchanged since the ETag given in If-None-Match' },
        404: { description: 'No published event has this id' },
      },
      binds: { database: true, redis: true, bucket: 'read', invokes: ['tickets.availability'] },
    },
    updateEvent: {
      method: 'PATCH',
      path: '/v1/events/{id}',
      handler: 'update-event.ts',
      summary: 'Change an event of yours (tiers with an id are changed, without one added)',
      auth: true,
      request: { params: eventIdParams, body: updateEventBody, maxBodyBytes: 32 * 1024 },
      responses: {
        200: { description: 'The event as it now stands', schema: organizerEventResponse },
        404: { description: 'You have no event with this id' },
        409: { description: 'Below what is sold (below-sold, tier-has-sales), or the event is cancelled' },
        422: { description: 'An image is missing, or of a type or size not allowed' },
        503: { description: 'The tickets service could not agree to the change; nothing changed' },
      },
      binds: {
        database: true,
        redis: true,
        bucket: 'readwrite',
        invokes: ['tickets.syncInventory', 'tickets.availability'],
      },
    },
    publishEvent: {
      method: 'POST',
      path: '/v1/events/{id}/publish',
      handler: 'publish-event.ts',
      summary: 'Put an event of yours on sale',
      auth: true,
      request: { params: eventIdParams },
      responses: {
        200: { description: 'The published event', schema: organizerEventResponse },
        404: { description: 'You have no event with this id' },
        409: { description: 'The event is cancelled' },
        503: { description: 'The tickets service could not set up sales; the event stays a draft' },
      },
      binds: {
        database: true,
        redis: true,
        bucket: 'read',
        invokes: ['tickets.syncInventory', 'tickets.availability'],
      },
    },
    cancelEvent: {
      method: 'POST',
      path: '/v1/events/{id}/cancel',
      handler: 'cancel-event.ts',
      summary: 'Cancel an event of yours; an optional JSON body gives the reason: { "reason": "..." }',
      auth: true,
      request: { params: eventIdParams },
      responses: {
        200: { description: 'The cancelled event', schema: organizerEventResponse },
        404: { description: 'You have no event with this id' },
        503: { description: 'The tickets service could not stop sales; the event is unchanged' },
      },
      binds: {
        database: true,
        redis: true,
        bucket: 'read',
        publishes: [CATALOGUE_EVENTS_TOPIC],
        invokes: ['tickets.syncInventory', 'tickets.availability'],
      },
    },
    createImageUpload: {
      method: 'POST',
      path: '/v1/events/{id}/images',
      handler: 'create-image-upload.ts',
      summary:
        'A presigned form to upload a promotional image (PNG, JPEG or WebP, at most 5 MB, 10 per event)',
      auth: true,
      request: { params: eventIdParams, body: imageUploadBody, maxBodyBytes: 1024 },
      responses: {
        201: {
          description: 'Upload form: POST its fields and then the file to uploadUrl',
          schema: imageUploadResponse,
        },
        404: { description: 'You have no event with this id' },
        409: { description: 'The event is cancelled or shows 10 images already' },
      },
      binds: { database: true, bucket: 'readwrite' },
    },
    listOwnEvents: {
      method: 'GET',
      path: '/v1/organizer/events',
      handler: 'list-own-events.ts',
      summary: 'Your events, drafts included, newest first, with sales',
      auth: true,
      request: { query: organizerQuery },
      responses: { 200: { description: `A page of your events; ${DEGRADED}`, schema: organizerPage } },
      binds: { database: true, bucket: 'read', invokes: ['tickets.availability'] },
    },
    getOwnEvent: {
      method: 'GET',
      path: '/v1/organizer/events/{id}',
      handler: 'get-own-event.ts',
      summary: 'One of your events with capacity, sold and remaining per tier',
      auth: true,
      request: { params: eventIdParams },
      responses: {
        200: { description: `Your event; ${DEGRADED}`, schema: organizerEventResponse },
        404: { description: 'You have no event with this id' },
      },
      binds: { database: true, bucket: 'read', invokes: ['tickets.availability'] },
    },
  },
  schedules: {
    relayOutbox: {
      name: 'events-relay-outbox',
      handler: 'relay-outbox.schedule.ts',
      summary: 'Publishes outbox messages a request could not publish itself',
      expression: 'rate(1 minute)',
      localEverySeconds: 5,
      binds: { database: true, publishes: [CATALOGUE_EVENTS_TOPIC] },
    },
  },
});
