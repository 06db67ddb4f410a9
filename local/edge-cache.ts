// The shared cache in front of the API, as CloudFront is in AWS (infra-cdk/lib/web-stack.ts): routes declared with
// `edgeCacheSeconds` keep a 200 answer whose Cache-Control allows shared caches (`s-maxage`) for at most that long,
// one copy per path, query, Origin and Authorization (none, for anonymous viewers). Requests for the same copy while it is being fetched wait for
// that one fetch (CloudFront collapses them too), so a refresh storm reaches the function about once per second
// (locally about twice: see renewal below).
// Conditional requests are answered here: an If-None-Match naming the copy's ETag gets a 304 without the function.
// Unlike CloudFront, the stand-in renews a copy in the second half of its life: the request that finds it there gets
// the copy at once and starts the one fetch of the next (so about two fetches a second); nobody waits for the function
// while a copy is fresh, and no copy is served past its lifetime (so the staleness promised is the same). On AWS the
// edge's fetch is a warm Lambda's tens of milliseconds; here the function shares the machine's cores with everything
// else (during a sale it queued 100-400 ms behind purchases), which made every viewer of an API process wait once a
// second.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A stored answer: what the function returned, when, and for how long it may be served. */
export interface EdgeEntry {
  status: number;
  headers: Record<string, string>;
  body: Buffer | undefined;
  storedAt: number;
  expiresAt: number;
  /** From then on, the next lookup starts fetching the next copy (and is answered with this one). */
  renewAt: number;
}

/** How long a shared cache may keep an answer with these headers, in ms, capped by the route's declaration. */
export function sharedLifetimeMs(
  headers: Record<string, string>,
  capSeconds: number,
  status: number,
): number {
  if (status !== 200) return 0;
  const control = (headers['cache-control'] ?? '').toLowerCase();
  // no-cache: a shared cache must ask the origin every time, which is not keeping it.
  if (/(^|,)\s*(no-store|no-cache|private)\s*(=|,|$)/.test(control) || headers['set-cookie'] !== undefined)
    return 0;
  const match = /(?:^|,)\s*s-maxage\s*=\s*(\d+)/.exec(control);
  if (!match) return 0;
  return Math.min(Number(match[1]), capSeconds) * 1000;
}

/**
 * The key of a copy: path, query, the Origin (the answer's CORS headers depend on it) and the Authorization header,
 * which CloudFront forwards (other methods on the same path need it) only when it is part of the key: anonymous
 * viewers share one copy, a viewer who sends a token gets one of their own.
 */
export function edgeKey(rawPath: string, rawQuery: string, headers: Record<string, string>): string {
  return JSON.stringify([rawPath, rawQuery, headers.origin ?? '', headers.authorization ?? '']);
}

/** Copies kept at most; expired ones go first, then the oldest. */
const MAX_ENTRIES = 10_000;

export class EdgeCache {
  private readonly entries = new Map<string, EdgeEntry>();
  private readonly fetching = new Map<string, Promise<EdgeEntry | undefined>>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The copy under `key` when it can answer without a lookup: fresh and not due for renewal, or already being
   * renewed. Otherwise undefined: the caller looks it up (which starts the renewal, or fetches a missing copy).
   */
  servable(key: string): EdgeEntry | undefined {
    const entry = this.fresh(key);
    return entry && !this.dueForRenewal(key, entry) ? entry : undefined;
  }

  /** Whether a fresh copy is past its renewal time with no fetch of the next under way. */
  private dueForRenewal(key: string, entry: EdgeEntry): boolean {
    return this.now() >= entry.renewAt && !this.fetching.has(key);
  }

  /** The fresh copy under `key`, if any. */
  fresh(key: string): EdgeEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry;
    this.entries.delete(key);
    return undefined;
  }

  /**
   * The fresh copy under `key`, fetching it with `fetch` when there is none; callers arriving while a fetch is under
   * way share it. Undefined when the answer may not be shared (an error, a degraded answer): each caller then asks
   * the function itself. A copy due for renewal is answered at once while `fetch` makes the next one in the
   * background (a renewal that keeps nothing is not retried: the copy serves until it expires, then callers wait).
   */
  async lookup(
    key: string,
    capSeconds: number,
    fetch: () => Promise<APIGatewayProxyStructuredResultV2 | undefined>,
    /** Where a renewal's failure goes: no viewer waits for it, so none is answered with it. */
    renewalFailed: (error: unknown) => void = () => undefined,
  ): Promise<EdgeEntry | undefined> {
    const found = this.fresh(key);
    if (found) {
      if (this.dueForRenewal(key, found)) {
        // A renewal that keeps nothing (failed, or not shareable: a degraded page) is not tried again for this copy;
        // readers keep it until it expires and then ask the function as they would without renewal.
        const keepOld = () => {
          found.renewAt = found.expiresAt;
        };
        this.fetch(key, capSeconds, fetch).then(
          (next) => next ?? keepOld(),
          (error: unknown) => {
            keepOld();
            renewalFailed(error);
          },
        );
      }
      return found;
    }
    return this.fetching.get(key) ?? this.fetch(key, capSeconds, fetch);
  }

  private fetch(
    key: string,
    capSeconds: number,
    fetch: () => Promise<APIGatewayProxyStructuredResultV2 | undefined>,
  ): Promise<EdgeEntry | undefined> {
    const started = this.now();
    const fetched = fetch()
      .then((result) => this.store(key, result, capSeconds, started))
      .finally(() => this.fetching.delete(key));
    this.fetching.set(key, fetched);
    return fetched;
  }

  /** Keeps an answer if its headers let a shared cache keep it; its lifetime counts from when the fetch began. */
  private store(
    key: string,
    result: APIGatewayProxyStructuredResultV2 | undefined,
    capSeconds: number,
    started: number,
  ): EdgeEntry | undefined {
    const status = result?.statusCode ?? 200;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result?.headers ?? {}))
      headers[name.toLowerCase()] = String(value);
    if (result?.cookies?.length) headers['set-cookie'] = result.cookies.join(', ');
    const lifetimeMs = sharedLifetimeMs(headers, capSeconds, status);
    if (lifetimeMs <= 0 || started + lifetimeMs <= this.now()) return undefined;
    const body =
      result?.body === undefined
        ? undefined
        : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
    const entry: EdgeEntry = {
      status,
      headers,
      body,
      storedAt: started,
      expiresAt: started + lifetimeMs,
      renewAt: started + lifetimeMs / 2,
    };
    if (this.entries.size >= MAX_ENTRIES) this.evict();
    this.entries.set(key, entry);
    return entry;
  }

  private evict() {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    for (const key of this.entries.keys()) {
      if (this.entries.size < MAX_ENTRIES) break;
      this.entries.delete(key);
    }
  }
}
