// Cold initialisation of one bundle in a fresh Node process, with the environment a deployed function would have.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_JWT_AUDIENCE,
  databaseUrlEnv,
  ENV,
  queueUrlEnv,
  topicArnEnv,
} from '../../layers/common/env-names';
import { SERVICES, type ServiceManifest } from '../../layers/common/manifest';
import { messagingResources } from '../../layers/common/resources';
import type { LambdaFunction } from './lambda-functions';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'cold-init.child.mjs');
/** Generous: a healthy import takes well under a second; this only stops a module that hangs at init. */
const SPAWN_TIMEOUT_MS = 30_000;
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

/**
 * What a deployed function finds in its environment: the runtime's variables, those infra-cdk's ServiceFunction sets
 * on every function (NODE_OPTIONS too: with source maps enabled Node parses the map while loading the bundle), and
 * its binds. Every resource variable is set for every function (a superset of one function's grants) so no module
 * fails for want of one; every address is a dummy the child blocks anyway, and nothing of the developer's own
 * environment (REDIS_URL, AWS_ENDPOINT_URL...) leaks in.
 */
export function lambdaEnvironment(
  fn: Pick<LambdaFunction, 'name' | 'service' | 'memoryMb'>,
  manifests: readonly ServiceManifest[],
  taskRoot: string,
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: taskRoot,
    _HANDLER: 'index.handler',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
    // The runtime hands every function temporary credentials, so the SDK never goes looking for them at init.
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
    AWS_SESSION_TOKEN: 'bench-session-token',
    POWERTOOLS_SERVICE_NAME: fn.service,
    [ENV.serviceName]: fn.service,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    NODE_OPTIONS: '--enable-source-maps',
    [ENV.mediaBucket]: 'bench-media',
    [ENV.jwtIssuer]: 'https://auth.bench.invalid',
    [ENV.jwtAudience]: DEFAULT_JWT_AUDIENCE,
    [ENV.mailFrom]: 'no-reply@bench.invalid',
    // Set so that a module which connects to Redis at import is caught doing so, not excused by a missing URL.
    [ENV.redisUrl]: 'redis://127.0.0.1:1',
  };
  // AWS gives <SERVICE>_DB_HOST and _DB_SECRET_ARN instead; db.ts reads either only when a pool is first asked for.
  for (const service of SERVICES) {
    env[databaseUrlEnv(service)] = `postgres://bench:bench@127.0.0.1:1/${service}`;
  }
  const { topics, queues } = messagingResources(manifests);
  for (const topic of topics) env[topicArnEnv(topic.name)] = `arn:aws:sns:${REGION}:${ACCOUNT}:${topic.name}`;
  for (const queue of queues) {
    env[queueUrlEnv(queue.name)] = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${queue.name}`;
  }
  return env;
}

export interface ColdInitSample {
  /** `await import(bundle)` inside the child. */
  coldInitMs: number;
  /** From just before spawn() in this process to the import being done in the child. */
  processStartToReadyMs: number;
  /** Import failure, timeout or crash; the timings are then meaningless. */
  error?: string;
  /** Connection attempts made while initialising (all blocked). */
  network: string[];
  /** Errors nobody handled while initialising, e.g. from a blocked connection. */
  uncaught: string[];
  /** Handles the module left open (observed runs only). */
  activeResources?: string[];
  /** What the module printed while initialising, trimmed. */
  output: string;
}

interface ChildReport {
  coldInitMs: number;
  readyEpochMs: number;
  error?: string;
  network: string[];
  uncaught: string[];
  activeResources?: string[];
}

const MAX_OUTPUT_CHARS = 500;

/**
 * One cold start: spawns this same Node binary on the child script with a clean environment, in the bundle's folder
 * (Lambda's working directory is the task root). `observeMs` > 0 waits that long after the import before reporting,
 * to catch late connections and open handles; it never counts towards the timings.
 */
export function measureColdInit(
  bundleFile: string,
  env: Record<string, string>,
  observeMs = 0,
): Promise<ColdInitSample> {
  return new Promise((resolve) => {
    const spawnedAt = performance.timeOrigin + performance.now();
    const child = spawn(process.execPath, [CHILD, bundleFile, String(observeMs)], {
      cwd: dirname(bundleFile),
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let reportLine = '';
    const keep = (chunk: Buffer) => {
      if (output.length < MAX_OUTPUT_CHARS) output += chunk.toString('utf8');
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      reportLine += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), SPAWN_TIMEOUT_MS + observeMs);
    const fail = (error: string): ColdInitSample => ({
      coldInitMs: Number.NaN,
      processStartToReadyMs: Number.NaN,
      error,
      network: [],
      uncaught: [],
      output: output.trim().slice(0, MAX_OUTPUT_CHARS),
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(fail(`could not spawn ${process.execPath}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!reportLine.trim()) {
        resolve(
          fail(signal === 'SIGKILL' ? `no answer within ${SPAWN_TIMEOUT_MS} ms` : `exited ${code ?? signal}`),
        );
        return;
      }
      let report: ChildReport;
      try {
        report = JSON.parse(reportLine) as ChildReport;
      } catch {
        resolve(fail(`unreadable report from the child: ${reportLine.slice(0, 200)}`));
        return;
      }
      resolve({
        coldInitMs: report.coldInitMs,
        processStartToReadyMs: report.readyEpochMs - spawnedAt,
        error: report.error,
        network: report.network,
        uncaught: report.uncaught,
        activeResources: report.activeResources,
        output: output.trim().slice(0, MAX_OUTPUT_CHARS),
      });
    });
  });
}
