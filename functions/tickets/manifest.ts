// Tickets service: inventory per tier, purchases without overselling, orders, tickets and event history.

import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { CATALOGUE_EVENTS_TOPIC, eventAvailability } from '../../events/contracts/catalogue';
import { EXPORT_PARTS_QUEUE } from '../../events/contracts/privacy';
import { TICKET_EVENTS_TOPIC } from '../../events/contracts/tickets';
import { USERS_EVENTS_TOPIC } from '../../events/contracts/users';
import { defineService } from '../../layers/common/manifest';
import {
  admitted as admittedScan,
  checkInBatchRequest,
  checkInBatchResult,
  checkInRequest,
  checkInStats,
  jwks,
  refusedScan,
  ticketParams,
  ticketQr,
} from './check-ins.schemas';
import {
  attendee,
  attendeesQuery,
  dashboard,
  eventMetrics,
  exportQuery,
  metricsQuery,
} from './dashboard.schemas';
import {
  eventParams,
  historyEntry,
  historyQuery,
  listQuery,
  order,
  orderParams,
  page,
  paymentWebhookHeaders,
  purchaseHeaders,
  purchaseRequest,
  soldOutProblem,
  ticketWithEvent,
  webhookAnswer,
} from './schemas';

const mine = { auth: true as const, binds: { database: true }, tags: ['tickets'] };
const organizer = { auth: true as const, binds: { database: true }, tags: ['organizer'] };
const door = { auth: true as const, binds: { database: true }, tags: ['check-in'] };
const notStaff = { description: 'No such event, or I am neither its organizer nor on its team' };

