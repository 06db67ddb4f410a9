// The page frame: header with navigation and the account menu, the main landmark, and the footer.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { signIn, signOut, useUser } from '../auth/session';

export function Layout({ children }: { children: ComponentChildren }) {
  const { user, ready } = useUser();
  const { route, path } = useLocation();
  const link = (href: string, text: string) => (
    <a href={href} aria-current={path === href ? 'page' : undefined}>
      {text}
    </a>
  );
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <nav aria-label="Main">
          <a class="brand" href="/">
            TicketOrLeaveIt
          </a>
          {link('/', 'Events')}
          {user && link('/tickets', 'My tickets')}
          {user && link('/orders', 'My orders')}
          {user && link('/organizer', 'Organize')}
        </nav>
        <div class="account">
          {!ready ? null : user ? (
            <>
              <a href="/profile" class="who">
                {user.givenName || user.email}
              </a>
              <button
                type="button"
                class="link"
                onClick={async () => {
                  await signOut();
                  route('/');
                }}
              >
                Sign out
              </button>
            </>
          ) : (
            <>
              <button type="button" class="link" onClick={() => signIn()}>
                Sign in
              </button>
              <button type="button" class="primary small" onClick={() => signIn({ create: true })}>
                Sign up
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer class="site-footer">
        <a href="/v1/docs">API documentation</a>
      </footer>
    </>
  );
}

/** Pages that need a signed-in user show this instead while signed out. */
export function RequireUser({ children }: { children: ComponentChildren }) {
  const { user, ready } = useUser();
  if (!ready) return null;
  if (!user)
    return (
      <section class="narrow">
        <h1>Please sign in</h1>
        <p>You need an account for this page.</p>
        <div class="row">
          <button type="button" class="primary" onClick={() => signIn()}>
            Sign in
          </button>
          <button type="button" onClick={() => signIn({ create: true })}>
            Create an account
          </button>
        </div>
      </section>
    );
  return <>{children}</>;
}
