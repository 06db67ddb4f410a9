// Reminders end to end: the scan queues one reminder per holder of each event starting within the window, however
// often it runs and even when two runs overlap; the reminder consumer sends each once, even when delivered twice.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { REMINDERS_QUEUE, ReminderMessageTypes } from '../../../functions/notifications/schemas';
import { envelope } from '../../../layers/common/messages';
import type { Platform } from '../../../local/platform';
import { scheduledEvent } from '../../../local/schedules';
import {
  cancelled,
  drained,
  emailsFor,
  eventually,
  inbox,
  newBuyer,
  newEvent,
  notificationsPlatform,
  publish,
  purchased,
} from './support';

const HOUR = 3_600_000;

let platform: Platform;
let db: pg.Pool;

// No local timer: the test runs the scan itself.
notificationsPlatform({}, (started) => {
  ({ platform, db } = started);
});

/** Runs the scan the way EventBridge does: its handler, with a scheduled event (the platform set its env). */
async function scan() {
  const { handler } = await import('../../../functions/notifications/scan-reminders.schedule');
  return handler(scheduledEvent('notifications-scan-reminders'));
}

const holdings = async (orderIds: string[]) =>
  Number(
    (await db.query('SELECT count(*) FROM holdings WHERE order_id = ANY($1::uuid[])', [orderIds])).rows[0]
      ?.count,
  );

describe('reminder scan', () => {
  it('reminds each holder of an event starting within 24 hours once, even when scans overlap and repeat', async () => {
    const soon = newEvent({ name: 'Soon', startsInMs: 2 * HOUR, timezone: 'America/New_York' });
    const later = newEvent({ name: 'Later', startsInMs: 3 * 24 * HOUR });
    const ada = newBuyer('Ada');
    const grace = newBuyer('Grace');
    const linus = newBuyer('Linus');
    // Ada holds two orders for the soon event: still one reminder, with all her tickets.
    const orders = [
      purchased(ada, soon, { quantity: 1 }),
      purchased(ada, soon, { quantity: 2 }),
      purchased(grace, soon),
      purchased(linus, later),
      purchased(grace, later),
    ];
    // A holder whose order was cancelled is not reminded.
    const cancelledHolder = newBuyer('Cancelled');
    const cancelledOrder = purchased(cancelledHolder, soon);
    await publish(...orders, cancelledOrder);
    await publish(cancelled(cancelledOrder.data, 'customer'));
    const ids = [...orders, cancelledOrder].map((order) => order.data.orderId);
    await eventually(async () => ((await holdings(ids)) === ids.length ? true : undefined));
    await eventually(async () => {
      const { rows } = await db.query('SELECT status FROM holdings WHERE order_id = $1', [
        cancelledOrder.data.orderId,
      ]);
      return rows[0]?.status === 'cancelled' ? true : undefined;
    });

    const [first, second] = await Promise.all([scan(), scan()]);
    const third = await scan();

    expect(first.queued + second.queued).toBe(2);
    expect(third.queued).toBe(0);
    const adaMail = await emailsFor(platform.mailUrl, ada.email, 3);
    const graceMail = await emailsFor(platform.mailUrl, grace.email, 3);
    await drained(platform.awsEndpoint, platform.queueUrls[REMINDERS_QUEUE] ?? '');
    const reminders = async (to: string) =>
      (await inbox(platform.mailUrl, to)).filter((email) => email.subject.startsWith('Reminder'));
    expect(await reminders(ada.email)).toHaveLength(1);
    expect(await reminders(grace.email)).toHaveLength(1);
    expect(await reminders(linus.email)).toHaveLength(0);
    expect(await reminders(cancelledHolder.email)).toHaveLength(0);

    const adaReminder = adaMail.find((email) => email.subject.startsWith('Reminder'));
    expect(adaReminder?.subject).toBe('Reminder: Soon is coming up');
    expect(adaReminder?.text).toContain('you hold 3 tickets');
    for (const order of orders.slice(0, 2))
      for (const ticket of order.data.tickets) expect(adaReminder?.text).toContain(ticket.code);
    expect(adaReminder?.text).toContain('America/New_York');
    expect(graceMail.some((email) => email.subject === 'Reminder: Soon is coming up')).toBe(true);
  });

  it('sends a reminder message delivered twice only once', async () => {
    const show = newEvent({ name: 'Twice', startsInMs: 5 * 24 * HOUR });
    const holder = newBuyer();
    await publish(purchased(holder, show));
    await emailsFor(platform.mailUrl, holder.email, 1);
    const { type, version } = ReminderMessageTypes.ReminderDue;
    const message = envelope(
      'notifications',
      type,
      version,
      { eventId: show.eventId, userId: holder.userId },
      'dup',
    );

    const sqs = new SQSClient({ endpoint: platform.awsEndpoint, region: 'us-east-1' });
    const send = new SendMessageCommand({
      QueueUrl: platform.queueUrls[REMINDERS_QUEUE],
      MessageBody: JSON.stringify(message),
    });
    await sqs.send(send);
    await sqs.send(send);
    sqs.destroy();
    await emailsFor(platform.mailUrl, holder.email, 2);
    await drained(platform.awsEndpoint, platform.queueUrls[REMINDERS_QUEUE] ?? '');

    const emails = await inbox(platform.mailUrl, holder.email);
    expect(emails.filter((email) => email.subject === 'Reminder: Twice is coming up')).toHaveLength(1);
  });
});
