// Starts the local platform for a test file: its own data folder and ports, the real PostgreSQL, AWS emulator and
// mail catcher, and Redis / OpenSearch when the global setup provided them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject, type ProvidedContext } from 'vitest';
import { manifests as realManifests } from '../../functions/manifests';
import type { ServiceManifest } from '../../layers/common/manifest';
import { type Platform, type PlatformOptions, startPlatform } from '../../local/platform';
import { lostAPort, PORT_ATTEMPTS, platformPorts } from './ports';
import { copyPostgresTemplate } from './postgres-template';
import { type TestIssuer, withTestIssuer } from './tokens';

export interface TestPlatformOptions {
  manifests?: readonly ServiceManifest[];
  /** Override the Redis URL (e.g. a test's own Redis), or null for none: degraded mode, as `REDIS_URL=off`. */
  redisUrl?: string | null;
  /**
   * Where the platform ships its log lines: the run's OpenSearch (`inject('openSearchUrl')`) or a forwarder in front of
   * it. None by default: the lines stay in the test's console, shown for a failing test. Only the logging tests read
   * lines back from OpenSearch; shipping every other file's lines cost the run's OpenSearch and each platform CPU
   * (indexing, the bulk requests, a flush at every stop) that no assertion used.
   */
  openSearchUrl?: string | null;
  schedules?: boolean;
  externalAwsEndpoint?: string;
  /** Run queue consumers (off to leave messages waiting in their queues). */
  consumers?: boolean;
  /** Restart tests: the data folder and ports of an earlier platform, so it starts again on the same data. */
  dataDir?: string;
  ports?: PlatformOptions['ports'];
  /** API processes (see PlatformOptions.workers): 1 by default, which keeps a test file's platform cheap. */
  workers?: number;
  /** Receives what the runtime reports (degraded dependencies, consumer errors); by default it is dropped. */
  log?: (message: string) => void;
}

export const testPorts: () => Promise<PlatformOptions['ports']> = platformPorts;

/**
 * A platform's ports are found free and then bound, while other test files start theirs and connections come and go:
 * another server or an outgoing connection (whose local port comes from the same range) can take one in between, and
 * the start fails with EADDRINUSE. Such a start is tried again on new ports; ports the caller chose are its to keep.
 */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<Platform> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (options.ports || attempt >= PORT_ATTEMPTS || !lostAPort(error)) throw error;
    }
  }
}

async function startOnce(options: TestPlatformOptions): Promise<Platform> {
  const ports = options.ports ?? (await testPorts());
  const providedRedis = safeInject('redisUrl');
  // Tests sign many users up from one address; the rate-limit tests set their own, tighter limits first.
  process.env.RATE_LIMIT_REGISTER_IP ??= '1000/3600';
  process.env.RATE_LIMIT_TOKEN_IP ??= '1000/60';
  // Sign-ups hash at a test cost: at OWASP's, each takes about half a second of CPU (seconds on a loaded machine).
  process.env.PASSWORD_SCRYPT_LN ??= '12';
  // Fixtures sign organizers up without reading their mail; the auth tests that verify addresses turn this on.
  process.env.PUBLISH_REQUIRES_VERIFIED_EMAIL ??= 'false';
  // Test files share one Redis: each platform keeps its rate-limit windows apart.
  process.env.RATE_LIMIT_PREFIX = `rl-${ports.api}`;
  // A data folder made here is this platform's alone: it goes when the platform stops (restart tests bring their own).
  const dataDir = options.dataDir ?? newDataDir();
  const platform = await startPlatform({
    manifests: options.manifests ?? realManifests,
    dataDir,
    ports,
    redisUrl: options.redisUrl === null ? undefined : (options.redisUrl ?? providedRedis),
    openSearchUrl: options.openSearchUrl ?? undefined,
    schedules: options.schedules,
    consumers: options.consumers,
    externalAwsEndpoint: options.externalAwsEndpoint,
    workers: options.workers,
    // Through this process's console, which vitest shows for failing tests only, as the functions' own lines here.
    workerOutput: (text, stream) => (stream === 'stdout' ? console.log : console.error)(text.trimEnd()),
    log: options.log ?? (() => undefined),
  }).catch((error) => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  if (options.dataDir) return platform;
  const stop = platform.stop;
  return Object.assign(platform, {
    stop: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** The platform's options, or a function answering them as it starts (e.g. with a server an earlier hook started). */
type LateOptions = TestPlatformOptions | (() => TestPlatformOptions);

/**
 * Registers the file's beforeAll and afterAll: the platform started with `options`, handed to `started`, and stopped
 * when the file ends (after the hooks registered later, e.g. a pool on one of its databases).
 */
export function withTestPlatform(
  options: LateOptions,
  started: (platform: Platform) => void | Promise<void>,
): void {
  let platform: Platform | undefined;
  beforeAll(async () => {
    platform = await startTestPlatform(typeof options === 'function' ? options() : options);
    await started(platform);
  });
  afterAll(async () => {
    await platform?.stop();
  });
}

/** withTestIssuer, then withTestPlatform: a platform whose JWT authorizer accepts the test issuer's tokens. */
export function withIssuedPlatform(
  options: LateOptions,
  started: (suite: { platform: Platform; issuer: TestIssuer }) => void | Promise<void>,
): void {
  let issuer: TestIssuer;
  withTestIssuer((trusted) => {
    issuer = trusted;
  });
  withTestPlatform(options, (platform) => started({ platform, issuer }));
}

/** A fresh data folder, holding a copy of the run's prepared PostgreSQL cluster when global setup made one. */
export function newDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'tol-test-'));
  const template = safeInject('postgresTemplate');
  if (template) copyPostgresTemplate(template, dataDir);
  return dataDir;
}

function safeInject(key: keyof ProvidedContext): string | undefined {
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
    /** A data folder with the prepared PostgreSQL cluster (empty: none, each platform runs initdb). */
    postgresTemplate: string;
  }
}
