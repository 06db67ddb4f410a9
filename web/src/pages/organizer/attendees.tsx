// Attendees of one of my events: one row per ticket, searchable by name, email, tier or code, and the CSV export
// (fetched with the bearer token, then saved as a file).

import { useEffect, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, type paths, problemMessage, unwrap } from '../../api/client';
import { accessToken } from '../../auth/session';
import { RequireUser } from '../../components/layout';
import { TicketCode } from '../../components/ticket-list';
import { Alert, download, Loading } from '../../components/ui';
import { formatDateTime, formatWallClock } from '../../lib/format';

/** The table's columns: their headers, and the names a cell shows before its value when the table stacks on a phone. */
const COLUMN = {
  name: 'Name',
  email: 'Email',
  tier: 'Tier',
  ticket: 'Ticket',
  status: 'Status',
  bought: 'Bought',
} as const;

type Attendee =
  paths['/v1/organizer/events/{id}/attendees']['get']['responses'][200]['content']['application/json']['items'][number];

export function AttendeesPage() {
  return (
    <RequireUser>
      <Attendees />
    </RequireUser>
  );
}

function Attendees() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const [rows, setRows] = useState<Attendee[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  const [search, setSearch] = useState('');
  const [exporting, setExporting] = useState(false);

  const loadPage = async (cursor?: string) => {
    try {
      const page = await unwrap(
        api.GET('/v1/organizer/events/{id}/attendees', {
          params: { path: { id }, query: { cursor, limit: 100 } },
        }),
      );
      setRows((all) => (cursor ? [...all, ...page.items] : page.items));
      setNext(page.nextCursor);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  useEffect(() => {
    void loadPage();
  }, [id]);

  const exportCsv = async () => {
    setExporting(true);
    setError(undefined);
    try {
      const token = await accessToken();
      const response = await fetch(`/v1/organizer/events/${encodeURIComponent(id)}/attendees.csv`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (!response.ok)
        throw new Error(problemMessage(await response.json().catch(() => undefined), response));
      const name = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1];
      download(await response.blob(), name ?? `attendees-${id}.csv`);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setExporting(false);
    }
  };

  const needle = search.trim().toLowerCase();
  const shown = needle
    ? rows.filter((row) =>
        [row.firstName, row.email, row.tierName, row.ticketCode].some((value) =>
          value.toLowerCase().includes(needle),
        ),
      )
    : rows;
  return (
    <section>
      <div class="row between">
        <h1>Attendees</h1>
        <div class="row">
          <a href={`/organizer/events/${id}`}>Dashboard</a>
          <button type="button" class="primary" disabled={exporting} onClick={exportCsv}>
            Download CSV
          </button>
        </div>
      </div>
      {error && <Alert>{error}</Alert>}
      <label>
        Search attendees
        <input type="search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
      </label>
      {next === undefined && !error ? (
        <Loading />
      ) : (
        <>
          <p class="muted" role="status">
            {shown.length} of {rows.length} tickets{next ? ' loaded' : ''}
          </p>
          <div class="table-scroll">
            <table class="data stacked">
              <thead>
                <tr>
                  {Object.values(COLUMN).map((header) => (
                    <th scope="col" key={header}>
                      {header}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((row) => (
                  <tr key={row.ticketId}>
                    <td data-label={COLUMN.name}>{row.firstName}</td>
                    <td data-label={COLUMN.email}>{row.email}</td>
                    <td data-label={COLUMN.tier}>{row.tierName}</td>
                    <TicketCode code={row.ticketCode} as="td" label={COLUMN.ticket} />
                    <td data-label={COLUMN.status}>{row.ticketStatus === 'valid' ? 'Valid' : 'Void'}</td>
                    <td data-label={COLUMN.bought}>
                      <time dateTime={row.purchasedAt}>
                        {row.purchasedAtLocal
                          ? formatWallClock(row.purchasedAtLocal)
                          : formatDateTime(row.purchasedAt, 'UTC')}
                      </time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {next && (
            <button type="button" onClick={() => loadPage(next)}>
              Load more
            </button>
          )}
        </>
      )}
    </section>
  );
}
