// Proves the test-support launchers start real Redis and OpenSearch servers that behave like
// the managed ones: Redis can be taken down and brought back on the same port, OpenSearch indexes and searches.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RedisServer, startRedis } from '../../support/redis-server';
import { waitUntil } from '../../support/wait';

describe('the Redis test server', () => {
  let redis: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, {
      // Fail fast while the server is down instead of queueing, as the app's degradation path expects.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 100,
    });
    await waitUntil(() => client.status === 'ready');
  }, 30_000);

  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('stores a key and reads it back', async () => {
    await client.set('tol:test-services', 'hello');
    expect(await client.get('tol:test-services')).toBe('hello');
  });

  it('rejects commands while stopped and serves them again after a restart on the same port', async () => {
    const port = redis.port;
    await redis.stop();
    await expect(client.get('tol:test-services')).rejects.toThrow();

    await redis.start();
    expect(redis.port).toBe(port);
    await waitUntil(() => client.status === 'ready');
    await client.set('tol:test-services', 'back again');
    expect(await client.get('tol:test-services')).toBe('back again');
  }, 30_000);
});

// The server global setup started with startOpenSearch: a second one here would cost a JVM start for nothing.
describe('the OpenSearch test server', () => {
  const opensearch = { url: inject('openSearchUrl') };

  it('indexes a document and finds it with a full-text search', async () => {
    const index = `${opensearch.url}/tol-test-services-${randomUUID()}`;
    const put = await fetch(`${index}/_doc/evt-1?refresh=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Midnight Jazz Quartet', city: 'Lisbon' }),
    });
    expect(put.status).toBe(201);

    const search = await fetch(`${index}/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: { match: { name: 'jazz' } } }),
    });
    expect(search.status).toBe(200);
    const body = (await search.json()) as { hits: { hits: { _id: string; _source: { city: string } }[] } };
    expect(body.hits.hits.map((hit) => hit._id)).toEqual(['evt-1']);
    expect(body.hits.hits[0]?._source.city).toBe('Lisbon');
  }, 30_000);
});
