// Every Lambda function the manifests declare (routes, queue consumers, schedules), taken from the CDK app's own
// plan so the bench measures exactly the functions, entry files and memory sizes that deploy.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionPlans } from '../../infra-cdk/lib/plan';
import type { FunctionKind } from '../../layers/common/function-defaults';
import type { ServiceManifest, ServiceName } from '../../layers/common/manifest';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LambdaFunction {
  /** `<service>.<key>`, as the CDK tags it; `<service>.<kind>.<key>` when a route and a consumer share a key. */
  name: string;
  service: ServiceName;
  kind: FunctionKind;
  /** What invokes it: `GET /v1/health`, `queue <name>` or `schedule <expression>`. */
  trigger: string;
  /** Absolute path of the handler file, as the CDK app resolves it. */
  entry: string;
  memoryMb: number;
}

function triggerOf(manifest: ServiceManifest, kind: FunctionKind, key: string): string {
  if (kind === 'route') {
    const route = manifest.routes[key];
    return route ? `${route.method} ${route.path}` : 'route';
  }
  if (kind === 'consumer') return `queue ${manifest.consumers?.[key]?.queue}`;
  return `schedule ${manifest.schedules?.[key]?.expression}`;
}

export function lambdaFunctions(manifests: readonly ServiceManifest[]): LambdaFunction[] {
  const functions = manifests.flatMap((manifest) =>
    functionPlans(manifest).map((plan) => ({
      key: plan.name,
      name: `${plan.service}.${plan.name}`,
      service: plan.service,
      kind: plan.kind,
      trigger: triggerOf(manifest, plan.kind, plan.name),
      entry: join(ROOT, 'functions', plan.service, plan.handler),
      memoryMb: plan.memoryMb,
    })),
  );
  // Keys are unique per kind only (the CDK ids include the kind), so qualify the rare name two kinds share.
  const names = functions.map((fn) => fn.name);
  return functions.map(({ key, ...fn }) =>
    names.indexOf(fn.name) === names.lastIndexOf(fn.name)
      ? fn
      : { ...fn, name: `${fn.service}.${fn.kind}.${key}` },
  );
}
