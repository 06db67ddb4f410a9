// Issuer URL and audience of the access tokens, and the web app's redirect URIs, read once per container.
import { once, optionalEnv, requireEnv } from '../../layers/common/config';

export const issuer = once(() => ({ url: requireEnv('JWT_ISSUER'), audience: requireEnv('JWT_AUDIENCE') }));

const LOOPBACK = ['localhost', '127.0.0.1'];

/**
 * Where the first-party web app (client `web`) receives its codes: OAUTH_WEB_REDIRECT_URIS (comma-separated, set by
 * the deployment), else `<issuer>/callback`, since the app is served on the API's origin; on a loopback issuer under
 * both loopback names, so either address works in the browser.
 */
export const webRedirectUris = once((): string[] => {
  const configured = optionalEnv('OAUTH_WEB_REDIRECT_URIS');
  if (configured) {
    return configured
      .split(',')
      .map((uri) => uri.trim())
      .filter(Boolean);
  }
  const origin = new URL(issuer().url);
  if (!LOOPBACK.includes(origin.hostname)) return [new URL('/callback', origin).href];
  return LOOPBACK.map((host) => {
    const url = new URL('/callback', origin);
    url.hostname = host;
    return url.href;
  });
});
