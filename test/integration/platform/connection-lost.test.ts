// A database connection lost while a function holds it (PostgreSQL killed or restarted between two statements of a
// transaction) fails that function's next statement; it does not end the process. Found by `npm run chaos`: the
// runtime exited when its PostgreSQL was killed while a client was checked out.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPool } from '../../../layers/common/db';
import type { Platform } from '../../../local/platform';
import { startTestPlatform } from '../../support/platform';

let platform: Platform;
beforeAll(async () => {
  platform = await startTestPlatform({ schedules: false, consumers: false });
});
afterAll(async () => {
  await platform?.stop();
});

describe('a connection terminated while checked out', () => {
  it('fails its next statement and leaves the pool serving', async () => {
    const pool = await getPool('tickets');
    const held = await pool.connect();
    await held.query('BEGIN');
    const { pid } = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0] ?? {
      pid: 0,
    };
    const other = new pg.Client({ connectionString: platform.databaseUrls.tickets });
    await other.connect();
    // The server ends the session with a FATAL error, as when its postmaster dies.
    await other.query('SELECT pg_terminate_backend($1)', [pid]);
    await other.end();

    await expect(held.query('SELECT 1')).rejects.toThrow();
    held.release(true);
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });
});
