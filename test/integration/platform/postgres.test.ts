// The local runtime's PostgreSQL recovers on its own: a server left running by a crashed run is found and reused
// (or stopped, when it serves another port), a start that fails says why and what to do, and a server that dies is
// started again.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../../local/platform';
import { alive, type LocalPostgres, startPostgres } from '../../../local/postgres';
import { freePort } from '../../support/ports';
import { waitUntil } from '../../support/wait';

const running: LocalPostgres[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await server.stop();
});

const postmasterPid = (dataDir: string) =>
  Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query('SELECT 1 AS one')).rows[0]?.one === 1;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A PostgreSQL started by a run that is then killed with SIGKILL: its pid, left running. */
async function orphanOf(dataDir: string, port: number) {
  const crashed = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'test/fixtures/postgres/start-and-wait.ts'), dataDir, String(port)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    crashed.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    crashed.on('exit', (code) => reject(new Error(`the first run exited (${code}) before it was ready`)));
  });
  crashed.kill('SIGKILL');
  const orphan = postmasterPid(dataDir);
  expect(alive(orphan)).toBe(true);
  return orphan;
}

describe('a PostgreSQL left running by a run that was killed', () => {
  it('is reused on the same port, still looked after, and stopped with the runtime', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tol-orphan-'));
    const port = await freePort();
    const orphan = await orphanOf(dataDir, port);

    const logs: string[] = [];
    const server = await startPostgres({
      dataDir,
      port,
      services: ['orphan'],
      log: (line) => logs.push(line),
    });
    running.push(server);

    expect(postmasterPid(dataDir)).toBe(orphan);
    expect(logs.join('\n')).toContain(`reusing the PostgreSQL (pid ${orphan})`);
    expect(await answers(server.urls.orphan ?? '')).toBe(true);

    // Not our child, yet its death is noticed and a server of our own takes over.
    process.kill(orphan, 'SIGKILL');
    await waitUntil(() => server.status() === 'restarting', { message: 'the crash noticed' });
    await waitUntil(() => answers(server.urls.orphan ?? ''), { message: 'PostgreSQL serving again' });
    const successor = postmasterPid(dataDir);
    expect(successor).not.toBe(orphan);

    await server.stop();
    expect(alive(successor)).toBe(false);
  }, 120_000);

  it('is stopped when it serves another port, and the next start serves the same data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tol-orphan-'));
    const orphan = await orphanOf(dataDir, await freePort());

    const logs: string[] = [];
    const server = await startPostgres({
      dataDir,
      port: await freePort(),
      services: ['orphan'],
      log: (line) => logs.push(line),
    });
    running.push(server);

    expect(alive(orphan)).toBe(false);
    expect(logs.join('\n')).toContain(`stopping the PostgreSQL (pid ${orphan})`);
    expect(await answers(server.urls.orphan ?? '')).toBe(true);
  }, 90_000);
});

describe('a start that fails', () => {
  it('says what went wrong and how to fix it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tol-pgfail-'));
    const taken = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const failure = await startPostgres({ dataDir, port, services: ['blocked'] }).then(
        (server) => {
          running.push(server);
          return undefined;
        },
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/address already in use/i);
      expect((failure as Error).message).toContain('PGPORT');
    } finally {
      taken.close();
    }
  }, 90_000);
});

describe('a PostgreSQL server that dies', () => {
  it('is noticed and started again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tol-pgdies-'));
    const logs: string[] = [];
    const server = await startPostgres({
      dataDir,
      port: await freePort(),
      services: ['phoenix'],
      log: (line) => logs.push(line),
    });
    running.push(server);
    const first = postmasterPid(dataDir);

    process.kill(first, 'SIGKILL');

    await waitUntil(() => server.status() === 'restarting', { message: 'the crash noticed' });
    await waitUntil(() => answers(server.urls.phoenix ?? ''), { message: 'PostgreSQL serving again' });
    expect(server.status()).toBe('up');
    expect(postmasterPid(dataDir)).not.toBe(first);
    expect(logs.join('\n')).toMatch(/PostgreSQL stopped unexpectedly/);
  }, 90_000);
});
