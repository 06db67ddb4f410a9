// Consumes ticket-events: each TicketPurchased keeps the holding and emails its confirmation, each OrderCancelled
// marks it cancelled and emails the cancellation (the "event cancelled" variant when the organizer cancelled).
// Throwing fails the record: it is redelivered and, after the queue's maxReceiveCount, lands in the DLQ.
import type * as z from 'zod';
import { TicketMessageTypes } from '../../events/contracts/tickets';
import { PoisonMessageError, sqsConsumer } from '../../layers/common/consumer';
import type { Envelope } from '../../layers/common/messages';
import { countMetric } from '../../layers/common/metrics';
import { failedBeforeSending, onOrderCancelled, onTicketPurchased, type SendDeps } from './notifications';
import { sendDeps } from './send.deps';

/** The contract's data, or a PoisonMessageError naming where it breaks the contract. */
export function dataOf<S extends z.ZodType>(
  envelope: Envelope,
  contract: { type: string; version: number; schema: S },
): z.output<S> {
  if (envelope.version !== contract.version)
    throw new PoisonMessageError(`${contract.type} version ${envelope.version} is not supported`);
  const result = contract.schema.safeParse(envelope.data);
  if (!result.success) {
    const where = result.error.issues.map((issue) => issue.path.join('.') || '(data)').join(', ');
    throw new PoisonMessageError(`${contract.type} data breaks the contract at ${where}`);
  }
  return result.data;
}

export function makeHandler(deps: () => SendDeps) {
  return sqsConsumer(
    'notifications',
    async ({ envelope, log, signal }) => {
      const { TicketPurchased, OrderCancelled } = TicketMessageTypes;
      const occurredAt = new Date(envelope.occurredAt);
      if (envelope.type === TicketPurchased.type) {
        const order = dataOf(envelope, TicketPurchased);
        const outcome = await onTicketPurchased({ ...deps(), signal }, order, occurredAt, log);
        if (outcome === 'sent') countMetric('notifications', 'EmailsSent');
        log.info('purchase handled', { order_id: order.orderId, outcome });
      } else if (envelope.type === OrderCancelled.type) {
        const order = dataOf(envelope, OrderCancelled);
        const outcome = await onOrderCancelled({ ...deps(), signal }, order, occurredAt, log);
        if (outcome === 'sent') countMetric('notifications', 'EmailsSent');
        log.info('cancellation handled', { order_id: order.orderId, reason: order.reason, outcome });
      } else {
        log.info('message ignored: not a type this consumer handles');
      }
    },
    { retrySoon: failedBeforeSending },
  );
}

export const handler = makeHandler(sendDeps);
