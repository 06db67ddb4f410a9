// GET /v1/events/{id}/availability: remaining tickets per tier of an event that has inventory.
import { getPool } from '../../layers/common/db';
import { NotFoundError } from '../../layers/common/errors';
import { httpHandler, ok } from '../../layers/common/http';
import { readAvailability } from './inventory.store';
import { tickets } from './manifest';

export const handler = httpHandler('tickets', tickets.routes.availability, async ({ params }) => {
  const [availability] = await readAvailability(await getPool('tickets'), [params.id]);
  if (!availability) throw new NotFoundError('This event is not on sale.');
  return ok(availability, { 'cache-control': 'no-store' });
});
