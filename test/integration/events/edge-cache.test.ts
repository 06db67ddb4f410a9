// The edge in front of the event page (CloudFront in AWS, the local gateway here): a crowd refreshing the page costs
// the functions one request per second, every viewer still gets a 304 for what they hold, and nobody is served a
// copy made for someone else's token.
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
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

describe('the event page at the edge', () => {
  it('is fetched once for a crowd, then served from the copy with its age until the copy is a second old', async () => {
    const event = await published(ada);
    const path = `/v1/events/${event.id}`;
    const crowd = await Promise.all(Array.from({ length: 30 }, () => read(path)));
    expect(crowd.map((answer) => answer.status)).toEqual(Array(30).fill(200));
    const caches = crowd.map((answer) => answer.headers.get('x-cache'));
    expect(caches.filter((cache) => cache === 'miss')).toHaveLength(1);
    const bodies = new Set(await Promise.all(crowd.map((answer) => answer.text())));
    expect(bodies.size).toBe(1);
    expect(crowd[0]?.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=1');

    const hit = await read(path, { 'x-correlation-id': 'edge-reader-1' });
    expect(hit.headers.get('x-cache')).toBe('hit');
    expect(Number(hit.headers.get('age'))).toBeLessThanOrEqual(1);
    expect(hit.headers.get('server-timing')).toBe('edge-hit;desc=1');
    // Each viewer's own correlation id, not the one of the request that made the copy.
    expect(hit.headers.get('x-correlation-id')).toBe('edge-reader-1');
    expect(await hit.text()).toBe([...bodies][0]);

    // The copy expires: the function is asked again (one of these reads finds it gone).
    await waitUntil(async () => (await read(path)).headers.get('x-cache') === 'miss', {
      message: 'a read after the copy expired',
    });
  });

  it('answers If-None-Match with a 304 from the copy, and the page to a viewer whose tag is old', async () => {
    const event = await published(ada);
    const path = `/v1/events/${event.id}`;
    const first = await read(path);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"/);
    const notModified = await read(path, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('x-cache')).toBe('hit');
    expect(await notModified.text()).toBe('');
    const old = await read(path, { 'if-none-match': 'W/"something-older"' });
    expect(old.status).toBe(200);
    expect(((await old.json()) as { id: string }).id).toBe(event.id);
  });

  it('keeps a viewer who sends a token apart from the anonymous crowd, and never caches the organizer’s change', async () => {
    const event = await published(ada);
    const path = `/v1/events/${event.id}`;
    expect((await read(path)).headers.get('x-cache')).toBe('miss');
    const withToken = await read(path, { authorization: `Bearer ${ada.accessToken}` });
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get('x-cache')).toBe('miss');
    expect((await read(path)).headers.get('x-cache')).toBe('hit');

    // The other methods on the page's path go to the function every time.
    const patch = (name: string) =>
      fetch(`${platform.apiUrl}${path}`, {
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
