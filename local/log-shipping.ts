// Local log shipping: the runtime takes every line the functions' loggers write (a log sink, layers/common/logger.ts)
// and ships it about once a second through the same code as the Lambda shipper (functions/ops/log-shipper.ts).
// A request never waits for it. While OpenSearch is down, lines wait in a bounded buffer and are retried; beyond the
// bound the oldest are dropped, which the runtime log says once per outage.

import { type LogDocument, type LogStore, shipLogs, toLogDocument } from '../functions/ops/log-shipper';
import { openSearchClient, openSearchLogStore } from '../functions/ops/log-store.opensearch';
import { setLogSink } from '../layers/common/logger';

export interface LogShippingOptions {
  url: string;
  log: (message: string) => void;
  flushEveryMs?: number;
  /** Lines kept while OpenSearch is unreachable; the oldest go first beyond it. */
  maxBuffered?: number;
  batchSize?: number;
  /** Tests hand in their own store. */
  store?: LogStore;
}

export interface LogShippingStats {
  /** Lines waiting to be shipped. */
  buffered: number;
  shipped: number;
  /** Dropped because the buffer was full. */
  dropped: number;
  /** Refused by OpenSearch itself (e.g. a mapping conflict); never retried. */
  rejected: number;
  /** Flushes that could not deliver everything they tried. */
  failedFlushes: number;
  lastError?: string;
  /** True from a failed flush until a flush delivers again. */
  outage: boolean;
}

export interface LogShipping {
  stats(): LogShippingStats;
  /** Ships what is buffered now (one flush; a flush already running is awaited instead). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_BUFFERED = 20_000;
const STOP_FLUSH_TIMEOUT_MS = 3_000;

export async function startLogShipping(options: LogShippingOptions): Promise<LogShipping> {
  // Its own client, closed at stop (keep-alive sockets to an OpenSearch that outlives the runtime).
  const client = options.store
    ? undefined
    : await openSearchClient({ url: options.url, requestTimeoutMs: 5_000 });
  const store = options.store ?? openSearchLogStore(client as NonNullable<typeof client>);
  const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  const batchSize = options.batchSize ?? 500;
  const { log } = options;

  let buffer: LogDocument[] = [];
  const stats = {
    shipped: 0,
    dropped: 0,
    rejected: 0,
    failedFlushes: 0,
    lastError: undefined as string | undefined,
  };
  let outage: { since: number; dropped: number; droppedReported: boolean } | undefined;

  const trim = () => {
    const excess = buffer.length - maxBuffered;
    if (excess <= 0) return;
    buffer = buffer.slice(excess);
    stats.dropped += excess;
    if (outage) {
      outage.dropped += excess;
      if (!outage.droppedReported) {
        outage.droppedReported = true;
        log(`log shipping: buffer full (${maxBuffered} lines); dropping the oldest until OpenSearch answers`);
      }
    }
  };

  setLogSink((line) => {
    const document = toLogDocument({ timestamp: Date.now(), message: line });
    if (!document) return;
    buffer.push(document);
    // Trimming in steps keeps the push cheap when the buffer sits at its bound.
    if (buffer.length > maxBuffered + Math.ceil(maxBuffered / 20)) trim();
  });

  let running: Promise<void> | undefined;
  /** Ships one slice of the buffer; false when OpenSearch did not take all of it. */
  const shipSlice = async (): Promise<boolean> => {
    const batch = buffer.splice(0, batchSize * 4);
    if (batch.length === 0) return true;
    // A short retry inside the flush covers a partial bulk; a longer outage is covered by the next flushes.
    const report = await shipLogs(store, batch, {
      maxAttempts: 2,
      baseDelayMs: 100,
      maxDelayMs: 500,
      batchSize,
    });
    stats.shipped += report.indexed;
    const retry = report.undelivered.filter((item) => item.retryable);
    const refused = report.undelivered.filter((item) => !item.retryable);
    if (refused.length > 0) {
      stats.rejected += refused.length;
      log(`log shipping: OpenSearch refused ${refused.length} line(s): ${refused[0]?.reason}`);
    }
    if (retry.length === 0) return true;
    // Back to the front, in order, ahead of what arrived meanwhile.
    buffer = [...retry.map((item) => item.document), ...buffer];
    stats.failedFlushes += 1;
    stats.lastError = retry[0]?.reason;
    return false;
  };

  const flushOnce = async () => {
    trim();
    let delivered = true;
    // Several slices per tick keep up with a busy runtime; the first failure ends the tick.
    for (let slice = 0; slice < 10 && buffer.length > 0 && delivered; slice++) delivered = await shipSlice();
    if (!delivered) {
      if (!outage) {
        outage = { since: Date.now(), dropped: 0, droppedReported: false };
        log(
          `log shipping: OpenSearch at ${options.url} does not take log lines (${stats.lastError}); ` +
            `buffering up to ${maxBuffered} lines and retrying`,
        );
      }
      trim();
    } else if (outage) {
      const seconds = Math.round((Date.now() - outage.since) / 1000);
      log(
        `log shipping: OpenSearch answers again after ${seconds} s; buffered lines are being shipped` +
          (outage.dropped > 0 ? ` (${outage.dropped} oldest lines were dropped meanwhile)` : ''),
      );
      outage = undefined;
    }
  };
  const flush = () => {
    running ??= flushOnce()
      .catch((error) => {
        stats.lastError = (error as Error).message;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 1_000);
  timer.unref();

  return {
    stats: () => ({ ...stats, buffered: buffer.length, outage: outage !== undefined }),
    flush,
    stop: async () => {
      clearInterval(timer);
      setLogSink(undefined);
      // One last try for the final lines (a shutdown's own), bounded so a dead OpenSearch cannot hold it up.
      await Promise.race([
        (running ?? Promise.resolve()).then(() => flush()),
        new Promise((resolve) => setTimeout(resolve, STOP_FLUSH_TIMEOUT_MS).unref()),
      ]);
      if (buffer.length > 0) log(`log shipping: ${buffer.length} line(s) not shipped at shutdown`);
      await client?.close().catch(() => undefined);
    },
  };
}