export const tickets = defineService({
  service: 'tickets',
  description: 'Inventory per tier, purchases without overselling, orders, tickets and event history.',
  database: true,
  topics: [TICKET_EVENTS_TOPIC],
  routes: {
    purchase: {
      method: 'POST',
      path: '/v1/events/{id}/orders',
      handler: 'purchase.ts',
      summary:
        'Buy tickets (requires an Idempotency-Key header; a retry with the same key replays the order it created, ' +
        'while a refusal creates nothing and a retry is answered afresh)',
      auth: true,
      request: {
        params: eventParams,
        headers: purchaseHeaders,
        body: purchaseRequest,
        example: { items: [{ tierId: '0b6c2a4e-8d1f-4c3b-9a7e-5f2d1c0b9a8e', quantity: 2 }] },
      },
      responses: {
        201: {
          description:
            'A free order, confirmed with one ticket per seat; or a paid one, `awaiting_payment`: its seats are held ' +
            'until `expiresAt` and `payment` says how to pay (only the payment confirms it and issues its tickets)',
          schema: order,
        },
        503: {
          description: 'The payment provider did not answer; the seats stay held: retry with the same key',
        },
        409: {
          description:
            'Sold out (with what remains), not on sale, the key is in use by a purchase still running, or ' +
            'seats-contended (many buyers took the last seats at once: retry with the same key)',
          schema: soldOutProblem,
        },
        403: {
          description:
            'My account was deleted (type /problems/account-deleted): its access token buys nothing more',
        },
        422: { description: 'The Idempotency-Key was used for a different purchase' },
      },
      // Redis: every committed change of an event's seats outdates its availability snapshot (bumps its generation).
      binds: { database: true, redis: true, payments: true, publishes: [TICKET_EVENTS_TOPIC] },
      timeoutSeconds: 10,
    },
    cancelOrder: {
      ...mine,
      method: 'POST',
      path: '/v1/orders/{id}/cancel',
      handler: 'cancel-order.ts',
      summary:
        "Cancel an order before the event starts (a paid one until the event's refund deadline, `refundableUntil`); " +
        'its seats go back on sale and what was paid is refunded',
      request: { params: orderParams },
      responses: {
        200: { description: 'The cancelled order, with its refund', schema: order },
        404: { description: 'No such order of mine' },
        409: {
          description:
            'already-cancelled, event-started, refund-deadline-passed (a paid order after `refundableUntil`, given ' +
            "in the problem) or not-refundable (the event's policy gives no refunds); the organizer can still cancel it",
        },
      },
      // Redis: every committed change of an event's seats outdates its availability snapshot (bumps its generation).
      binds: { database: true, redis: true, payments: true, publishes: [TICKET_EVENTS_TOPIC] },
    },
    getOrder: {
      ...mine,
      method: 'GET',
      path: '/v1/orders/{id}',
      handler: 'get-order.ts',
      summary: 'One of my orders',
      request: { params: orderParams },
      responses: {
        200: { description: 'The order', schema: order },
        404: { description: 'No such order of mine' },
      },
    },
    myOrders: {
      ...mine,
      method: 'GET',
      path: '/v1/users/me/orders',
      handler: 'list-my-orders.ts',
      summary: 'My orders, newest first',
      request: { query: listQuery },
      responses: { 200: { description: 'A page of orders', schema: page(order) } },
    },
    myTickets: {
      ...mine,
      method: 'GET',
      path: '/v1/users/me/tickets',
      handler: 'list-my-tickets.ts',
      summary: 'My tickets, newest first',
      request: { query: listQuery },
      responses: { 200: { description: 'A page of tickets', schema: page(ticketWithEvent) } },
    },
    myEvents: {
      ...mine,
      method: 'GET',
      path: '/v1/users/me/events',
      handler: 'list-my-events.ts',
      summary: 'My event history: upcoming (soonest first) or past (latest first)',
      request: { query: historyQuery },
      responses: { 200: { description: 'A page of events', schema: page(historyEntry) } },
    },
    availability: {
      method: 'GET',
      path: '/v1/events/{id}/availability',
      handler: 'get-availability.ts',
      summary:
        'Remaining tickets of an event, per tier, at most 1 s behind sales (ETag: 304 while unchanged)',
      auth: false,
      // The page everyone refreshes during a sale: the edge's copy is at most this old, the seats in it current.
      edgeCacheSeconds: 1,
      request: { params: eventParams },
      responses: {
        200: { description: 'Availability', schema: eventAvailability },
        304: { description: 'Unchanged since the ETag given in If-None-Match' },
        404: { description: 'Not on sale' },
      },
      binds: { database: true, redis: true },
      tags: ['tickets'],
    },
    paymentWebhook: {
      method: 'POST',
      path: '/v1/payments/webhook',
      handler: 'payment-webhook.ts',
      summary:
        "The payment provider's events (Stripe webhook; the local test-mode page sends the same). The raw body must " +
        'carry a valid Stripe-Signature; each event is handled once by its id. payment_intent.succeeded confirms the ' +
        'order and issues its tickets (after its hold expired: if its seats are still free, else it is refunded); ' +
        'payment_intent.payment_failed and .canceled release the hold.',
      auth: false,
      request: { headers: paymentWebhookHeaders, maxBodyBytes: 256 * 1024 },
      responses: {
        200: { description: 'Handled (or already handled, or not about an order)', schema: webhookAnswer },
        400: { description: 'The signature does not verify the body' },
      },
      // Redis: every committed change of an event's seats outdates its availability snapshot (bumps its generation).
      binds: { database: true, redis: true, payments: true, publishes: [TICKET_EVENTS_TOPIC] },
      tags: ['payments'],
    },
    organizerDashboard: {
      ...organizer,
      method: 'GET',
      path: '/v1/organizer/dashboard',
      handler: 'organizer-dashboard.ts',
      summary:
        'Sales across my events: tickets, orders, cancellations, revenue per currency (gross, refunds, net), and my ' +
        'upcoming events with their fill rate. Figures may be up to 5 s old.',
      responses: { 200: { description: 'My dashboard', schema: dashboard } },
      binds: { database: true, redis: true },
    },
    eventMetrics: {
      ...organizer,
      method: 'GET',
      path: '/v1/organizer/events/{id}/metrics',
      handler: 'event-metrics.ts',
      summary:
        "Sales of one of my events over time (orders, tickets, gross and refunds per hour or day, in the event's time " +
        'zone, empty buckets included), each tier sold and remaining, capacity utilisation, cancellations. Gross is ' +
        'every order placed, refunds what cancellations paid back, net = gross − refunds. Up to 5 s old.',
      request: { params: eventParams, query: metricsQuery },
      responses: {
        200: { description: 'The metrics', schema: eventMetrics },
        404: { description: 'I have no event with this id (or it was never put on sale)' },
      },
      binds: { database: true, redis: true },
    },
    organizerCancelOrder: {
      ...organizer,
      method: 'POST',
      path: '/v1/organizer/orders/{id}/cancel',
      handler: 'organizer-cancel-order.ts',
      summary:
        'Cancel one order of my event (owner or manager), at any time: its seats go back on sale, what was paid is ' +
        'refunded through the payment provider, and the buyer is told by email',
      request: { params: orderParams },
      responses: {
        200: { description: 'The cancelled order, with its refund', schema: order },
        404: { description: 'No order of an event I own or manage has this id' },
        409: { description: 'The order is already cancelled or expired' },
      },
      // Redis: every committed change of an event's seats outdates its availability snapshot (bumps its generation).
      binds: { database: true, redis: true, payments: true, publishes: [TICKET_EVENTS_TOPIC] },
    },
    eventAttendees: {
      ...organizer,
      method: 'GET',
      path: '/v1/organizer/events/{id}/attendees',
      handler: 'event-attendees.ts',
      summary: 'The tickets of one of my events with their buyers, in purchase order',
      request: { params: eventParams, query: attendeesQuery },
      responses: {
        200: { description: 'A page of attendees (one per ticket)', schema: page(attendee) },
        404: { description: 'I have no event with this id' },
      },
    },
    exportAttendees: {
      ...organizer,
      method: 'GET',
      path: '/v1/organizer/events/{id}/attendees.csv',
      handler: 'export-attendees.ts',
      summary:
        'The attendees and orders of one of my events as CSV (UTF-8 with BOM, RFC 4180, cells that a spreadsheet ' +
        'would run as a formula prefixed with an apostrophe), one row per ticket, at most 20,000 rows per file; the ' +
        '`x-next-cursor` header (and a Link rel="next") leads to the next file',
      request: { params: eventParams, query: exportQuery },
      responses: {
        200: { description: 'A CSV file (attachment)', contentType: 'text/csv' },
        404: { description: 'I have no event with this id' },
      },
      timeoutSeconds: 30,
      memoryMb: 1024,
    },
    qrKeys: {
      method: 'GET',
      path: '/v1/tickets/qr-keys',
      handler: 'get-qr-keys.ts',
      summary:
        'The public keys (JWKS, EdDSA/Ed25519) that verify ticket QR codes, for scanners that check tickets offline. ' +
        'A QR code carries a compact JWS whose payload is {"t": ticketId, "e": eventId}; refresh the keys daily.',
      auth: false,
      responses: { 200: { description: 'The published keys, newest first', schema: jwks } },
      binds: { database: true },
      tags: ['check-in'],
    },
    ticketQr: {
      ...mine,
      method: 'GET',
      path: '/v1/tickets/{id}/qr',
      handler: 'ticket-qr.ts',
      summary:
        "The signed payload one of my tickets' QR code carries, for apps that draw the code themselves",
      request: { params: ticketParams },
      responses: {
        200: { description: 'The payload', schema: ticketQr },
        404: { description: 'I have no ticket with this id' },
      },
    },
    ticketQrSvg: {
      ...mine,
      method: 'GET',
      path: '/v1/tickets/{id}/qr.svg',
      handler: 'ticket-qr-svg.ts',
      summary: "One of my tickets' QR code (SVG): show it at the door",
      request: { params: ticketParams },
      responses: {
        200: { description: 'The QR code', contentType: 'image/svg+xml' },
        404: { description: 'I have no ticket with this id' },
      },
    },
    ticketQrPng: {
      ...mine,
      method: 'GET',
      path: '/v1/tickets/{id}/qr.png',
      handler: 'ticket-qr-png.ts',
      summary: "One of my tickets' QR code (PNG, 512 px)",
      request: { params: ticketParams },
      responses: {
        200: { description: 'The QR code', contentType: 'image/png' },
        404: { description: 'I have no ticket with this id' },
      },
    },
    checkIn: {
      ...door,
      method: 'POST',
      path: '/v1/events/{id}/check-ins',
      handler: 'check-in.ts',
      summary:
        "Admit a ticket at the door (the event's organizer, managers and check-in staff): a scanned QR payload or a " +
        'typed code. Each ticket is admitted once, whatever the number of gates; a retry with the same scanId is ' +
        'answered as the first try was.',
      request: {
        params: eventParams,
        body: checkInRequest,
        example: {
          scanId: '5f0c7a2e-3b1d-4e8a-9c6f-1d2e3f4a5b6c',
          payload: 'eyJhbGciOiJFZERTQSIsImtpZCI6ImtleS0xIn0.eyJ0IjoiLi4uIiwiZSI6Ii4uLiJ9.c2lnbmF0dXJl',
          gate: 'North door',
        },
      },
      responses: {
        200: { description: 'Admitted, with the tier and the holder', schema: admittedScan },
        404: {
          description: 'Unknown ticket (or QR code not signed by us), or no such event for me',
          schema: refusedScan,
        },
        409: {
          description: 'Already admitted (with when and where first), cancelled or refunded, or not paid',
          schema: refusedScan,
        },
        422: { description: "Another event's ticket", schema: refusedScan },
      },
    },
    checkInBatch: {
      ...door,
      method: 'POST',
      path: '/v1/events/{id}/check-ins/batch',
      handler: 'check-in-batch.ts',
      summary:
        'Upload scans made while the door had no network (up to 500, each with its scanner time): the earliest scan ' +
        'of a ticket wins, replacing a later admission; each scan gets its outcome, conflicts are counted',
      request: {
        params: eventParams,
        body: checkInBatchRequest,
        maxBodyBytes: 512 * 1024,
        example: {
          gate: 'North door',
          scans: [
            { scanId: 'scan-0001-north', code: 'K7QX-42PD', scannedAt: '2026-06-01T19:02:11+02:00' },
            { scanId: 'scan-0002-north', code: 'M3RT-88ZB', scannedAt: '2026-06-01T19:02:40+02:00' },
          ],
        },
      },
      responses: {
        200: { description: 'The outcome of each scan', schema: checkInBatchResult },
        404: notStaff,
      },
      timeoutSeconds: 30,
    },
    checkInStats: {
      ...door,
      method: 'GET',
      path: '/v1/events/{id}/check-ins/stats',
      handler: 'check-in-stats.ts',
      summary: 'Admitted so far: by tier (of the valid tickets), by gate and per 5 minutes',
      request: { params: eventParams },
      responses: { 200: { description: 'The admissions', schema: checkInStats }, 404: notStaff },
    },
  },
  consumers: {
    eventCancelled: {
      queue: 'tickets-catalogue-events',
      handler: 'event-cancelled.consumer.ts',
      summary: 'Cancels and refunds every order of a cancelled event',
      subscribesTo: [CATALOGUE_EVENTS_TOPIC],
      // Redis: every committed change of an event's seats outdates its availability snapshot (bumps its generation).
      binds: { database: true, redis: true, payments: true, publishes: [TICKET_EVENTS_TOPIC] },
      timeoutSeconds: 60,
    },
    privacy: {
      queue: 'tickets-privacy',
      handler: 'privacy.consumer.ts',
      summary:
        "Anonymises a deleted account's orders (kept for accounting) and writes the tickets part of a data export",
      subscribesTo: [AUTH_EVENTS_TOPIC, USERS_EVENTS_TOPIC],
      binds: { database: true, bucket: 'readwrite', sends: [EXPORT_PARTS_QUEUE] },
    },
    teamChanged: {
      queue: 'tickets-team-changes',
      handler: 'team-changed.consumer.ts',
      summary:
        "Keeps the copy of event teams that authorizes the door (the events service's EventTeamChanged)",
      subscribesTo: [CATALOGUE_EVENTS_TOPIC],
      binds: { database: true },
    },
  },
  functions: {
    syncInventory: {
      handler: 'sync-inventory.internal.ts',
      summary: 'Sets up or changes the inventory of an event (called by the events service)',
      // Redis: every committed change of an event's seats outdates its availability snapshot (bumps its generation).
      binds: { database: true, redis: true },
    },
    availability: {
      handler: 'availability.internal.ts',
      summary:
        'Remaining capacity per tier of up to 100 events (called by the events service), read through the 1 s availability snapshot',
      binds: { database: true, redis: true },
    },
    salesSummary: {
      handler: 'sales-summary.internal.ts',
      summary:
        "One organizer's sales per tier, refunds and check-ins in a window (called by notifications for the daily summary)",
      binds: { database: true },
    },
  },
  schedules: {
    relayOutbox: {
      name: 'tickets-relay-outbox',
      handler: 'relay-outbox.schedule.ts',
      summary: 'Publishes outbox messages a request could not publish itself',
      expression: 'rate(1 minute)',
      localEverySeconds: 5,
      binds: { database: true, publishes: [TICKET_EVENTS_TOPIC] },
    },
    expireHolds: {
      name: 'tickets-expire-holds',
      handler: 'expire-holds.schedule.ts',
      summary:
        'Releases the seats of orders whose payment did not come before their hold expired, and asks the payment ' +
        'provider again for refunds it has not confirmed',
      expression: 'rate(1 minute)',
      localEverySeconds: 60,
      // Redis: every committed change of an event's seats outdates its availability snapshot (bumps its generation).
      binds: { database: true, redis: true, payments: true },
      timeoutSeconds: 50,
    },
    reconcilePayments: {
      name: 'tickets-reconcile-payments',
      handler: 'reconcile-payments.schedule.ts',
      summary:
        "Compares the payment provider's succeeded payments of the last 48 hours with orders: a payment whose webhook " +
        'never came is handled as the webhook would; a confirmed paid order without one is flagged (PaymentsUnreconciled)',
      expression: 'rate(15 minutes)',
      localEverySeconds: 900,
      // Redis: every committed change of an event's seats outdates its availability snapshot (bumps its generation).
      binds: { database: true, redis: true, payments: true, publishes: [TICKET_EVENTS_TOPIC] },
      timeoutSeconds: 300,
    },
    expireIdempotencyKeys: {
      name: 'tickets-expire-idempotency-keys',
      handler: 'expire-idempotency-keys.schedule.ts',
      summary: 'Forgets purchase idempotency keys older than 48 hours (they are kept at least 24)',
      expression: 'rate(1 hour)',
      localEverySeconds: 3600,
      binds: { database: true },
    },
    rotateQrKeys: {
      name: 'tickets-rotate-qr-keys',
      handler: 'rotate-qr-keys.schedule.ts',
      summary:
        'Adds a new QR signing key when the current one reaches its maximum age (older ones stay published)',
      expression: 'rate(1 day)',
      localEverySeconds: 86400,
      binds: { database: true },
    },
  },
});
