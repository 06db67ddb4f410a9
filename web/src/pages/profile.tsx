// Profile: names, picture (presigned upload), password change, two-step sign-in and sign-ins (security.tsx), and your
// data (export, account deletion).
import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { RequireUser } from '../components/layout';
import { Alert, Show, useLoad } from '../components/ui';
import { imageTypeOf, uploadTo } from '../lib/upload';
import { Security } from './security';
import { YourData } from './your-data';

export function ProfilePage() {
  return (
    <RequireUser>
      <Profile />
    </RequireUser>
  );
}

type Notice = { kind: 'success' | 'error'; text: string } | undefined;

function Profile() {
  const [load, reload] = useLoad(() => unwrap(api.GET('/v1/users/me')), []);
  const [notice, setNotice] = useState<Notice>();
  const run = async (what: () => Promise<unknown>, success: string) => {
    setNotice(undefined);
    try {
      await what();
      setNotice({ kind: 'success', text: success });
      reload();
    } catch (error) {
      setNotice({ kind: 'error', text: (error as Error).message });
    }
  };
  return (
    <section class="narrow">
      <h1>Profile</h1>
      {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
      <Show load={load}>
        {(profile) => (
          <>
            <form
              class="card stack"
              aria-label="Your name"
              onSubmit={(event) => {
                event.preventDefault();
                const form = new FormData(event.currentTarget);
                void run(
                  () =>
                    unwrap(
                      api.PATCH('/v1/users/me', {
                        body: {
                          firstName: String(form.get('firstName')),
                          lastName: String(form.get('lastName')),
                        },
                      }),
                    ),
                  'Your name is saved.',
                );
              }}
            >
              <p>
                Email: <strong>{profile.email}</strong>
              </p>
              <label>
                First name
                <input name="firstName" defaultValue={profile.firstName} required autoComplete="given-name" />
              </label>
              <label>
                Last name
                <input name="lastName" defaultValue={profile.lastName} required autoComplete="family-name" />
              </label>
              <button type="submit" class="primary">
                Save
              </button>
            </form>
            <div class="card stack">
              <h2>Picture</h2>
              {profile.pictureUrl ? (
                <img class="avatar" src={profile.pictureUrl} alt="Your profile" width={96} height={96} />
              ) : (
                <p class="muted">No picture yet.</p>
              )}
              <label>
                Upload a picture (PNG, JPEG or WebP)
                <input
                  type="file"
                  accept="image/png,image/jpeg,image/webp"
                  onChange={(event) => {
                    const file = event.currentTarget.files?.[0];
                    if (!file) return;
                    void run(async () => {
                      const form = await unwrap(
                        api.POST('/v1/users/me/picture', { body: { contentType: imageTypeOf(file) } }),
                      );
                      const pictureKey = await uploadTo(form, file);
                      await unwrap(api.PATCH('/v1/users/me', { body: { pictureKey } }));
                    }, 'Your picture is saved.');
                  }}
                />
              </label>
            </div>
            <PasswordForm onNotice={setNotice} />
            <Security />
            <YourData />
          </>
        )}
      </Show>
    </section>
  );
}

function PasswordForm({ onNotice }: { onNotice: (notice: Notice) => void }) {
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="card stack"
      aria-label="Change password"
      onSubmit={async (event) => {
        event.preventDefault();
        const element = event.currentTarget;
        const form = new FormData(element);
        setBusy(true);
        try {
          await unwrap(
            api.POST('/v1/auth/password', {
              body: {
                currentPassword: String(form.get('currentPassword')),
                newPassword: String(form.get('newPassword')),
              },
            }),
          );
          element.reset();
          onNotice({ kind: 'success', text: 'Your password is changed; other sessions are signed out.' });
        } catch (error) {
          onNotice({ kind: 'error', text: (error as Error).message });
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2>Password</h2>
      <label>
        Current password
        <input name="currentPassword" type="password" required autoComplete="current-password" />
      </label>
      <label>
        New password
        <input name="newPassword" type="password" required minLength={8} autoComplete="new-password" />
      </label>
      <button type="submit" disabled={busy}>
        Change password
      </button>
    </form>
  );
}
