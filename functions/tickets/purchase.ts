// POST /v1/events/{id}/orders: buy tickets, exactly once per Idempotency-Key.
import { TICKET_EVENTS_TOPIC } from '../../events/contracts/tickets';
import {
  accountDeleted,
  ConflictError,
  PROBLEM_CONTENT_TYPE,
  ValidationError,
} from '../../layers/common/errors';
import { type HttpResult, httpHandler } from '../../layers/common/http';
import { retryPolicy } from '../../layers/common/resilience';
import { withPayment } from './checkout';
import { buyerOf, realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';
import { type PurchaseOutcome, purchase } from './purchasing';
import { idempotencyKeyInUse, idempotencyKeyReused, PRIVATE } from './respond';
import type { Order } from './schemas';

// Serialization failures, deadlocks and dropped connections are retried; the key makes a retry safe.
const retry = retryPolicy({ maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 400 });

const NOT_ON_SALE = {
  'not-published': 'is not on sale (it may be a draft)',
  cancelled: 'was cancelled',
  started: 'has already started',
} as const;
const REFUSED = {
  'sold-out': 'Not enough tickets left for this order.',
  'seats-contended':
    'Many buyers are taking the last seats of this tier at once; retry with the same Idempotency-Key.',
} as const;

/**
 * The one place a purchase's outcome becomes HTTP. A refusal changes nothing and is answered, not stored. A sale is
 * answered with the order as it stands (with its payment when it awaits one).
 */
function answer(outcome: PurchaseOutcome, eventId: string, order?: Order): HttpResult {
  const replayed = { 'idempotent-replayed': String(outcome.kind === 'replayed') };
  switch (outcome.kind) {
    case 'sold':
    case 'replayed':
      return {
        statusCode: 201,
        body: order ?? outcome.order,
        headers: { ...replayed, ...PRIVATE, location: `/v1/orders/${outcome.order.id}` },
      };
    case 'not-on-sale':
    case 'refused': {
      const error =
        outcome.kind === 'not-on-sale'
          ? new ConflictError(`This event ${NOT_ON_SALE[outcome.why]}.`, 'not-on-sale')
          : new ConflictError(REFUSED[outcome.reason], outcome.reason, { remaining: outcome.remaining });
      return {
        statusCode: error.status,
        body: error.toProblem(`/v1/events/${eventId}/orders`),
        headers: { ...replayed, 'content-type': PROBLEM_CONTENT_TYPE },
      };
    }
    case 'unknown-tier':
      throw new ValidationError([
        { in: 'body', field: `items.${outcome.index}.tierId`, message: 'This event has no such ticket tier' },
      ]);
    case 'key-in-use':
      throw idempotencyKeyInUse();
    case 'key-reused':
      throw idempotencyKeyReused();
    case 'account-deleted':
      throw accountDeleted();
  }
}

export function makeHandler(deps: TicketsDeps) {
  return httpHandler(
    'tickets',
    tickets.routes.purchase,
    async ({ params, body, declaredHeaders, caller, correlationId }) => {
      const buyer = buyerOf(caller);
      const input = {
        buyer,
        eventId: params.id,
        request: body,
        idempotencyKey: declaredHeaders['Idempotency-Key'],
        correlationId,
      };
      const outcome = await retry.execute(() =>
        purchase(deps.purchases, input, {
          now: deps.now(),
          newId: deps.newId,
          signTickets: deps.signTickets,
        }),
      );
      // Seats taken (sold, or held for payment) show on the next page read; refusals changed nothing. The snapshot is
      // outdated while the message leaves (or the payment is made ready), not after.
      // (changed() never rejects; the catch keeps a future one from crashing the runtime while a publish fails.)
      const outdated =
        outcome.kind === 'sold' ? deps.snapshots.changed([params.id]).catch(() => undefined) : undefined;
      if (outcome.kind === 'sold' && outcome.message) {
        // The TicketPurchased message leaves now; the buyer waits for it only where Lambda freezes after the answer.
        await deps.publish({ topic: TICKET_EVENTS_TOPIC }, [outcome.message]);
        deps.count('TicketsSold', outcome.seats);
      }
      if (outcome.kind === 'not-on-sale' || outcome.kind === 'refused') deps.count('OrdersRefused');
      const sold = outcome.kind === 'sold' || outcome.kind === 'replayed';
      const order = sold
        ? await withPayment(deps, outcome.order, buyer, { created: outcome.kind === 'sold' })
        : undefined;
      await outdated;
      return answer(outcome, params.id, order);
    },
  );
}

export const handler = makeHandler(realDeps());
