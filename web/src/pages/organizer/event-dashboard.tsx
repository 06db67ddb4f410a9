// One event's dashboard: sales over time (per hour or day, in the event's zone), each tier sold vs remaining,
// revenue per currency, fill rate and cancellations, and at the door, who has been admitted so far.

import { useMemo, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, type paths, unwrap } from '../../api/client';
import { RequireUser } from '../../components/layout';
import { Show, useLoad } from '../../components/ui';
import { formatDateTime, formatMoney, formatPercent } from '../../lib/format';
import { Chart } from './chart';
import { AdmittedSoFar } from './check-in';

export function EventDashboardPage() {
  return (
    <RequireUser>
      <EventDashboard />
    </RequireUser>
  );
}

function EventDashboard() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const [interval, setBucket] = useState<'hour' | 'day'>('hour');
  const [load, reload] = useLoad(
    () =>
      unwrap(api.GET('/v1/organizer/events/{id}/metrics', { params: { path: { id }, query: { interval } } })),
    [id, interval],
  );
  return (
    <section>
      <Show load={load}>
        {(metrics) => (
          <>
            <div class="row between">
              <h1>{metrics.event.name}</h1>
              <div class="row">
                <a href={`/organizer/events/${id}/attendees`}>Attendees</a>
                <a href={`/organizer/events/${id}/check-in`}>Check-in</a>
                <a href={`/organizer/events/${id}/edit`}>Edit</a>
                <button type="button" onClick={reload}>
                  Refresh
                </button>
              </div>
            </div>
            <p class="muted">
              {formatDateTime(metrics.event.startsAt, metrics.event.timezone)} · {metrics.event.place} ·
              figures as of {formatDateTime(metrics.generatedAt, metrics.event.timezone)}
            </p>
            <AdmittedSoFar id={id} />
            <dl class="stats">
              <div>
                <dt>Tickets sold</dt>
                <dd data-testid="sold">{metrics.sold}</dd>
              </div>
              <div>
                <dt>Remaining</dt>
                <dd>{metrics.remaining}</dd>
              </div>
              <div>
                <dt>Fill rate</dt>
                <dd>{formatPercent(metrics.utilisation)}</dd>
              </div>
              <div>
                <dt>Cancelled orders</dt>
                <dd>{metrics.orders.cancelled}</dd>
              </div>
              {metrics.revenue.map((revenue) => (
                <div key={revenue.currency}>
                  <dt>Net revenue ({revenue.currency})</dt>
                  <dd>{formatMoney(revenue.net, revenue.currency)}</dd>
                </div>
              ))}
            </dl>
            <div class="row">
              <label>
                Interval{' '}
                <select
                  value={interval}
                  onChange={(change) => setBucket(change.currentTarget.value as 'hour' | 'day')}
                >
                  <option value="hour">Per hour</option>
                  <option value="day">Per day</option>
                </select>
              </label>
            </div>
            <SalesChart metrics={metrics} />
            <TierChart metrics={metrics} />
            <table class="data">
              <caption>Revenue per currency</caption>
              <thead>
                <tr>
                  <th scope="col">Currency</th>
                  <th scope="col">Gross</th>
                  <th scope="col">Refunds</th>
                  <th scope="col">Net</th>
                </tr>
              </thead>
              <tbody>
                {metrics.revenue.map((revenue) => (
                  <tr key={revenue.currency}>
                    <td>{revenue.currency}</td>
                    <td>{formatMoney(revenue.gross, revenue.currency)}</td>
                    <td>{formatMoney(revenue.refunds, revenue.currency)}</td>
                    <td>{formatMoney(revenue.net, revenue.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Show>
    </section>
  );
}

type Metrics =
  paths['/v1/organizer/events/{id}/metrics']['get']['responses'][200]['content']['application/json'];

function SalesChart({ metrics }: { metrics: Metrics }) {
  const data = useMemo(
    () =>
      [
        metrics.series.map((bucket) => Date.parse(bucket.start) / 1000),
        metrics.series.map((bucket) => bucket.tickets),
        metrics.series.map((bucket) => bucket.cancelledTickets),
      ] as [number[], number[], number[]],
    [metrics],
  );
  const range = useMemo(
    (): [number, number] => [Date.parse(metrics.window.from) / 1000, Date.parse(metrics.window.to) / 1000],
    [metrics],
  );
  const series = useMemo(
    () => [
      { label: 'Tickets sold', stroke: '#5b21b6', fill: 'rgba(91,33,182,0.15)' },
      { label: 'Tickets cancelled', stroke: '#b91c1c' },
    ],
    [],
  );
  return (
    <Chart
      caption={`Sales per ${metrics.window.interval} (${metrics.window.timezone})`}
      data={data}
      series={series}
      timeZone={metrics.window.timezone}
      xRange={range}
      table={
        <table class="data">
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">Orders</th>
              <th scope="col">Tickets</th>
              <th scope="col">Cancelled tickets</th>
            </tr>
          </thead>
          <tbody>
            {metrics.series
              .filter((bucket) => bucket.orders > 0 || bucket.cancelledOrders > 0)
              .map((bucket) => (
                <tr key={bucket.start}>
                  <td>{formatDateTime(bucket.start, metrics.event.timezone)}</td>
                  <td>{bucket.orders}</td>
                  <td>{bucket.tickets}</td>
                  <td>{bucket.cancelledTickets}</td>
                </tr>
              ))}
          </tbody>
        </table>
      }
    />
  );
}

function TierChart({ metrics }: { metrics: Metrics }) {
  const data = useMemo(
    () =>
      [
        metrics.tiers.map((_, index) => index),
        metrics.tiers.map((tier) => tier.sold),
        metrics.tiers.map((tier) => tier.remaining),
      ] as [number[], number[], number[]],
    [metrics],
  );
  const categories = useMemo(() => metrics.tiers.map((tier) => tier.name), [metrics]);
  const series = useMemo(
    () => [
      { label: 'Sold', stroke: '#5b21b6', fill: '#7c3aed', align: -1 as const },
      { label: 'Remaining', stroke: '#0f766e', fill: '#99f6e4', align: 1 as const },
    ],
    [],
  );
  return (
    <Chart
      caption="Each tier: sold and remaining"
      bars
      categories={categories}
      data={data}
      series={series}
      table={
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Tier</th>
              <th scope="col">Price</th>
              <th scope="col">Sold</th>
              <th scope="col">Remaining</th>
            </tr>
          </thead>
          <tbody>
            {metrics.tiers.map((tier) => (
              <tr key={tier.tierId}>
                <td>{tier.name}</td>
                <td>{formatMoney(tier.price, tier.currency)}</td>
                <td>{tier.sold}</td>
                <td>{tier.remaining}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
