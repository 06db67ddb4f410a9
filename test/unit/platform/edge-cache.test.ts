// The local stand-in for CloudFront's cache: what it keeps, for how long, and that a crowd costs one function call.
import { describe, expect, it } from 'vitest';
import { EdgeCache, edgeKey, sharedLifetimeMs } from '../../../local/edge-cache';

const answer = (cacheControl: string, body = '{"remaining":3}', statusCode = 200) => ({
  statusCode,
  headers: { 'Cache-Control': cacheControl, etag: 'W/"a"' },
  body,
});

/** A function call that answers only when released, each answer naming which call it was. */
function heldFetch() {
  let calls = 0;
  let release: () => void = () => undefined;
  const fetch = async () => {
    calls += 1;
    const call = calls;
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    return answer('public, max-age=0, s-maxage=1', `{"call":${call}}`);
  };
  return { fetch, release: () => release(), calls: () => calls };
}

describe('the edge cache', () => {
  it('keeps only answers that shared caches may keep, for at most the route’s seconds', () => {
    expect(sharedLifetimeMs({ 'cache-control': 'public, max-age=0, s-maxage=1' }, 1, 200)).toBe(1000);
    expect(sharedLifetimeMs({ 'cache-control': 'public, s-maxage=60' }, 1, 200)).toBe(1000);
    expect(sharedLifetimeMs({ 'cache-control': 'public, no-cache' }, 1, 200)).toBe(0);
    expect(sharedLifetimeMs({ 'cache-control': 'public, no-cache, s-maxage=1' }, 1, 200)).toBe(0);
    expect(sharedLifetimeMs({ 'cache-control': 'private="x-token", s-maxage=1' }, 1, 200)).toBe(0);
    expect(sharedLifetimeMs({ 'cache-control': 'no-store' }, 1, 200)).toBe(0);
    expect(sharedLifetimeMs({ 'cache-control': 'private, s-maxage=1' }, 1, 200)).toBe(0);
    expect(sharedLifetimeMs({ 'cache-control': 'public, s-maxage=1' }, 1, 404)).toBe(0);
    expect(sharedLifetimeMs({ 'cache-control': 'public, s-maxage=1', 'set-cookie': 'a=b' }, 1, 200)).toBe(0);
  });

  it('serves one fetch to everyone asking while it runs, and fetches again once the copy is a second old', async () => {
    let now = 1_000_000;
    const cache = new EdgeCache(() => now);
    const { fetch, release, calls } = heldFetch();
    const crowd = Array.from({ length: 20 }, () => cache.lookup('/v1/events/e?#', 1, fetch));
    release();
    const entries = await Promise.all(crowd);
    expect(calls()).toBe(1);
    expect(new Set(entries.map((entry) => entry?.body?.toString()))).toEqual(new Set(['{"call":1}']));
    expect(entries[0]?.headers.etag).toBe('W/"a"');

    now += 999;
    expect(cache.fresh('/v1/events/e?#')?.body?.toString()).toBe('{"call":1}');
    now += 1;
    expect(cache.fresh('/v1/events/e?#')).toBeUndefined();
    const next = cache.lookup('/v1/events/e?#', 1, fetch);
    release();
    expect((await next)?.body?.toString()).toBe('{"call":2}');
  });

  it('renews a copy in the second half of its life: the viewer gets the copy at once, never one past its second', async () => {
    let now = 1_000_000;
    const cache = new EdgeCache(() => now);
    const { fetch, release, calls } = heldFetch();
    const first = cache.lookup('k', 1, fetch);
    release();
    await first;

    now += 499;
    expect(cache.servable('k')?.body?.toString()).toBe('{"call":1}');
    now += 1;
    // Due for renewal: the gateway looks it up, which answers the copy and starts the one fetch of the next.
    expect(cache.servable('k')).toBeUndefined();
    const viewers = await Promise.all(Array.from({ length: 10 }, () => cache.lookup('k', 1, fetch)));
    expect(viewers.map((entry) => entry?.body?.toString())).toEqual(Array(10).fill('{"call":1}'));
    expect(calls()).toBe(2);
    // While it is being renewed the copy answers at once.
    expect(cache.servable('k')?.body?.toString()).toBe('{"call":1}');

    // The renewal is slow: past the copy's second nobody gets the old copy, they wait for the renewal.
    now += 500;
    expect(cache.servable('k')).toBeUndefined();
    const waiting = cache.lookup('k', 1, fetch);
    release();
    const renewed = await waiting;
    expect(renewed?.body?.toString()).toBe('{"call":2}');
    expect(calls()).toBe(2);
    // Its second counts from when the renewal began, half a second ago.
    expect(renewed?.expiresAt).toBe(now + 500);
  });

  it('keeps serving a copy whose renewal failed (reported) or was not shareable until it expires, without asking again', async () => {
    for (const [renewal, failures] of [
      [
        async () => {
          throw new Error('tickets is down');
        },
        ['tickets is down'],
      ],
      [async () => answer('no-store'), []],
    ] as const) {
      let now = 0;
      const cache = new EdgeCache(() => now);
      await cache.lookup('k', 1, async () => answer('public, s-maxage=1'));
      now = 600;
      let calls = 0;
      const counted = () => {
        calls += 1;
        return renewal();
      };
      const settled = () => new Promise((resolve) => setImmediate(resolve));
      const reported: string[] = [];
      const report = (error: unknown) => reported.push((error as Error).message);
      expect((await cache.lookup('k', 1, counted, report))?.status).toBe(200);
      await settled();
      expect((await cache.lookup('k', 1, counted, report))?.status).toBe(200);
      expect(cache.servable('k')?.status).toBe(200);
      await settled();
      expect(calls).toBe(1);
      // The failure is reported (no viewer waited for it), a page that may not be shared is not a failure.
      expect(reported).toEqual(failures);
      now = 1000;
      expect(cache.servable('k')).toBeUndefined();
      await cache.lookup('k', 1, counted).catch(() => undefined);
      expect(calls).toBe(2);
    }
  });

  it('keeps nothing a shared cache may not keep, so each caller then asks the function itself', async () => {
    const cache = new EdgeCache();
    let calls = 0;
    const degraded = async () => {
      calls += 1;
      return answer('no-store');
    };
    expect(await cache.lookup('k', 1, degraded)).toBeUndefined();
    expect(await cache.lookup('k', 1, degraded)).toBeUndefined();
    expect(calls).toBe(2);
  });

  it('counts a copy’s second from when its fetch began: a slow fetch is kept for what is left', async () => {
    let now = 0;
    const cache = new EdgeCache(() => now);
    const slow = async () => {
      now += 700;
      return answer('public, s-maxage=1');
    };
    const entry = await cache.lookup('k', 1, slow);
    expect(entry?.expiresAt).toBe(1000);
    now = 1000;
    expect(cache.fresh('k')).toBeUndefined();
    const tooSlow = async () => {
      now += 1000;
      return answer('public, s-maxage=1');
    };
    expect(await cache.lookup('k', 1, tooSlow)).toBeUndefined();
  });

  it('gives every waiter a failed fetch’s error, keeps nothing, and fetches again for the next caller', async () => {
    const cache = new EdgeCache();
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new Error('the function timed out');
    };
    const waiting = [cache.lookup('k', 1, failing), cache.lookup('k', 1, failing)];
    for (const outcome of await Promise.allSettled(waiting)) expect(outcome.status).toBe('rejected');
    expect(calls).toBe(1);
    const next = await cache.lookup('k', 1, async () => answer('public, s-maxage=1'));
    expect(next?.status).toBe(200);
  });

  it('keys a copy by path, query, Origin and token: nobody gets a copy made for another token or origin', () => {
    const anonymous = edgeKey('/v1/events/e', '', {});
    expect(edgeKey('/v1/events/e', '', { 'user-agent': 'another browser' })).toBe(anonymous);
    for (const other of [
      edgeKey('/v1/events/e', '', { authorization: 'Bearer a' }),
      edgeKey('/v1/events/e', '', { origin: 'https://elsewhere.example' }),
      edgeKey('/v1/events/e', 'x=1', {}),
      edgeKey('/v1/events/f', '', {}),
    ])
      expect(other).not.toBe(anonymous);
    expect(edgeKey('/v1/events/e', '', { authorization: 'Bearer a' })).not.toBe(
      edgeKey('/v1/events/e', '', { authorization: 'Bearer b' }),
    );
  });
});
