// The rules of log shipping, shared by the Lambda shipper (fed by CloudWatch Logs subscription filters) and the local
// runtime: turn a log line into an OpenSearch document for its daily index, and bulk-index documents, retrying only
// the items that failed for a passing reason, with exponential backoff and full jitter, for a bounded time.
// No SDK and no client here: the store is an interface (log-store.opensearch.ts implements it).
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';

export const LOG_INDEX_PREFIX = 'logs-';
export const LOG_INDEX_PATTERN = `${LOG_INDEX_PREFIX}*`;
export const LOG_TEMPLATE_NAME = 'tol-logs';
export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** Fields of our JSON lines that are matched exactly (term queries, aggregations). */
const KEYWORD_FIELDS = [
  'level',
  'service',
  'function_name',
  'function_request_id',
  'xray_trace_id',
  'correlation_id',
  'request_id',
  'user_id',
  'route',
  'method',
  'path',
  'message_type',
  'message_id',
  'sqs_message_id',
  'log_group',
  'log_stream',
] as const;
const INTEGER_FIELDS = ['status', 'latency_ms'] as const;

/**
 * The index template every `logs-*` index is created from. Mappings are explicit and `dynamic: false`: other keys a
 * line carries stay in `_source` (shown with the line) without growing the mapping; `error` is kept, not indexed.
 * One shard and no replica: the domain has one node, and CloudWatch Logs keeps the originals.
 */
export const LOG_INDEX_TEMPLATE = {
  index_patterns: [LOG_INDEX_PATTERN],
  priority: 100,
  template: {
    settings: {
      index: { number_of_shards: 1, number_of_replicas: 0, mapping: { ignore_malformed: true } },
    },
    mappings: {
      dynamic: 'false',
      properties: {
        timestamp: { type: 'date' },
        message: { type: 'text' },
        ...Object.fromEntries(
          KEYWORD_FIELDS.map((field) => [field, { type: 'keyword', ignore_above: 1024 }]),
        ),
        ...Object.fromEntries(INTEGER_FIELDS.map((field) => [field, { type: 'integer' }])),
        cold_start: { type: 'boolean' },
        error: { type: 'object', enabled: false },
      },
    },
  },
  _meta: { description: 'TicketOrLeaveIt function logs, one index per UTC day', version: 1 },
} as const;

/** One log line as it arrives: from a CloudWatch Logs event, or captured by the local runtime. */
export interface RawLogLine {
  /** The CloudWatch event id; when absent the id is a hash of the line, so shipping it twice stores it once. */
  id?: string;
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
  logGroup?: string;
  logStream?: string;
}

export interface LogDocument {
  index: string;
  id: string;
  source: Record<string, unknown>;
}

/** `logs-YYYY.MM.DD` of the UTC day of `time`. */
export function logIndexName(time: Date): string {
  const day = time.toISOString().slice(0, 10).replaceAll('-', '.');
  return `${LOG_INDEX_PREFIX}${day}`;
}

