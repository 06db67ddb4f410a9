// GET /v1/health: each dependency reported as up or degraded; 200 while at least one database answers.
import { type HttpResult, httpHandler } from '../../layers/common/http';
import { checkDependencies, type HealthDeps, realHealthDeps } from './health.checks';
import { platform } from './manifest';

export function makeHandler(deps: HealthDeps) {
  return httpHandler('platform', platform.routes.health, async (): Promise<HttpResult> => {
    const report = await checkDependencies(deps);
    return {
      statusCode: report.status === 'unavailable' ? 503 : 200,
      body: report,
      headers: { 'cache-control': 'no-store' },
    };
  });
}

export const handler = makeHandler(realHealthDeps());
