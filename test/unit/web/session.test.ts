// @vitest-environment happy-dom
// The web app's signed-in state after a reload: every part of the page that asks who the user is (the header, a page
// that needs a user) must end up knowing, whichever of them started the refresh-token exchange and whenever it ends.
// A page that mounted while the header's exchange was in flight and subscribed just after it ended stayed blank for
// good (seen in the check-in browser test).
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { base64url } from '../../../web/src/auth/pkce';

const claims = { sub: 'u1', email: 'dora@example.com', given_name: 'Dora' };
const accessToken = `x.${base64url(new TextEncoder().encode(JSON.stringify(claims)))}.y`;

let answerTokenRequest: () => void;

beforeEach(() => {
  vi.resetModules();
  sessionStorage.clear();
  document.body.innerHTML = '';
  // A reload of a signed-in tab: the refresh token is in sessionStorage, the access token is gone.
  sessionStorage.setItem('tol.oauth.refresh', 'refresh-1');
  const answer = new Promise<void>((resolve) => {
    answerTokenRequest = resolve;
  });
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => {
      await answer;
      return new Response(
        JSON.stringify({ access_token: accessToken, expires_in: 900, refresh_token: 'refresh-2' }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    }),
  );
});

afterEach(() => {
  vi.unstubAllGlobals();
});

async function who() {
  const { useUser } = await import('../../../web/src/auth/session');
  return function Who() {
    const { user, ready } = useUser();
    return h('p', null, ready ? (user?.email ?? 'signed out') : 'waiting');
  };
}

const mount = () => {
  const root = document.createElement('div');
  document.body.append(root);
  return root;
};

describe('the signed-in user after a reload', () => {
  it('is known to a part that mounted while the exchange was in flight and subscribed after it ended', async () => {
    const Who = await who();
    const header = mount();
    const page = mount();
    // The header mounts and starts the exchange.
    await act(() => render(h(Who, null), header));
    expect(header.textContent).toBe('waiting');

    // The page renders (waiting) before the answer comes; its effects have not run yet when the answer lands.
    render(h(Who, null), page);
    expect(page.textContent).toBe('waiting');
    answerTokenRequest();
    await vi.waitFor(() => expect(sessionStorage.getItem('tol.oauth.refresh')).toBe('refresh-2'));

    // Then its effects run.
    await act(async () => undefined);
    expect(header.textContent).toBe('dora@example.com');
    expect(page.textContent).toBe('dora@example.com');
    // One exchange for both: two with the same refresh token would look like theft to the server.
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('is known to every part mounted before the exchange ends, through one exchange', async () => {
    const Who = await who();
    const header = mount();
    const page = mount();
    await act(() => {
      render(h(Who, null), header);
      render(h(Who, null), page);
    });
    expect(page.textContent).toBe('waiting');
    await act(async () => {
      answerTokenRequest();
      await vi.waitFor(() => expect(sessionStorage.getItem('tol.oauth.refresh')).toBe('refresh-2'));
    });
    expect(header.textContent).toBe('dora@example.com');
    expect(page.textContent).toBe('dora@example.com');
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
