// GET /v1/events/{id}/availability: remaining tickets per tier of an event that has inventory.
import { NotFoundError } from '../../layers/common/errors';
import { httpHandler, ok } from '../../layers/common/http';
import { realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.availability, async ({ params }) => {
    const [availability] = await deps.inventory.readAvailability([params.id]);
    if (!availability) throw new NotFoundError('This event is not on sale.');
    return ok(availability, { 'cache-control': 'no-store' });
  });
}

export const handler = makeHandler(realDeps());