/** The UTC day an index name stands for, or undefined for names that are not ours. */
export function dayOfLogIndex(name: string): Date | undefined {
  const match = /^logs-(\d{4})\.(\d{2})\.(\d{2})$/.exec(name);
  if (!match) return undefined;
  const day = new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00.000Z`);
  return Number.isNaN(day.getTime()) ? undefined : day;
}

/** Daily indices whose whole day ended more than `retentionDays` days before `now`. */
export function expiredLogIndices(names: readonly string[], now: Date, retentionDays: number): string[] {
  const cutoff = now.getTime() - retentionDays * 24 * 3600_000;
  return names
    .filter((name) => {
      const day = dayOfLogIndex(name);
      return day !== undefined && day.getTime() + 24 * 3600_000 <= cutoff;
    })
    .sort();
}

/** The Lambda runtime's own lines that carry nothing a search needs (REPORT lines, with durations, are kept). */
const PLATFORM_NOISE = /^(START|END|INIT_START|EXTENSION|TELEMETRY) /;
/** Lambda's text format for console output and uncaught errors: time, request id, level, message. */
const LAMBDA_TEXT_LINE = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\t([0-9a-f-]{36})\t([A-Z]+)\t([\s\S]*)$/;

/** The document of one line, or undefined for lines not worth indexing (runtime noise, EMF metric blobs). */
export function toLogDocument(line: RawLogLine): LogDocument | undefined {
  const text = line.message.trim();
  if (text === '' || PLATFORM_NOISE.test(text)) return undefined;
  const parsed = parseObject(text);
  // Embedded-metric-format lines are metrics, already in CloudWatch.
  if (parsed && '_aws' in parsed) return undefined;
  const source = parsed ? sanitize(parsed) : textLine(text);
  const own = typeof source.timestamp === 'string' ? Date.parse(source.timestamp) : Number.NaN;
  const time = new Date(Number.isNaN(own) ? line.timestamp : own);
  source.timestamp = time.toISOString();
  if (line.logGroup) source.log_group = line.logGroup;
  if (line.logStream) source.log_stream = line.logStream;
  return {
    index: logIndexName(time),
    id: line.id ?? createHash('sha256').update(text).digest('base64url').slice(0, 32),
    source,
  };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A non-JSON line becomes `message`, with what Lambda's text format tells about it. */
function textLine(text: string): Record<string, unknown> {
  const lambda = LAMBDA_TEXT_LINE.exec(text);
  if (lambda) {
    return { timestamp: lambda[1], function_request_id: lambda[2], level: lambda[3], message: lambda[4] };
  }
  const report = /^REPORT RequestId: (\S+)/.exec(text);
  return report ? { message: text, function_request_id: report[1] } : { message: text };
}

/** Coerces the mapped fields to their types, so one odd line is never rejected by the mapping. */
function sanitize(line: Record<string, unknown>): Record<string, unknown> {
  const source: Record<string, unknown> = { ...line };
  for (const field of KEYWORD_FIELDS) {
    const value = source[field];
    if (value !== undefined && value !== null && typeof value === 'object')
      source[field] = JSON.stringify(value);
  }
  for (const field of INTEGER_FIELDS) {
    const value = source[field];
    if (value === undefined) continue;
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number === 'number' && Number.isFinite(number)) source[field] = Math.round(number);
    else {
      delete source[field];
      source[`${field}_raw`] = value;
    }
  }
  if (source.message !== undefined && typeof source.message !== 'string')
    source.message = JSON.stringify(source.message);
  if (source.cold_start !== undefined && typeof source.cold_start !== 'boolean') delete source.cold_start;
  return source;
}

/** The payload of a CloudWatch Logs subscription event: base64 of gzipped JSON. */
export function decodeSubscriptionEvent(event: CloudWatchLogsEvent): CloudWatchLogsDecodedData {
  return JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'));
}

/** The documents of a decoded subscription payload (control messages have none). */
export function documentsOf(data: CloudWatchLogsDecodedData): LogDocument[] {
  if (data.messageType !== 'DATA_MESSAGE') return [];
  return data.logEvents.flatMap((event) => {
    const document = toLogDocument({
      id: event.id,
      timestamp: event.timestamp,
      message: event.message,
      logGroup: data.logGroup,
      logStream: data.logStream,
    });
    return document ? [document] : [];
  });
}

/** What happened to one document of a bulk request. */
export type BulkItemOutcome = { ok: true } | { ok: false; status: number; reason: string };

export interface LogStore {
  /** Puts the index template (idempotent); a store may remember that it did. */
  ensureTemplate(): Promise<void>;
  /** One outcome per document, in order. Throws when the request as a whole fails (unreachable, timeout, 5xx). */
  bulk(documents: readonly LogDocument[]): Promise<BulkItemOutcome[]>;
}

/** Too many requests, or the cluster failing: worth another try. A 4xx (a mapping conflict, say) never succeeds. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

export interface ShipPolicy {
  /** Bulk attempts per document, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Documents per bulk request. */
  batchSize: number;
  /** Milliseconds left to work in (e.g. the Lambda deadline less a margin); no retry starts past it. */
  timeLeftMs?: () => number;
}

export const DEFAULT_SHIP_POLICY: ShipPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  batchSize: 500,
};

export interface Undelivered {
  document: LogDocument;
  reason: string;
  /** False when OpenSearch refused the document itself; true when it ran out of attempts. */
  retryable: boolean;
}

export interface ShipReport {
  indexed: number;
  /** Bulk rounds run (1 when everything went through at once). */
  rounds: number;
  undelivered: Undelivered[];
}

export interface ShipIo {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const realIo: ShipIo = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Full-jitter exponential backoff before round `round` (2, 3, ...). */
export function backoffMs(round: number, policy: ShipPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (round - 2));
  return Math.floor(random() * ceiling);
}

/**
 * Indexes `documents`, retrying only the failed items of a partial bulk (and everything after a failed request) until
 * they are in, attempts run out, or time does. Never throws: what could not be delivered is in the report.
 */
export async function shipLogs(
  store: LogStore,
  documents: readonly LogDocument[],
  policy: ShipPolicy = DEFAULT_SHIP_POLICY,
  io: ShipIo = realIo,
): Promise<ShipReport> {
  let pending = documents.map((document) => ({ document, reason: 'not attempted' }));
  const undelivered: Undelivered[] = [];
  let indexed = 0;
  let rounds = 0;
  while (pending.length > 0 && rounds < policy.maxAttempts) {
    if (rounds > 0) {
      const delay = backoffMs(rounds + 1, policy, io.random);
      if (policy.timeLeftMs && policy.timeLeftMs() < delay) break;
      await io.sleep(delay);
    }
    rounds += 1;
    const retry: typeof pending = [];
    try {
      await store.ensureTemplate();
    } catch (error) {
      pending = pending.map(({ document }) => ({ document, reason: reasonOf(error) }));
      continue;
    }
    for (let start = 0; start < pending.length; start += policy.batchSize) {
      const chunk = pending.slice(start, start + policy.batchSize);
      let outcomes: BulkItemOutcome[];
      try {
        outcomes = await store.bulk(chunk.map((item) => item.document));
      } catch (error) {
        for (const { document } of chunk) retry.push({ document, reason: reasonOf(error) });
        continue;
      }
      chunk.forEach(({ document }, index) => {
        const outcome = outcomes[index] ?? { ok: false, status: 500, reason: 'no outcome for this item' };
        if (outcome.ok) indexed += 1;
        else if (isRetryableStatus(outcome.status)) retry.push({ document, reason: outcome.reason });
        else undelivered.push({ document, reason: outcome.reason, retryable: false });
      });
    }
    pending = retry;
  }
  for (const { document, reason } of pending) undelivered.push({ document, reason, retryable: true });
  return { indexed, rounds, undelivered };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
