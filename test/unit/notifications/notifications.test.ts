// The notification rules on their own: each email at most once, retried after a failure, never resent blindly after
// a crash; holdings that end cancelled whatever the order of the messages; reminders for the right holders only.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TicketPurchasedV1 } from '../../../events/contracts/tickets';
import { sender } from '../../../functions/notifications/mailer';
import {
  DeliveryInFlightError,
  deliverOnce,
  failedBeforeSending,
  onOrderCancelled,
  onReminderDue,
  onTicketPurchased,
  SendFailedError,
  scanReminders,
} from '../../../functions/notifications/notifications';
import { STALE_CLAIM_MS } from '../../../functions/notifications/timing';
import { cancellationOf, ticketPurchase } from '../../support/ticket-messages';
import { fakeDeps, memoryLog } from './fakes';

const HOUR = 3_600_000;
const NOW = new Date('2026-06-01T12:00:00Z');

const purchase = ({
  startsInMs,
  ...options
}: {
  userId?: string;
  eventId?: string;
  startsInMs?: number;
} = {}) =>
  ticketPurchase(new Date(NOW.getTime() + (startsInMs ?? 10 * 24 * HOUR)), {
    ...options,
    place: 'Olympia, Paris',
  });

const spec = {
  key: 'confirmation:1',
  kind: 'confirmation' as const,
  userId: randomUUID(),
  to: 'ada@example.com',
  subject: 'Hi',
};
const email = { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' };

describe('deliverOnce', () => {
  it('sends an email once, however often it is asked to', async () => {
    const { deps, mailer } = fakeDeps();
    const { log } = memoryLog();
    expect(await deliverOnce(deps, spec, email, log)).toBe('sent');
    expect(await deliverOnce(deps, spec, email, log)).toBe('already-sent');
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: 'ada@example.com', key: 'confirmation:1' });
  });

  it('gives the claim back when the send fails, so the redelivery sends it', async () => {
    const { deps, mailer, memory } = fakeDeps();
    const { log } = memoryLog();
    mailer.failNext(1);
    await expect(deliverOnce(deps, spec, email, log)).rejects.toBeInstanceOf(SendFailedError);
    expect(memory.deliveries.get(spec.key)).toMatchObject({
      status: 'failed',
      lastError: 'connect ECONNREFUSED',
    });

    expect(await deliverOnce(deps, spec, email, log)).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
    expect(memory.deliveries.get(spec.key)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('lets the send policy retry inline before failing the message', async () => {
    const { deps, mailer } = fakeDeps();
    const retryTwice = {
      async execute<T>(fn: () => Promise<T>): Promise<T> {
        for (let attempt = 1; ; attempt++) {
          try {
            return await fn();
          } catch (error) {
            if (attempt >= 3) throw error;
          }
        }
      },
    };
    mailer.failNext(2);
    expect(
      await deliverOnce({ ...deps, sender: sender(mailer, retryTwice) }, spec, email, memoryLog().log),
    ).toBe('sent');
    expect(mailer.attempts()).toBe(3);
  });

  it('asks for a later retry while another copy of the message is sending the same email', async () => {
    const { deps, mailer } = fakeDeps();
    await deps.store.claimDelivery(spec);
    await expect(deliverOnce(deps, spec, email, memoryLog().log)).rejects.toBeInstanceOf(
      DeliveryInFlightError,
    );
    expect(mailer.sent).toHaveLength(0);
  });

  it('sends again after a crash mid-send once the claim is stale, and says it may be a duplicate', async () => {
    const { deps, mailer, memory, advance } = fakeDeps();
    await deps.store.claimDelivery(spec);
    advance(STALE_CLAIM_MS + 1);
    const { log, lines } = memoryLog();

    expect(await deliverOnce(deps, spec, email, log)).toBe('sent');
    expect(await deliverOnce(deps, spec, email, log)).toBe('already-sent');

    expect(mailer.sent).toHaveLength(1);
    expect(memory.deliveries.get(spec.key)?.status).toBe('sent');
    expect(lines.some((line) => line.level === 'warn' && line.message.includes('may arrive twice'))).toBe(
      true,
    );
  });

  it('sends nothing once its invocation has timed out, and gives the claim back for the redelivery', async () => {
    const { deps, mailer, memory } = fakeDeps();
    const deadline = new AbortController();
    // The runtime gave up on this attempt while it waited to send (a loaded machine, a slow render).
    const slowStart = {
      async execute<T>(fn: () => Promise<T>): Promise<T> {
        deadline.abort();
        return fn();
      },
    };
    await expect(
      deliverOnce(
        { ...deps, sender: sender(mailer, slowStart), signal: deadline.signal },
        spec,
        email,
        memoryLog().log,
      ),
    ).rejects.toBeInstanceOf(SendFailedError);
    expect(mailer.attempts()).toBe(0);
    expect(memory.deliveries.get(spec.key)?.status).toBe('failed');

    expect(await deliverOnce(deps, spec, email, memoryLog().log)).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
  });
});

describe('failedBeforeSending', () => {
  const databaseDown = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  it('is a passing failure no email came near, which the consumers hand back within seconds', () => {
    expect(failedBeforeSending(databaseDown())).toBe(true);
    expect(failedBeforeSending(new Error('null value in column'))).toBe(false);
  });

  it('is not a failed send, nor another copy sending: those wait out the visibility timeout', () => {
    expect(
      failedBeforeSending(
        new SendFailedError('sending failed: Connection timeout', { cause: databaseDown() }),
      ),
    ).toBe(false);
    expect(
      failedBeforeSending(Object.assign(new DeliveryInFlightError('busy'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
  });
});

describe('ticket messages', () => {
  it('confirm a purchase once, even when the message comes twice', async () => {
    const { deps, mailer } = fakeDeps();
    const order = purchase();
    await onTicketPurchased(deps, order, NOW, memoryLog().log);
    await onTicketPurchased(deps, order, NOW, memoryLog().log);
    expect(mailer.sent.map((sent) => sent.key)).toEqual([`confirmation:${order.orderId}`]);
  });

  it('send the event-cancelled variant when the organizer cancelled', async () => {
    const { deps, mailer, memory } = fakeDeps();
    const order = purchase();
    await onTicketPurchased(deps, order, NOW, memoryLog().log);
    await onOrderCancelled(deps, cancellationOf(order, 'event-cancelled'), NOW, memoryLog().log);
    expect(mailer.sent[1]?.subject).toBe('Cancelled: Show');
    expect(memory.deliveries.get(`cancellation:${order.orderId}`)?.kind).toBe('event-cancelled');
    expect(memory.holdings.get(order.orderId)?.status).toBe('cancelled');
  });

  it('leave an order cancelled, with no confirmation, when its cancellation arrives first', async () => {
    const { deps, mailer, memory } = fakeDeps();
    const order = purchase();
    await onOrderCancelled(deps, cancellationOf(order), NOW, memoryLog().log);
    expect(await onTicketPurchased(deps, order, NOW, memoryLog().log)).toBe('order-cancelled');
    expect(memory.holdings.get(order.orderId)).toMatchObject({ status: 'cancelled', ticketCount: 1 });
    expect(mailer.sent.map((sent) => sent.subject)).toEqual(['Your order for Show is cancelled']);
  });
});

describe('reminders', () => {
  it('are queued once for each holder of an event starting within the window', async () => {
    const { deps, memory } = fakeDeps();
    const eventId = randomUUID();
    const userId = randomUUID();
    for (const order of [
      purchase({ eventId, userId, startsInMs: 2 * HOUR }),
      purchase({ eventId, userId, startsInMs: 2 * HOUR }),
      purchase({ eventId, startsInMs: 2 * HOUR }),
      purchase({ startsInMs: 3 * 24 * HOUR }),
      purchase({ startsInMs: -HOUR }),
    ])
      await onTicketPurchased(deps, order, NOW, memoryLog().log);

    expect(await scanReminders(deps, 'scan-1')).toEqual({ queued: 2, published: 2, failed: 0 });
    expect(await scanReminders(deps, 'scan-2')).toEqual({ queued: 0, published: 0, failed: 0 });
    expect(memory.queued.filter((due) => due.userId === userId)).toHaveLength(1);
  });

  it('honour a configured window', async () => {
    const { deps } = fakeDeps({ reminderWindowHours: () => 72 });
    await onTicketPurchased(deps, purchase({ startsInMs: 48 * HOUR }), NOW, memoryLog().log);
    expect((await scanReminders(deps, 'scan')).queued).toBe(1);
  });

  it('are sent once per holder and event, with all of the holder’s tickets', async () => {
    const { deps, mailer } = fakeDeps();
    const eventId = randomUUID();
    const userId = randomUUID();
    const orders = [
      purchase({ eventId, userId, startsInMs: HOUR }),
      purchase({ eventId, userId, startsInMs: HOUR }),
    ];
    for (const order of orders) await onTicketPurchased(deps, order, NOW, memoryLog().log);

    expect(await onReminderDue(deps, { eventId, userId }, memoryLog().log)).toBe('sent');
    expect(await onReminderDue(deps, { eventId, userId }, memoryLog().log)).toBe('already-sent');

    const reminders = mailer.sent.filter((sent) => sent.key.startsWith('reminder:'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toContain('you hold 2 tickets');
    for (const order of orders) expect(reminders[0]?.text).toContain(order.tickets[0]?.code);
  });

  it('are dropped for a holder who cancelled since the scan, or an event that has started', async () => {
    const { deps, mailer, advance } = fakeDeps();
    const order = purchase({ startsInMs: HOUR });
    await onTicketPurchased(deps, order, NOW, memoryLog().log);
    const started = purchase({ startsInMs: HOUR });
    await onTicketPurchased(deps, started, NOW, memoryLog().log);
    await onOrderCancelled(deps, cancellationOf(order), NOW, memoryLog().log);
    advance(2 * HOUR);

    const due = (o: TicketPurchasedV1) => ({ eventId: o.eventId, userId: o.buyer.userId });
    expect(await onReminderDue(deps, due(order), memoryLog().log)).toBe('no-tickets');
    expect(await onReminderDue(deps, due(started), memoryLog().log)).toBe('started');
    expect(mailer.sent.filter((sent) => sent.key.startsWith('reminder:'))).toHaveLength(0);
  });
});
