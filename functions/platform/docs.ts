// GET /v1/docs: a page that renders the OpenAPI document with Redoc, whose script the platform serves itself
// (/v1/docs/redoc.js), so the page works with no network beyond the API and runs no inline script.
import redocPackage from 'redoc/package.json' with { type: 'json' };
import { httpHandler } from '../../layers/common/http';
import { platform } from './manifest';

// The version in the query makes the script's URL change with the package, so it may be cached for a year.
const SCRIPT = `${platform.routes.docsScript.path}?v=${encodeURIComponent(redocPackage.version)}`;

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>TicketOrLeaveIt API</title>
</head>
<body>
  <redoc spec-url="${platform.routes.openapi.path}"></redoc>
  <noscript>This page needs JavaScript. The raw document is at <a href="/v1/openapi.json">/v1/openapi.json</a>.</noscript>
  <script src="${SCRIPT}"></script>
</body>
</html>
`;

export const handler = httpHandler(
  'platform',
  platform.routes.docs,
  async () => ({
    statusCode: 200,
    body: page,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300' },
  }),
  {
    contentSecurityPolicy: {
      'default-src': "'self'",
      'script-src': "'self'",
      // Redoc styles its components with injected <style> elements and runs its search index in a blob: worker.
      'style-src': "'self' 'unsafe-inline'",
      'img-src': "'self' data:",
      'worker-src': "'self' blob:",
      'connect-src': "'self'",
      // The defaults this page must relax (an empty or false value drops a directive): Redoc builds its DOM from
      // strings and must run its script, and the local runtime serves the document over plain http.
      'require-trusted-types-for': '',
      sandbox: 'allow-scripts allow-same-origin allow-popups',
      'upgrade-insecure-requests': false,
    },
  },
);
