// The page a team invitation email links to (/team-invitations/accept#token=...): the signed-in invitee sees which
// event (or all of an organizer's events) and which role they are invited to, and accepts or declines. The token sits
// in the fragment, which no server sees; it is kept in this tab's session storage across the sign-in round trip.
import { useState } from 'preact/hooks';
import { api, type paths, problemMessage, unwrap } from '../api/client';
import { RequireUser } from '../components/layout';
import { Alert, Show, useLoad } from '../components/ui';

type Preview = paths['/v1/team-invitations/preview']['post']['responses'][200]['content']['application/json'];

const STORAGE_KEY = 'team-invitation:token';

/** The token from the link's fragment, remembered for when the sign-in brings the invitee back without it. */
function invitationToken(): string {
  const fromLink = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromLink) sessionStorage.setItem(STORAGE_KEY, fromLink);
  return fromLink ?? sessionStorage.getItem(STORAGE_KEY) ?? '';
}

const ROLE_WORDS: Record<Preview['role'], string> = {
  manager: 'a manager: everything but cancelling',
  'check-in': 'check-in staff: scanning tickets at the door',
};

const GONE_WORDS: Record<Exclude<Preview['status'], 'pending'>, string> = {
  used: 'This invitation has been accepted already.',
  revoked: 'The organizer withdrew this invitation.',
  expired: 'This invitation has expired; ask the organizer for a new one.',
  declined: 'This invitation was declined.',
};

export function TeamInvitationPage() {
  const [token] = useState(invitationToken);
  return (
    <section class="narrow">
      <h1>Team invitation</h1>
      {token ? (
        <RequireUser>
          <Invitation token={token} />
        </RequireUser>
      ) : (
        <Alert>This link carries no invitation. Open the link from the invitation email again.</Alert>
      )}
    </section>
  );
}

/** Where a new member starts: the door for check-in staff of one event, the event or the organizer's list otherwise. */
const startPage = (invitation: Preview) =>
  !invitation.eventId
    ? '/organizer'
    : invitation.role === 'check-in'
      ? `/organizer/events/${invitation.eventId}/check-in`
      : `/organizer/events/${invitation.eventId}`;

function Invitation({ token }: { token: string }) {
  const [load] = useLoad(
    () => unwrap(api.POST('/v1/team-invitations/preview', { body: { token } })),
    [token],
  );
  const [answer, setAnswer] = useState<'accepted' | 'declined'>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const respond = async (choice: 'accept' | 'decline') => {
    setBusy(true);
    setError(undefined);
    const { error: problem, response } =
      choice === 'accept'
        ? await api.POST('/v1/team-invitations/accept', { body: { token } })
        : await api.POST('/v1/team-invitations/decline', { body: { token } });
    setBusy(false);
    if (!response.ok) return setError(problemMessage(problem, response));
    sessionStorage.removeItem(STORAGE_KEY);
    setAnswer(choice === 'accept' ? 'accepted' : 'declined');
  };

  return (
    <Show load={load}>
      {(invitation) => {
        const what = invitation.eventName ?? 'all of the organizer’s events';
        if (answer === 'accepted')
          return (
            <Alert kind="success">
              You joined the team of {what}. <a href={startPage(invitation)}>Go there now</a>.
            </Alert>
          );
        if (answer === 'declined') return <Alert kind="info">You declined the invitation.</Alert>;
        return (
          <div class="card stack">
            <p>
              You are invited to <strong>{what}</strong> as {ROLE_WORDS[invitation.role]}.
            </p>
            <p class="muted">
              Sent to {invitation.email}; valid until {new Date(invitation.expiresAt).toLocaleString()}.
            </p>
            {error && <Alert>{error}</Alert>}
            {invitation.status === 'pending' ? (
              <div class="row">
                <button type="button" class="primary" disabled={busy} onClick={() => respond('accept')}>
                  Accept
                </button>
                <button type="button" disabled={busy} onClick={() => respond('decline')}>
                  Decline
                </button>
              </div>
            ) : (
              <Alert kind="info">{GONE_WORDS[invitation.status]}</Alert>
            )}
          </div>
        );
      }}
    </Show>
  );
}
