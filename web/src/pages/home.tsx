// Home: search published events (text, type, tag, city, date range) with paging; the query lives in the URL so a
// search can be shared and the back button works. Each card shows seats left from the availability endpoint.

import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, unwrap } from '../api/client';
import { type CatalogueEvent, EventCard } from '../components/event-card';
import { Alert, Loading, useLoad } from '../components/ui';
import { EVENT_TYPES } from '../lib/event-types';

const FIELDS = ['q', 'type', 'tag', 'city', 'from', 'to'] as const;
const PAGE_SIZE = 12;

/** The date inputs give days; the API takes instants: "to" covers the whole day. */
const dayStart = (day: string) => (day ? new Date(`${day}T00:00:00`).toISOString() : undefined);
const dayEnd = (day: string) => (day ? new Date(`${day}T23:59:59.999`).toISOString() : undefined);

export function HomePage() {
  const { query, route } = useLocation();
  const cursor = query.cursor;
  const [load] = useLoad(
    () =>
      unwrap(
        api.GET('/v1/events', {
          params: {
            query: {
              q: query.q || undefined,
              type: query.type || undefined,
              tag: query.tag || undefined,
              city: query.city || undefined,
              from: dayStart(query.from ?? ''),
              to: dayEnd(query.to ?? ''),
              cursor: cursor || undefined,
              limit: PAGE_SIZE,
            },
          },
        }),
      ),
    [FIELDS.map((field) => query[field]).join('|'), cursor],
  );
  const remaining = useRemaining(load.state === 'ready' ? load.data.items : []);

  const search = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const params = new URLSearchParams();
    for (const field of FIELDS) {
      const value = String(form.get(field) ?? '').trim();
      if (value) params.set(field, value);
    }
    route(`/?${params}`);
  };
  const pageLink = (next: string | undefined) => {
    const params = new URLSearchParams();
    for (const field of FIELDS) if (query[field]) params.set(field, query[field]);
    if (next) params.set('cursor', next);
    return `/?${params}`;
  };

  return (
    <section>
      <h1>Find your next event</h1>
      <search aria-label="Search events">
        <form class="search card" onSubmit={search}>
          <label class="grow">
            Search
            <input name="q" type="search" defaultValue={query.q} placeholder="Artist, event, venue…" />
          </label>
          <label>
            Type
            <select name="type" defaultValue={query.type ?? ''}>
              <option value="">Any type</option>
              {EVENT_TYPES.map((type) => (
                <option value={type} key={type}>
                  {type}
                </option>
              ))}
            </select>
          </label>
          <label>
            Tag
            <input name="tag" defaultValue={query.tag} />
          </label>
          <label>
            City
            <input name="city" defaultValue={query.city} />
          </label>
          <label>
            From
            <input name="from" type="date" defaultValue={query.from} />
          </label>
          <label>
            To
            <input name="to" type="date" defaultValue={query.to} />
          </label>
          <button class="primary" type="submit">
            Search
          </button>
        </form>
      </search>
      {load.state === 'loading' && <Loading what="Finding events" />}
      {load.state === 'error' && <Alert>{load.message}</Alert>}
      {load.state === 'ready' && (
        <>
          {load.data.degraded && <Alert kind="info">{load.data.degraded.message}</Alert>}
          {load.data.items.length === 0 ? (
            <p>No events match this search.</p>
          ) : (
            <ul class="grid" aria-label="Events">
              {load.data.items.map((event) => (
                <li key={event.id}>
                  <EventCard event={event} remaining={remaining[event.id]} />
                </li>
              ))}
            </ul>
          )}
          <nav class="row pager" aria-label="Pages">
            {cursor && (
              <button type="button" onClick={() => history.back()}>
                Previous
              </button>
            )}
            {load.data.nextCursor && (
              <a class="button" href={pageLink(load.data.nextCursor)}>
                Next page
              </a>
            )}
          </nav>
        </>
      )}
    </section>
  );
}

/** Seats left per event id (null when unknown), filled in as each availability answer arrives. */
function useRemaining(events: CatalogueEvent[]): Record<string, number | null> {
  const [remaining, setRemaining] = useState<Record<string, number | null>>({});
  const ids = events.map((event) => event.id).join(',');
  useEffect(() => {
    let current = true;
    for (const event of events) {
      api.GET('/v1/events/{id}/availability', { params: { path: { id: event.id } } }).then(
        ({ data }) =>
          current && setRemaining((all) => ({ ...all, [event.id]: data ? data.remaining : null })),
        () => current && setRemaining((all) => ({ ...all, [event.id]: null })),
      );
    }
    return () => {
      current = false;
    };
  }, [ids]);
  return remaining;
}
