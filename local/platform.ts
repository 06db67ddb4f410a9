// Starts the whole platform: PostgreSQL, the AWS emulator, the mail catcher, then every manifest function behind the
// local gateway, queue pollers and schedules. `npm run dev`, the e2e tests and the bench use it. The API runs in this
// process, or in `workers` processes of its own (local/api-workers.ts); everything else runs here, once.
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { InvokeStore } from '@aws/lambda-invoke-store';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  DEFAULT_JWT_AUDIENCE,
  databaseUrlEnv,
  ENV,
  functionNameEnv,
  queueUrlEnv,
  topicArnEnv,
} from '../layers/common/env-names';
import { consumerBatchSize, functionLimits } from '../layers/common/function-defaults';
import type { ServiceManifest } from '../layers/common/manifest';
import { MEDIA_BUCKET_LOCAL_NAME } from '../layers/common/resources';
import { reportRuntimeState } from '../layers/common/runtime-status';
import type { InvokeTarget } from './invoke-api';
// Sets what Powertools reads when it loads, before any module that may load it.
import './lambda';
import type { WorkerOutput } from './api-workers';
import { handlerLoader, ROOT, serviceDir } from './handlers';
import type { LogShipping } from './log-shipping';
import { startPostgres } from './postgres';
import { type PollTarget, startPollers } from './queues';
import { type ScheduleTarget, startSchedules } from './schedules';
import { localTotpKey } from './totp-key';

export { ROOT, serviceDir } from './handlers';
export const JWT_AUDIENCE = DEFAULT_JWT_AUDIENCE;
/** More API requests than this in flight at once, and queue consumers wait (see local/queues.ts). */
const API_BUSY_REQUESTS = 4;

export interface PlatformOptions {
  manifests: readonly ServiceManifest[];
  /** Where PostgreSQL, queues, objects and mail persist between runs. */
  dataDir: string;
  /** Start from empty data. */
  fresh?: boolean;
  /** Keep queues, objects and mail in memory only (PostgreSQL still uses dataDir): benches and throwaway runs. */
  ephemeral?: boolean;
  ports: { api: number; aws: number; smtp: number; mailUi: number; postgres: number };
  /** Used when it answers; otherwise the platform runs degraded without Redis. */
  redisUrl?: string;
  openSearchUrl?: string;
  /** LocalStack profile: use this AWS endpoint instead of starting the embedded emulator. */
  externalAwsEndpoint?: string;
  /** Fire schedules locally (off in tests that drive schedules themselves). */
  schedules?: boolean;
  /** The built web app served at / on the API's origin (default web/dist, when built); false serves none. */
  webAppDir?: string | false;
  /** Poll queues and invoke their consumers (off in tests that leave messages waiting in the queues). */
  consumers?: boolean;
  /**
   * API processes (`npm run dev` passes LOCAL_WORKERS): 1 (the default here) serves the API in this process; more
   * fork that many workers on the API's port, each with every route's function (the project's own manifests only).
   */
  workers?: number;
  /** Where the API workers' output goes (tests hand it to their console); default: this process's stdout/stderr. */
  workerOutput?: WorkerOutput;
  log: (message: string) => void;
}

