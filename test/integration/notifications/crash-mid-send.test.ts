// Email is delivered at least once through crashes: an attempt that claimed an email and died before it could say
// whether the send went out (a killed runtime, a Lambda timeout) leaves a claim in "sending". Once that claim is
// stale, the next delivery of the message sends the email (a duplicate is possible, a missing email is not). The
// queue's visibility timeout is derived from the same staleness, so that next delivery finds the claim stale.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { TicketPurchasedV1 } from '../../../events/contracts/tickets';
import { notifications } from '../../../functions/notifications/manifest';
import {
  DeliveryInFlightError,
  type Log,
  onTicketPurchased,
  type SendDeps,
} from '../../../functions/notifications/notifications';
import { sendDeps } from '../../../functions/notifications/send.deps';
import { STALE_CLAIM_MS } from '../../../functions/notifications/timing';
import type { ConsumerSpec } from '../../../layers/common/manifest';
import type { Platform } from '../../../local/platform';
import { emailsFor, inbox, newBuyer, newEvent, notificationsPlatform, purchased } from './support';

let platform: Platform;
let db: pg.Pool;

notificationsPlatform({ consumers: false }, (started) => {
  ({ platform, db } = started);
});

const log: Log = { info: () => undefined, warn: () => undefined };
/** The real store and mailer, on a clock the test moves. */
const at = (offsetMs: number): SendDeps => ({ ...sendDeps(), now: () => new Date(Date.now() + offsetMs) });

/** What a crashed attempt leaves: the order recorded and its confirmation claimed, never sent. */
async function crashedMidSend(order: TicketPurchasedV1) {
  await sendDeps().store.recordPurchase(order, new Date());
  return sendDeps().store.claimDelivery({
    key: `confirmation:${order.orderId}`,
    kind: 'confirmation',
    userId: order.buyer.userId,
    to: order.buyer.email,
    subject: 'whatever the crashed attempt had',
    orderId: order.orderId,
    eventId: order.eventId,
  });
}

describe('an email whose sender crashed mid-send', () => {
  it('is sent by the next delivery once the claim is stale, and only then', async () => {
    const buyer = newBuyer('Cass');
    const order = purchased(buyer, newEvent()).data;
    const claim = await crashedMidSend(order);
    expect(claim.state).toBe('claimed');

    // While the claim is fresh the attempt may still be running: a redelivery must not send too.
    await expect(onTicketPurchased(at(0), order, new Date(), log)).rejects.toBeInstanceOf(
      DeliveryInFlightError,
    );
    expect(await inbox(platform.mailUrl, buyer.email)).toHaveLength(0);

    expect(await onTicketPurchased(at(STALE_CLAIM_MS + 1_000), order, new Date(), log)).toBe('sent');
    const [email] = await emailsFor(platform.mailUrl, buyer.email, 1);
    expect(email?.subject).toContain(order.event.name);
    const { rows } = await db.query('SELECT status, attempts FROM deliveries WHERE order_id = $1', [
      order.orderId,
    ]);
    expect(rows).toEqual([{ status: 'sent', attempts: 2 }]);

    // Later copies of the message find it sent.
    expect(await onTicketPurchased(at(2 * STALE_CLAIM_MS), order, new Date(), log)).toBe('already-sent');
    expect(await inbox(platform.mailUrl, buyer.email)).toHaveLength(1);
  });

  it('is taken over by one redelivery only when two find the same stale claim', async () => {
    const buyer = newBuyer('Dora');
    const order = purchased(buyer, newEvent()).data;
    await crashedMidSend(order);
    // Aged where it is kept rather than on a clock ahead of the database's, which would find the claim the first
    // taker makes stale too.
    await db.query(
      'UPDATE deliveries SET claimed_at = claimed_at - make_interval(secs => $2) WHERE dedupe_key = $1',
      [`confirmation:${order.orderId}`, STALE_CLAIM_MS / 1_000 + 1],
    );

    const outcomes = await Promise.allSettled([
      onTicketPurchased(at(0), order, new Date(), log),
      onTicketPurchased(at(0), order, new Date(), log),
    ]);

    // One sends; the other finds it being sent (and retries later) or, if it came second, already sent.
    const sent = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value === 'sent');
    expect(sent).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(DeliveryInFlightError);
    }
    await emailsFor(platform.mailUrl, buyer.email, 1);
    expect(await inbox(platform.mailUrl, buyer.email)).toHaveLength(1);
  });
});

describe('the sending consumers', () => {
  it('redeliver a message only after a crashed attempt could no longer be running and its claim is stale', () => {
    const consumers: ConsumerSpec[] = Object.values(notifications.consumers);
    for (const consumer of consumers.filter((spec) => spec.binds?.mail)) {
      const timeoutMs = (consumer.timeoutSeconds ?? 10) * 1_000;
      expect(STALE_CLAIM_MS).toBeGreaterThan(timeoutMs);
      // A message received at t and claimed at most timeoutMs later comes back at t + visibility timeout.
      expect((consumer.visibilityTimeoutSeconds ?? 0) * 1_000 - timeoutMs).toBeGreaterThanOrEqual(
        STALE_CLAIM_MS,
      );
    }
  });
});
