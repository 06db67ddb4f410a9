// Starts one real Redis and one real OpenSearch for the integration test files, prepares the PostgreSQL cluster each
// file's platform starts from a copy of, and stops and removes them after.
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
  };
}
