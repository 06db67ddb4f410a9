// One PostgreSQL cluster prepared once per test run (initdb, a database and role per service, their migrations), that
// each test file's platform starts from a copy of. initdb and the migrations are the slowest part of a platform's
// start; a copy takes a fraction of a second and leaves every file its own server, as isolated as before.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { manifests } from '../../functions/manifests';
import { migrateDatabase } from '../../layers/common/migrate';
import { startPostgres } from '../../local/postgres';
import { freePort } from './ports';

// Not local/platform's serviceDir: loading the runtime sets AWS_LAMBDA_MAX_CONCURRENCY in this process (global
// setup, the parent of every test worker), which functions then read as "an InvokeStore is installed".
const FUNCTIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'functions');

/** The cluster folder inside a platform's data folder (local/postgres.ts keeps it there). */
const CLUSTER = 'pg';

export interface PostgresTemplate {
  /** A data folder holding the prepared cluster, for copyPostgresTemplate. */
  dataDir: string;
  remove(): void;
}

export async function preparePostgresTemplate(): Promise<PostgresTemplate | undefined> {
  // The copy keeps owners and modes (the server refuses a data folder it does not own), which needs cp -a.
  if (process.platform === 'win32') return undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'tol-pg-template-'));
  const remove = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    await prepareCluster(dataDir);
  } catch (error) {
    remove();
    throw error;
  }
  return { dataDir, remove };
}

/** initdb, a database and role per service, and their migrations. */
async function prepareCluster(dataDir: string): Promise<void> {
  const databases = manifests.filter((manifest) => manifest.database);
  const server = await startPostgres({
    dataDir,
    port: await freePort(),
    services: databases.map((manifest) => manifest.service),
  });
  try {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    // Test data is thrown away: commits need not wait for the disk. (A clean stop still writes everything.)
    await admin.query('ALTER SYSTEM SET synchronous_commit = off');
    await admin.end();
    for (const manifest of databases) {
      const client = new pg.Client({ connectionString: server.urls[manifest.service] });
      await client.connect();
      try {
        await migrateDatabase(client, {
          dir: join(manifest.dir ?? join(FUNCTIONS_DIR, manifest.service), 'migrations'),
        });
      } finally {
        await client.end();
      }
    }
  } finally {
    await server.stop();
  }
}

/** Gives a new platform data folder its own copy of the prepared cluster. */
export function copyPostgresTemplate(templateDir: string, dataDir: string): void {
  if (!existsSync(join(templateDir, CLUSTER, 'PG_VERSION'))) return;
  execFileSync('cp', ['-a', join(templateDir, CLUSTER), join(dataDir, CLUSTER)]);
}
