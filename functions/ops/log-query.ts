// The documented way to follow one request across services: every log line carrying its correlation id, oldest
// first. `npm run logs` sends this query; the README shows it for use in OpenSearch Dashboards or curl.
import { LOG_INDEX_PATTERN } from './log-shipper';

export interface CorrelationQueryOptions {
  /** Only lines at or after this time. */
  since?: Date;
  /** At most this many lines (OpenSearch returns 10,000 at most without paging). */
  size?: number;
}

export const LOG_SEARCH_INDEX = LOG_INDEX_PATTERN;

/** The OpenSearch query DSL body for `GET logs-*\/_search`. */
export function correlationQuery(correlationId: string, options: CorrelationQueryOptions = {}) {
  const filter: Record<string, unknown>[] = [{ term: { correlation_id: correlationId } }];
  if (options.since) filter.push({ range: { timestamp: { gte: options.since.toISOString() } } });
  return {
    size: options.size ?? 1000,
    sort: [{ timestamp: { order: 'asc' } }, { _id: { order: 'asc' } }],
    query: { bool: { filter } },
  };
}

/** `30m`, `1h`, `2d` (or an ISO time) before `now`, as a date. */
export function parseSince(value: string, now = new Date()): Date {
  const relative = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const absolute = new Date(value);
  if (Number.isNaN(absolute.getTime()))
    throw new Error(`--since must be like 30m, 1h, 2d or an ISO time: ${value}`);
  return absolute;
}
