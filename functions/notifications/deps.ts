// The real dependencies of the notifications functions that send no email (the history route, the reminder scan),
// wired once per container. Senders add the mailer in send.deps.ts, so only they bundle nodemailer.
import { ConfigError, once, optionalEnv } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { pruneOutbox, relayOutbox } from '../../layers/common/outbox';
import { awsPublisher } from '../../layers/common/publisher';
import type { NotificationStore, ScanDeps } from './notifications';
import { pgNotificationStore } from './notifications.store';

const pool = () => getPool('notifications');

export const realStore = once((): NotificationStore => pgNotificationStore(pool));

/** REMINDER_WINDOW_HOURS: how long before an event its holders are reminded (default 24; fractions allowed). */
export const reminderWindowHours = once(() => {
  const raw = optionalEnv('REMINDER_WINDOW_HOURS', '24');
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 14)
    throw new ConfigError(`REMINDER_WINDOW_HOURS must be a number of hours in (0, 336], got "${raw}"`);
  return hours;
});

/** Publishes the outbox until it is empty (or the broker refuses), then forgets old published rows. */
export async function relayAll(): Promise<{ published: number; failed: number }> {
  const db = await pool();
  let published = 0;
  let failed = 0;
  for (let round = 0; round < 50; round++) {
    const result = await relayOutbox(db, awsPublisher, 500);
    published += result.published;
    failed += result.failed;
    if (result.published === 0 || result.failed > 0) break;
  }
  await pruneOutbox(db);
  return { published, failed };
}

export const scanDeps = once(
  (): ScanDeps => ({
    store: realStore(),
    now: () => new Date(),
    relay: relayAll,
    reminderWindowHours,
  }),
);
