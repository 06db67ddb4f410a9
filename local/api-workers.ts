// The local runtime's API in several processes (LOCAL_WORKERS): node:cluster forks one worker per process
// (local/api-worker.ts), each serving the gateway and every route's function on the one shared port, so requests use
// every core as Lambda's separate environments would. The primary keeps PostgreSQL, the emulators, the internal
// functions, the queue consumers and the schedules, so each message is consumed and each schedule fires once. A
// worker that dies is started again; stopping stops the workers first, and a worker whose primary is gone exits.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { intEnv } from '../layers/common/config';
import type { ServiceManifest } from '../layers/common/manifest';
import { runtimeStates } from '../layers/common/runtime-status';

/** What a worker needs besides the environment it inherits (databases, queues, issuer: the functions' own). */
export interface ApiWorkerConfig {
  index: number;
  port: number;
  /** The services whose routes it serves, from the project's manifests (functions/manifests.ts). */
  services: string[];
  webAppDir: string | false;
  mediaOrigin: string;
  audience: string;
  /** More requests than this in flight and the worker reports itself busy. */
  busyRequests: number;
}

export type ToPrimary =
  | { type: 'ready' }
  | { type: 'busy'; busy: boolean }
  | { type: 'log'; message: string };
export type ToWorker =
  | { type: 'states'; states: Record<string, string> }
  | { type: 'serve' }
  | { type: 'stop' };

export type WorkerOutput = (text: string, stream: 'stdout' | 'stderr') => void;

export interface ApiWorkers {
  /** Lets the workers serve their functions (until then those routes answer 503 "starting"), and any started later. */
  serve(): void;
  /** True while any worker serves more than `busyRequests` requests at once. */
  busy(): boolean;
  /** The workers' process ids, by worker index (1…count). */
  pids(): Record<number, number>;
  stop(): Promise<void>;
}

/** The default API processes: one per core, up to this many (each holds every route's function in memory). */
const MAX_DEFAULT_WORKERS = 4;

/**
 * How many API processes `npm run dev` starts (LOCAL_WORKERS). Each function's environment is separate on AWS anyway,
 * so by default one per core, letting requests use the machine as Lambda's separate environments would.
 */
export function apiWorkerCount(): number {
  return intEnv('LOCAL_WORKERS', Math.min(availableParallelism(), MAX_DEFAULT_WORKERS));
}

const WORKER_FILE = fileURLToPath(new URL('./api-worker.ts', import.meta.url));
/** A worker that has not exited this long after being told to stop is killed. */
const STOP_TIMEOUT_MS = 10_000;
const RESTART_DELAY_MS = 1_000;
const STATES_EVERY_MS = 250;

/** The project's manifests of these services: functions, schemas and all, which do not cross a process boundary. */
export async function manifestsFor(services: readonly string[]): Promise<ServiceManifest[]> {
  const { manifests } = await import('../functions/manifests');
  return services.map((service) => {
    const manifest = manifests.find((candidate) => candidate.service === service);
    if (!manifest) throw new Error(`no manifest for service ${service}`);
    return manifest;
  });
}

/** The manifests are the project's own (not a test's stand-ins), which the workers can load by service name. */
export async function projectManifests(manifests: readonly ServiceManifest[]): Promise<boolean> {
  const { manifests: own } = await import('../functions/manifests');
  return manifests.every((manifest) => own.includes(manifest));
}

/** Forks `count` workers and resolves once every one is ready to serve (see serve()); rejects if one fails to start. */
export async function startApiWorkers(options: {
  count: number;
  config: Omit<ApiWorkerConfig, 'index'>;
  log: (message: string) => void;
  /** Where the workers' own output (the functions' log lines) goes; by default straight to this process's. */
  output?: WorkerOutput;
}): Promise<ApiWorkers> {
  const { count, config, log } = options;
  // tsx loads the worker's TypeScript, as it loads the primary's (`npm run dev` runs node --import tsx).
  const execArgv = process.execArgv.some((arg) => arg.includes('tsx'))
    ? process.execArgv
    : [...process.execArgv, '--import', 'tsx'];
  cluster.setupPrimary({ exec: WORKER_FILE, args: [], execArgv, silent: options.output !== undefined });

  let stopping = false;
  let serving = false;
  const send = (worker: Worker, message: ToWorker) => {
    if (worker.isConnected()) worker.send(message);
  };
  const workers = new Map<number, Worker>();
  const busy = new Set<number>();
  const sentStates = new Map<number, string>();
  const sendStates = (index: number, worker: Worker, force = false) => {
    const states = runtimeStates();
    const text = JSON.stringify(states);
    if (!force && sentStates.get(index) === text) return;
    sentStates.set(index, text);
    send(worker, { type: 'states', states });
  };

  const fork = (index: number) =>
    new Promise<void>((ready, failed) => {
      const worker = cluster.fork({ LOCAL_API_WORKER: JSON.stringify({ ...config, index }) });
      let started = false;
      workers.set(index, worker);
      // A message to a worker that has just died fails (EPIPE); its exit is handled below.
      worker.on('error', (error) => log(`API worker ${index}: ${error.message}`));
      const output = options.output;
      if (output) {
        worker.process.stdout?.on('data', (chunk: Buffer) => output(chunk.toString(), 'stdout'));
        worker.process.stderr?.on('data', (chunk: Buffer) => output(chunk.toString(), 'stderr'));
      }
      worker.on('online', () => sendStates(index, worker, true));
      worker.on('message', (message: ToPrimary) => {
        if (message.type === 'ready') {
          started = true;
          if (serving) send(worker, { type: 'serve' });
          ready();
        } else if (message.type === 'busy') {
          if (message.busy) busy.add(index);
          else busy.delete(index);
        } else if (message.type === 'log') log(message.message);
      });
      worker.on('exit', (code, signal) => {
        busy.delete(index);
        if (workers.get(index) === worker) workers.delete(index);
        if (stopping) return;
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (!started) return failed(new Error(`API worker ${index} exited with ${how} while starting`));
        log(`API worker ${index} exited with ${how}; starting another`);
        setTimeout(() => {
          if (!stopping)
            fork(index).catch((error: unknown) => log(`API worker ${index}: ${(error as Error).message}`));
        }, RESTART_DELAY_MS).unref();
      });
    });

  const states = setInterval(() => {
    for (const [index, worker] of workers) sendStates(index, worker);
  }, STATES_EVERY_MS);
  states.unref();

  const stop = async () => {
    stopping = true;
    clearInterval(states);
    await Promise.all(
      [...workers.values()].map(
        (worker) =>
          new Promise<void>((done) => {
            if (worker.isDead()) return done();
            const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
            worker.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            if (worker.isConnected()) worker.send({ type: 'stop' } satisfies ToWorker);
            else worker.process.kill('SIGKILL');
          }),
      ),
    );
  };

  try {
    await Promise.all(Array.from({ length: count }, (_, index) => fork(index + 1)));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    serve: () => {
      serving = true;
      for (const worker of workers.values()) send(worker, { type: 'serve' });
    },
    busy: () => busy.size > 0,
    pids: () => Object.fromEntries([...workers].map(([index, worker]) => [index, worker.process.pid ?? 0])),
    stop,
  };
}
