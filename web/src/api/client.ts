// The typed API client: openapi-fetch over the schema generated from the manifests (npm run web:api). Adds the
// bearer token to every request when signed in (refreshed shortly before it expires) but the shared public pages; a
// GET answered 401 (a token the server no longer accepts) is retried once with a fresh token.
import createClient, { type Middleware } from 'openapi-fetch';
import { accessToken } from '../auth/session';
import type { components, paths } from './schema';
import { SHARED_PAGES } from './shared-pages';

export type { paths };
export type Problem = components['schemas']['Problem'];

const auth: Middleware = {
  async onRequest({ request, schemaPath }) {
    if (request.method === 'GET' && SHARED_PAGES.has(schemaPath)) return request;
    const token = await accessToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || request.method !== 'GET' || !request.headers.has('authorization'))
      return response;
    const token = await accessToken({ forceRefresh: true });
    if (!token) return response;
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(request.url, { headers });
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

/** A message for a failed call: the problem's detail or title, or the status. */
export function problemMessage(error: unknown, response?: Response): string {
  const problem = error as Partial<Problem> | undefined;
  const fields = problem?.errors?.map((item) => `${item.field}: ${item.message}`).join('; ');
  return (
    [problem?.detail ?? problem?.title, fields].filter(Boolean).join(' — ') ||
    (response ? `The server answered ${response.status}.` : 'The request failed.')
  );
}

/** The data of a successful call, or an Error carrying the problem's message and the status. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data as NonNullable<T>;
  throw Object.assign(new Error(problemMessage(error, response)), { status: response.status });
}

type CatalogueEvent =
  paths['/v1/events']['get']['responses'][200]['content']['application/json']['items'][number];
export type EventLocation = CatalogueEvent['location'];

/** "Venue, City" or "Online" — how a place reads on a card. */
export function placeOf(location: EventLocation): string {
  return 'onlineUrl' in location ? 'Online' : `${location.venue}, ${location.city}`;
}
