// The rules of notifications: keep the holdings the ticket messages describe, send each email at least once and,
// short of a crash mid-send, exactly once (a claim under its dedupe key before sending, released on failure so a retry
// may send, taken over once stale), and queue one reminder per holder and event. No SDK and no SQL here: those sit behind NotificationStore, Mailer and the relay.
import type { EventSnapshot } from '../../events/contracts/catalogue';
import { isErasedAddress } from '../../events/contracts/privacy';
import type { OrderCancelledV1, TicketPurchasedV1 } from '../../events/contracts/tickets';
import type { Logger } from '../../layers/common/logger';
import type { Page } from '../../layers/common/pagination';
import { isTransient } from '../../layers/common/resilience';
import { calendarFile, qrImages } from './attachments';
import type { EventDetailsStore } from './event-changes';
import type { Sender } from './mailer';
import type { NotificationKind, NotificationView, ReminderDueV1 } from './schemas';
import { cancellationEmail, confirmationEmail, type Email, reminderEmail } from './templates';
import { STALE_CLAIM_MS } from './timing';

/** The consumer's per-record logger (correlation and message ids on every line). */
export type Log = Pick<Logger, 'info' | 'warn'>;

export interface DeliverySpec {
  /** One email, one key: "confirmation:<orderId>", "cancellation:<orderId>", "reminder:<eventId>:<userId>". */
  key: string;
  kind: NotificationKind;
  /** Absent for an email to an address that may have no account (a team invitation). */
  userId?: string;
  to: string;
  subject: string;
  orderId?: string;
  eventId?: string;
}

export type Claim =
  | { state: 'claimed'; id: string }
  | { state: 'sent' }
  | { state: 'sending'; id: string; claimedAt: Date };

/** The confirmed tickets one user holds for one event, as the latest of their orders describes the event. */
export interface Holder {
  userId: string;
  email: string;
  firstName: string;
  eventId: string;
  event: EventSnapshot;
  ticketCount: number;
  ticketCodes: string[];
}

export interface NotificationStore {
  /** Upserts the order as held; answers its status, which stays cancelled if the cancellation arrived first. */
  recordPurchase(order: TicketPurchasedV1, at: Date): Promise<'confirmed' | 'cancelled'>;
  /** Marks the order cancelled, creating the holding if its purchase has not arrived yet. */
  recordCancellation(order: OrderCancelledV1, at: Date): Promise<void>;
  /** The user's confirmed holding of the event, or undefined when they hold no valid ticket for it. */
  holderOf(eventId: string, userId: string): Promise<Holder | undefined>;
  /**
   * In one transaction: claims a reminder for each holder of an event starting in (from, until] that has none yet,
   * and writes a ReminderDue message for each claim to the outbox. Answers how many were claimed.
   */
  queueDueReminders(from: Date, until: Date, correlationId: string): Promise<number>;
  /** Claims the email's row in its own committed transaction, or says why it cannot be claimed. */
  claimDelivery(spec: DeliverySpec): Promise<Claim>;
  markSent(id: string, providerMessageId: string | undefined): Promise<void>;
  /** Gives a claim back after a failed send, so a retry may claim it again. */
  releaseDelivery(id: string, error: string): Promise<void>;
  /**
   * Takes over a stale claim (its attempt crashed) for a new attempt, if it is still "sending" under the claim made
   * at `claimedAt`; false when another attempt took it over first or it was settled meanwhile.
   */
  takeOverStale(id: string, claimedAt: Date): Promise<boolean>;
  sentTo(userId: string, limit: number, cursor?: string): Promise<Page<NotificationView>>;
}

/** What the consumers need: the stores and a way to send. */
export interface SendDeps {
  store: NotificationStore;
  details: EventDetailsStore;
  /** Where the web app is, for links in emails (no trailing slash). */
  webAppUrl: string;
  /** The mailer behind inline retries and the deadline check (mailer.ts `sender`). */
  sender: Sender;
  now: () => Date;
  /**
   * The invocation's deadline (ConsumedMessage.signal), which the sender checks before every attempt: an attempt past
   * it sends nothing, as its runtime has given up on it and the message will come back.
   */
  signal?: AbortSignal;
}

/** What the reminder scan needs: the store, and the relay that publishes what it queued. */
export interface ScanDeps {
  store: NotificationStore;
  now: () => Date;
  /** Publishes what the outbox holds (the queued reminders). */
  relay: () => Promise<{ published: number; failed: number }>;
  reminderWindowHours: () => number;
}

/** Another copy of the message is sending this email right now; try again after it has finished. */
export class DeliveryInFlightError extends Error {
  override name = 'DeliveryInFlightError';
}

export class SendFailedError extends Error {
  override name = 'SendFailedError';
}

/**
 * A failure no email came near (the database unreachable while recording the order or claiming the send): the
 * consumers hand such a message back within seconds (sqsConsumer's retrySoon), so emails follow soon after a
 * database outage instead of a whole visibility timeout later. A failed send, or another copy sending, waits it out.
 */
export const failedBeforeSending = (error: unknown) =>
  !(error instanceof SendFailedError) && !(error instanceof DeliveryInFlightError) && isTransient(error);

/** not-deliverable: the recipient deleted their account; their kept orders carry an address that reaches no one. */
export type DeliveryOutcome = 'sent' | 'already-sent' | 'not-deliverable';

/**
 * Sends the email unless it was sent before. The claim commits before the send, so a redelivered or duplicated
 * message finds it: "sent" does nothing, a fresh "sending" is retried later (another copy is sending), and a
 * "sending" older than STALE_CLAIM_MS, whose attempt can no longer be running, is taken over and sent again. The
 * crashed attempt may have been accepted by the mail server before it died, so a crash mid-send can cost a
 * duplicate email; never a missing one (at least once, as SQS itself delivers).
 */
