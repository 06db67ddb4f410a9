// The real dependencies of the functions that send email (the two consumers): the store plus the mailer.
import { once, webAppUrl } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { retryPolicy } from '../../layers/common/resilience';
import { realStore } from './deps';
import { pgEventDetailsStore } from './event-details.store';
import { isTransientMailError, mailerFromEnv } from './mailer';
import type { SendDeps } from './notifications';

export const sendDeps = once(
  (): SendDeps => ({
    store: realStore(),
    details: pgEventDetailsStore(() => getPool('notifications')),
    webAppUrl: webAppUrl(),
    mailer: mailerFromEnv(),
    // Transient SMTP/SES failures get two quick retries with jittered backoff; the queue's redelivery does the rest.
    sendPolicy: retryPolicy({
      maxAttempts: 3,
      initialDelayMs: 200,
      maxDelayMs: 2_000,
      retryOn: isTransientMailError,
    }),
    now: () => new Date(),
  }),
);
