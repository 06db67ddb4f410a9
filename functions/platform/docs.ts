// GET /v1/docs: a page that renders the OpenAPI document with Redoc (loaded from its CDN by the reader's browser).
import { httpHandler } from '../../layers/common/http';
import { platform } from './manifest';

const REDOC = 'https://cdn.redoc.ly/redoc/v2.5.0/bundles/redoc.standalone.js';

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>TicketOrLeaveIt API</title>
</head>
<body>
  <redoc spec-url="/v1/openapi.json"></redoc>
  <noscript>This page needs JavaScript. The raw document is at <a href="/v1/openapi.json">/v1/openapi.json</a>.</noscript>
  <script src="${REDOC}"></script>
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
      'script-src': "'self' https://cdn.redoc.ly",
      'style-src': "'self' 'unsafe-inline' https://fonts.googleapis.com",
      'font-src': "'self' https://fonts.gstatic.com",
      'img-src': "'self' data: https:",
      'worker-src': "'self' blob:",
      'connect-src': "'self'",
      // The defaults this page must relax (an empty or false value drops a directive): Redoc builds its DOM from
      // strings and must run its script, and the local runtime serves the document over plain http.
      'require-trusted-types-for': '',
      sandbox: 'allow-scripts allow-same-origin allow-popups',
      'upgrade-insecure-requests': false,
    },
    allowCrossOriginScripts: true,
  },
);
