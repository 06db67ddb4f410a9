// Runs a real, throwaway redis-server on a free loopback port for integration tests.
// It can be stopped and started again on the same port, so tests can exercise Redis outages.
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

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
    if (child && child.exitCode === null && child.signalCode === null) return;
    await mkdir(dir, { recursive: true });
    output = [];
    const proc = spawn(
      bin,
      ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    collectOutput(proc, output);
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

  await start();
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

async function waitForPong(proc: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`process exited (code ${proc.exitCode}, signal ${proc.signalCode})`);
    }
    try {
      if (await ping(port)) return;
      lastError = 'unexpected reply to PING';
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(50);
  }
  throw new Error(`no PONG within ${READY_TIMEOUT_MS} ms (${lastError})`);
}

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
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function collectOutput(proc: ChildProcess, lines: string[]): void {
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > OUTPUT_LINES_KEPT) lines.shift();
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
