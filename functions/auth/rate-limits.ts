// The auth service's sliding-window limits. Kept apart from deps.ts so only the rate-limited handlers (sign-up, token,
// password change) bundle the Redis client. Sign-in failures are counted here too (sign-in-guard.ts says how).
import { intEnv, once, optionalEnv } from '../../layers/common/config';
import { getLogger } from '../../layers/common/logger';
import { createRateLimiter, type RateLimitRule } from '../../layers/common/rate-limit';
import { defineScript, type Redis, readyRedis } from '../../layers/common/redis';
import { type FailureCounter, type FailureRule, signInGuard } from './sign-in-guard';

/** "limit/windowSeconds", e.g. "10/60". */
function rule(name: string, env: string, fallback: string): RateLimitRule {
  const [limit, windowSeconds] = optionalEnv(env, fallback).split('/').map(Number);
  return { name, limit: limit ?? 10, windowSeconds: windowSeconds ?? 60 };
}

function failureRule(env: string, fallback: string): FailureRule {
  const { limit, windowSeconds } = rule(env, env, fallback);
  return { limit, windowSeconds };
}

export const rateLimits = once(() => ({
  tokenPerIp: rule('token-ip', 'RATE_LIMIT_TOKEN_IP', '30/60'),
  /** Password changes per signed-in account (guesses at the current password). */
  tokenPerAccount: rule('token-account', 'RATE_LIMIT_TOKEN_ACCOUNT', '10/300'),
  registerPerIp: rule('register-ip', 'RATE_LIMIT_REGISTER_IP', '10/3600'),
  /** Reset and verification emails asked for: per client IP (429), per address (more are silently not sent). */
  accountEmailPerIp: rule('account-email-ip', 'RATE_LIMIT_ACCOUNT_EMAIL_IP', '10/3600'),
  accountEmailPerAddress: rule('account-email-address', 'RATE_LIMIT_ACCOUNT_EMAIL_ADDRESS', '3/3600'),
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

const FAILURES = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;
const FORGET = `
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n
`;
type CountingRedis = Redis & {
  recordFailure(key: string, windowMs: number): Promise<number>;
  forgetFailure(key: string): Promise<number>;
};

/**
 * Failure counts in Redis (a counter per key whose window starts at its first failure), or in this container's
 * memory while Redis is unreachable, as the sliding windows degrade.
 */
export function failureCounter(redis: () => Promise<Redis | undefined>, prefix: string): FailureCounter {
  const memory = new Map<string, { failures: number; until: number }>();
  const prepared = new WeakSet<Redis>();
  const live = (key: string) => {
    const entry = memory.get(key);
    return entry && entry.until > Date.now() ? entry : undefined;
  };
  const withRedis = async <T>(use: (client: CountingRedis) => Promise<T>): Promise<T | undefined> => {
    const client = await redis();
    if (!client) return undefined;
    try {
      if (!prepared.has(client)) {
        defineScript(client, 'recordFailure', { numberOfKeys: 1, lua: FAILURES });
        defineScript(client, 'forgetFailure', { numberOfKeys: 1, lua: FORGET });
        prepared.add(client);
      }
      return await use(client as CountingRedis);
    } catch {
      return undefined;
    }
  };
  return {
    async count(key) {
      const stored = await withRedis(async (client) => {
        const [[, value], [, ttl]] = (await client
          .multi()
          .get(`${prefix}:${key}`)
          .pttl(`${prefix}:${key}`)
          .exec()) as [[unknown, string | null], [unknown, number]];
        return { failures: Number(value ?? 0), resetsInSeconds: Math.ceil(Math.max(0, ttl) / 1000) };
      });
      if (stored) return stored;
      const entry = live(key);
      return {
        failures: entry?.failures ?? 0,
        resetsInSeconds: entry ? Math.ceil((entry.until - Date.now()) / 1000) : 0,
      };
    },
    async record(key, windowSeconds) {
      const stored = await withRedis((client) =>
        client.recordFailure(`${prefix}:${key}`, windowSeconds * 1000),
      );
      if (stored !== undefined) return stored;
      const entry = live(key) ?? { failures: 0, until: Date.now() + windowSeconds * 1000 };
      entry.failures += 1;
      memory.delete(key);
      if (memory.size >= 10_000) memory.delete(memory.keys().next().value as string);
      memory.set(key, entry);
      return entry.failures;
    },
    async forget(key) {
      // Where record counted it: this container's memory holds a key only while Redis was unreachable.
      const entry = live(key);
      if (entry) entry.failures = Math.max(0, entry.failures - 1);
      else await withRedis((client) => client.forgetFailure(`${prefix}:${key}`));
    },
    async clear(key) {
      memory.delete(key);
      await withRedis((client) => client.del(`${prefix}:${key}`));
    },
  };
}

export const guard = once(() =>
  signInGuard({
    counter: failureCounter(() => readyRedis(), `${optionalEnv('RATE_LIMIT_PREFIX', 'rl')}:signin-failures`),
    perAccountAndIp: failureRule('RATE_LIMIT_SIGNIN_FAILURES_ACCOUNT_IP', '5/900'),
    perAccount: failureRule('RATE_LIMIT_SIGNIN_FAILURES_ACCOUNT', '20/3600'),
    baseDelayMs: 500,
    maxDelayMs: intEnv('SIGNIN_DELAY_MAX_MS', 8000),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }),
);
