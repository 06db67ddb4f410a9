// The Lambda log shipper against a real OpenSearch and a real SQS API (the emulator): a CloudWatch Logs subscription
// batch is indexed into the daily index, only the items that failed for a passing reason are retried, a redelivered
// batch stores nothing twice, and what OpenSearch refuses or cannot take lands in the dead-letter queue, reported in
// the shipper's own log without failing the invocation.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sqsDeadLetter } from '../../../functions/ops/dead-letter.sqs';
import type { BulkItemOutcome, LogDocument, LogStore } from '../../../functions/ops/log-shipper';
import { openSearchClient, openSearchLogStore } from '../../../functions/ops/log-store.opensearch';
import { makeHandler } from '../../../functions/ops/ship-logs';
import { getLogger, setLogSink } from '../../../layers/common/logger';
import { type AnyHandler, invoke, lambdaContext } from '../../../local/lambda';
import { freePort } from '../../support/ports';
import { linesOf } from './support';

const openSearchUrl = inject('openSearchUrl');
let sqs: Awaited<ReturnType<typeof startFauxqs>>;
let queueUrl: string;
const shipperLog: string[] = [];

beforeAll(async () => {
  sqs = await startFauxqs({ port: await freePort(), host: 'localhost', logger: false });
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.AWS_ENDPOINT_URL = sqs.address;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  queueUrl = sqs.createQueue('log-shipper-dlq').queueUrl;
  setLogSink((line) => shipperLog.push(line));
});
afterAll(async () => {
  setLogSink(undefined);
  await sqs?.stop();
});

let eventIds = 0;
/** A subscription batch as CloudWatch Logs sends it: base64 of gzipped JSON. */
function subscriptionEvent(logGroup: string, messages: string[]): CloudWatchLogsEvent {
  const now = Date.now();
  eventIds += 1;
  const batch = eventIds;
  const data = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup,
    logStream: '2030/01/01/[$LATEST]abc',
    subscriptionFilters: ['LogShipping'],
    logEvents: messages.map((message, index) => ({
      id: `${now}${String(batch).padStart(12, '0')}${index}`,
      timestamp: now,
      message,
    })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}

const jsonLine = (correlationId: string, message: string, extra: object = {}) =>
  JSON.stringify({
    level: 'INFO',
    message,
    timestamp: new Date().toISOString(),
    service: 'tickets',
    function_name: 'TicketOrLeaveIt-Stateless-TicketsRoutePurchase',
    correlation_id: correlationId,
    ...extra,
  });

/** The real store, with the outcomes of chosen items of the first bulk replaced; counts bulk calls and sizes. */
function storeFailingFirst(real: LogStore, failures: Record<number, BulkItemOutcome>) {
  const calls: number[] = [];
  const store: LogStore = {
    ensureTemplate: () => real.ensureTemplate(),
    async bulk(documents: readonly LogDocument[]) {
      calls.push(documents.length);
      const outcomes = await real.bulk(documents);
      return calls.length === 1 ? outcomes.map((outcome, index) => failures[index] ?? outcome) : outcomes;
    },
  };
  return { store, calls };
}

const fastRetries = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50, batchSize: 500 };
/** Runs the handler as the local runtime does: in its own invocation scope, with a Lambda context. */
const run = (handler: AnyHandler, event: CloudWatchLogsEvent) =>
  invoke(handler, event, lambdaContext('ops-shipLogs', { timeoutSeconds: 60, memoryMb: 512 }), 60);

async function deadLettered(): Promise<{ reasons: string[]; documents: LogDocument[] }[]> {
  return (sqs.inspectQueue('log-shipper-dlq')?.messages.ready ?? []).map((message) =>
    JSON.parse(message.body),
  );
}

