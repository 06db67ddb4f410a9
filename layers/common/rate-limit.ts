// Sliding-window rate limiting (ADR 003). The window is a log of request times per key: in Redis a sorted set
// updated by one atomic script using Redis's own clock; with Redis unreachable, the same log in this container's
// memory, so limits still hold per container (degraded) and the API keeps answering.
import { randomUUID } from 'node:crypto';
import { TooManyRequestsError } from './errors';
import { defineScript, type Redis } from './redis';

export interface RateLimitRule {
  /** Policy name shown in the RateLimit headers, e.g. "token-ip". */
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitDecision {
  rule: RateLimitRule;
  allowed: boolean;
  remaining: number;
  /** Seconds until a slot frees up (0 when allowed). */
  retryAfterSeconds: number;
  degraded: boolean;
}

const SLIDING_WINDOW = `
local key = KEYS[1]
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, 0, window - (now - tonumber(oldest[2]))}
`;

type SlidingRedis = Redis & {
  slidingWindow(key: string, windowMs: number, limit: number, member: string): Promise<number[]>;
};

/** The per-container fallback: the same sliding log, in memory, bounded in the number of keys it keeps. */
export class MemoryWindow {
  private readonly logs = new Map<string, number[]>();
  constructor(
    private readonly maxKeys = 10_000,
    private readonly now = () => Date.now(),
  ) {}

  hit(key: string, limit: number, windowMs: number): [allowed: boolean, remaining: number, retryMs: number] {
    const now = this.now();
    const log = (this.logs.get(key) ?? []).filter((time) => time > now - windowMs);
    this.logs.delete(key);
    if (this.logs.size >= this.maxKeys) this.logs.delete(this.logs.keys().next().value as string);
    if (log.length < limit) {
      log.push(now);
      this.logs.set(key, log);
      return [true, limit - log.length, 0];
    }
    this.logs.set(key, log);
    return [false, 0, windowMs - (now - (log[0] ?? now))];
  }
}

export interface RateLimiter {
  check(rule: RateLimitRule, subject: string): Promise<RateLimitDecision>;
}

export function createRateLimiter(options: {
  redis: () => Promise<Redis | undefined>;
  prefix?: string;
  memory?: MemoryWindow;
  onDegraded?: (error?: unknown) => void;
}): RateLimiter {
  const memory = options.memory ?? new MemoryWindow();
  const prepared = new WeakSet<Redis>();
  return {
    async check(rule, subject) {
      const key = `${options.prefix ?? 'rl'}:${rule.name}:${subject}`;
      const windowMs = rule.windowSeconds * 1000;
      const redis = await options.redis();
      if (redis) {
        try {
          if (!prepared.has(redis)) {
            defineScript(redis, 'slidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW });
            prepared.add(redis);
          }
          const [allowed, remaining, retryMs] = await (redis as SlidingRedis).slidingWindow(
            key,
            windowMs,
            rule.limit,
            randomUUID(),
          );
          return {
            rule,
            allowed: allowed === 1,
            remaining: remaining ?? 0,
            retryAfterSeconds: Math.ceil((retryMs ?? 0) / 1000),
            degraded: false,
          };
        } catch (error) {
          options.onDegraded?.(error);
        }
      } else {
        options.onDegraded?.();
      }
      const [allowed, remaining, retryMs] = memory.hit(key, rule.limit, windowMs);
      return { rule, allowed, remaining, retryAfterSeconds: Math.ceil(retryMs / 1000), degraded: true };
    },
  };
}

/** RateLimit-Policy and RateLimit headers (IETF httpapi draft) describing the tightest of the decisions. */
export function rateLimitHeaders(decisions: RateLimitDecision[]): Record<string, string> {
  if (decisions.length === 0) return {};
  return {
    'ratelimit-policy': decisions
      .map((d) => `"${d.rule.name}";q=${d.rule.limit};w=${d.rule.windowSeconds}`)
      .join(', '),
    ratelimit: decisions
      .map(
        (d) =>
          `"${d.rule.name}";r=${d.remaining};t=${d.allowed ? d.rule.windowSeconds : d.retryAfterSeconds}`,
      )
      .join(', '),
  };
}

/** Checks every rule; throws a 429 with Retry-After when any is exhausted, else returns the headers to send. */
export async function enforceRateLimits(
  limiter: RateLimiter,
  checks: { rule: RateLimitRule; subject: string }[],
): Promise<Record<string, string>> {
  const decisions = await Promise.all(checks.map((check) => limiter.check(check.rule, check.subject)));
  const denied = decisions.filter((decision) => !decision.allowed);
  const headers = rateLimitHeaders(decisions);
  if (denied.length > 0) {
    throw new TooManyRequestsError(
      Math.max(1, ...denied.map((decision) => decision.retryAfterSeconds)),
      headers,
    );
  }
  return headers;
}
