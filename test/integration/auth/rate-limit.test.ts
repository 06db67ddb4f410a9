// Sliding-window rate limits on sign-in and sign-up (ADR 003), against a real Redis, and with that Redis stopped:
// the limits then hold per container and the API keeps answering.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { passwordGrant } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';
import { startRedis } from '../../support/redis-server';

let redis: Awaited<ReturnType<typeof startRedis>>;
let platform: Platform;

beforeAll(async () => {
  redis = await startRedis();
  // Windows of an hour: how fast a loaded machine runs the attempts never moves one out of its window.
  process.env.RATE_LIMIT_TOKEN_IP = '6/3600';
  process.env.RATE_LIMIT_SIGNIN_FAILURES_ACCOUNT_IP = '3/3600';
  process.env.RATE_LIMIT_REGISTER_IP = '2/3600';
  platform = await startTestPlatform({ redisUrl: redis.url, schedules: false });
});
afterAll(async () => {
  await platform?.stop();
  await redis?.stop();
});

const attempt = (username: string) => passwordGrant(platform.apiUrl, username, 'wrong password');

async function expectThrottled(response: Response) {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(response.headers.get('ratelimit-policy')).toMatch(/q=\d+;w=\d+/);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
}

describe('the token endpoint', () => {
  it('throttles guesses at one account after its limit', async () => {
    for (let i = 0; i < 3; i += 1) expect((await attempt('victim@example.com')).status).toBe(400);
    await expectThrottled(await attempt('Victim@Example.com'));
  });

  it('throttles one client address across accounts, keeping the window in Redis', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await attempt(`user${i}@example.com`)).status);
    // Four attempts were already spent by the previous test: two more fit in the window of six, the third does not.
    expect(statuses.slice(0, 2)).toEqual([400, 400]);
    expect(statuses[2]).toBe(429);
    const client = new Redis(redis.url);
    const windowSize = await client.zcard(`${process.env.RATE_LIMIT_PREFIX}:token-ip:127.0.0.1`);
    client.disconnect();
    expect(windowSize).toBe(6);
  });

  it('with Redis stopped, still answers and still limits per container; with Redis back, Redis counts again', async () => {
    await redis.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await attempt(`degraded${i}@example.com`)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 429]);
    const health = (await (await fetch(`${platform.apiUrl}/v1/health`)).json()) as {
      dependencies: { redis: { status: string } };
    };
    expect(health.dependencies.redis.status).toBe('degraded');

    await redis.start();
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${platform.apiUrl}/v1/health`)).json()) as {
              dependencies: { redis: { status: string } };
            }
          ).dependencies.redis.status,
      )
      .toBe('up');
    // The restarted Redis (no persistence) starts an empty window, and attempts are counted there again.
    expect((await attempt('back@example.com')).status).toBe(400);
    const client = new Redis(redis.url);
    const windowSize = await client.zcard(`${process.env.RATE_LIMIT_PREFIX}:token-ip:127.0.0.1`);
    client.disconnect();
    expect(windowSize).toBe(1);
  });
});

describe('sign-up', () => {
  it('throttles sign-ups from one address', async () => {
    const register = (n: number) =>
      fetch(`${platform.apiUrl}/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          firstName: 'R',
          lastName: 'L',
          email: `rl${n}-${Date.now()}@example.com`,
          password: 'long enough password',
        }),
      });
    expect((await register(1)).status).toBe(201);
    expect((await register(2)).status).toBe(201);
    await expectThrottled(await register(3));
  });
});
