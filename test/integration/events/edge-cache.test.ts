// The edge in front of the event page (CloudFront in AWS, the local gateway here): a crowd refreshing the page costs
// the functions one request per copy (about one a second; two locally, which renews copies), every viewer still gets a 304 for what they hold, and nobody is served a
// copy made for someone else's token.
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { EDGE_MS } from '../../support/edge';
import { waitUntil } from '../../support/wait';
import { eventsPlatform, steps } from './support';

let platform: Platform;
let ada: TestUser;
const { published } = steps(() => platform);

eventsPlatform((started) => {
  ({ platform, ada } = started);
});

const read = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${platform.apiUrl}${path}`, { headers });
const cacheOf = (answer: Response) => (answer.headers.get('x-cache') ?? '').split(' ')[0];

/**
 * Runs `scenario` on a fresh event's page until one run fits in a copy's lifetime (with a margin): on a busy machine
 * a run that took longer saw the copy expire part-way, which says nothing about the edge. Answers that run's result.
 */
async function withinOneCopy<T>(scenario: (path: string) => Promise<T | undefined>): Promise<T> {
  return waitUntil(
    async () => {
      const event = await published(ada);
      const started = Date.now();
      const result = await scenario(`/v1/events/${event.id}`);
      return Date.now() - started < EDGE_MS - 200 ? result : undefined;
    },
    { intervalMs: 0, message: 'a run within one copy of the page' },
  );
}

describe('the event page at the edge', () => {
  it('is fetched once for a crowd, then served from the copy with its age, and never from that copy past its second', async () => {
    const { path, crowd, bodies, hit, hitBody, copyMadeBy } = await withinOneCopy(async (path) => {
      const crowd = await Promise.all(Array.from({ length: 30 }, () => read(path)));
      // The copy was being made before its answer came: it expires a second after that at the latest.
      const copyMadeBy = Date.now();
      const bodies = await Promise.all(crowd.map((answer) => answer.text()));
      const hit = await read(path, { 'x-correlation-id': 'edge-reader-1' });
      return { path, crowd, bodies, hit, hitBody: await hit.text(), copyMadeBy };
    });
    expect(crowd.map((answer) => answer.status)).toEqual(Array(30).fill(200));
    expect(crowd.map(cacheOf).filter((cache) => cache === 'Miss')).toHaveLength(1);
    expect(new Set(bodies).size).toBe(1);
    expect(crowd[0]?.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=1');

    expect(hit.headers.get('x-cache')).toBe('Hit from cloudfront');
    expect(Number(hit.headers.get('age'))).toBeLessThanOrEqual(1);
    expect(hit.headers.get('server-timing')).toBe('edge-hit;desc=1');
    // As CloudFront: the copy's headers, the correlation id of the request that made it among them.
    const made = crowd.find((answer) => cacheOf(answer) === 'Miss');
    expect(hit.headers.get('x-correlation-id')).toBe(made?.headers.get('x-correlation-id'));
    expect(hitBody).toBe(bodies[0]);

    // The copy is renewed within its second (local/edge-cache.ts): readers then get a copy the function made anew,
    // from the edge, and never the first copy once it is a second old.
    await waitUntil(
      async () => {
        const requested = Date.now();
        const later = await read(path);
        const newer = later.headers.get('x-correlation-id') !== made?.headers.get('x-correlation-id');
        if (!newer) expect(requested - copyMadeBy).toBeLessThan(EDGE_MS);
        return newer;
      },
      { message: 'a read from a newer copy' },
    );
  });

  it('answers If-None-Match with a 304 from the copy, and the page to a viewer whose tag is old', async () => {
    const { path, first, notModified, old } = await withinOneCopy(async (path) => {
      const first = await read(path);
      await first.text();
      const etag = first.headers.get('etag') ?? '';
      const notModified = await read(path, { 'if-none-match': etag });
      const old = await read(path, { 'if-none-match': 'W/"something-older"' });
      return { path, first, notModified, old };
    });
    expect(first.headers.get('etag')).toMatch(/^W\/"/);
    expect(notModified.status).toBe(304);
    expect(cacheOf(notModified)).toBe('Hit');
    expect(await notModified.text()).toBe('');
    expect(old.status).toBe(200);
    expect(((await old.json()) as { id: string }).id).toBe(path.split('/').pop());
  });

  it('keeps a viewer who sends a token apart from the anonymous crowd, and never caches the organizer’s change', async () => {
    const caches = await withinOneCopy(async (path) => {
      const anonymous = cacheOf(await read(path));
      const withToken = await read(path, { authorization: `Bearer ${ada.accessToken}` });
      expect(withToken.status).toBe(200);
      const again = cacheOf(await read(path));
      return { anonymous, withToken: cacheOf(withToken), again, path };
    });
    expect([caches.anonymous, caches.withToken, caches.again]).toEqual(['Miss', 'Miss', 'Hit']);

    // The other methods on the page's path go to the function every time.
    const patch = (name: string) =>
      fetch(`${platform.apiUrl}${caches.path}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ada.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
    const once = await patch('Renamed once');
    const twice = await patch('Renamed twice');
    expect([once.status, twice.status]).toEqual([200, 200]);
    expect([once.headers.get('x-cache'), twice.headers.get('x-cache')]).toEqual([null, null]);
    expect(((await twice.json()) as { name: string }).name).toBe('Renamed twice');
  });
});
