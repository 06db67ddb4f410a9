// Issuer URL and audience of the access tokens, and the web app's redirect URIs, read once per container.
import { once, optionalEnv, requireEnv } from '../../layers/common/config';
import { ENV } from '../../layers/common/env-names';

export const issuer = once(() => ({ url: requireEnv(ENV.jwtIssuer), audience: requireEnv(ENV.jwtAudience) }));

const LOOPBACK = ['localhost', '127.0.0.1'];

/** OAUTH_WEB_REDIRECT_URIS as a list (empty when unset); read without the issuer, so a module may call it at load. */
export const configuredWebRedirectUris = (): string[] =>
  (optionalEnv(ENV.oauthWebRedirectUris) ?? '')
    .split(',')
    .map((uri) => uri.trim())
    .filter(Boolean);

/**
 * Where the first-party web app (client `web`) receives its codes: OAUTH_WEB_REDIRECT_URIS (comma-separated, set by
 * the deployment), else `<issuer>/callback`, since the app is served on the API's origin; on a loopback issuer under
 * both loopback names, so either address works in the browser.
 */
export const webRedirectUris = once((): string[] => {
  const configured = configuredWebRedirectUris();
  if (configured.length > 0) return configured;
  const origin = new URL(issuer().url);
  if (!LOOPBACK.includes(origin.hostname)) return [new URL('/callback', origin).href];
  return LOOPBACK.map((host) => {
    const url = new URL('/callback', origin);
    url.hostname = host;
    return url.href;
  });
});
