// The ops service's other duties against real servers: the retention job deletes the daily log indices older than
// LOG_RETENTION_DAYS and nothing else, and requests to an Amazon OpenSearch Service domain are SigV4-signed.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { makeHandler } from '../../../functions/ops/expire-log-indices.schedule';
import { logIndexName, toLogDocument } from '../../../functions/ops/log-shipper';
import {
  awsDomainRegion,
  openSearchClient,
  openSearchLogStore,
} from '../../../functions/ops/log-store.opensearch';
import { getLogger } from '../../../layers/common/logger';
import { freePort } from '../../support/ports';

const openSearchUrl = inject('openSearchUrl');
const DAY = 24 * 3600_000;

describe('the retention job', () => {
  const created: string[] = [];
  afterAll(async () => {
    const client = await openSearchClient({ url: openSearchUrl });
    await client.indices.delete({ index: created.join(','), ignore_unavailable: true });
  });

  it('deletes the daily indices older than the retention and keeps the rest', async () => {
    const client = await openSearchClient({ url: openSearchUrl });
    const store = openSearchLogStore(client);
    // A fixed "now" far in the future keeps these indices apart from the ones other tests write today.
    const now = new Date(Date.UTC(2091, 5, 15, 12));
    const ages = [0, 29, 30, 31, 45];
    const documents = ages.map((age) => {
      const time = new Date(now.getTime() - age * DAY);
      return toLogDocument({ timestamp: time.getTime(), message: `line ${randomUUID()}` });
    });
    const indexed = await store.bulk(documents.flatMap((document) => (document ? [document] : [])));
    expect(indexed.every((outcome) => outcome.ok)).toBe(true);
    const other = `not-logs-${randomUUID()}`;
    await client.indices.create({ index: other });
    created.push(...ages.map((age) => logIndexName(new Date(now.getTime() - age * DAY))), other);

    const deleted: string[][] = [];
    const handler = makeHandler({
      admin: async () => ({
        listLogIndices: async () =>
          (await store.listLogIndices()).filter((name) => name.startsWith('logs-209')),
        deleteIndices: async (names) => {
          deleted.push([...names]);
          await store.deleteIndices(names);
        },
      }),
      retentionDays: () => 30,
      now: () => now,
      log: getLogger('ops'),
    });
    // An index goes once its whole UTC day lies more than 30 days before now: here the 31- and 45-day-old ones.
    expect((await handler()).deleted).toEqual([
      logIndexName(new Date(now.getTime() - 45 * DAY)),
      logIndexName(new Date(now.getTime() - 31 * DAY)),
    ]);
    const left = (await store.listLogIndices()).filter((name) => name.startsWith('logs-209'));
    expect(left.sort()).toEqual([30, 29, 0].map((age) => logIndexName(new Date(now.getTime() - age * DAY))));
    expect((await client.indices.exists({ index: other })).body).toBe(true);
  });

  it('does nothing where no OpenSearch is configured', async () => {
    const handler = makeHandler({
      admin: async () => undefined,
      retentionDays: () => 30,
      now: () => new Date(),
      log: getLogger('ops'),
    });
    expect(await handler()).toEqual({ deleted: [] });
  });
});

describe('requests to an Amazon OpenSearch Service domain', () => {
  it('are recognised by the endpoint and signed with SigV4 for the es service of its region', async () => {
    expect(awsDomainRegion('https://vpc-tol-logs-abc123.eu-west-3.es.amazonaws.com')).toBe('eu-west-3');
    expect(awsDomainRegion('http://127.0.0.1:9200')).toBeUndefined();

    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"acknowledged":true}');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' });
    try {
      const client = await openSearchClient({
        url: `http://127.0.0.1:${port}`,
        sigv4: true,
        region: 'eu-west-3',
      });
      await openSearchLogStore(client).ensureTemplate();
    } finally {
      process.env = saved;
      await new Promise((resolve) => server.close(resolve));
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-3\/es\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
    );
    expect(seen[0]?.['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });
});
