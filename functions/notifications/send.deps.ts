// The real dependencies of the functions that send email (the consumers that claim each send): the store plus the
// sender (mailer.ts), the one way their email goes out.
import { once, webAppUrl } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { realStore } from './deps';
import { pgEventDetailsStore } from './event-details.store';
import { mailerFromEnv, mailRetryPolicy, sender } from './mailer';
import type { SendDeps } from './notifications';

export const sendDeps = once(
  (): SendDeps => ({
    store: realStore(),
    details: pgEventDetailsStore(() => getPool('notifications')),
    webAppUrl: webAppUrl(),
    sender: sender(mailerFromEnv(), mailRetryPolicy()),
    now: () => new Date(),
  }),
);
