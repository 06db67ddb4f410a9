// Starts the local platform for a test file: its own data folder and ports, the real PostgreSQL, AWS emulator and
// mail catcher, and Redis / OpenSearch when the global setup provided them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { manifests as realManifests } from '../../functions/manifests';
import type { ServiceManifest } from '../../layers/common/manifest';
import { type Platform, startPlatform } from '../../local/platform';
import { freePort } from './ports';

export interface TestPlatformOptions {
  manifests?: readonly ServiceManifest[];
  /** Override the Redis URL (e.g. a test's own Redis), or null for none. */
  redisUrl?: string | null;
  schedules?: boolean;
  externalAwsEndpoint?: string;
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<Platform> {
  const [api, aws, smtp, mailUi, postgres] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const providedRedis = safeInject('redisUrl');
  // Tests sign many users up from one address; the rate-limit tests set their own, tighter limits first.
  process.env.RATE_LIMIT_REGISTER_IP ??= '1000/3600';
  process.env.RATE_LIMIT_TOKEN_IP ??= '1000/60';
  // Test files share one Redis: each platform keeps its rate-limit windows apart.
  process.env.RATE_LIMIT_PREFIX = `rl-${api}`;
  return startPlatform({
    manifests: options.manifests ?? realManifests,
    dataDir: mkdtempSync(join(tmpdir(), 'tol-test-')),
    ports: { api, aws, smtp, mailUi, postgres },
    redisUrl: options.redisUrl === null ? undefined : (options.redisUrl ?? providedRedis),
    openSearchUrl: safeInject('openSearchUrl'),
    schedules: options.schedules,
    externalAwsEndpoint: options.externalAwsEndpoint,
    log: () => undefined,
  });
}

function safeInject(key: 'redisUrl' | 'openSearchUrl'): string | undefined {
  try {
    return inject(key) || undefined;
  } catch {
    return undefined;
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    openSearchUrl: string;
  }
}
