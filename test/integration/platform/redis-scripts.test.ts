// Lua commands defined at their first use on the shared Redis client, which pipelines automatically: a command defined
// while another request's commands wait in an automatic pipeline must still run, not end the process with ioredis's
// uncaught "results[i] is not iterable" (redis/ioredis#1931; seen once as an unhandled error in a CI run).
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { defineScript } from '../../../layers/common/redis';

const client = new Redis(inject('redisUrl'), { enableAutoPipelining: true, maxRetriesPerRequest: 0 });
afterAll(() => client.quit());

describe('a Lua command defined while commands are being pipelined', () => {
  it('answers, and so does the command already waiting in the pipeline', async () => {
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      await client.set('scripts-test:key', 'waiting');
      // In one tick: a plain command opens an automatic pipeline, then a command defined now is called.
      const waiting = client.get('scripts-test:key');
      defineScript(client, 'echoFirstKey', { numberOfKeys: 1, lua: 'return KEYS[1]' });
      const defined = (client as unknown as { echoFirstKey(key: string): Promise<string> }).echoFirstKey(
        'k1',
      );
      expect(await Promise.all([waiting, defined])).toEqual(['waiting', 'k1']);
      // Anything ioredis threw outside the promises would have reached the process by now.
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });
});
