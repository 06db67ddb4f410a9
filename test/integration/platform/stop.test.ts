// The local runtime's stop closes the connections its functions opened to servers that outlive it (PostgreSQL's pools,
// Redis): a process that goes on after its platform stopped (a test file's process running the next file, a script
// that stops and starts a platform) must not keep a connection per platform it ran.
import { expect, it } from 'vitest';
import { getRedis } from '../../../layers/common/redis';
import { startTestPlatform } from '../../support/platform';

const redisStatus = async (apiUrl: string) =>
  ((await (await fetch(`${apiUrl}/v1/health`)).json()) as { dependencies: { redis: { status: string } } })
    .dependencies.redis.status;

it("closes the functions' Redis connection, and a platform started after it connects again", async () => {
  const first = await startTestPlatform();
  let client: ReturnType<typeof getRedis>;
  try {
    expect(await redisStatus(first.apiUrl)).toBe('up');
    client = getRedis();
    expect(client?.status).toBe('ready');
  } finally {
    await first.stop();
  }
  await expect.poll(() => client?.status).toBe('end');

  const second = await startTestPlatform();
  try {
    expect(await redisStatus(second.apiUrl)).toBe('up');
  } finally {
    await second.stop();
  }
});
