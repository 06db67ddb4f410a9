// Runs a real, throwaway redis-server on a free loopback port for integration tests.
// It can be stopped and started again on the same port, so tests can exercise Redis outages.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { collectOutput, findOnPath, hasExited, waitForReady } from './processes';

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const OUTPUT_LINES_KEPT = 40;

export async function startRedis(opts: { port?: number } = {}): Promise<RedisServer> {
  const bin = await findOnPath('redis-server');
  if (!bin) {
    throw new Error('redis-server is not installed (not found on PATH): run `bash .ci/provision` first');
  }
  const port = opts.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'tol-redis-'));
  let child: ChildProcess | undefined;
  let output: string[] = [];

  // A crashed test run must not leave servers behind holding ports.
  const killOnExit = () => child?.kill('SIGKILL');

  const start = async () => {
    if (child && !hasExited(child)) return;
    await mkdir(dir, { recursive: true });
    output = [];
    const proc = spawn(
      bin,
      ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    collectOutput(proc, output, OUTPUT_LINES_KEPT);
    process.on('exit', killOnExit);
    try {
      await waitForPong(proc, port);
    } catch (err) {
      await stopProcess(proc);
      process.off('exit', killOnExit);
      throw new Error(
        `redis-server did not start on ${HOST}:${port}: ${(err as Error).message}\n` +
          `--- last redis-server output ---\n${output.join('\n')}`,
      );
    }
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (proc) await stopProcess(proc);
    process.off('exit', killOnExit);
  };

  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://${HOST}:${port}`,
    port,
    start,
    stop: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const waitForPong = (proc: ChildProcess, port: number) =>
  waitForReady(proc, async () => (await ping(port)) || 'unexpected reply to PING', {
    timeoutMs: READY_TIMEOUT_MS,
    intervalMs: 50,
  });

// A raw RESP PING keeps readiness checks free of client reconnect logic.
function ping(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let reply = '';
    socket.setTimeout(1_000, () => socket.destroy(new Error('PING timed out')));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed before PONG')));
  });
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (hasExited(proc)) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
