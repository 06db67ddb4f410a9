// Organizer home: sales across my events (dashboard) and my events by status (drafts, on sale, cancelled).
import { useState } from 'preact/hooks';
import { api, placeOf, unwrap } from '../../api/client';
import { RequireUser } from '../../components/layout';
import { Badge, Show, useLoad } from '../../components/ui';
import { formatDateTime, formatMoney, formatPercent } from '../../lib/format';
import { Chart } from './chart';

export function OrganizerHomePage() {
  return (
    <RequireUser>
      <OrganizerHome />
    </RequireUser>
  );
}

const STATUSES = [
  { value: undefined, label: 'All' },
  { value: 'draft', label: 'Drafts' },
  { value: 'published', label: 'On sale' },
  { value: 'cancelled', label: 'Cancelled' },
] as const;

function OrganizerHome() {
  const [status, setStatus] = useState<'draft' | 'published' | 'cancelled' | undefined>();
  const [cursor, setCursor] = useState<string>();
  const [dashboard] = useLoad(() => unwrap(api.GET('/v1/organizer/dashboard')), []);
  const [events] = useLoad(
    () => unwrap(api.GET('/v1/organizer/events', { params: { query: { status, cursor, limit: 20 } } })),
    [status, cursor],
  );
  return (
    <section>
      <div class="row between">
        <h1>Organize</h1>
        <a class="button primary" href="/organizer/events/new">
          New event
        </a>
      </div>
      <Show load={dashboard}>
        {(data) => (
          <>
            <dl class="stats">
              <div>
                <dt>Tickets sold</dt>
                <dd>{data.tickets.sold}</dd>
              </div>
              <div>
                <dt>Orders</dt>
                <dd>{data.orders.confirmed}</dd>
              </div>
              <div>
                <dt>Cancelled orders</dt>
                <dd>{data.orders.cancelled}</dd>
              </div>
              <div>
                <dt>Events on sale</dt>
                <dd>{data.events.onSale}</dd>
              </div>
              {data.revenue.map((revenue) => (
                <div key={revenue.currency}>
                  <dt>Net revenue ({revenue.currency})</dt>
                  <dd>{formatMoney(revenue.net, revenue.currency)}</dd>
                </div>
              ))}
            </dl>
            {data.upcoming.length > 0 && (
              <Chart
                caption="Fill rate of my upcoming events"
                bars
                categories={data.upcoming.map((event) => event.name)}
                data={[
                  data.upcoming.map((_, index) => index),
                  data.upcoming.map((event) => event.fillRate * 100),
                ]}
                series={[{ label: 'Fill rate (%)', stroke: '#5b21b6', fill: '#c4b5fd' }]}
                table={
                  <table class="data">
                    <thead>
                      <tr>
                        <th scope="col">Event</th>
                        <th scope="col">Sold</th>
                        <th scope="col">Remaining</th>
                        <th scope="col">Fill rate</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.upcoming.map((event) => (
                        <tr key={event.id}>
                          <td>{event.name}</td>
                          <td>{event.sold}</td>
                          <td>{event.remaining}</td>
                          <td>{formatPercent(event.fillRate)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                }
              />
            )}
          </>
        )}
      </Show>
      <h2>My events</h2>
      <div role="tablist" aria-label="Status" class="tabs">
        {STATUSES.map((item) => (
          <button
            key={item.label}
            type="button"
            role="tab"
            aria-selected={status === item.value}
            class={status === item.value ? 'tab active' : 'tab'}
            onClick={() => {
              setStatus(item.value);
              setCursor(undefined);
            }}
          >
            {item.label}
          </button>
        ))}
      </div>
      <Show load={events}>
        {(page) =>
          page.items.length === 0 ? (
            <p>No events here yet.</p>
          ) : (
            <>
              <ul class="list">
                {page.items.map((event) => (
                  <li key={event.id} class="card row between">
                    <div>
                      <a href={`/organizer/events/${event.id}`}>
                        <strong>{event.name}</strong>
                      </a>
                      <div class="muted small">
                        {formatDateTime(event.startsAt, event.timezone)} · {placeOf(event.location)}
                        {event.sold !== null && ` · ${event.sold} sold of ${event.capacity}`}
                      </div>
                    </div>
                    <div class="row">
                      <StatusBadge status={event.status} />
                      <a href={`/organizer/events/${event.id}/edit`}>Edit</a>
                    </div>
                  </li>
                ))}
              </ul>
              {page.nextCursor && (
                <button type="button" onClick={() => setCursor(page.nextCursor ?? undefined)}>
                  More events
                </button>
              )}
            </>
          )
        }
      </Show>
    </section>
  );
}

export function StatusBadge({ status }: { status: 'draft' | 'published' | 'cancelled' }) {
  if (status === 'published') return <Badge tone="ok">On sale</Badge>;
  if (status === 'cancelled') return <Badge tone="bad">Cancelled</Badge>;
  return <Badge tone="neutral">Draft</Badge>;
}
