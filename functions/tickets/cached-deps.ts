// The tickets service's dependencies with the dashboard's Redis cache, for the dashboard reads only: the other
// functions (the purchase above all) do not bundle the Redis client.
import { once } from '../../layers/common/config';
import { cachedJson } from './dashboard.cache';
import { buildDeps } from './deps';

export const cachedDeps = once(() => buildDeps(cachedJson));
