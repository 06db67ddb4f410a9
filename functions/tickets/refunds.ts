// Asking the provider for a refund the database already recorded as pending. A refund the provider does not answer
// stays pending and the holds sweep asks again (the refund's idempotency key makes asking twice harmless).
import type { TicketsDeps } from './model';

export async function settleRefund(
  deps: Pick<TicketsDeps, 'payments' | 'warn' | 'count'>,
  refund: { orderId: string; paymentId: string; amount: number; key: string },
): Promise<boolean> {
  try {
    const provider = await deps.payments.provider();
    const result = await provider.refund(refund.paymentId, refund.amount, refund.key);
    await deps.payments.store.recordRefund(refund.orderId, result);
    return true;
  } catch (error) {
    deps.warn('refund not settled yet', { order_id: refund.orderId, reason: (error as Error).message });
    return false;
  }
}
