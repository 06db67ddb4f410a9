// Signing keys for access tokens: RS256 (the algorithm family API Gateway's JWT authorizer verifies), created on
// first need, rotated when older than their maximum age; the JWKS publishes the current and the previous key.
import type pg from 'pg';
import { rotatingKeys } from '../../layers/common/signing-keys';

export const SIGNING_ALG = 'RS256';

export const signingKeys = (pool: pg.Pool, now = () => Date.now()) =>
  rotatingKeys(
    pool,
    {
      table: 'signing_keys',
      alg: SIGNING_ALG,
      generate: { modulusLength: 2048 },
      published: 2,
      maxAgeDays: ['SIGNING_KEY_MAX_AGE_DAYS', 30],
      // API Gateway keeps a JWKS up to two hours.
      publishDelayMinutes: ['SIGNING_KEY_PUBLISH_DELAY_MINUTES', 120],
    },
    now,
  );
