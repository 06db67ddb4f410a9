// `npm run dev` as a developer runs it on a fresh checkout: it must answer /v1/health within 60 s, print the URLs it
// serves, keep its data between runs, and shut down cleanly on Ctrl-C.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnDev } from '../support/dev-runtime';
import { lostAPort, PORT_ATTEMPTS, platformPorts } from '../support/ports';
import { ProcessExitedError, waitForHealthy } from '../support/processes';

const children: ChildProcess[] = [];
afterAll(() => {
  // A test that failed half-way must not leave a platform running; a group already gone is fine.
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already exited
    }
  }
});

/** What a developer waits for at the most on a fresh checkout; restarts on existing data get more room. */
const FIRST_START_MS = 60_000;
const RESTART_MS = 120_000;

type Dev = {
  child: ChildProcess;
  port: number;
  exited: Promise<boolean>;
  output: () => string;
  health: Response;
};

/**
 * `npm run dev` started and answering its first 200 from /v1/health within `withinMs`. A run that exits before that
 * fails the test at once with what it printed, not after the wait.
 */
async function startDev(dataDir: string, extraArgs: string[] = [], withinMs = RESTART_MS): Promise<Dev> {
  for (let attempt = 1; ; attempt += 1) {
    const ports = await platformPorts();
    // Its own process group (spawnDev), so the test can send SIGINT to the whole group the way a terminal's Ctrl-C does.
    const child = spawnDev('npm', ['run', 'dev', '--', ...extraArgs], {
      ports,
      dataDir,
      env: { REDIS_URL: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    // npm re-raises the SIGINT its script received, so a clean stop is exit code 0 or death by that same SIGINT.
    const exited = new Promise<boolean>((resolve) =>
      child.on('exit', (code, signal) => resolve(code === 0 || signal === 'SIGINT')),
    );
    const health = await waitForHealthy(child, `http://localhost:${ports.api}/v1/health`, {
      timeoutMs: withinMs,
    }).catch((error: Error) => error);
    if (health instanceof Response) return { child, port: ports.api, exited, output: () => output, health };
    if (health instanceof ProcessExitedError && attempt < PORT_ATTEMPTS && lostAPort(output)) continue;
    throw new Error(`npm run dev did not answer /v1/health (${health.message}); it printed:\n${output}`);
  }
}

async function portClosed(port: number): Promise<boolean> {
  try {
    await fetch(`http://localhost:${port}/v1/health`);
    return false;
  } catch {
    return true;
  }
}

describe('npm run dev', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tol-dev-'));

  it('answers /v1/health with 200 within 60 s, prints its URLs, and stops cleanly on Ctrl-C', async () => {
    const dev = await startDev(dataDir, [], FIRST_START_MS);
    const health = (await dev.health.json()) as {
      status: string;
      dependencies: Record<string, { status: string }>;
    };
    expect(health.dependencies['database:tickets']?.status).toBe('up');
    // Started with Redis and OpenSearch switched off: reported, not fatal.
    expect(health.dependencies.redis?.status).toBe('degraded');
    expect(health.status).toBe('degraded');

    await expect.poll(() => dev.output()).toContain(`http://localhost:${dev.port}/v1/health`);
    expect(dev.output()).toMatch(/Mail inbox\s+http:\/\/localhost:\d+/);
    expect(dev.output()).toMatch(/AWS endpoint\s+\S+\s+\(SQS, SNS, S3, embedded fauxqs\)/);

    process.kill(-(dev.child.pid as number), 'SIGINT');
    expect(await dev.exited).toBe(true);
    await expect.poll(() => dev.output()).toContain('SIGINT: stopping');
    await expect.poll(() => portClosed(dev.port)).toBe(true);
  });

  it('keeps data between runs, and --fresh starts clean', async () => {
    const marker = `marker_${Date.now()}`;
    const dev = await startDev(dataDir);
    const pg = (await import('pg')).default;
    // The URL line, not the start-up timings' "PostgreSQL 1.2 s".
    const url = dev.output().match(/PostgreSQL\s+(postgres\S+)/)?.[1];
    expect(url).toBeDefined();
    // The printed URL hides credentials; the data folder's database is reached with the service's local role.
    const port = Number(url?.match(/:(\d+)\//)?.[1]);
    const client = new pg.Client({
      connectionString: `postgres://events:events-local@127.0.0.1:${port}/events`,
    });
    await client.connect();
    await client.query(`CREATE TABLE ${marker} (id int)`);
    await client.end();
    process.kill(-(dev.child.pid as number), 'SIGINT');
    expect(await dev.exited).toBe(true);
    await expect.poll(() => portClosed(dev.port)).toBe(true);

    const again = await startDev(dataDir);
    const second = new pg.Client({
      connectionString: `postgres://events:events-local@127.0.0.1:${Number(again.output().match(/PostgreSQL\s+\S+:(\d+)\//)?.[1])}/events`,
    });
    await second.connect();
    expect((await second.query('SELECT to_regclass($1) AS found', [marker])).rows[0]?.found).toBe(marker);
    await second.end();
    process.kill(-(again.child.pid as number), 'SIGINT');
    expect(await again.exited).toBe(true);
    await expect.poll(() => portClosed(again.port)).toBe(true);

    const fresh = await startDev(dataDir, ['--fresh']);
    const third = new pg.Client({
      connectionString: `postgres://events:events-local@127.0.0.1:${Number(fresh.output().match(/PostgreSQL\s+\S+:(\d+)\//)?.[1])}/events`,
    });
    await third.connect();
    expect((await third.query('SELECT to_regclass($1) AS found', [marker])).rows[0]?.found).toBeNull();
    await third.end();
    process.kill(-(fresh.child.pid as number), 'SIGINT');
    expect(await fresh.exited).toBe(true);
  });
});