export interface Platform {
  apiUrl: string;
  mailUrl: string;
  awsEndpoint: string;
  smtpPort: number;
  databaseUrls: Record<string, string>;
  queueUrls: Record<string, string>;
  mailServer: { stop(): Promise<void>; start(): Promise<void> };
  redis: 'up' | 'degraded';
  openSearch: 'up' | 'degraded';
  /** Ships function log lines to OpenSearch; undefined when OpenSearch did not answer at start. */
  logShipping?: LogShipping;
  /** The API workers' process ids by index, when the API runs in several (PlatformOptions.workers); else empty. */
  apiWorkerPids(): Record<number, number>;
  stop(): Promise<void>;
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function openSearchAnswers(url: string): Promise<boolean> {
  try {
    return (await fetch(new URL('/_cluster/health', url), { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

/** A port free now, for workers that must all listen on the same known one. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The runtime's heavier modules (the mail catcher, the AWS emulator and SDK, the migration tool, the gateway's JWT
 * library). They load while PostgreSQL starts: on a busy machine, loading them takes longer than the server does.
 */
const loadParts = () =>
  Promise.all([
    import('@aws-sdk/client-sqs'),
    import('../layers/common/migrate'),
    import('./api'),
    import('./api-workers'),
    import('./aws-emulator'),
    import('./aws-external'),
    import('./invoke-api'),
    import('./log-shipping'),
    import('./mail'),
    import('./payments-page'),
  ]);

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { manifests, log } = options;
  const loading = loadParts();
  const handlerOf = handlerLoader();
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  // Awaited below; a failure to load must not go unhandled while PostgreSQL starts.
  loading.catch(() => undefined);
  if (options.fresh && existsSync(options.dataDir)) rmSync(options.dataDir, { recursive: true, force: true });
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse())
      await Promise.resolve(fn()).catch((error) => log(`stop: ${(error as Error).message}`));
  };

  // Emulators (fauxqs, LocalStack) accept any credentials, but the SDK insists on having some.
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  process.env.AWS_REGION ??= 'us-east-1';

  // How long each part of the start took, in one line at the end: what a slow start (or restart) spends its time on.
  const started = performance.now();
  const laps: string[] = [];
  let lapStart = started;
  const lap = (part: string) => {
    const now = performance.now();
    laps.push(`${part} ${((now - lapStart) / 1000).toFixed(1)} s`);
    lapStart = now;
  };

  try {
    const dbManifests = manifests.filter((manifest) => manifest.database);
    const dbServices = dbManifests.map((manifest) => manifest.service);
    const postgres = await startPostgres({
      dataDir: options.dataDir,
      port: options.ports.postgres,
      services: dbServices,
      log,
    });
    stops.push(() => postgres.stop());
    // What the functions open in this process (pools, the Redis client, the timings' async storage) ends with the
    // platform, before PostgreSQL stops, however far the start got.
    const [{ closePools }, { closeRedis }, { stopCollectingTimings }] = await Promise.all([
      import('../layers/common/db'),
      import('../layers/common/redis'),
      import('../layers/common/timings'),
    ]);
    stops.push(closePools, closeRedis, stopCollectingTimings);
    reportRuntimeState('postgres', postgres.status);
    lap('PostgreSQL');
    const [
      { SQSClient },
      { migrateDatabase },
      { startApi },
      { projectManifests, startApiWorkers },
      { startAwsEmulator },
      { useExternalAws },
      { startInvokeApi },
      { startLogShipping },
      { startMail },
      { paymentsTestModeEnv },
    ] = await loading;
    if (workers > 1 && !(await projectManifests(manifests)))
      throw new Error("several API workers load the project's own manifests only; start one for these");
    lap('the rest of the runtime loaded');
    for (const manifest of dbManifests) {
      const client = new pg.Client({ connectionString: postgres.urls[manifest.service] });
      await client.connect();
      try {
        const applied = await migrateDatabase(client, { dir: join(serviceDir(manifest), 'migrations') });
        if (applied.length > 0) log(`migrated ${manifest.service}: ${applied.join(', ')}`);
      } finally {
        await client.end();
      }
    }

    lap('migrations');

    const aws = options.externalAwsEndpoint
      ? await useExternalAws({
          endpoint: options.externalAwsEndpoint,
          manifests,
          bucket: MEDIA_BUCKET_LOCAL_NAME,
        })
      : await startAwsEmulator({
          port: options.ports.aws,
          manifests,
          bucket: MEDIA_BUCKET_LOCAL_NAME,
          dataDir: options.ephemeral ? undefined : join(options.dataDir, 'aws'),
        });
    stops.push(() => aws.stop());

    const mailOptions = {
      smtpPort: options.ports.smtp,
      webPort: options.ports.mailUi,
      mailDir: options.ephemeral ? undefined : join(options.dataDir, 'mail'),
    };
    let mail = await startMail(mailOptions);
    let mailRunning = true;
    stops.push(() => (mailRunning ? mail.stop() : undefined));

    const redisUp = options.redisUrl ? await redisAnswers(options.redisUrl) : false;
    if (!redisUp) {
      log(
        options.redisUrl
          ? `Redis at ${options.redisUrl} does not answer: running degraded (per-container rate limits, no cache)`
          : 'Redis is off (REDIS_URL unset or off): running degraded (per-container rate limits, no cache)',
      );
    }
    const openSearchUp = options.openSearchUrl ? await openSearchAnswers(options.openSearchUrl) : false;
    if (!openSearchUp) {
      log(
        options.openSearchUrl
          ? `OpenSearch at ${options.openSearchUrl} does not answer: logs stay in the console`
          : 'OPENSEARCH_URL is not set: logs stay in the console',
      );
    }

    lap('queues, mail, Redis and OpenSearch');

    // The API listens first (here, or on a port chosen now for the workers) so the issuer URL, which carries its
    // port, is known before any handler loads.
    const apiOptions = {
      webAppDir: options.webAppDir ?? join(ROOT, 'web', 'dist'),
      mediaOrigin: new URL(aws.endpoint).origin,
      audience: JWT_AUDIENCE,
    };
    const api =
      workers > 1 ? undefined : await startApi({ ...apiOptions, manifests, port: options.ports.api, log });
    if (api) stops.push(() => api.gateway.close());
    const apiUrl = api?.gateway.url ?? `http://localhost:${options.ports.api || (await freePort())}`;

    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: aws.endpoint,
      [ENV.s3ForcePathStyle]: 'true',
      [ENV.mediaBucket]: aws.bucket,
      [ENV.smtpHost]: '127.0.0.1',
      [ENV.smtpPort]: String(mail.smtpPort),
      [ENV.jwtIssuer]: apiUrl,
      [ENV.jwtAudience]: JWT_AUDIENCE,
      [ENV.dbPoolMax]: process.env[ENV.dbPoolMax] ?? '10',
      ...paymentsTestModeEnv(apiUrl),
      [ENV.totpEncryptionKey]: process.env[ENV.totpEncryptionKey] || localTotpKey(options.dataDir),
      ...(redisUp && options.redisUrl ? { [ENV.redisUrl]: options.redisUrl } : {}),
      ...(openSearchUp && options.openSearchUrl ? { [ENV.openSearchUrl]: options.openSearchUrl } : {}),
    };
    for (const service of dbServices) env[databaseUrlEnv(service)] = postgres.socketUrls[service] ?? '';
    for (const [topic, arn] of Object.entries(aws.topicArns)) env[topicArnEnv(topic)] = arn;
    for (const [queue, url] of Object.entries(aws.queueUrls)) env[queueUrlEnv(queue)] = url;
    if (!redisUp) delete process.env[ENV.redisUrl];
    if (!openSearchUp) delete process.env[ENV.openSearchUrl];
    Object.assign(process.env, env);
    // Powertools Metrics would print an EMF blob per invocation; CloudWatch is not there to read it locally.
    process.env[ENV.metricsDisabled] ??= 'true';
    // Started before any handler loads, so the lines they log while loading are shipped too.
    const logShipping =
      openSearchUp && options.openSearchUrl
        ? await startLogShipping({ url: options.openSearchUrl, log })
        : undefined;
    if (logShipping) stops.push(() => logShipping.stop());

    // Lambda's invocation store exists before any function code runs; Powertools' logger throws without it, and a
    // line logged outside an invocation (a pool losing a connection while PostgreSQL restarts) must not crash us.
    await InvokeStore.getInstanceAsync();

    // Internal functions, reachable through the Lambda Invoke API as "<service>-<name>".
    const invokeTargets = new Map<string, InvokeTarget>();
    for (const manifest of manifests) {
      for (const [name, fn] of Object.entries(manifest.functions ?? {})) {
        invokeTargets.set(`${manifest.service}-${name}`, {
          handler: await handlerOf(manifest, fn.handler),
          ...functionLimits('internal', fn),
        });
        process.env[functionNameEnv(`${manifest.service}.${name}`)] = `${manifest.service}-${name}`;
      }
    }
    const invokeApi = await startInvokeApi(invokeTargets);
    stops.push(() => invokeApi.close());
    process.env[ENV.lambdaEndpoint] = invokeApi.url;
    // Every other function starts loading now, all at once (see handlerLoader); the workers load the routes' own.
    for (const manifest of manifests)
      for (const entry of [
        ...(api ? Object.values(manifest.routes) : []),
        ...Object.values(manifest.consumers ?? {}),
        ...Object.values(manifest.schedules ?? {}),
      ])
        void handlerOf(manifest, entry.handler).catch(() => undefined);

    await api?.load(handlerOf);
    const apiWorkers =
      workers > 1
        ? await startApiWorkers({
            count: workers,
            config: {
              ...apiOptions,
              port: Number(new URL(apiUrl).port),
              services: manifests.map((manifest) => manifest.service),
              busyRequests: API_BUSY_REQUESTS,
            },
            log,
            output: options.workerOutput,
          })
        : undefined;
    // Pushed last, so they stop first: workers still call PostgreSQL and the internal functions while they drain.
    if (apiWorkers) stops.push(() => apiWorkers.stop());

    lap(workers > 1 ? `functions and ${workers} API workers` : 'functions');

    const sqs = new SQSClient({ region: 'us-east-1', endpoint: aws.endpoint });
    const pollTargets: PollTarget[] = [];
    for (const manifest of manifests) {
      for (const [name, consumer] of Object.entries(manifest.consumers ?? {})) {
        pollTargets.push({
          functionName: `${manifest.service}-${name}`,
          queueUrl: aws.queueUrls[consumer.queue] ?? '',
          queueArn: aws.queueArns[consumer.queue] ?? '',
          batchSize: consumerBatchSize(consumer),
          ...functionLimits('consumer', consumer),
          handler: await handlerOf(manifest, consumer.handler),
        });
      }
    }
    // Consumers give way while the API serves a burst (more than a handful of requests at once), as they would
    // on Lambda where they do not share its CPU; a batch waits at most a second for that.
    const stopPollers = startPollers(
      sqs,
      options.consumers === false ? [] : pollTargets,
      (error) => log(`consumer: ${(error as Error).message}`),
      {
        busy: () => (api ? api.gateway.inFlight() > API_BUSY_REQUESTS : (apiWorkers?.busy() ?? false)),
        maxYieldMs: 1_000,
      },
    );
    stops.push(async () => {
      await stopPollers();
      sqs.destroy();
    });

    if (options.schedules !== false) {
      const scheduleTargets: ScheduleTarget[] = [];
      for (const manifest of manifests) {
        for (const [name, schedule] of Object.entries(manifest.schedules ?? {})) {
          scheduleTargets.push({
            functionName: `${manifest.service}-${name}`,
            ruleName: schedule.name,
            everySeconds: schedule.localEverySeconds,
            ...functionLimits('schedule', schedule),
            handler: await handlerOf(manifest, schedule.handler),
          });
        }
      }
      stops.push(startSchedules(scheduleTargets, (error) => log(`schedule: ${(error as Error).message}`)));
    }

    lap('consumers and schedules');
    // The API's functions answer once everything is up: a 200 from it means the whole runtime is.
    api?.open();
    apiWorkers?.serve();
    log(`started in ${((performance.now() - started) / 1000).toFixed(1)} s: ${laps.join(', ')}`);

    return {
      apiUrl,
      mailUrl: mail.webUrl,
      awsEndpoint: aws.endpoint,
      smtpPort: mail.smtpPort,
      databaseUrls: postgres.urls,
      queueUrls: aws.queueUrls,
      // Tests stop and restart the mail server to see sending fail and recover.
      mailServer: {
        stop: async () => {
          if (mailRunning) await mail.stop();
          mailRunning = false;
        },
        start: async () => {
          if (!mailRunning) mail = await startMail(mailOptions);
          mailRunning = true;
        },
      },
      redis: redisUp ? 'up' : 'degraded',
      openSearch: openSearchUp ? 'up' : 'degraded',
      logShipping,
      apiWorkerPids: () => apiWorkers?.pids() ?? {},
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
