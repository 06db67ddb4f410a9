// OpenSearch behind the log shipper, the retention job and `npm run logs`: plain HTTP locally, requests signed with
// SigV4 for an Amazon OpenSearch Service domain (its endpoint, or OPENSEARCH_SIGV4=true, says which).
import type { Client } from '@opensearch-project/opensearch';
import {
  type BulkItemOutcome,
  LOG_INDEX_PATTERN,
  LOG_INDEX_TEMPLATE,
  LOG_TEMPLATE_NAME,
  type LogDocument,
  type LogStore,
} from './log-shipper';

export interface OpenSearchOptions {
  url: string;
  requestTimeoutMs?: number;
  /** Sign requests with SigV4; default: when the URL is an AWS domain endpoint, or OPENSEARCH_SIGV4 says so. */
  sigv4?: boolean;
  region?: string;
}

/** `vpc-tol-logs-abc.us-east-1.es.amazonaws.com` and the like. */
export function awsDomainRegion(url: string): string | undefined {
  const host = new URL(url).hostname;
  return /\.([a-z]{2}(?:-[a-z]+)+-\d)\.(?:es|aoss)\.amazonaws\.com$/.exec(host)?.[1];
}

function wantsSigv4(options: OpenSearchOptions): boolean {
  if (options.sigv4 !== undefined) return options.sigv4;
  const flag = process.env.OPENSEARCH_SIGV4;
  if (flag !== undefined && flag !== '') return flag === 'true';
  return awsDomainRegion(options.url) !== undefined;
}

/** A client that retries nothing itself (the shipper decides what to retry). */
export async function openSearchClient(options: OpenSearchOptions): Promise<Client> {
  const base = {
    node: options.url,
    maxRetries: 0,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
  };
  // Loaded on first use: a quarter of a megabyte of client that a cold start need not evaluate before the handler runs.
  const { Client } = await import('@opensearch-project/opensearch');
  if (!wantsSigv4(options)) return new Client(base);
  const region = options.region ?? awsDomainRegion(options.url) ?? process.env.AWS_REGION;
  if (!region) throw new Error('Signing OpenSearch requests needs a region: set AWS_REGION');
  // Loaded only when signing: local runs never need them; in Lambda the runtime provides the SDK.
  const [{ AwsSigv4Signer }, { defaultProvider }] = await Promise.all([
    import('@opensearch-project/opensearch/aws-v3'),
    import('@aws-sdk/credential-provider-node'),
  ]);
  const credentials = defaultProvider();
  return new Client({
    ...base,
    ...AwsSigv4Signer({ region, service: 'es', getCredentials: () => credentials() }),
  });
}

interface BulkResponseItem {
  status: number;
  error?: { type?: string; reason?: string };
}

/** Transport failures (no connection, timeout) may mean a new cluster behind the URL: put the template again. */
function isTransportFailure(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'ConnectionError' || name === 'TimeoutError' || name === 'NoLivingConnectionsError';
}

export interface LogIndexAdmin {
  /** The `logs-*` index names. */
  listLogIndices(): Promise<string[]>;
  deleteIndices(names: readonly string[]): Promise<void>;
}

export interface LogSearch {
  search(body: object): Promise<{ source: Record<string, unknown>; index: string; id: string }[]>;
}

export function openSearchLogStore(client: Client): LogStore & LogIndexAdmin & LogSearch {
  let templateReady = false;
  return {
    async ensureTemplate() {
      if (templateReady) return;
      try {
        await client.indices.putIndexTemplate({
          name: LOG_TEMPLATE_NAME,
          body: LOG_INDEX_TEMPLATE as never,
        });
      } catch (error) {
        throw describe(error, 'putting the index template');
      }
      templateReady = true;
    },

    async bulk(documents: readonly LogDocument[]): Promise<BulkItemOutcome[]> {
      if (documents.length === 0) return [];
      const body = documents.flatMap((document) => [
        { index: { _index: document.index, _id: document.id } },
        document.source,
      ]);
      let items: Record<string, BulkResponseItem>[];
      try {
        const response = await client.bulk({ body: body as never });
        items = (response.body as { items?: Record<string, BulkResponseItem>[] }).items ?? [];
      } catch (error) {
        if (isTransportFailure(error)) templateReady = false;
        throw describe(error, 'bulk indexing');
      }
      return documents.map((_, index) => {
        const item = Object.values(items[index] ?? {})[0];
        if (!item) return { ok: false, status: 500, reason: 'missing from the bulk response' };
        if (item.status >= 200 && item.status < 300 && !item.error) return { ok: true };
        return {
          ok: false,
          status: item.status,
          reason: `${item.error?.type ?? 'error'}: ${item.error?.reason ?? `status ${item.status}`}`,
        };
      });
    },

    async listLogIndices() {
      const response = await client.cat.indices({ index: LOG_INDEX_PATTERN, format: 'json', h: ['index'] });
      return ((response.body ?? []) as unknown as { index: string }[]).map((row) => row.index);
    },

    async deleteIndices(names) {
      if (names.length === 0) return;
      await client.indices.delete({ index: names.join(',') });
    },

    async search(body) {
      const response = await client.search({
        index: LOG_INDEX_PATTERN,
        body: body as never,
        ignore_unavailable: true,
        allow_no_indices: true,
      });
      const hits =
        (
          response.body as {
            hits?: { hits?: { _source: Record<string, unknown>; _index: string; _id: string }[] };
          }
        ).hits?.hits ?? [];
      return hits.map((hit) => ({ source: hit._source, index: hit._index, id: hit._id }));
    },
  };
}

/** Keeps the client's error name (the shipper reports it) with a message that says what was being done. */
function describe(error: unknown, what: string): Error {
  const original = error as Error & { meta?: { statusCode?: number } };
  const status = original.meta?.statusCode ? ` (HTTP ${original.meta.statusCode})` : '';
  const described = new Error(`${what} failed${status}: ${original.message}`);
  described.name = original.name ?? 'Error';
  return described;
}
