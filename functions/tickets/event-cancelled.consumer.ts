// Consumes the catalogue's EventCancelled: cancels and refunds every order of the event, in batches, each
// announcing OrderCancelled (so notifications emails every holder). Safe to run twice: cancelled orders are skipped.
import { CatalogueMessageTypes } from '../../events/contracts/catalogue';
import { sqsConsumer } from '../../layers/common/consumer';
import { getPool, withTransaction } from '../../layers/common/db';
import { markProcessed } from '../../layers/common/outbox';
import { relayNow } from '../../layers/common/outbox-relay';
import { cancelOrdersOfEvent } from './orders.store';

export const handler = sqsConsumer('tickets', async ({ envelope, log }) => {
  const contract = CatalogueMessageTypes.EventCancelled;
  if (envelope.type !== contract.type) {
    log.info('message ignored', { type: envelope.type });
    return;
  }
  if (envelope.version !== contract.version)
    throw new Error(`unsupported ${envelope.type} version ${envelope.version}`);
  const { eventId } = contract.schema.parse(envelope.data);
  const pool = await getPool('tickets');
  let cancelled = 0;
  for (;;) {
    const batch = await cancelOrdersOfEvent(pool, eventId, envelope.correlationId);
    cancelled += batch;
    if (batch > 0) await relayNow('tickets');
    if (batch === 0) break;
  }
  await withTransaction(pool, (client) => markProcessed(client, 'tickets-event-cancelled', envelope.id));
  log.info('orders of cancelled event cancelled', { event_id: eventId, orders: cancelled });
});
