// The migrate Lambda of one service: applies the shared and the service's pending migrations, bundled next to it
// in ./migrations. A CDK Trigger invokes it during deploys; a failure fails the deploy before new code ships.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireEnv } from './config';
import { getPool } from './db';
import { ENV } from './env-names';
import { getLogger } from './logger';
import { migrateDatabase } from './migrate';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface MigrateResult {
  service: string;
  applied: string[];
}

export async function handler(): Promise<MigrateResult> {
  const service = requireEnv(ENV.serviceName);
  const logger = getLogger(service);
  const client = await (await getPool(service)).connect();
  try {
    const applied = await migrateDatabase(client, {
      dir: migrationsDir,
      commonDir: migrationsDir,
      log: (message) => logger.info(message),
    });
    logger.info('migrations applied', { applied });
    return { service, applied };
  } finally {
    client.release();
  }
}
