// Schemas of the notifications service: its history route, and the reminder message it sends itself.
import * as z from 'zod';
import { pageQuery } from '../../layers/common/pagination';

export const NOTIFICATION_KINDS = [
  'confirmation',
  'cancellation',
  'event-cancelled',
  'reminder',
  'event-changed',
  'team-invitation',
  'sales-summary',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The queue the reminder scan feeds and the reminder consumer drains; owned by this service alone. */
export const REMINDERS_QUEUE = 'notifications-reminders';

/**
 * ReminderDue v1: one holder of one event is due a reminder. It carries ids only: the consumer reads the holder's
 * current holdings, so an order cancelled between the scan and the send gets no reminder.
 */
export const reminderDueV1 = z.object({
  eventId: z.uuid(),
  userId: z.uuid(),
  /** The start the reminder was timed from: when the event has moved since, the reminder is dropped (re-queued). */
  startsAt: z.iso.datetime({ offset: true }).optional(),
});
export type ReminderDueV1 = z.infer<typeof reminderDueV1>;

export const ReminderMessageTypes = {
  ReminderDue: { type: 'ReminderDue', version: 1, schema: reminderDueV1 },
} as const;

export const historyQuery = z.object(pageQuery);

export const notificationView = z.object({
  id: z.uuid(),
  kind: z.enum(NOTIFICATION_KINDS),
  subject: z.string(),
  sentAt: z.iso.datetime(),
  orderId: z.uuid().optional(),
  eventId: z.uuid().optional(),
});
export type NotificationView = z.infer<typeof notificationView>;

export const historyPage = z.object({ items: z.array(notificationView), nextCursor: z.string().nullable() });
