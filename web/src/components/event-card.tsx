// One event in the search results: image, name, when (in the event's zone), where, price from, and seats left.
import { type paths, placeOf } from '../api/client';
import { formatDateTime, formatMoney } from '../lib/format';
import { Badge } from './ui';

export type CatalogueEvent =
  paths['/v1/events']['get']['responses'][200]['content']['application/json']['items'][number];

export function SeatsLeft({ remaining, status }: { remaining: number | null | undefined; status?: string }) {
  if (status === 'cancelled') return <Badge tone="bad">Cancelled</Badge>;
  if (remaining === undefined) return <span class="muted small">Checking seats…</span>;
  if (remaining === null) return <span class="muted small">Seats: unknown right now</span>;
  if (remaining === 0) return <Badge tone="bad">Sold out</Badge>;
  return <Badge tone={remaining <= 10 ? 'warn' : 'ok'}>{`${remaining} left`}</Badge>;
}

export function EventCard({
  event,
  remaining,
}: {
  event: CatalogueEvent;
  remaining: number | null | undefined;
}) {
  return (
    <article class="card event-card">
      {event.imageUrl ? (
        <img src={event.imageUrl} alt="" loading="lazy" width={320} height={180} />
      ) : (
        <div class="placeholder" aria-hidden="true">
          {event.type}
        </div>
      )}
      <div class="card-body">
        <h2>
          <a href={`/events/${event.id}`}>{event.name}</a>
        </h2>
        <p class="muted small">
          <time dateTime={event.startsAt}>{formatDateTime(event.startsAt, event.timezone)}</time>
          <br />
          {placeOf(event.location)}
        </p>
        <p class="row between">
          <span>from {formatMoney(event.priceFrom.price, event.priceFrom.currency)}</span>
          <SeatsLeft remaining={remaining} status={event.status} />
        </p>
      </div>
    </article>
  );
}
