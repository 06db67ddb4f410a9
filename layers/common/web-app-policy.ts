// What the web app's origin promises the browser, wherever it is served (the local runtime, CloudFront): which paths
// belong to the API, and the security headers of the app's files, with a CSP that allows no inline script.

/** Paths the API answers on the web app's origin; everything else is the app. */
export const API_PATH_PREFIXES = ['/v1/', '/oauth/', '/.well-known/'] as const;

/**
 * The app's Content-Security-Policy: its own scripts and styles only, images and uploads also from the media bucket
 * (presigned URLs), no plugins, no framing, forms only to this origin (the OAuth sign-in page).
 */
export function webContentSecurityPolicy(mediaOrigins: readonly string[] = []): string {
  const media = mediaOrigins.join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${media}`.trim(),
    `connect-src 'self' ${media}`.trim(),
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers beside the CSP. The camera is allowed for scanning tickets at the door. */
export const WEB_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(self), geolocation=(), microphone=(), payment=()',
} as const;
