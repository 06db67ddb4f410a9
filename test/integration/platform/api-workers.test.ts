// The local runtime with its API in two worker processes (LOCAL_WORKERS=2): both workers answer requests on the one
// port, a purchase made through them is confirmed by exactly one email (the consumers run once, in the primary), a
// worker that dies is replaced, and stopping the runtime leaves no worker behind.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { startTestPlatform } from '../../support/platform';
import { buy, buyerHeaders, putOnSale } from '../../support/purchases';
import { startTestIssuer } from '../../support/tokens';
import { waitUntil } from '../../support/wait';
import { drained, emailsFor, inbox } from '../notifications/support';

let platform: Platform;
let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
const runtimeLog: string[] = [];
let stopped = false;

beforeAll(async () => {
  issuer = await startTestIssuer();
  process.env.JWT_JWKS_URL = issuer.jwksUrl;
  platform = await startTestPlatform({
    workers: 2,
    schedules: false,
    log: (line) => runtimeLog.push(line),
  });
}, 240_000);
afterAll(async () => {
  if (!stopped) await platform?.stop();
  await issuer?.close();
});

/** GET on a connection of its own (cluster hands out connections, not requests): status and answering worker. */
function getAlone(path: string): Promise<{ status: number; worker: string | undefined }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${platform.apiUrl}${path}`, { agent: false }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, worker: response.headers['x-local-worker'] as string }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the local runtime with two API workers', () => {
  it('answers from both workers, health included', async () => {
    // A worker's first health check connects to every database: on a loaded machine it may take longer than the
    // probe's deadline (503), as a cold Lambda's would, so each worker is asked until it reports healthy.
    const healthy = new Set<string | undefined>();
    await waitUntil(async () => {
      const { status, worker } = await getAlone('/v1/health');
      if (status === 200) healthy.add(worker);
      return healthy.size === 2;
    });
    expect([...healthy].sort()).toEqual(['1', '2']);
  });

  it('confirms each purchase made through the workers with exactly one email', async () => {
    const onSale = await putOnSale(
      {
        name: 'Two Rooms',
        startsAt: '2027-03-01T19:00:00Z',
        endsAt: '2027-03-01T22:00:00Z',
        timezone: 'Europe/Paris',
        place: 'La Cigale, Paris, FR',
      },
      { name: 'Free', price: 0, currency: 'EUR', quantity: 20 },
    );
    const buyers = Array.from({ length: 4 }, () => `workers-${randomUUID()}@example.com`);
    for (const email of buyers) {
      const headers = await buyerHeaders(issuer, platform.apiUrl, { email, givenName: 'Wes' });
      expect((await buy(platform.apiUrl, headers, onSale, 1)).status).toBe(201);
    }
    for (const email of buyers) await emailsFor(platform.mailUrl, email, 1);
    await drained(platform.awsEndpoint, platform.queueUrls['notifications-ticket-events'] ?? '');
    for (const email of buyers) expect(await inbox(platform.mailUrl, email)).toHaveLength(1);
  });

  it('replaces a worker that dies', async () => {
    const victim = platform.apiWorkerPids()[1] ?? 0;
    process.kill(victim, 'SIGKILL');
    // A new worker loads every route's function: on a loaded machine that takes a while.
    const replaced = await waitUntil(
      () => {
        const now = platform.apiWorkerPids()[1];
        return now && now !== victim ? now : undefined;
      },
      { timeoutMs: 120_000, message: 'a new worker 1' },
    );
    expect(runtimeLog.join('\n')).toContain('API worker 1 exited with signal SIGKILL');
    const answered = new Set<string | undefined>();
    await waitUntil(
      async () => {
        const { status, worker } = await getAlone('/v1/health');
        if (status === 200) answered.add(worker);
        return answered.size === 2;
      },
      { timeoutMs: 120_000, message: 'both workers answering' },
    );
    expect(alive(replaced)).toBe(true);
  }, 300_000);

  it('stops every worker when the runtime stops', async () => {
    const pids = Object.values(platform.apiWorkerPids());
    expect(pids).toHaveLength(2);
    stopped = true;
    await platform.stop();
    expect(pids.filter(alive)).toEqual([]);
  });
});
