// Consumes the catalogue's EventCancelled: cancels and refunds every order of the event, in batches, each
// announcing OrderCancelled (so notifications emails every holder). Safe to run twice: cancelled orders are skipped.
import { CatalogueMessageTypes } from '../../events/contracts/catalogue';
import { sqsConsumer } from '../../layers/common/consumer';
import { realDeps } from './deps';
import type { TicketsDeps } from './model';
import { settleRefund } from './refunds';

export function makeHandler(deps: TicketsDeps) {
  return sqsConsumer('tickets', async ({ envelope, log }) => {
    const contract = CatalogueMessageTypes.EventCancelled;
    if (envelope.type !== contract.type) {
      log.info('message ignored', { type: envelope.type });
      return;
    }
    if (envelope.version !== contract.version)
      throw new Error(`unsupported ${envelope.type} version ${envelope.version}`);
    const { eventId } = contract.schema.parse(envelope.data);
    let cancelled = 0;
    for (;;) {
      const batch = await deps.cancellations.cancelOrdersOfEvent(eventId, envelope.correlationId);
      if (batch.cancelled === 0) break;
      cancelled += batch.cancelled;
      await deps.snapshots.changed([eventId]);
      // A refund the provider does not answer now stays pending; the holds sweep asks again.
      for (const refund of batch.refunds) await settleRefund(deps, refund);
      await deps.relay();
    }
    await deps.cancellations.markProcessed('tickets-event-cancelled', envelope.id);
    log.info('orders of cancelled event cancelled', { event_id: eventId, orders: cancelled });
  });
}

export const handler = makeHandler(realDeps());
