// Every Lambda function the manifests declare (routes, queue consumers, schedules), as the CDK app deploys them:
// one function per manifest entry, its entry file under functions/<service>/.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceManifest, ServiceName } from '../../layers/common/manifest';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type FunctionKind = 'route' | 'consumer' | 'schedule';

export interface LambdaFunction {
  /** `<service>.<key>`, the same key the local gateway uses for the function. */
  name: string;
  service: ServiceName;
  kind: FunctionKind;
  /** What invokes it: `GET /v1/health`, `queue <name>` or `schedule <expression>`. */
  trigger: string;
  /** Absolute path of the handler file. */
  entry: string;
  memoryMb?: number;
}

/** The folder of a service's handlers. Test fixtures may point `dir` elsewhere; the deployed manifests do not. */
function serviceDir(manifest: ServiceManifest): string {
  // Read through `in` so this compiles whether or not the manifest type declares `dir`.
  return 'dir' in manifest && typeof manifest.dir === 'string' ? manifest.dir : join(ROOT, 'functions', manifest.service);
}

export function lambdaFunctions(manifests: readonly ServiceManifest[]): LambdaFunction[] {
  const functions: LambdaFunction[] = [];
  for (const manifest of manifests) {
    const add = (key: string, kind: FunctionKind, trigger: string, handler: string, memoryMb?: number) => {
      functions.push({
        name: `${manifest.service}.${key}`,
        service: manifest.service,
        kind,
        trigger,
        entry: join(serviceDir(manifest), handler),
        memoryMb,
      });
    };
    for (const [key, route] of Object.entries(manifest.routes)) {
      add(key, 'route', `${route.method} ${route.path}`, route.handler, route.memoryMb);
    }
    for (const [key, consumer] of Object.entries(manifest.consumers ?? {})) {
      add(key, 'consumer', `queue ${consumer.queue}`, consumer.handler, consumer.memoryMb);
    }
    for (const [key, schedule] of Object.entries(manifest.schedules ?? {})) {
      add(key, 'schedule', `schedule ${schedule.expression}`, schedule.handler, schedule.memoryMb);
    }
  }
  // A route and a consumer sharing a key would also collide as CDK construct ids; say so here rather than overwrite.
  const names = functions.map((fn) => fn.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new Error(`Function ${duplicate} is declared twice (keys must be unique within a service)`);
  return functions;
}
