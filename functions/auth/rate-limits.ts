// The auth service's sliding-window limits. Kept apart from deps.ts so only the rate-limited handlers (sign-up, token,
// password change) bundle the Redis client.
import { once, optionalEnv } from '../../layers/common/config';
import { getLogger } from '../../layers/common/logger';
import { createRateLimiter, type RateLimitRule } from '../../layers/common/rate-limit';
import { readyRedis } from '../../layers/common/redis';

/** "limit/windowSeconds", e.g. "10/60". */
function rule(name: string, env: string, fallback: string): RateLimitRule {
  const [limit, windowSeconds] = optionalEnv(env, fallback).split('/').map(Number);
  return { name, limit: limit ?? 10, windowSeconds: windowSeconds ?? 60 };
}

export const rateLimits = once(() => ({
  tokenPerIp: rule('token-ip', 'RATE_LIMIT_TOKEN_IP', '30/60'),
  tokenPerAccount: rule('token-account', 'RATE_LIMIT_TOKEN_ACCOUNT', '10/300'),
  registerPerIp: rule('register-ip', 'RATE_LIMIT_REGISTER_IP', '10/3600'),
}));

let warned = false;
export const rateLimiter = once(() =>
  createRateLimiter({
    redis: () => readyRedis(),
    prefix: optionalEnv('RATE_LIMIT_PREFIX', 'rl'),
    onDegraded: (error) => {
      if (warned) return;
      warned = true;
      getLogger('auth').warn('rate limiting per container: Redis is unavailable', { error: error as Error });
    },
  }),
);
