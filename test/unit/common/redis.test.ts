// REDIS_URL: a URL, unset or empty for the default, or `off` for degraded mode on purpose.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redisUrlFromEnv } from '../../../layers/common/redis';

const LOCAL = 'redis://127.0.0.1:6379';

describe('redisUrlFromEnv', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is the default when REDIS_URL is unset or empty', () => {
    vi.stubEnv('REDIS_URL', undefined);
    expect(redisUrlFromEnv(LOCAL)).toBe(LOCAL);
    vi.stubEnv('REDIS_URL', '');
    expect(redisUrlFromEnv(LOCAL)).toBe(LOCAL);
    expect(redisUrlFromEnv()).toBeUndefined();
  });

  it('is no Redis at all when REDIS_URL is off, default or not', () => {
    vi.stubEnv('REDIS_URL', 'off');
    expect(redisUrlFromEnv(LOCAL)).toBeUndefined();
    vi.stubEnv('REDIS_URL', 'OFF');
    expect(redisUrlFromEnv()).toBeUndefined();
  });

  it('is the URL REDIS_URL names', () => {
    vi.stubEnv('REDIS_URL', 'redis://cache.internal:6380');
    expect(redisUrlFromEnv(LOCAL)).toBe('redis://cache.internal:6380');
  });
});
