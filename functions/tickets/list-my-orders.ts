// GET /v1/users/me/orders: the caller's orders, newest first.
import { getPool } from '../../layers/common/db';
import { httpHandler, ok } from '../../layers/common/http';
import { listOrders } from './history.store';
import { tickets } from './manifest';

export const handler = httpHandler('tickets', tickets.routes.myOrders, async ({ query, caller }) =>
  ok(await listOrders(await getPool('tickets'), caller.userId, query.limit, query.cursor)),
);
