// The organizers' daily sales summary: who asked for it (the copy of the users service's preferences), one claim per
// organizer and day queued by the daily schedule, and one email per claim with the figures tickets gives for that day.
// "Yesterday" is the organizer's: the calendar day before today in the time zone they chose, UTC when they chose none.
import type { SalesSummaryRequest, SalesSummaryResponse } from '../../events/contracts/sales-summary';
import type { NotificationPreferencesChangedV1 } from '../../events/contracts/users';
import { type DeliveryOutcome, deliverOnce, type Log, type SendDeps } from './notifications';
import type { SalesSummaryDueV1 } from './sales-summaries.schemas';
import { salesSummaryEmail } from './sales-summary-template';

export interface Subscription {
  userId: string;
  email: string;
  firstName: string;
  dailySalesSummary: boolean;
}

export interface SubscriptionStore {
  /** Keeps the preferences unless newer ones were kept (then false). */
  apply(preferences: NotificationPreferencesChangedV1): Promise<boolean>;
  find(userId: string): Promise<Subscription | undefined>;
  /**
   * In one transaction: claims yesterday's summary (as of `now`, in each one's zone) for every subscribed organizer
   * whose claim for that day does not exist yet, and writes a SalesSummaryDue for each to the outbox.
   */
  queueDueSummaries(now: Date, correlationId: string): Promise<number>;
}

export interface SummaryScanDeps {
  subscriptions: SubscriptionStore;
  now: () => Date;
  /** Publishes what the outbox holds (the queued summaries). */
  relay: () => Promise<{ published: number; failed: number }>;
}

export interface SummarySendDeps extends SendDeps {
  subscriptions: SubscriptionStore;
  /** The figures from the tickets service. */
  salesOf(request: SalesSummaryRequest, correlationId: string): Promise<SalesSummaryResponse>;
}

export async function scanSalesSummaries(deps: SummaryScanDeps, correlationId: string) {
  const queued = await deps.subscriptions.queueDueSummaries(deps.now(), correlationId);
  const { published, failed } = await deps.relay();
  return { queued, published, failed };
}

export async function onSalesSummaryDue(
  deps: SummarySendDeps,
  due: SalesSummaryDueV1,
  correlationId: string,
  log: Log,
): Promise<DeliveryOutcome | 'opted-out' | 'nothing-sold'> {
  const subscription = await deps.subscriptions.find(due.organizerId);
  if (!subscription?.dailySalesSummary) {
    log.info('organizer no longer wants the daily summary: not sent', { organizer_id: due.organizerId });
    return 'opted-out';
  }
  const { events } = await deps.salesOf(
    { organizerId: due.organizerId, from: due.from, to: due.to },
    correlationId,
  );
  // A day without a sale, a refund or a check-in is not worth an email.
  if (events.length === 0) return 'nothing-sold';
  const email = salesSummaryEmail(subscription.firstName, due, events, deps.webAppUrl);
  return deliverOnce(
    deps,
    {
      key: `sales-summary:${due.organizerId}:${due.day}`,
      kind: 'sales-summary',
      userId: due.organizerId,
      to: subscription.email,
      subject: email.subject,
    },
    email,
    log,
  );
}
