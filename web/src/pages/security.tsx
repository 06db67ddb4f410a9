// Account security on the profile page: two-step sign-in (an authenticator app, TOTP) turned on with a QR code, the
// password and a first code, its recovery codes shown once (and replaced on demand), turned off with the password and
// a code; and my sign-ins (which device, where, when) to end.
import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { QrCode } from '../components/qr-code';
import { Alert, Badge, Show, useLoad } from '../components/ui';
import { formatDateTime } from '../lib/format';
import { deviceName } from '../lib/user-agent';

type Notice = { kind: 'success' | 'error'; text: string } | undefined;

/** Runs a call and turns its outcome into a notice; true when it succeeded. */
async function attempt(what: () => Promise<unknown>, setNotice: (notice: Notice) => void, success?: string) {
  setNotice(undefined);
  try {
    await what();
    if (success) setNotice({ kind: 'success', text: success });
    return true;
  } catch (error) {
    setNotice({ kind: 'error', text: (error as Error).message });
    return false;
  }
}

export function Security() {
  return (
    <>
      <TwoStep />
      <SignIns />
    </>
  );
}

/** The password and a code of the app (or a recovery code): what every change to two-step sign-in asks for. */
function ProofFields() {
  return (
    <>
      <label>
        Password
        <input name="password" type="password" required autoComplete="current-password" />
      </label>
      <label>
        Code from the app, or a recovery code
        <input name="code" autoComplete="one-time-code" minLength={6} maxLength={32} required />
      </label>
    </>
  );
}

function TwoStep() {
  const [load, reload] = useLoad(() => unwrap(api.GET('/v1/auth/two-factor')), []);
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUri: string }>();
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const [notice, setNotice] = useState<Notice>();
  const field = (event: Event, name: string) =>
    String(new FormData(event.currentTarget as HTMLFormElement).get(name) ?? '');
  return (
    <section class="card stack" aria-labelledby="two-step-heading">
      <h2 id="two-step-heading">Two-step sign-in</h2>
      {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
      {recoveryCodes && (
        <div class="stack">
          <p>
            Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are
            shown only now.
          </p>
          <ul aria-label="Recovery codes" class="recovery-codes">
            {recoveryCodes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      <Show load={load}>
        {(state) =>
          state.enabled ? (
            <form
              class="stack"
              aria-label="Change two-step sign-in"
              onSubmit={async (event) => {
                event.preventDefault();
                const form = event.currentTarget as HTMLFormElement;
                const body = { password: field(event, 'password'), code: field(event, 'code') };
                const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
                if (submitter?.value === 'regenerate') {
                  await attempt(
                    async () => {
                      const answer = await unwrap(api.POST('/v1/auth/two-factor/recovery-codes', { body }));
                      setRecoveryCodes(answer.recoveryCodes);
                      form.reset();
                      reload();
                    },
                    setNotice,
                    'New recovery codes: the old ones no longer work.',
                  );
                  return;
                }
                const done = await attempt(
                  () => unwrap(api.POST('/v1/auth/two-factor/disable', { body })),
                  setNotice,
                  'Two-step sign-in is off.',
                );
                if (done) {
                  setRecoveryCodes(undefined);
                  reload();
                }
              }}
            >
              <p>
                <Badge tone="ok">On</Badge> Signing in asks for a code of your authenticator app.{' '}
                {state.recoveryCodesLeft} recovery codes left.
              </p>
              <p class="muted">To change it, confirm it is you: your password and a code.</p>
              <ProofFields />
              <div class="row">
                <button type="submit" value="regenerate">
                  Make new recovery codes
                </button>
                <button type="submit" value="disable">
                  Turn off two-step sign-in
                </button>
              </div>
            </form>
          ) : enrolment ? (
            <form
              class="stack"
              aria-label="Confirm two-step sign-in"
              onSubmit={async (event) => {
                event.preventDefault();
                const body = { password: field(event, 'password'), code: field(event, 'code') };
                await attempt(
                  async () => {
                    const answer = await unwrap(api.POST('/v1/auth/two-factor/confirm', { body }));
                    setRecoveryCodes(answer.recoveryCodes);
                    setEnrolment(undefined);
                    reload();
                  },
                  setNotice,
                  'Two-step sign-in is on.',
                );
              }}
            >
              <p>
                Scan this code with your authenticator app, then enter the six digits it shows and your
                password.
              </p>
              <QrCode value={enrolment.otpauthUri} label="QR code for your authenticator app" size={200} />
              <p class="muted">
                Or type this key: <code data-testid="totp-secret">{enrolment.secret}</code>
              </p>
              <label>
                Code from the app
                <input
                  name="code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  pattern="[0-9]{6}"
                  maxLength={6}
                  required
                />
              </label>
              <label>
                Password
                <input name="password" type="password" required autoComplete="current-password" />
              </label>
              <button type="submit">Turn on</button>
            </form>
          ) : (
            <div class="stack">
              <p>
                Off. With it on, signing in asks for a code from an authenticator app as well as your
                password.
              </p>
              <button
                type="button"
                onClick={() =>
                  attempt(async () => setEnrolment(await unwrap(api.POST('/v1/auth/two-factor'))), setNotice)
                }
              >
                Set up two-step sign-in
              </button>
            </div>
          )
        }
      </Show>
    </section>
  );
}

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function SignIns() {
  const [load, reload] = useLoad(() => unwrap(api.GET('/v1/auth/sessions')), []);
  const [notice, setNotice] = useState<Notice>();
  return (
    <section class="card stack" aria-labelledby="sign-ins-heading">
      <h2 id="sign-ins-heading">Where you are signed in</h2>
      {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
      <Show load={load}>
        {(page) => (
          <ul class="list" aria-label="Sign-ins">
            {page.items.map((signIn) => (
              <li key={signIn.id} class="sign-in">
                <p title={signIn.userAgent ?? undefined}>
                  {deviceName(signIn.userAgent)} {signIn.current && <Badge tone="ok">This device</Badge>}
                </p>
                <p class="muted">
                  From {signIn.ip ?? 'an unknown address'} · signed in{' '}
                  {formatDateTime(signIn.createdAt, zone)} · last used{' '}
                  {formatDateTime(signIn.lastUsedAt, zone)}
                </p>
                {!signIn.current && (
                  <button
                    type="button"
                    onClick={async () => {
                      const params = { path: { id: signIn.id } };
                      if (
                        await attempt(
                          () => unwrap(api.DELETE('/v1/auth/sessions/{id}', { params })),
                          setNotice,
                        )
                      )
                        reload();
                    }}
                  >
                    Sign out there
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Show>
    </section>
  );
}
