// /callback: where the sign-in page sends the browser back with a code; checks state, exchanges the code (PKCE)
// and returns to the page the sign-in started from.

import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { completeSignIn, signIn } from '../auth/session';
import { Alert, Loading } from '../components/ui';

let started = false;

export function CallbackPage() {
  const { route } = useLocation();
  const [error, setError] = useState<string>();
  useEffect(() => {
    // The code works once: a second render must not spend it again.
    if (started) return;
    started = true;
    completeSignIn(new URLSearchParams(location.search)).then(
      ({ returnTo }) => route(returnTo, true),
      (failure: Error) => setError(failure.message),
    );
  }, [route]);
  return (
    <section class="narrow">
      <h1>Signing you in</h1>
      {error ? (
        <>
          <Alert>{error}</Alert>
          <button type="button" class="primary" onClick={() => signIn({ returnTo: '/' })}>
            Sign in again
          </button>
        </>
      ) : (
        <Loading what="Completing sign-in" />
      )}
    </section>
  );
}
