// "Your data" on the profile page: a copy of everything the platform holds about me (GDPR art. 15), and deleting my
// account (art. 17), confirmed twice and re-authenticated with the password (and a code, with two-step sign-in on).
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, type paths, problemMessage, unwrap } from '../api/client';
import { signOut } from '../auth/session';
import { Alert } from '../components/ui';
import { formatDateTime } from '../lib/format';

type DataExport = paths['/v1/me/export/{id}']['get']['responses'][200]['content']['application/json'];
interface UpcomingEvent {
  id: string;
  name: string;
  startsAt: string;
}

const POLL_MS = 2_000;
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function YourData() {
  return (
    <section class="card stack" aria-labelledby="your-data">
      <h2 id="your-data">Your data</h2>
      <ExportData />
      <DeleteAccount />
    </section>
  );
}

function ExportData() {
  const [current, setCurrent] = useState<DataExport>();
  const [error, setError] = useState<string>();
  // Polls a pending export until every service has written its part.
  useEffect(() => {
    if (current?.status !== 'pending') return;
    const timer = setTimeout(async () => {
      try {
        setCurrent(await unwrap(api.GET('/v1/me/export/{id}', { params: { path: { id: current.id } } })));
      } catch (failure) {
        setError((failure as Error).message);
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [current]);
  return (
    <div class="stack">
      <h3>Download a copy</h3>
      <p class="muted">
        Your profile, orders, tickets and the emails we sent you, as one JSON file. It takes a few moments.
      </p>
      {error && <Alert kind="error">{error}</Alert>}
      {current?.status === 'ready' && current.downloadUrl ? (
        <p>
          <a href={current.downloadUrl} download>
            Download your data
          </a>{' '}
          <span class="muted">(the link works for 5 minutes; ask again for a new one)</span>
        </p>
      ) : null}
      <button
        type="button"
        disabled={current?.status === 'pending'}
        onClick={async () => {
          setError(undefined);
          try {
            setCurrent(await unwrap(api.POST('/v1/me/export')));
          } catch (failure) {
            setError((failure as Error).message);
          }
        }}
      >
        {current?.status === 'pending' ? 'Preparing your data…' : 'Prepare a copy of my data'}
      </button>
    </div>
  );
}

function DeleteAccount() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [blocking, setBlocking] = useState<UpcomingEvent[]>([]);
  const location = useLocation();
  return (
    <form
      class="stack"
      aria-label="Delete my account"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const password = String(form.get('password'));
        const code = form.get('code') ? String(form.get('code')) : undefined;
        if (!confirm('Delete your account for good? This cannot be undone.')) return;
        setBusy(true);
        setError(undefined);
        setBlocking([]);
        try {
          const { error: problem, response } = await api.DELETE('/v1/me', { body: { password, code } });
          if (!response.ok) {
            setBlocking((problem as { events?: UpcomingEvent[] } | undefined)?.events ?? []);
            setError(problemMessage(problem, response));
            return;
          }
          // Home first: signing out re-renders this page as signed out, which would leave it behind.
          location.route('/');
          await signOut();
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>Delete my account</h3>
      <p class="muted">
        Your profile and picture are deleted and you are signed out everywhere. Orders stay with their
        organizers for their accounting, without your name or address; tickets you hold still get you in.
        Download a copy first if you want one.
      </p>
      {error && <Alert kind="error">{error}</Alert>}
      {blocking.length > 0 && (
        <ul>
          {blocking.map((item) => (
            <li key={item.id}>
              <a href={`/organizer/events/${item.id}`}>{item.name}</a> —{' '}
              {formatDateTime(item.startsAt, BROWSER_ZONE)}
            </li>
          ))}
        </ul>
      )}
      <label>
        Your password
        <input name="password" type="password" required autoComplete="current-password" />
      </label>
      <label>
        With two-step sign-in on: a code from your authenticator app, or a recovery code
        <input name="code" autoComplete="one-time-code" minLength={6} maxLength={32} />
      </label>
      <label class="inline">
        <input name="understood" type="checkbox" required /> I understand my account cannot be restored
      </label>
      <button type="submit" class="danger" disabled={busy}>
        Delete my account
      </button>
    </form>
  );
}
