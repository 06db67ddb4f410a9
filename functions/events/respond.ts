// What every events handler does to the caller and the response: who the organizer is, and how a degraded answer
// and the cache headers are set.

import { ForbiddenError } from '../../layers/common/errors';
import type { Caller, HttpResult } from '../../layers/common/http';
import { type Degraded, degradedParts } from './views';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The organizer is the signed-in user; a token that names no user account (a client's own token) organizes nothing. */
export function organizerOf(caller: Caller): string {
  if (!UUID.test(caller.userId)) throw new ForbiddenError('This token does not identify a user account.');
  return caller.userId.toLowerCase();
}

export const PRIVATE = 'private, no-store';

/** A 2xx answer; with `degraded` it carries the x-degraded header and body field, and no cache may keep it. */
export function answer(
  statusCode: number,
  body: object,
  degraded: Degraded[],
  cacheControl: string,
  headers: Record<string, string> = {},
): HttpResult {
  const parts = degradedParts(degraded);
  return {
    statusCode,
    body: { ...body, ...parts.body },
    headers: { 'cache-control': cacheControl, ...headers, ...parts.headers },
  };
}