describe('the log shipper', () => {
  it('indexes a batch into the daily index, retries only the failed items, and stores a redelivered batch once', async () => {
    const correlationId = `shipper-${randomUUID()}`;
    const logGroup = `/aws/lambda/test-${randomUUID()}`;
    const requestId = randomUUID();
    const event = subscriptionEvent(logGroup, [
      `START RequestId: ${requestId} Version: $LATEST`,
      jsonLine(correlationId, 'one'),
      jsonLine(correlationId, 'two', { status: 201, latency_ms: 12, route: 'POST /v1/events/{id}/orders' }),
      jsonLine(correlationId, 'three', { error: { name: 'Error', message: 'boom', stack: 'at x' } }),
      JSON.stringify({
        _aws: { Timestamp: Date.now(), CloudWatchMetrics: [] },
        TicketsSold: 1,
        service: 'tickets',
      }),
      `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t{"errorType":"Error"}`,
      `END RequestId: ${requestId}`,
      `REPORT RequestId: ${requestId}\tDuration: 12.34 ms\tBilled Duration: 13 ms`,
    ]);
    const real = openSearchLogStore(await openSearchClient({ url: openSearchUrl }));
    const { store, calls } = storeFailingFirst(real, {
      0: { ok: false, status: 429, reason: 'es_rejected_execution_exception: queue full' },
      2: { ok: false, status: 503, reason: 'unavailable_shards_exception: try again' },
    });
    const dead: unknown[] = [];
    const handler = makeHandler({
      store: async () => store,
      deadLetter: async (undelivered) => {
        dead.push(...undelivered);
      },
      log: getLogger('ops'),
      policy: fastRetries,
    });

    // START, END and the metrics blob are not log lines worth a search; the rest are.
    expect(await run(handler, event)).toEqual({ indexed: 5, deadLettered: 0 });
    expect(calls).toEqual([5, 2]);
    expect(dead).toEqual([]);
    expect(shipperLog.some((line) => line.includes('log lines delivered after retries'))).toBe(true);

    await expect.poll(async () => (await linesOf(openSearchUrl, correlationId)).length).toBe(3);
    const lines = await linesOf(openSearchUrl, correlationId);
    expect(lines.map((line) => line.message)).toEqual(['one', 'two', 'three']);
    expect(lines[1]).toMatchObject({ status: 201, latency_ms: 12, log_group: logGroup });
    expect(lines[2]?.error).toMatchObject({ message: 'boom' });

    const client = await openSearchClient({ url: openSearchUrl });
    const inGroup = async () => {
      await client.indices.refresh({ index: 'logs-*' });
      const found = await real.search({ size: 100, query: { term: { log_group: logGroup } } });
      return found.map((hit) => hit.source);
    };
    const all = await inGroup();
    expect(all).toHaveLength(5);
    expect(all.find((line) => line.level === 'ERROR')).toMatchObject({
      function_request_id: requestId,
      message: 'Invoke Error \t{"errorType":"Error"}',
    });
    expect(all.find((line) => String(line.message).startsWith('REPORT'))?.function_request_id).toBe(
      requestId,
    );

    // Lambda delivers the same batch again (a retry): the CloudWatch event ids make it the same documents.
    await run(handler, event);
    expect(await inGroup()).toHaveLength(5);
  });

  it('sends what OpenSearch refuses to the DLQ, and everything while OpenSearch is unreachable, without failing', async () => {
    const correlationId = `refused-${randomUUID()}`;
    const real = openSearchLogStore(await openSearchClient({ url: openSearchUrl }));
    const { store } = storeFailingFirst(real, {
      1: { ok: false, status: 400, reason: 'mapper_parsing_exception: failed to parse field [status]' },
    });
    const toSqs = sqsDeadLetter(queueUrl);
    const handler = (target: LogStore) =>
      makeHandler({
        store: async () => target,
        deadLetter: toSqs,
        log: getLogger('ops'),
        policy: fastRetries,
      });

    const refused = subscriptionEvent('/aws/lambda/refused', [
      jsonLine(correlationId, 'kept'),
      jsonLine(correlationId, 'refused'),
    ]);
    expect(await run(handler(store), refused)).toEqual({ indexed: 1, deadLettered: 1 });
    let messages = await deadLettered();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.documents.map((document) => document.source.message)).toEqual(['refused']);
    expect(messages[0]?.reasons[0]).toContain('mapper_parsing_exception');

    // Nothing listens on this port: every attempt fails, and the batch goes to the queue whole.
    const unreachable = openSearchLogStore(
      await openSearchClient({ url: `http://127.0.0.1:${await freePort()}`, requestTimeoutMs: 1_000 }),
    );
    const lost = Array.from({ length: 20 }, (_, index) => jsonLine(correlationId, `line ${index}`));
    const startedAt = Date.now();
    expect(await run(handler(unreachable), subscriptionEvent('/aws/lambda/unreachable', lost))).toEqual({
      indexed: 0,
      deadLettered: 20,
    });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    messages = await deadLettered();
    const documents = messages.flatMap((message) => message.documents);
    expect(documents.filter((document) => String(document.source.message).startsWith('line '))).toHaveLength(
      20,
    );
    // Ready to bulk-index again: index, id and source of each line.
    expect(documents[1]).toMatchObject({
      index: expect.stringMatching(/^logs-\d{4}\.\d{2}\.\d{2}$/),
      id: expect.any(String),
    });

    const report = shipperLog
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter(
        (line) => line.message === 'log lines not delivered to OpenSearch; sent to the dead-letter queue',
      );
    expect(report.at(-1)).toMatchObject({
      level: 'ERROR',
      service: 'ops',
      log_group: '/aws/lambda/unreachable',
      dead_lettered: 20,
      retryable: 20,
      rounds: 3,
    });
  });
});
