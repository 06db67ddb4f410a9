// Starts one real Redis and one real OpenSearch for the integration and e2e test files, and stops them after.
import type { TestProject } from 'vitest/node';
import { startOpenSearch } from './opensearch-server';
import { startRedis } from './redis-server';

export default async function setup(project: TestProject) {
  const [redis, openSearch] = await Promise.all([startRedis(), startOpenSearch()]);
  project.provide('redisUrl', redis.url);
  project.provide('openSearchUrl', openSearch.url);
  return async () => {
    await Promise.all([redis.stop(), openSearch.stop()]);
  };
}
