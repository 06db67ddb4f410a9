// Matches a method and path against the manifests' routes the way API Gateway does: literal segments before
// {param} segments, and `$default` for whatever matches nothing.
import type { HttpMethod, RouteSpec, ServiceManifest } from './manifest';

export interface CompiledRoute {
  service: ServiceManifest['service'];
  name: string;
  route: RouteSpec;
  pattern: RegExp;
  paramNames: string[];
  /** Literal segments count: more specific routes win. */
  specificity: number;
}

export interface RouteTable {
  routes: CompiledRoute[];
  fallback?: CompiledRoute;
  /** The route for a request, the methods the path allows when only the method is wrong, or nothing. */
  match(
    method: string,
    path: string,
  ): { route: CompiledRoute; params: Record<string, string> } | { allowed: HttpMethod[] } | undefined;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileRoutes(manifests: readonly ServiceManifest[]): RouteTable {
  const routes: CompiledRoute[] = [];
  let fallback: CompiledRoute | undefined;
  for (const manifest of manifests) {
    for (const [name, route] of Object.entries(manifest.routes)) {
      if (route.path === '$default') {
        fallback = { service: manifest.service, name, route, pattern: /^$/, paramNames: [], specificity: -1 };
        continue;
      }
      const paramNames: string[] = [];
      let specificity = 0;
      const source = route.path
        .split('/')
        .map((segment) => {
          const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
          if (param?.[1]) {
            paramNames.push(param[1]);
            return '([^/]+)';
          }
          specificity += 1;
          return escapeRegExp(segment);
        })
        .join('/');
      routes.push({
        service: manifest.service,
        name,
        route,
        pattern: new RegExp(`^${source}/?$`),
        paramNames,
        specificity,
      });
    }
  }
  routes.sort((a, b) => b.specificity - a.specificity);

  return {
    routes,
    fallback,
    match(method, path) {
      const allowed: HttpMethod[] = [];
      for (const candidate of routes) {
        const found = candidate.pattern.exec(path);
        if (!found) continue;
        if (candidate.route.method !== method) {
          allowed.push(candidate.route.method);
          continue;
        }
        const params: Record<string, string> = {};
        candidate.paramNames.forEach((paramName, index) => {
          params[paramName] = safeDecode(found[index + 1] ?? '');
        });
        return { route: candidate, params };
      }
      return allowed.length > 0 ? { allowed } : undefined;
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
