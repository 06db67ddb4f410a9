// Health says which dependency is down and what is being done about it: a circuit breaker that opened on an
// internal call's target shows as open and as closed again once the target is back, and PostgreSQL shows as
// restarting while the runtime starts it again after a crash.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { functionNameEnv } from '../../../layers/common/env-names';
import type { Platform } from '../../../local/platform';
import { client } from '../../support/http';
import { newDataDir, startTestPlatform } from '../../support/platform';
import { putOnSale } from '../../support/purchases';
import { waitUntil } from '../../support/wait';

interface Health {
  status: string;
  dependencies: Record<string, { status: string; detail?: string }>;
}

let platform: Platform;
const dataDir = newDataDir();
const api = client(() => platform.apiUrl);
const health = async () => (await api('GET', '/v1/health')).body as Health;

beforeAll(async () => {
  // Health reports every dependency, log shipping to OpenSearch among them.
  platform = await startTestPlatform({
    schedules: false,
    consumers: false,
    dataDir,
    openSearchUrl: inject('openSearchUrl'),
  });
});
afterAll(async () => {
  await platform?.stop();
});

const event = {
  name: 'Circuit night',
  startsAt: '2027-03-01T20:00:00Z',
  endsAt: '2027-03-01T23:00:00Z',
  timezone: 'Europe/Paris',
  place: 'Olympia, Paris, FR',
};
const onSale = () => putOnSale(event, { name: 'General', price: 0, currency: 'EUR', quantity: 10 });

describe('an internal call whose target is down', () => {
  it('opens its circuit, shown in health, which closes once the target answers again', async () => {
    const nameEnv = functionNameEnv('tickets.syncInventory');
    const deployed = process.env[nameEnv];
    // The target cannot be invoked (Lambda answers ResourceNotFound), as when it is down or not deployed.
    process.env[nameEnv] = 'tickets-syncInventory-gone';
    for (let call = 0; call < 5; call++) await expect(onSale()).rejects.toThrow();

    const open = await health();
    expect(open.status).toBe('degraded');
    expect(open.dependencies['circuit:tickets.syncInventory']).toMatchObject({
      status: 'degraded',
      detail: expect.stringMatching(/^open/),
    });

    process.env[nameEnv] = deployed;
    // Half-open after 10 s: the first call then goes through, and its success closes the circuit.
    await waitUntil(
      () =>
        onSale().then(
          () => true,
          () => false,
        ),
      {
        timeoutMs: 45_000,
        intervalMs: 1_000,
        message: 'a call through the circuit succeeds',
      },
    );
    const closed = await health();
    expect(closed.dependencies['circuit:tickets.syncInventory']).toEqual({ status: 'up', detail: 'closed' });
    expect(closed.status).toBe('ok');
  }, 90_000);
});

describe('PostgreSQL killed under the runtime', () => {
  it('shows as restarting in health, then up again', async () => {
    const postmaster = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

    process.kill(postmaster, 'SIGKILL');

    const restarting = await waitUntil(
      async () => {
        const report = await health();
        return report.dependencies.postgres?.detail?.startsWith('restarting') ? report : undefined;
      },
      { message: 'health reports PostgreSQL restarting' },
    );
    expect(restarting.dependencies.postgres?.status).toBe('degraded');
    await waitUntil(async () => (await health()).status === 'ok', { message: 'health back to ok' });
    expect((await health()).dependencies.postgres).toEqual({ status: 'up' });
  }, 90_000);
});
