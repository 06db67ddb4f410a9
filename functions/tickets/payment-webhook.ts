// POST /v1/payments/webhook: the payment provider's events (Stripe's, or the local test-mode page's in the same
// format). The raw body's signature is checked by the SDK; each event is handled once; money that came for an order
// that cannot use it is refunded after the change committed.
import { BadRequestError } from '../../layers/common/errors';
import { httpHandler, ok } from '../../layers/common/http';
import { retryPolicy } from '../../layers/common/resilience';
import { realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';
import { paymentEventOf } from './payments';
import { verifyWebhook } from './payments.provider';
import { settleRefund } from './refunds';

const retry = retryPolicy();

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.paymentWebhook, async ({ event, headers, correlationId }) => {
    const raw = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    let verified: ReturnType<typeof verifyWebhook>;
    try {
      verified = verifyWebhook(raw, headers['stripe-signature'] ?? '', await deps.payments.webhookSecret());
    } catch (error) {
      deps.warn('payment webhook refused', { reason: (error as Error).message });
      throw new BadRequestError('The Stripe-Signature header does not verify this body.', 'bad-signature');
    }
    const paymentEvent = paymentEventOf(verified);
    const handled = await retry.execute(() =>
      deps.payments.store.handleEvent(
        paymentEvent,
        { newId: deps.newId, signTickets: deps.signTickets },
        correlationId,
      ),
    );
    if (handled.outcome === 'confirmed' || handled.outcome === 'confirmed-late') {
      deps.count('TicketsSold', handled.seats ?? 0);
    }
    if (handled.seatsChanged) await deps.snapshots.changed([handled.seatsChanged]);
    if (handled.refund) await settleRefund(deps, handled.refund);
    await deps.relay();
    return ok({ received: true, outcome: handled.outcome });
  });
}

export const handler = makeHandler(realDeps());
