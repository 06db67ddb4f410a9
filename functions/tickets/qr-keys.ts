// The keys that sign ticket QR codes, kept in the tickets database and rotated like the access-token keys. A ticket
// lives for months, so more keys stay published than for tokens: three keys of 180 days cover a year and more.
import type pg from 'pg';
import { rotatingKeys } from '../../layers/common/signing-keys';
import { QR_ALG } from './qr';

export const qrSigningKeys = (pool: pg.Pool, now = () => Date.now()) =>
  rotatingKeys(
    pool,
    {
      table: 'qr_signing_keys',
      alg: QR_ALG,
      generate: { crv: 'Ed25519' },
      published: 3,
      maxAgeDays: ['QR_KEY_MAX_AGE_DAYS', 180],
      // Scanners refresh the keys at least daily, before the doors open.
      publishDelayMinutes: ['QR_KEY_PUBLISH_DELAY_MINUTES', 1440],
    },
    now,
  );
