// The migrate Lambda of one service: applies the shared and the service's pending migrations, bundled next to it
// in ./migrations, then (re)grants the service's app user what the functions need. It connects as the master user;
// every other function connects as the app user. A CDK Trigger invokes it during deploys; a failure fails the deploy
// before new code ships.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRoleOf, grantAppRole } from './app-role';
import { optionalEnv, requireEnv } from './config';
import { getPool, readDatabaseSecret } from './db';
import { ENV } from './env-names';
import { getLogger } from './logger';
import { migrateDatabase } from './migrate';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface MigrateResult {
  service: string;
  applied: string[];
  /** The role granted DML on the service's tables, when an app secret is bound. */
  appRole?: string;
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
    const appSecretArn = optionalEnv(ENV.dbAppSecretArn);
    if (!appSecretArn) return { service, applied };
    const { username, password } = await readDatabaseSecret(appSecretArn);
    const appRole = appRoleOf(service);
    await grantAppRole(client, appRole, { username, password });
    logger.info('app role granted', { appRole, login: username });
    return { service, applied, appRole };
  } finally {
    client.release();
  }
}
