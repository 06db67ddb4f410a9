// `npm run dev` in a child process, as a developer runs it, for the benches: the bench's own HTTP client and JSON
// parsing then never share the functions' event loop. Free ports, a throwaway data folder, function logs at WARN.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../local/platform';
import { devPortsEnv, freePort, platformPorts } from '../support/ports';
import type { startTestIssuer } from '../support/tokens';
import type { Log } from './section';

export interface DevProcess {
  apiUrl: string;
  /** The service's own database (its local role), e.g. for seeding and reading figures back. */
  databaseUrl(service: string): string;
  /** Whether the runtime found the Redis it was given. */
  redis: boolean;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevProcess(options: {
  label: string;
  log: Log;
  /** Extra environment, e.g. JWT_JWKS_URL of a bench issuer, REDIS_URL, DB_POOL_MAX, NODE_OPTIONS. */
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
}): Promise<DevProcess> {
  const [ports, closed] = await Promise.all([platformPorts(), freePort()]);
  const dataDir = mkdtempSync(join(tmpdir(), `tol-bench-${options.label}-`));
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/dev.ts', '--fresh', ...(options.args ?? [])],
    {
      cwd: ROOT,
      // Its own process group, so stopping it stops PostgreSQL with it, as Ctrl-C in a terminal does.
      detached: true,
      env: {
        ...process.env,
        ...devPortsEnv(ports),
        LOCAL_DATA_DIR: dataDir,
        // Without a Redis of the bench's own, a closed port rather than whatever may listen on 6379.
        REDIS_URL: `redis://127.0.0.1:${closed}`,
        POWERTOOLS_LOG_LEVEL: 'WARN',
        OPENSEARCH_URL: '',
        ...options.env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let errors = '';
  child.stderr?.on('data', (chunk) => {
    errors = `${errors}${chunk}`.slice(-4_000);
  });
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGINT');
        await exited;
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const apiUrl = `http://localhost:${ports.api}`;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    try {
      if ((await fetch(`${apiUrl}/v1/health`)).status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`platform did not start:\n${errors}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  options.log(`${options.label}: platform up at ${apiUrl}`);
  return {
    apiUrl,
    databaseUrl: (service) => `postgres://${service}:${service}-local@127.0.0.1:${ports.postgres}/${service}`,
    redis: !errors.includes('Redis at'),
    child,
    stop,
  };
}

/**
 * Signs access tokens the runtime accepts (it trusts the bench issuer through JWT_JWKS_URL) for a user id: a verified
 * attendee of the web client, as a signed-in buyer's token carries.
 */
export function benchTokens(
  issuer: Awaited<ReturnType<typeof startTestIssuer>>,
  apiUrl: string,
): (userId: string) => Promise<string> {
  return (userId) =>
    issuer.sign(
      {
        iss: apiUrl,
        aud: 'ticketorleaveit-api',
        sub: userId,
        client_id: 'web',
        scope: 'api',
        email: `bench-${userId}@example.com`,
        email_verified: true,
        given_name: 'Bench',
      },
      { expiresIn: '30m' },
    );
}
