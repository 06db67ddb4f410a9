// A burst of sign-ins at the real password cost is shed with 503 problem+json and Retry-After, never a 500 or a
// timeout: a sign-in that cannot get a hashing slot soon is refused at once rather than left queued until its
// function times out, and the refused ones leave no work behind, so sign-in serves again as soon as the burst ends.
// One hash at a time (PASSWORD_HASH_CONCURRENCY=1) with room to queue every request, so only the wait refuses them.
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { passwordGrant, registerUser } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';

/** Serial hashes at OWASP's cost: more than the token function's 10 s timeout on any machine. */
const BURST = 40;

let platform: Platform;

beforeAll(async () => {
  process.env.PASSWORD_SCRYPT_LN = '17';
  process.env.PASSWORD_HASH_CONCURRENCY = '1';
  process.env.PASSWORD_HASH_QUEUE = String(BURST + 10);
  platform = await startTestPlatform({ redisUrl: null, schedules: false, consumers: false });
});
afterAll(async () => {
  await platform?.stop();
});

describe('a burst of sign-ins', () => {
  it('answers each one 200 or 503 with Retry-After, and signs in again once it has passed', async () => {
    // 4 accounts, each signed in 5 times from each of 2 addresses: the sign-in guard refuses a sixth attempt in flight
    // per account and address, and that limit is not what this test is about.
    const users: Awaited<ReturnType<typeof registerUser>>[] = [];
    for (let index = 0; index < 4; index++) users.push(await registerUser(platform.apiUrl));
    const user = users[0] as Awaited<ReturnType<typeof registerUser>>;
    const agents = Array.from(
      { length: 8 },
      (_, index) => new Agent({ localAddress: `127.0.0.${index + 2}` }),
    );

    const answers = await Promise.all(
      Array.from({ length: BURST }, async (_, index) => {
        const { email, password } = users[index % 4] as Awaited<ReturnType<typeof registerUser>>;
        const response = await undiciFetch(`${platform.apiUrl}/v1/oauth/token`, {
          method: 'POST',
          dispatcher: agents[index % 8],
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'password',
            client_id: 'web',
            username: email,
            password,
          }).toString(),
        });
        return {
          status: response.status,
          type: response.headers.get('content-type'),
          retryAfter: Number(response.headers.get('retry-after')),
          body: (await response.json()) as { type?: string },
        };
      }),
    );

    await Promise.all(agents.map((agent) => agent.close()));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    for (const refused of answers.filter((answer) => answer.status === 503)) {
      expect(refused.type).toMatch(/^application\/problem\+json/);
      expect(refused.body.type).toMatch(/service-unavailable$/);
      expect(refused.retryAfter).toBeGreaterThan(0);
    }

    // The refused sign-ins' hashes were dropped, not left to run: a sign-in right after the burst gets in at once.
    const after = await passwordGrant(platform.apiUrl, user.email, user.password);
    expect(after.status).toBe(200);
  }, 90_000);
});
