// Serves the built web app (web/dist) on the API's own origin, as CloudFront does in AWS: files by path with long
// caching for content-hashed assets, index.html for any other page path (the app routes in the browser), and
// security headers with a CSP that allows no inline script. The gateway asks it only about GET/HEAD requests that
// match no API route; API paths (/v1, /oauth, /.well-known) never reach it, so they keep their problem+json 404.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  API_PATH_PREFIXES,
  WEB_SECURITY_HEADERS,
  webContentSecurityPolicy,
} from '../layers/common/web-app-policy';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt', '.webmanifest']);

export interface WebAppOptions {
  /** The built app: web/dist. */
  dir: string;
  /** Origins the app may also fetch from and show images of: the media bucket (presigned uploads and downloads). */
  mediaOrigins?: string[];
}

export type WebAppHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/** Answers a request with the app, or returns false (not a GET/HEAD for the app; the caller answers it). */
export function webApp(options: WebAppOptions): WebAppHandler {
  const root = normalize(options.dir + sep);
  const headers = {
    'content-security-policy': webContentSecurityPolicy(options.mediaOrigins),
    ...WEB_SECURITY_HEADERS,
  };
  // Compressed once per file version; the app is a handful of files.
  const gzipped = new Map<string, { mtimeMs: number; body: Buffer }>();

  return async (request, response) => {
    const method = (request.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return false;
    const pathname = safePath(request.url ?? '/');
    if (pathname === undefined || API_PATH_PREFIXES.some((prefix) => pathname.startsWith(prefix)))
      return false;
    if (!existsSync(join(root, 'index.html'))) return false;

    const isFile = extname(pathname) !== '';
    const file = normalize(join(root, isFile ? pathname : 'index.html'));
    if (!file.startsWith(root)) return false;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return false;

    const ext = extname(file);
    const hashed = pathname.startsWith('/assets/');
    const out: Record<string, string> = {
      ...headers,
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      // Hashed names change with their content; everything else (index.html above all) is checked every time.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'last-modified': info.mtime.toUTCString(),
    };
    let body: Buffer = await readFile(file);
    if (COMPRESSIBLE.has(ext)) {
      out.vary = 'accept-encoding';
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        let cached = gzipped.get(file);
        if (cached?.mtimeMs !== info.mtimeMs) {
          cached = { mtimeMs: info.mtimeMs, body: gzipSync(body) };
          gzipped.set(file, cached);
        }
        body = cached.body;
        out['content-encoding'] = 'gzip';
      }
    }
    out['content-length'] = String(body.length);
    response.writeHead(200, out);
    response.end(method === 'HEAD' ? undefined : body);
    return true;
  };
}

function safePath(url: string): string | undefined {
  try {
    const pathname = decodeURIComponent(new URL(url, 'http://localhost').pathname);
    return pathname.includes('\0') ? undefined : pathname;
  } catch {
    return undefined;
  }
}

/** The newest modification time under the app's sources (web/src, web/public, index.html, the Vite config). */
function newestSource(webDir: string): number {
  let newest = 0;
  const visit = (path: string) => {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) return;
    if (info.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, info.mtimeMs);
  };
  for (const part of ['src', 'public', 'index.html', 'vite.config.ts']) visit(join(webDir, part));
  return newest;
}

/** Builds web/dist when it is missing or older than its sources, so `npm run dev` always serves the current app. */
export async function ensureWebAppBuilt(webDir: string, log: (message: string) => void): Promise<void> {
  const built = statSync(join(webDir, 'dist', 'index.html'), { throwIfNoEntry: false });
  if (built && built.mtimeMs >= newestSource(webDir)) return;
  log(built ? 'web app sources changed: rebuilding web/dist' : 'building the web app into web/dist');
  const { build } = await import('vite');
  await build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
}
