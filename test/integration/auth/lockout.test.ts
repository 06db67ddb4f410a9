// An attacker guessing an owner's password cannot lock the owner out: the attacker's address is refused after a few
// failures, the owner signs in from theirs. Two client addresses on one machine: 127.0.0.2 (the attacker) and
// 127.0.0.1 (the owner), both reaching the local gateway on 127.0.0.1.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { registerUser } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';
import { startRedis } from '../../support/redis-server';

let redis: Awaited<ReturnType<typeof startRedis>>;
let platform: Platform;

beforeAll(async () => {
  redis = await startRedis();
  process.env.RATE_LIMIT_SIGNIN_FAILURES_ACCOUNT_IP = '5/3600';
  platform = await startTestPlatform({ redisUrl: redis.url, schedules: false });
});
afterAll(async () => {
  await platform?.stop();
  await redis?.stop();
});

/** The password grant, sent from the given local address. */
function passwordGrantFrom(localAddress: string, username: string, password: string) {
  const body = new URLSearchParams({
    grant_type: 'password',
    client_id: 'web',
    username,
    password,
  }).toString();
  return new Promise<{ status: number; retryAfter?: string }>((resolve, reject) => {
    const req = request(
      `${platform.apiUrl}/v1/oauth/token`,
      {
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] as string | undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('password guessing', () => {
  it("stops the attacker's address after five failures and still lets the owner in from another", async () => {
    const owner = await registerUser(platform.apiUrl);
    const statuses: number[] = [];
    // Twelve: more than the old per-account limit (10 in 5 minutes), which then refused the owner too.
    for (let i = 0; i < 12; i += 1)
      statuses.push((await passwordGrantFrom('127.0.0.2', owner.email, `guess number ${i}`)).status);
    expect(statuses).toEqual([...Array(5).fill(400), ...Array(7).fill(429)]);
    // Even the right password is refused from the attacker's address until its window ends.
    const attacker = await passwordGrantFrom('127.0.0.2', owner.email, owner.password);
    expect(attacker.status).toBe(429);
    expect(Number(attacker.retryAfter)).toBeGreaterThan(0);

    expect((await passwordGrantFrom('127.0.0.1', owner.email, owner.password)).status).toBe(200);
  });
});
