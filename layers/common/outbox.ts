// The transactional outbox: a change and the message announcing it commit together; the relay publishes what is
// pending (right after the commit, and on a schedule as a safety net), so a crash after commit loses no message.
import type pg from 'pg';
import { withTransaction } from './db';
import type { Envelope } from './messages';
import type { Destination, Publisher } from './publisher';

/** Rows one relay run claims. */
const RELAY_BATCH_ROWS = 100;
/** SNS PublishBatch and SQS SendMessageBatch take at most ten entries. */
export const PUBLISH_BATCH_MAX = 10;
/** How much of a publish error a row keeps. */
const LAST_ERROR_CHARS = 500;
/** Published rows are kept this long (for inspection), then pruned. */
const PUBLISHED_RETENTION_DAYS = 7;

/** The value of the outbox's `destination` column for a topic or queue; the relay reads it back. */
export const destinationKey = (destination: Destination): string =>
  'topic' in destination ? `topic:${destination.topic}` : `queue:${destination.queue}`;

const parseDestination = (key: string): Destination => {
  const [kind, name = ''] = key.split(':', 2);
  return kind === 'topic' ? { topic: name } : { queue: name };
};

/** Writes messages to the outbox inside the caller's transaction. */
export async function enqueue(
  client: pg.ClientBase,
  destination: Destination,
  messages: Envelope[],
): Promise<void> {
  if (messages.length === 0) return;
  const key = destinationKey(destination);
  await client.query(
    `INSERT INTO outbox (id, destination, envelope)
     SELECT id, $1, envelope FROM unnest($2::uuid[], $3::jsonb[]) AS m(id, envelope)`,
    [key, messages.map((message) => message.id), messages.map((message) => JSON.stringify(message))],
  );
}

export interface RelayResult {
  published: number;
  failed: number;
}

/**
 * Publishes up to `limit` pending messages, oldest first. Rows are claimed with SKIP LOCKED so concurrent relays
 * never publish the same row at once; a failed publish stays pending for the next run (delivery is at least once).
 */
export async function relayOutbox(
  pool: pg.Pool,
  publisher: Publisher,
  limit = RELAY_BATCH_ROWS,
): Promise<RelayResult> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string; destination: string; envelope: Envelope }>(
      `SELECT id, destination, envelope FROM outbox
       WHERE published_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    const groups = new Map<string, Envelope[]>();
    for (const row of rows)
      groups.set(row.destination, [...(groups.get(row.destination) ?? []), row.envelope]);

    const done: string[] = [];
    const errors: { id: string; error: string }[] = [];
    for (const [key, envelopes] of groups) {
      for (let start = 0; start < envelopes.length; start += PUBLISH_BATCH_MAX) {
        const batch = envelopes.slice(start, start + PUBLISH_BATCH_MAX);
        try {
          const { failedIds } = await publisher.publish(parseDestination(key), batch);
          const failedSet = new Set(failedIds);
          for (const message of batch) {
            if (failedSet.has(message.id)) errors.push({ id: message.id, error: 'rejected by broker' });
            else done.push(message.id);
          }
        } catch (error) {
          for (const message of batch) errors.push({ id: message.id, error: (error as Error).message });
        }
      }
    }
    if (done.length > 0) {
      await client.query(
        'UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])',
        [done],
      );
    }
    if (errors.length > 0) {
      await client.query(
        `UPDATE outbox SET attempts = attempts + 1, last_error = e.error
         FROM unnest($1::uuid[], $2::text[]) AS e(id, error) WHERE outbox.id = e.id`,
        [errors.map((entry) => entry.id), errors.map((entry) => entry.error.slice(0, LAST_ERROR_CHARS))],
      );
    }
    return { published: done.length, failed: errors.length };
  });
}

/** Forgets published messages older than the retention window. */
export async function pruneOutbox(pool: pg.Pool, olderThanDays = PUBLISHED_RETENTION_DAYS): Promise<number> {
  const result = await pool.query(
    `DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - make_interval(days => $1)`,
    [olderThanDays],
  );
  return result.rowCount ?? 0;
}

/** Records a message id as processed inside the consumer's transaction; false when it was processed before. */
export async function markProcessed(
  client: pg.ClientBase,
  consumer: string,
  messageId: string,
): Promise<boolean> {
  const result = await client.query(
    'INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [consumer, messageId],
  );
  return result.rowCount === 1;
}
