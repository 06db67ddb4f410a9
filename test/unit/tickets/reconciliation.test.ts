// Which of the provider's succeeded payments reconciliation must act on, and the event it hands to the webhook's code.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type PaymentEvent, paymentEventOf } from '../../../functions/tickets/payments';
import { missedSuccess, orderIdsOf, paymentCheck } from '../../../functions/tickets/reconciliation';

const orderId = randomUUID();
const payment = { paymentId: 'pi_1', orderId, amount: 4500, currency: 'EUR' };

describe('paymentCheck', () => {
  it('leaves a payment its order took, and repairs one its order never saw or did not take', () => {
    expect(paymentCheck(payment, { id: orderId, paymentId: 'pi_1', paid: true })).toBe('settled');
    expect(paymentCheck(payment, { id: orderId, paymentId: 'pi_1', paid: false })).toBe('repair');
    expect(paymentCheck(payment, { id: orderId, paymentId: null, paid: false })).toBe('repair');
    expect(paymentCheck(payment, { id: orderId, paymentId: 'pi_other', paid: true })).toBe('repair');
  });

  it('cannot repair a payment that names no order of ours', () => {
    expect(paymentCheck(payment, undefined)).toBe('unknown-order');
  });
});

describe('orderIdsOf', () => {
  it('keeps each order id once, and only ids that can be ours', () => {
    expect(
      orderIdsOf([
        payment,
        { ...payment, paymentId: 'pi_2' },
        { ...payment, orderId: 'x' },
        { ...payment, orderId: undefined },
      ]),
    ).toEqual([orderId]);
  });
});

describe('missedSuccess', () => {
  it('is the succeeded event the webhook would have had, with an id fixed by the payment', () => {
    const event = missedSuccess(payment);
    const webhook = paymentEventOf({
      id: 'evt_1',
      type: 'payment_intent.succeeded',
      data: {
        object: { id: 'pi_1', amount: 4500, amount_received: 4500, currency: 'eur', metadata: { orderId } },
      },
    }) as Extract<PaymentEvent, { kind: 'succeeded' }>;
    expect(event).toMatchObject({ kind: 'succeeded', payment: webhook.payment });
    expect(missedSuccess({ ...payment }).eventId).toBe(event.eventId);
    expect(missedSuccess({ ...payment, paymentId: 'pi_2' }).eventId).not.toBe(event.eventId);
  });
});
