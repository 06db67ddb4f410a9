// Which provider events move an order, and what they say was paid: Stripe Checkout Sessions (real Stripe) and Payment
// Intents (the local test-mode page) alike.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { paymentEventOf } from '../../../functions/tickets/payments';

const orderId = randomUUID();
const session = (overrides: Record<string, unknown> = {}) => ({
  id: 'cs_test_a1',
  object: 'checkout.session',
  amount_total: 4500,
  currency: 'eur',
  payment_status: 'paid',
  payment_intent: 'pi_1',
  metadata: { orderId },
  ...overrides,
});
const event = (type: string, object: unknown) => ({ id: `evt_${randomUUID()}`, type, data: { object } });

describe('provider events', () => {
  it('a completed and paid Checkout Session pays its order the session total', () => {
    expect(paymentEventOf(event('checkout.session.completed', session()))).toMatchObject({
      kind: 'succeeded',
      payment: { paymentId: 'cs_test_a1', orderId, amount: 4500, currency: 'EUR' },
    });
  });

  it('a session completed by a delayed method pays nothing until its async payment succeeds', () => {
    const pending = session({ payment_status: 'unpaid' });
    expect(paymentEventOf(event('checkout.session.completed', pending)).kind).toBe('ignored');
    expect(paymentEventOf(event('checkout.session.async_payment_succeeded', session())).kind).toBe(
      'succeeded',
    );
    expect(paymentEventOf(event('checkout.session.async_payment_failed', pending)).kind).toBe('failed');
  });

  it('an expired session releases its hold', () => {
    expect(
      paymentEventOf(event('checkout.session.expired', session({ payment_status: 'unpaid' }))),
    ).toMatchObject({ kind: 'failed', payment: { paymentId: 'cs_test_a1', orderId } });
  });

  it('a Payment Intent pays what it received', () => {
    const intent = {
      id: 'pi_2',
      object: 'payment_intent',
      amount: 4500,
      amount_received: 4000,
      currency: 'eur',
      metadata: { orderId },
    };
    expect(paymentEventOf(event('payment_intent.succeeded', intent))).toMatchObject({
      kind: 'succeeded',
      payment: { paymentId: 'pi_2', amount: 4000 },
    });
  });

  it('any other event is acknowledged and ignored', () => {
    expect(paymentEventOf(event('charge.refunded', { id: 'ch_1' })).kind).toBe('ignored');
  });
});
