// What the local runtime's stop leaves behind in the process that ran it: nothing its functions opened. A process that
// goes on after its platform stopped (a test file's process running the next file, a script that stops and starts a
// platform) must not keep a connection per platform it ran.
import { expect, it } from 'vitest';
import { getRedis } from '../../../layers/common/redis';
import { startTestPlatform } from '../../support/platform';

it("closes the functions' Redis connection, and a platform started after it connects again", async () => {
  const first = await startTestPlatform();
  const health = await fetch(`${first.apiUrl}/v1/health`);
  expect(await health.json()).toMatchObject({ dependencies: { redis: { status: 'up' } } });
  const client = getRedis();
  expect(client?.status).toBe('ready');
  await first.stop();
  expect(client?.status).toBe('end');

  const second = await startTestPlatform();
  try {
    const again = await fetch(`${second.apiUrl}/v1/health`);
    expect(await again.json()).toMatchObject({ dependencies: { redis: { status: 'up' } } });
  } finally {
    await second.stop();
  }
});
