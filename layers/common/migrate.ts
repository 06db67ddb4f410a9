// Schema migrations with node-pg-migrate: the shared outbox/inbox tables, then the service's own SQL files.
// Each service migrates only its own database.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';

const quiet = () => undefined;
const here = dirname(fileURLToPath(import.meta.url));
export const COMMON_MIGRATIONS_DIR = join(here, 'migrations');

export interface MigrateOptions {
  /** Folder of the service's migrations, e.g. functions/events/migrations. */
  dir: string;
  /** Extra folder for the shared migrations (the migrate Lambda bundles both into one place). */
  commonDir?: string;
  log?: (message: string) => void;
}

/** Applies every pending migration in one advisory-locked run; returns the names applied. */
export async function migrateDatabase(client: pg.ClientBase, options: MigrateOptions): Promise<string[]> {
  const dirs = [...new Set([options.commonDir ?? COMMON_MIGRATIONS_DIR, options.dir])].filter((dir) =>
    existsSync(dir),
  );
  const applied = await runner({
    dbClient: client as pg.Client,
    // Globs let the shared and the service's migrations run as one ordered set (file names start with a timestamp).
    useGlob: true,
    dir: dirs.map((dir) => `${dir.replaceAll('\\', '/')}/*.sql`),
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Number.POSITIVE_INFINITY,
    checkOrder: false,
    logger: {
      debug: quiet,
      info: options.log ?? quiet,
      warn: options.log ?? quiet,
      error: options.log ?? quiet,
    },
  });
  return applied.map((migration) => migration.name);
}
