// Request and response schemas of the tickets service.
import * as z from 'zod';
import { pageQuery } from '../../layers/common/pagination';

export const MAX_TICKETS_PER_ORDER = 10;

export const eventParams = z.object({ id: z.uuid() });
export const orderParams = z.object({ id: z.uuid() });

export const purchaseRequest = z
  .object({
    items: z
      .array(z.object({ tierId: z.uuid(), quantity: z.number().int().min(1).max(MAX_TICKETS_PER_ORDER) }))
      .min(1)
      .max(20),
  })
  .superRefine((body, ctx) => {
    const total = body.items.reduce((sum, item) => sum + item.quantity, 0);
    if (total > MAX_TICKETS_PER_ORDER) {
      ctx.addIssue({
        code: 'custom',
        path: ['items'],
        message: `At most ${MAX_TICKETS_PER_ORDER} tickets per order`,
      });
    }
    const ids = body.items.map((item) => item.tierId);
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({ code: 'custom', path: ['items'], message: 'List each tier once, with its quantity' });
    }
  });
export type PurchaseRequest = z.infer<typeof purchaseRequest>;

/** Idempotency-Key: opaque, client-generated (a UUID is ideal). */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;
const IDEMPOTENCY_KEY_RULE = 'Required: 8 to 100 characters of A-Z a-z 0-9 . _ : - (a UUID is ideal)';

export const purchaseHeaders = z.object({
  'Idempotency-Key': z
    .string({ error: IDEMPOTENCY_KEY_RULE })
    .regex(IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_RULE)
    .describe(
      'Makes the purchase safe to retry: a retry with the same key replays the order it created (for at least 24 hours).',
    ),
});

const money = z.number().int().describe('In minor units of the currency (cents for EUR): 2500 is 25.00');
export const ticket = z.object({
  id: z.uuid(),
  tierId: z.uuid(),
  tierName: z.string(),
  code: z.string(),
  status: z.enum(['valid', 'void']),
});
export const eventSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  timezone: z.string(),
  place: z.string(),
});

export const ORDER_STATUSES = ['awaiting_payment', 'confirmed', 'cancelled', 'expired'] as const;

/** What a client needs to pay an order awaiting payment. */
export const payment = z.object({
  provider: z
    .enum(['stripe', 'test-mode'])
    .describe("`stripe`: Stripe's hosted checkout; `test-mode`: the local test-mode page that plays it"),
  paymentId: z.string().describe('The Stripe Checkout Session (`cs_…`) or Payment Intent (`pi_…`) id'),
  clientSecret: z
    .string()
    .nullable()
    .describe(
      "A Payment Intent's client secret, for Stripe.js; null when the order is paid at `checkoutUrl`",
    ),
  checkoutUrl: z
    .string()
    .nullable()
    .describe(
      'The page where the buyer pays (Stripe Checkout, or the local test-mode page); it returns to the order',
    ),
});

export const refund = z.object({
  amount: money,
  status: z.enum(['pending', 'succeeded', 'failed']).describe('As the payment provider reports it'),
});

export const order = z.object({
  id: z.uuid(),
  status: z
    .enum(ORDER_STATUSES)
    .describe(
      '`awaiting_payment`: seats held until `expiresAt`, confirmed by the payment; `confirmed`: paid (or free), with ' +
        'its tickets; `cancelled`; `expired`: the hold ran out or the payment failed, and the seats went back on sale',
    ),
  expiresAt: z.string().nullable().describe('When the seats of an order awaiting payment go back on sale'),
  payment: payment.nullable(),
  event: eventSummary,
  items: z.array(
    z.object({ tierId: z.uuid(), tierName: z.string(), quantity: z.number().int(), unitPrice: money }),
  ),
  total: money,
  currency: z.string(),
  refundableUntil: z
    .string()
    .nullable()
    .describe(
      "Until when cancelling this paid order refunds it (the event's refund policy when it was bought, counted back " +
        'from the start); after it the buyer can no longer cancel it. Null: the policy gives no refunds, or nothing is paid',
    ),
  refund: refund.nullable(),
  tickets: z.array(ticket),
  createdAt: z.string(),
  cancelledAt: z.string().nullable(),
});
export type Order = z.infer<typeof order>;

export const listQuery = z.object(pageQuery);
export const historyQuery = z.object({
  ...pageQuery,
  when: z.enum(['upcoming', 'past']).default('upcoming'),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const ticketWithEvent = ticket.extend({ orderId: z.uuid(), event: eventSummary });
export const historyEntry = eventSummary.extend({ tickets: z.number().int(), orders: z.array(z.uuid()) });

export const soldOutProblem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.literal(409),
  detail: z.string(),
  remaining: z.array(z.object({ tierId: z.uuid(), remaining: z.number().int() })),
});

export const paymentWebhookHeaders = z.object({
  'Stripe-Signature': z
    .string({ error: 'Required: the signature Stripe sends with every webhook' })
    .min(1)
    .describe("Stripe's signature of the raw body (t=…,v1=…)"),
});

export const webhookAnswer = z.object({
  received: z.literal(true),
  outcome: z
    .string()
    .describe(
      'What the event did: confirmed, confirmed-late, refunded, released, unchanged, duplicate, ignored…',
    ),
});
