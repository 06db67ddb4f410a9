// Notifications service: purchase confirmations, cancellations and event reminders by email, and each user's
// history of what was sent to them.
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { CATALOGUE_EVENTS_TOPIC } from '../../events/contracts/catalogue';
import { EXPORT_PARTS_QUEUE } from '../../events/contracts/privacy';
import { TICKET_EVENTS_TOPIC } from '../../events/contracts/tickets';
import { USERS_EVENTS_TOPIC } from '../../events/contracts/users';
import { defineService } from '../../layers/common/manifest';
import { SALES_SUMMARIES_QUEUE } from './sales-summaries.schemas';
import { historyPage, historyQuery, REMINDERS_QUEUE } from './schemas';
import { SEND_TIMEOUT_SECONDS, SEND_VISIBILITY_TIMEOUT_SECONDS } from './timing';

// A failed send is retried inline a few times, then by redelivery every visibility timeout, until the DLQ (and its
// alarm) takes a message that failed maxReceiveCount times: 8 receives ride out about nine minutes of
// database outage (a record that failed before sending comes back after 5, 15 and 45 s, then every 120 s).
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
    'Purchase confirmations, cancellations, event changes, reminders, team invitations and organizers’ daily sales summaries by email.',
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
    privacy: {
      queue: 'notifications-privacy',
      handler: 'privacy.consumer.ts',
      summary:
        'Forgets a deleted account (sent-email history, holdings, reminders) and writes the notifications part of a data export',
      subscribesTo: [AUTH_EVENTS_TOPIC, USERS_EVENTS_TOPIC],
      binds: { database: true, bucket: 'readwrite', sends: [EXPORT_PARTS_QUEUE] },
    },
    reminders: {
      ...sending,
      queue: REMINDERS_QUEUE,
      handler: 'reminders.consumer.ts',
      summary: 'Emails each queued reminder, once per holder and event',
      binds: { database: true, mail: true },
    },
    userPreferences: {
      queue: 'notifications-user-preferences',
      handler: 'user-preferences.consumer.ts',
      summary:
        "Keeps the copy of users' notification preferences (who wants the daily sales summary, in which zone)",
      subscribesTo: [USERS_EVENTS_TOPIC],
      binds: { database: true },
    },
    salesSummaries: {
      ...sending,
      queue: SALES_SUMMARIES_QUEUE,
      handler: 'sales-summaries.consumer.ts',
      summary:
        "Emails each queued daily sales summary with the tickets service's figures, once per organizer and day",
      binds: { database: true, mail: true, invokes: ['tickets.salesSummary'] },
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
    scanSalesSummaries: {
      name: 'notifications-scan-sales-summaries',
      handler: 'scan-sales-summaries.schedule.ts',
      summary:
        "Queues yesterday's sales summary (the day before today in their time zone, else UTC) for every organizer who asked for it",
      // 00:30 UTC: the day just ended in UTC and zones east of it; zones west get the last day they finished.
      expression: 'cron(30 0 * * ? *)',
      localEverySeconds: 3600,
      binds: { database: true, sends: [SALES_SUMMARIES_QUEUE] },
      timeoutSeconds: 60,
    },
  },
});
