// The event page: images, description, when and where (in the event's zone), tiers with seats left (refreshed while
// the page is open) and a quantity per tier; "Buy" goes to checkout with the chosen tickets.

import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, unwrap } from '../api/client';
import { SeatsLeft } from '../components/event-card';
import { Alert, Badge, Show, useLoad } from '../components/ui';
import { formatMoney, formatRange } from '../lib/format';
import { mostOf, ticketChoice } from '../lib/purchase';

const LIVE_SECONDS = 15;

export function EventPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const id = params.id ?? '';
  const [load] = useLoad(() => unwrap(api.GET('/v1/events/{id}', { params: { path: { id } } })), [id]);
  const live = useLiveAvailability(id);
  const [quantities, setQuantities] = useState<Record<string, number>>({});

  return (
    <Show load={load}>
      {(event) => {
        const tiers = event.ticketTiers.map((tier) => ({
          ...tier,
          remaining: live?.[tier.id] ?? tier.remaining,
        }));
        const { items, lowered } = ticketChoice(tiers, quantities);
        const quantityOf = (tierId: string) => items.find((item) => item.tierId === tierId)?.quantity ?? 0;
        const chosen = tiers.filter((tier) => quantityOf(tier.id) > 0);
        const currency = chosen[0]?.currency;
        const total = chosen.reduce((sum, tier) => sum + tier.price * quantityOf(tier.id), 0);
        const totalLeft = tiers.every((tier) => tier.remaining !== null)
          ? tiers.reduce((sum, tier) => sum + (tier.remaining ?? 0), 0)
          : null;
        const cancelled = event.status === 'cancelled';
        // Every tier taken: nothing to choose, so the box says so instead of offering empty choices.
        const soldOut = !cancelled && totalLeft === 0;
        return (
          <article class="event-page">
            <header>
              <p class="muted">
                <Badge tone="neutral">{event.type}</Badge>{' '}
                {event.tags.map((tag) => (
                  <a key={tag} class="tag" href={`/?tag=${encodeURIComponent(tag)}`}>
                    #{tag}
                  </a>
                ))}
              </p>
              <h1>{event.name}</h1>
              <p>
                <time dateTime={event.startsAt}>
                  {formatRange(event.startsAt, event.endsAt, event.timezone)}
                </time>
                <span class="muted"> ({event.timezone})</span>
              </p>
              <p>
                {'onlineUrl' in event.location ? (
                  <>
                    Online:{' '}
                    <a href={event.location.onlineUrl} rel="noopener noreferrer" target="_blank">
                      {event.location.onlineUrl}
                    </a>
                  </>
                ) : (
                  <>
                    {event.location.venue}, {event.location.address}, {event.location.city},{' '}
                    {event.location.country}
                  </>
                )}
              </p>
              <SeatsLeft remaining={totalLeft} status={event.status} />
            </header>
            {event.degraded && <Alert kind="info">{event.degraded.message}</Alert>}
            {event.images.length > 0 && (
              <div class="gallery">
                {event.images.map((image, index) => (
                  <img
                    key={image.url}
                    src={image.url}
                    alt={`${event.name} (${index + 1} of ${event.images.length})`}
                    width={640}
                    height={360}
                  />
                ))}
              </div>
            )}
            <div class="columns">
              <section class="description" aria-label="About this event">
                {event.description.split(/\n{2,}/).map((paragraph) => (
                  <p key={paragraph}>{paragraph}</p>
                ))}
              </section>
              <section class="card tickets-box" aria-labelledby="tickets-heading">
                <h2 id="tickets-heading">Tickets</h2>
                {cancelled && <Alert>This event is cancelled; no tickets are on sale.</Alert>}
                {soldOut && (
                  <Alert kind="info">
                    Sold out: every ticket is taken. Seats come back on sale when an order is cancelled or an
                    unpaid hold runs out, and this page shows them as they do.
                  </Alert>
                )}
                {lowered.length > 0 && (
                  <Alert kind="info">
                    Fewer seats are left than you chose of{' '}
                    {tiers
                      .filter((tier) => lowered.includes(tier.id))
                      .map((tier) => tier.name)
                      .join(', ')}
                    : your choice now holds what is left.
                  </Alert>
                )}
                <ul class="tiers">
                  {tiers.map((tier) => {
                    const max = mostOf(tier);
                    return (
                      <li key={tier.id} class="tier">
                        <div>
                          <strong>{tier.name}</strong>
                          <div>{formatMoney(tier.price, tier.currency)}</div>
                          <SeatsLeft remaining={tier.remaining} />
                        </div>
                        {tier.remaining !== 0 && !cancelled && (
                          <label>
                            <span class="visually-hidden">Quantity of {tier.name}</span>
                            <select
                              value={quantityOf(tier.id)}
                              disabled={currency !== undefined && currency !== tier.currency}
                              onChange={(change) =>
                                setQuantities((all) => ({
                                  ...all,
                                  [tier.id]: Number((change.currentTarget as HTMLSelectElement).value),
                                }))
                              }
                            >
                              {Array.from({ length: max + 1 }, (_, n) => (
                                <option key={n} value={n}>
                                  {n}
                                </option>
                              ))}
                            </select>
                          </label>
                        )}
                      </li>
                    );
                  })}
                </ul>
                {!soldOut && !cancelled && (
                  <>
                    <p class="row between total">
                      <span>Total</span>
                      <strong>{currency ? formatMoney(total, currency) : '—'}</strong>
                    </p>
                    <button
                      type="button"
                      class="primary wide"
                      disabled={items.length === 0}
                      onClick={() =>
                        route(
                          `/checkout/${event.id}?items=${items.map((item) => `${item.tierId}:${item.quantity}`).join(',')}`,
                        )
                      }
                    >
                      Buy tickets
                    </button>
                  </>
                )}
              </section>
            </div>
          </article>
        );
      }}
    </Show>
  );
}

/** Seats left per tier, fetched again every few seconds while the page is visible. */
function useLiveAvailability(id: string): Record<string, number> | undefined {
  const [tiers, setTiers] = useState<Record<string, number>>();
  useEffect(() => {
    let current = true;
    const poll = async () => {
      if (document.visibilityState !== 'visible') return;
      const { data } = await api.GET('/v1/events/{id}/availability', { params: { path: { id } } });
      if (current && data)
        setTiers(Object.fromEntries(data.tiers.map((tier) => [tier.tierId, tier.remaining])));
    };
    const timer = setInterval(() => void poll().catch(() => undefined), LIVE_SECONDS * 1000);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [id]);
  return tiers;
}
