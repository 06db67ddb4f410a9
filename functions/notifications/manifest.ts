// Notifications service: purchase confirmations, cancellations and event reminders by email, and each user's
// history of what was sent to them.
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { CATALOGUE_EVENTS_TOPIC } from '../../events/contracts/catalogue';
import { TICKET_EVENTS_TOPIC } from '../../events/contracts/tickets';
import { defineService } from '../../layers/common/manifest';
import { historyPage, historyQuery, REMINDERS_QUEUE } from './schemas';
import { SEND_TIMEOUT_SECONDS, SEND_VISIBILITY_TIMEOUT_SECONDS } from './timing';

// A failed send is retried inline a few times, then by redelivery every visibility timeout, until the DLQ (and its
// alarm) takes a message that failed maxReceiveCount times: 8 receives 45 s apart ride out five minutes of outage.
// The visibility timeout follows from the send timeout and the claim staleness (timing.ts).
const sending = {
  maxReceiveCount: 8,
  visibilityTimeoutSeconds: SEND_VISIBILITY_TIMEOUT_SECONDS,
  timeoutSeconds: SEND_TIMEOUT_SECONDS,
  batchSize: 10,
};

export const notifications = defineService({
  service: 'notifications',
  description:
    'Purchase confirmations, cancellations, event changes, reminders and team invitations by email.',
  database: true,
  routes: {
    myNotifications: {
      method: 'GET',
      path: '/v1/users/me/notifications',
      handler: 'list-my-notifications.ts',
      summary: 'The emails sent to me, newest first',
      auth: true,
      request: { query: historyQuery },
      responses: { 200: { description: 'A page of sent notifications', schema: historyPage } },
      binds: { database: true },
    },
  },
  consumers: {
    ticketEvents: {
      ...sending,
      queue: 'notifications-ticket-events',
      handler: 'ticket-events.consumer.ts',
      summary: 'Keeps the holdings and emails a confirmation or a cancellation for each order, once',
      subscribesTo: [TICKET_EVENTS_TOPIC],
      binds: { database: true, mail: true },
    },
    accountEmails: {
      ...sending,
      queue: 'notifications-account-emails',
      handler: 'account-emails.consumer.ts',
      summary:
        "Emails auth's account messages: password reset, address verification, sign-up with a taken address",
      subscribesTo: [AUTH_EVENTS_TOPIC],
      binds: { mail: true },
    },
    catalogueEvents: {
      ...sending,
      queue: 'notifications-catalogue-events',
      handler: 'catalogue-events.consumer.ts',
      summary:
        'Keeps each event’s address, join link and cancellation reason; emails every holder once when an event moves, and team invitations',
      subscribesTo: [CATALOGUE_EVENTS_TOPIC],
      binds: { database: true, mail: true },
    },
    reminders: {
      ...sending,
      queue: REMINDERS_QUEUE,
      handler: 'reminders.consumer.ts',
      summary: 'Emails each queued reminder, once per holder and event',
      binds: { database: true, mail: true },
    },
  },
  schedules: {
    scanReminders: {
      name: 'notifications-scan-reminders',
      handler: 'scan-reminders.schedule.ts',
      summary: 'Queues one reminder per holder of each event starting within the reminder window',
      expression: 'rate(15 minutes)',
      localEverySeconds: 60,
      binds: { database: true, sends: [REMINDERS_QUEUE] },
      timeoutSeconds: 60,
    },
  },
});
