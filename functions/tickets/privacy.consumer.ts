// Consumes the data-subject requests: AccountDeleted anonymises the person's orders (kept for the organizers'
// accounting); DataExportRequested writes their orders and tickets as the tickets part of their export.
import { PrivacyMessageTypes } from '../../events/contracts/privacy';
import { sqsConsumer } from '../../layers/common/consumer';
import { getPool } from '../../layers/common/db';
import { deliverExportPart } from '../../layers/common/export-part';
import { contractData } from '../../layers/common/message-contract';
import { s3PrivateFiles } from '../../layers/common/private-files';
import { anonymiseBuyer, ordersOfUser } from './privacy.store';

/** The name under which this consumer records the messages it has processed. */
export const CONSUMER = 'tickets-privacy';
const files = s3PrivateFiles();

export const handler = sqsConsumer('tickets', async ({ envelope, log }) => {
  const deleted = contractData(envelope, PrivacyMessageTypes.AccountDeleted);
  if (deleted) {
    const result = await anonymiseBuyer(await getPool('tickets'), CONSUMER, envelope.id, deleted.userId);
    log.info(result ? 'orders of a deleted account anonymised' : 'account deletion already processed', {
      user_id: deleted.userId,
      orders: result ? result.orders : undefined,
    });
    return;
  }
  const request = contractData(envelope, PrivacyMessageTypes.DataExportRequested);
  if (request) {
    const orders = await ordersOfUser(await getPool('tickets'), request.userId);
    // The tickets ride inside their orders, as the API shows them; listed once more on their own for readers.
    const tickets = orders.flatMap((order) =>
      order.tickets.map((ticket) => ({ ...ticket, orderId: order.id, event: order.event })),
    );
    await deliverExportPart(
      { files },
      'tickets',
      request,
      'tickets',
      { orders, tickets },
      envelope.correlationId,
    );
    log.info('tickets part of an export written', { export_id: request.exportId, orders: orders.length });
  }
});
