// GET /v1/docs/redoc.js: Redoc's standalone bundle from the installed package, so the docs page needs no CDN. The page
// asks for it with the package version in the query, so browsers and CloudFront may keep it for a year.
import { readFileSync } from 'node:fs';
import { once } from '../../layers/common/config';
import { httpHandler } from '../../layers/common/http';
import { packageFile } from '../../layers/common/package-file';
import { platform } from './manifest';

const [file] = platform.routes.docsScript.files;
const script = once(() => readFileSync(packageFile(file, import.meta.url), 'utf8'));

export const handler = httpHandler('platform', platform.routes.docsScript, async () => ({
  statusCode: 200,
  body: script(),
  headers: {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'public, max-age=31536000, immutable',
  },
}));
