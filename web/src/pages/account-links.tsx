// The pages emailed links open: verify an address, reset a forgotten password (and ask for a reset link). The
// link's secret sits in the fragment (#token=...), which the browser never sends to a server.
import { useEffect, useState } from 'preact/hooks';
import { api, problemMessage } from '../api/client';
import { Alert } from '../components/ui';

type Notice = { kind: 'success' | 'error' | 'info'; text: string } | undefined;

const tokenFromFragment = () => new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';

/** Runs a call that answers no body; a failure becomes the problem's message. */
async function settle(call: Promise<{ error?: unknown; response: Response }>) {
  const { error, response } = await call;
  if (!response.ok) throw new Error(problemMessage(error, response));
}

export function VerifyEmailPage() {
  const [notice, setNotice] = useState<Notice>({ kind: 'info', text: 'Confirming your address…' });
  useEffect(() => {
    settle(api.POST('/v1/auth/verify-email', { body: { token: tokenFromFragment() } })).then(
      () =>
        setNotice({
          kind: 'success',
          text: 'Your email address is confirmed. You can publish events (sign in again if you were signed in).',
        }),
      (error: Error) => setNotice({ kind: 'error', text: error.message }),
    );
  }, []);
  return (
    <section class="narrow">
      <h1>Confirm your email address</h1>
      {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
    </section>
  );
}

export function ResetPasswordPage() {
  const [notice, setNotice] = useState<Notice>();
  const [done, setDone] = useState(false);
  return (
    <section class="narrow">
      <h1>Choose a new password</h1>
      {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
      {!done && (
        <form
          class="card stack"
          aria-label="New password"
          onSubmit={(event) => {
            event.preventDefault();
            const newPassword = String(new FormData(event.currentTarget).get('newPassword'));
            setNotice(undefined);
            settle(
              api.POST('/v1/auth/password-reset/confirm', {
                body: { token: tokenFromFragment(), newPassword },
              }),
            ).then(
              () => {
                setDone(true);
                setNotice({ kind: 'success', text: 'Your password is changed. Sign in with it.' });
              },
              (error: Error) => setNotice({ kind: 'error', text: error.message }),
            );
          }}
        >
          <label>
            New password
            <input name="newPassword" type="password" required minLength={8} autoComplete="new-password" />
          </label>
          <button type="submit">Set password</button>
        </form>
      )}
    </section>
  );
}

export function ForgotPasswordPage() {
  const [notice, setNotice] = useState<Notice>();
  return (
    <section class="narrow">
      <h1>Forgot your password?</h1>
      {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
      <form
        class="card stack"
        aria-label="Reset your password"
        onSubmit={(event) => {
          event.preventDefault();
          const email = String(new FormData(event.currentTarget).get('email'));
          settle(api.POST('/v1/auth/password-reset', { body: { email } })).then(
            () =>
              setNotice({
                kind: 'success',
                text: 'If an account uses this address, we emailed it a link to choose a new password (valid 30 minutes).',
              }),
            (error: Error) => setNotice({ kind: 'error', text: error.message }),
          );
        }}
      >
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" />
        </label>
        <button type="submit">Email me a link</button>
      </form>
    </section>
  );
}
