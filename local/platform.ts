// Starts the whole platform in one process: PostgreSQL, the AWS emulator, the mail catcher, then every manifest
// function behind the local gateway, queue pollers and schedules. `npm run dev`, the e2e tests and the bench use it.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
import { compileRoutes } from '../layers/common/routes';
import { reportRuntimeState } from '../layers/common/runtime-status';
import type { Gateway } from './gateway';
import type { InvokeTarget } from './invoke-api';
// Sets what Powertools reads when it loads, before any module that may load it.
import type { AnyHandler } from './lambda';
import './lambda';
import type { LogShipping } from './log-shipping';
import { startPostgres } from './postgres';
import { type PollTarget, startPollers } from './queues';
import { type ScheduleTarget, startSchedules } from './schedules';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
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

export const serviceDir = (manifest: ServiceManifest) =>
  manifest.dir ?? join(ROOT, 'functions', manifest.service);

async function loadHandler(manifest: ServiceManifest, file: string): Promise<AnyHandler> {
  const path = join(serviceDir(manifest), file);
  const module = (await import(pathToFileURL(path).href)) as { handler?: AnyHandler };
  if (typeof module.handler !== 'function') throw new Error(`${path} exports no handler`);
  return module.handler;
}

/**
 * The runtime's heavier modules (the mail catcher, the AWS emulator and SDK, the migration tool, the gateway's JWT
 * library). They load while PostgreSQL starts: on a busy machine, loading them takes longer than the server does.
 */
const loadParts = () =>
  Promise.all([
    import('@aws-sdk/client-sqs'),
    import('../layers/common/migrate'),
    import('./authorizer'),
    import('./aws-emulator'),
    import('./aws-external'),
    import('./gateway'),
    import('./invoke-api'),
    import('./log-shipping'),
    import('./mail'),
    import('./payments-page'),
    import('./web-app'),
  ]);

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { manifests, log } = options;
  const loading = loadParts();
  /**
   * Each function file's handler, imported once. Importing mostly waits (on the disk, and on tsx's loader thread
   * when the machine is busy), so the runtime asks for them all at once rather than one after another.
   */
  const imports = new Map<string, Promise<AnyHandler>>();
  const handlerOf = (manifest: ServiceManifest, file: string) => {
    const key = join(serviceDir(manifest), file);
    let handler = imports.get(key);
    if (!handler) {
      handler = loadHandler(manifest, file);
      imports.set(key, handler);
    }
    return handler;
  };
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
    reportRuntimeState('postgres', postgres.status);
    lap('PostgreSQL');
    const [
      { SQSClient },
      { migrateDatabase },
      { jwtAuthorizer },
      { startAwsEmulator },
      { useExternalAws },
      { startGateway },
      { startInvokeApi },
      { startLogShipping },
      { startMail },
      { paymentsPage, paymentsTestModeEnv },
      { webApp },
    ] = await loading;
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

    // The gateway listens first so the issuer URL (which carries its port) is known before any handler loads.
    const handlers = new Map<string, AnyHandler>();
    const table = compileRoutes(manifests);
    const authorizers: { check?: ReturnType<typeof jwtAuthorizer> } = {};
    const gateway: Gateway = await startGateway({
      port: options.ports.api,
      table,
      handlers,
      corsOrigins: (process.env[ENV.corsAllowedOrigins] ?? '*').split(','),
      staticSite:
        options.webAppDir === false
          ? undefined
          : webApp({
              dir: options.webAppDir ?? join(ROOT, 'web', 'dist'),
              mediaOrigins: [new URL(aws.endpoint).origin],
            }),
      pages: paymentsPage(() => gateway.url),
      authorize: (authorization) =>
        authorizers.check
          ? authorizers.check(authorization)
          : Promise.resolve({ ok: false, reason: 'starting' }),
      onError: (error) => log(`gateway: ${(error as Error).stack ?? error}`),
      onNotice: (message) => log(`gateway: ${message}`),
    });
    stops.push(() => gateway.close());

    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: aws.endpoint,
      [ENV.s3ForcePathStyle]: 'true',
      [ENV.mediaBucket]: aws.bucket,
      [ENV.smtpHost]: '127.0.0.1',
      [ENV.smtpPort]: String(mail.smtpPort),
      [ENV.jwtIssuer]: gateway.url,
      [ENV.jwtAudience]: JWT_AUDIENCE,
      [ENV.dbPoolMax]: process.env[ENV.dbPoolMax] ?? '10',
      ...paymentsTestModeEnv(gateway.url),
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
    // Every other function starts loading now, all at once (see handlerOf).
    for (const manifest of manifests)
      for (const entry of [
        ...Object.values(manifest.routes),
        ...Object.values(manifest.consumers ?? {}),
        ...Object.values(manifest.schedules ?? {}),
      ])
        void handlerOf(manifest, entry.handler).catch(() => undefined);

    authorizers.check = jwtAuthorizer({
      issuer: gateway.url,
      audiences: [JWT_AUDIENCE],
      jwksUrl: process.env.JWT_JWKS_URL ?? `${gateway.url}/.well-known/jwks.json`,
    });

    for (const manifest of manifests) {
      for (const [name, route] of Object.entries(manifest.routes)) {
        handlers.set(`${manifest.service}.${name}`, await handlerOf(manifest, route.handler));
      }
    }

    lap('functions');

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
      { busy: () => gateway.inFlight() > API_BUSY_REQUESTS, maxYieldMs: 1_000 },
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

    // Pools opened by the handlers belong to this process; close them before PostgreSQL stops.
    const { closePools } = await import('../layers/common/db');
    stops.splice(1, 0, closePools);

    lap('consumers and schedules');
    log(`started in ${((performance.now() - started) / 1000).toFixed(1)} s: ${laps.join(', ')}`);

    return {
      apiUrl: gateway.url,
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
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
