// The migrate function of one service database and the CDK Trigger that runs it during deploys: after the proxy
// exists, before the service's functions are updated to code that may need the new schema.

import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { ENV } from '../../../layers/common/env-names';
import { DEFAULT_MEMORY_MB } from '../../../layers/common/function-defaults';
import type { ServiceName } from '../../../layers/common/manifest';
import { type PlatformBindings, ServiceFunction } from '../service-function';
import { REPO_ROOT } from '../settings';
import type { ServiceDatabase } from '../stateful/service-database';

const MIGRATE_TIMEOUT = Duration.minutes(5);
const COMMON_MIGRATIONS = join(REPO_ROOT, 'layers/common/migrations');

export interface DatabaseMigrationProps {
  service: ServiceName;
  database: ServiceDatabase;
  /** Folder holding `<service>/migrations`. */
  functionsDir: string;
  platform: PlatformBindings;
}

export class DatabaseMigration extends Construct {
  readonly function: ServiceFunction;
  readonly trigger: triggers.Trigger;

  constructor(scope: Construct, id: string, props: DatabaseMigrationProps) {
    super(scope, id);
    const serviceMigrations = join(props.functionsDir, props.service, 'migrations');
    rejectNameClashes(serviceMigrations);
    // Paths relative to the bundling input dir, which is the repository root.
    const commonRel = relative(REPO_ROOT, COMMON_MIGRATIONS);
    const serviceRel = relative(REPO_ROOT, serviceMigrations);

    this.function = new ServiceFunction(this, 'Migrate', {
      service: props.service,
      name: 'migrate',
      kind: 'migrate',
      entry: join(REPO_ROOT, 'layers/common/migrate-handler.ts'),
      description: `Applies pending ${props.service} database migrations (run by a CDK Trigger on deploy)`,
      memoryMb: DEFAULT_MEMORY_MB,
      timeoutSeconds: MIGRATE_TIMEOUT.toSeconds(),
      inVpc: true,
      platform: props.platform,
      environment: {
        // The pool's request-sized limits (5 s per statement, 3 s to connect) would abort an index build.
        [ENV.dbStatementTimeoutMs]: String(MIGRATE_TIMEOUT.toMilliseconds()),
        [ENV.dbConnectTimeoutMs]: '15000',
      },
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        // Common and service SQL side by side in <bundle>/migrations, where migrate-handler.ts looks. The common
        // folder must have files (cp fails otherwise); the service folder may be empty or absent.
        afterBundling: (inputDir, outputDir) => [
          `mkdir -p "${outputDir}/migrations"`,
          `cp "${inputDir}/${commonRel}"/*.sql "${outputDir}/migrations/"`,
          `if [ -d "${inputDir}/${serviceRel}" ]; then find "${inputDir}/${serviceRel}" -maxdepth 1 -name '*.sql' -exec cp {} "${outputDir}/migrations/" \\; ; fi`,
        ],
      },
    });
    // The only function that logs in as the master user: it owns the schema and grants the app user.
    this.function.bindDatabase(props.service, 'master');

    // Runs whenever the function's code changes, and the bundle contains the SQL files: a new migration means a new
    // asset hash, a new version and a new run. Between such deploys there is nothing pending to apply.
    this.trigger = new triggers.Trigger(this, 'Trigger', {
      handler: this.function.fn,
      invocationType: triggers.InvocationType.REQUEST_RESPONSE,
      timeout: MIGRATE_TIMEOUT.plus(Duration.seconds(30)),
      executeOnHandlerChange: true,
      executeAfter: [props.database.proxy, props.database.instance],
    });
  }
}

/** Both folders end up in one directory: a service file named like a common one would silently replace it. */
function rejectNameClashes(serviceMigrations: string): void {
  if (!existsSync(serviceMigrations)) return;
  const common = new Set(readdirSync(COMMON_MIGRATIONS).filter((file) => file.endsWith('.sql')));
  const clash = readdirSync(serviceMigrations).find((file) => common.has(file));
  if (clash)
    throw new Error(`Migration ${join(serviceMigrations, clash)} has the name of a common migration`);
}
