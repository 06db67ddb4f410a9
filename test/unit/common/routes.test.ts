// Route matching the way API Gateway does it.
import { describe, expect, it } from 'vitest';
import { defineService, type ServiceName } from '../../../layers/common/manifest';
import { compileRoutes } from '../../../layers/common/routes';

const route = (method: 'GET' | 'POST', path: string) => ({
  method,
  path,
  handler: 'x.ts',
  summary: '',
  auth: false,
  responses: {},
});
const table = compileRoutes([
  defineService({
    service: 'events' as ServiceName,
    description: '',
    database: false,
    routes: {
      list: route('GET', '/v1/events'),
      get: route('GET', '/v1/events/{id}'),
      mine: route('GET', '/v1/events/mine'),
      publish: route('POST', '/v1/events/{id}/publish'),
      fallback: route('GET', '$default'),
    },
  }),
]);

describe('route table', () => {
  it('prefers a literal segment over a parameter', () => {
    const found = table.match('GET', '/v1/events/mine');
    expect(found && 'route' in found && found.route.name).toBe('mine');
  });

  it('extracts and decodes path parameters', () => {
    const found = table.match('POST', '/v1/events/a%20b/publish');
    expect(found && 'route' in found ? found.params : undefined).toEqual({ id: 'a b' });
  });

  it('tells a wrong method apart from an unknown path', () => {
    expect(table.match('DELETE', '/v1/events/42')).toEqual({ allowed: ['GET'] });
    expect(table.match('GET', '/v1/nothing')).toBeUndefined();
  });

  it('keeps $default as the fallback, never as a matchable path', () => {
    expect(table.fallback?.name).toBe('fallback');
    expect(table.match('GET', '$default')).toBeUndefined();
  });
});
