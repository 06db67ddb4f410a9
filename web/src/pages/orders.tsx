// My orders, newest first, with cancel.
import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { RequireUser } from '../components/layout';
import { Alert, Show, useLoad } from '../components/ui';
import { formatDateTime, formatMoney } from '../lib/format';
import { CancelOrder, cancellable, OrderStatus } from './order';

export function OrdersPage() {
  return (
    <RequireUser>
      <Orders />
    </RequireUser>
  );
}

function Orders() {
  const [cursor, setCursor] = useState<string>();
  const [load, reload] = useLoad(
    () => unwrap(api.GET('/v1/users/me/orders', { params: { query: { cursor, limit: 20 } } })),
    [cursor],
  );
  const [error, setError] = useState<string>();
  return (
    <section>
      <h1>My orders</h1>
      {error && <Alert>{error}</Alert>}
      <Show load={load}>
        {(page) =>
          page.items.length === 0 ? (
            <p>
              No orders yet. <a href="/">Find an event</a>.
            </p>
          ) : (
            <>
              <ul class="list">
                {page.items.map((order) => (
                  <li key={order.id} class="card row between">
                    <div>
                      <a href={`/orders/${order.id}`}>
                        <strong>{order.event.name}</strong>
                      </a>
                      <div class="muted small">
                        {formatDateTime(order.event.startsAt, order.event.timezone)} · {order.tickets.length}{' '}
                        ticket{order.tickets.length === 1 ? '' : 's'} ·{' '}
                        {formatMoney(order.total, order.currency)}
                      </div>
                    </div>
                    <div class="row">
                      <OrderStatus status={order.status} />
                      {order.status === 'confirmed' && cancellable(order) && (
                        <CancelOrder id={order.id} onDone={reload} onError={setError} />
                      )}
                    </div>
                  </li>
                ))}
              </ul>
              {page.nextCursor && (
                <button type="button" onClick={() => setCursor(page.nextCursor ?? undefined)}>
                  Older orders
                </button>
              )}
            </>
          )
        }
      </Show>
    </section>
  );
}
