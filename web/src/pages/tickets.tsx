// My tickets: my events, upcoming (soonest first) or past, from /v1/users/me/events; under each, its tickets (from
// /v1/users/me/tickets) as QR codes, and an "add to calendar" download.
import { useState } from 'preact/hooks';
import { api, type paths, unwrap } from '../api/client';
import { RequireUser } from '../components/layout';
import { AddToCalendar, Tickets } from '../components/ticket-list';
import { Show, useLoad } from '../components/ui';
import { formatRange } from '../lib/format';

type Ticket =
  paths['/v1/users/me/tickets']['get']['responses'][200]['content']['application/json']['items'][number];

/** Tickets are listed newest first; a person holds few, so a handful of pages covers them. */
async function allTickets(): Promise<Ticket[]> {
  const tickets: Ticket[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page += 1) {
    const data = await unwrap(api.GET('/v1/users/me/tickets', { params: { query: { limit: 100, cursor } } }));
    tickets.push(...data.items);
    if (!data.nextCursor) break;
    cursor = data.nextCursor;
  }
  return tickets;
}

export function TicketsPage() {
  return (
    <RequireUser>
      <MyTickets />
    </RequireUser>
  );
}

function MyTickets() {
  const [when, setWhen] = useState<'upcoming' | 'past'>('upcoming');
  const [cursor, setCursor] = useState<string>();
  const [load] = useLoad(async () => {
    const [events, tickets] = await Promise.all([
      unwrap(api.GET('/v1/users/me/events', { params: { query: { when, cursor, limit: 20 } } })),
      allTickets(),
    ]);
    return { events, tickets };
  }, [when, cursor]);
  const tab = (value: 'upcoming' | 'past', label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={when === value}
      class={when === value ? 'tab active' : 'tab'}
      onClick={() => {
        setWhen(value);
        setCursor(undefined);
      }}
    >
      {label}
    </button>
  );
  return (
    <section>
      <h1>My tickets</h1>
      <div role="tablist" aria-label="When" class="tabs">
        {tab('upcoming', 'Upcoming')}
        {tab('past', 'Past')}
      </div>
      <Show load={load}>
        {({ events, tickets }) =>
          events.items.length === 0 ? (
            <p>
              {when === 'upcoming' ? 'No upcoming events.' : 'No past events.'} <a href="/">Find an event</a>.
            </p>
          ) : (
            <>
              {events.items.map((event) => (
                <article key={event.id} class="event-tickets">
                  <h2>
                    <a href={`/events/${event.id}`}>{event.name}</a>
                  </h2>
                  <p class="muted">
                    {formatRange(event.startsAt, event.endsAt, event.timezone)} · {event.place}
                  </p>
                  <AddToCalendar event={event} />
                  <Tickets
                    tickets={tickets.filter((ticket) => ticket.event.id === event.id)}
                    eventName={event.name}
                  />
                </article>
              ))}
              {events.nextCursor && (
                <button type="button" onClick={() => setCursor(events.nextCursor ?? undefined)}>
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