export async function deliverOnce(
  deps: SendDeps,
  spec: DeliverySpec,
  email: Email,
  log: Log,
): Promise<DeliveryOutcome> {
  const where = { dedupe_key: spec.key, kind: spec.kind };
  if (isErasedAddress(spec.to)) {
    log.info('the recipient deleted their account: nothing sent', where);
    return 'not-deliverable';
  }
  const claim = await deps.store.claimDelivery(spec);
  if (claim.state === 'sent') {
    log.info('email already sent; not sending again', where);
    return 'already-sent';
  }
  const { id } = claim;
  if (claim.state === 'sending') {
    const age = deps.now().getTime() - claim.claimedAt.getTime();
    if (age < STALE_CLAIM_MS || !(await deps.store.takeOverStale(claim.id, claim.claimedAt)))
      throw new DeliveryInFlightError(`email ${spec.key} is being sent by another attempt`);
    log.warn(
      'an earlier attempt claimed this email and never finished: sending it again (it may arrive twice)',
      {
        ...where,
        claimed_ms_ago: age,
      },
    );
  }
  let providerMessageId: string | undefined;
  try {
    ({ messageId: providerMessageId } = await deps.sender.send(
      {
        to: spec.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        key: spec.key,
        ...(email.attachments?.length ? { attachments: email.attachments } : {}),
      },
      deps.signal,
    ));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await deps.store.releaseDelivery(id, message.slice(0, 500));
    throw new SendFailedError(`sending ${spec.key} failed: ${message}`, { cause: error });
  }
  await deps.store.markSent(id, providerMessageId);
  log.info('email sent', where);
  return 'sent';
}

export async function onTicketPurchased(
  deps: SendDeps,
  order: TicketPurchasedV1,
  occurredAt: Date,
  log: Log,
): Promise<DeliveryOutcome | 'order-cancelled'> {
  const status = await deps.store.recordPurchase(order, occurredAt);
  if (status === 'cancelled') {
    // The cancellation overtook the purchase and its email is out: a confirmation now would only confuse.
    log.info('order already cancelled: no confirmation', { order_id: order.orderId });
    return 'order-cancelled';
  }
  const details = await deps.details.detailsOf(order.eventId);
  const orderUrl = `${deps.webAppUrl}/orders/${order.orderId}`;
  const qr = qrImages(order);
  const calendar = calendarFile(order, details, orderUrl);
  const email = {
    ...confirmationEmail(order, { details, webAppUrl: deps.webAppUrl, qrCids: qr.cids }),
    attachments: [...qr.attachments, ...(calendar ? [calendar] : [])],
  };
  return deliverOnce(
    deps,
    {
      key: `confirmation:${order.orderId}`,
      kind: 'confirmation',
      userId: order.buyer.userId,
      to: order.buyer.email,
      subject: email.subject,
      orderId: order.orderId,
      eventId: order.eventId,
    },
    email,
    log,
  );
}

export async function onOrderCancelled(
  deps: SendDeps,
  order: OrderCancelledV1,
  occurredAt: Date,
  log: Log,
): Promise<DeliveryOutcome> {
  await deps.store.recordCancellation(order, occurredAt);
  const details = await deps.details.detailsOf(order.eventId);
  const email = cancellationEmail(order, { details, webAppUrl: deps.webAppUrl });
  return deliverOnce(
    deps,
    {
      key: `cancellation:${order.orderId}`,
      kind: order.reason === 'event-cancelled' ? 'event-cancelled' : 'cancellation',
      userId: order.buyer.userId,
      to: order.buyer.email,
      subject: email.subject,
      orderId: order.orderId,
      eventId: order.eventId,
    },
    email,
    log,
  );
}

export async function onReminderDue(
  deps: SendDeps,
  due: ReminderDueV1,
  log: Log,
): Promise<DeliveryOutcome | 'no-tickets' | 'started' | 'moved'> {
  const holder = await deps.store.holderOf(due.eventId, due.userId);
  if (!holder) {
    log.info('holder has no valid ticket any more: no reminder', { event_id: due.eventId });
    return 'no-tickets';
  }
  if (new Date(holder.event.startsAt) <= deps.now()) {
    log.info('event has started: reminder dropped', { event_id: due.eventId });
    return 'started';
  }
  if (due.startsAt && Date.parse(due.startsAt) !== Date.parse(holder.event.startsAt)) {
    // The event moved after this reminder was queued: the scan queues a new one timed from the new start.
    log.info('event has moved since this reminder was queued: dropped', { event_id: due.eventId });
    return 'moved';
  }
  const details = await deps.details.detailsOf(due.eventId);
  const email = reminderEmail(holder, { details, webAppUrl: deps.webAppUrl });
  return deliverOnce(
    deps,
    {
      // One reminder per start: a holder reminded of the old start is reminded again of the new one.
      key: `reminder:${due.eventId}:${due.userId}:${holder.event.startsAt}`,
      kind: 'reminder',
      userId: due.userId,
      to: holder.email,
      subject: email.subject,
      eventId: due.eventId,
    },
    email,
    log,
  );
}

/**
 * Queues a reminder for every holder of an event starting within the window who has none, then publishes the
 * outbox (which also sends whatever an earlier scan committed but could not publish). Overlapping scans are safe:
 * each (event, holder) claim is unique, so only one scan queues it.
 */
export async function scanReminders(
  deps: ScanDeps,
  correlationId: string,
): Promise<{ queued: number; published: number; failed: number }> {
  const now = deps.now();
  const until = new Date(now.getTime() + deps.reminderWindowHours() * 3_600_000);
  const queued = await deps.store.queueDueReminders(now, until, correlationId);
  const { published, failed } = await deps.relay();
  return { queued, published, failed };
}
