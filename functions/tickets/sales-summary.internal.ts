// tickets.salesSummary: one organizer's sales, refunds and check-ins in a window, for notifications' daily summary.
import { salesSummaryRequest } from '../../events/contracts/sales-summary';
import { getPool, type pg } from '../../layers/common/db';
import { internalHandler } from '../../layers/common/internal';
import { readSalesSummary } from './sales-summary.store';

export function makeHandler(pool: () => Promise<pg.Pool>) {
  return internalHandler('tickets', salesSummaryRequest, async (request) => ({
    events: await readSalesSummary(await pool(), request),
  }));
}

export const handler = makeHandler(() => getPool('tickets'));
