// The routes a flash sale or an attacker hits hardest, derived from the manifests so a renamed path keeps its limits:
// every state-changing route of the authorization server (token, register, passwords, the sign-in and sign-up forms)
// and the purchase. WAF limits them per IP at the edge; the HTTP API stage caps each route's total rate.
import type { HttpMethod, ServiceManifest } from '../../layers/common/manifest';
import { PURCHASE_FUNCTION } from './environments';
import { routeKeyOf } from './plan';

export const SIGN_IN_SERVICE = 'auth';

export interface SensitiveRoute {
  group: 'sign-in' | 'purchase';
  method: HttpMethod;
  path: string;
  routeKey: string;
}

/** Whole-stage rate (requests per second, across every caller) and burst of each group's routes, each route. */
export const ROUTE_THROTTLES = {
  // Sign-in is CPU-heavy (password hashing); a sale's crowd signs in over minutes, not in one second.
  'sign-in': { rateLimit: 100, burstLimit: 200 },
  // Below what prod's reserved purchase concurrency serves, so excess buyers get a clean 429, not a throttled 500.
  purchase: { rateLimit: 500, burstLimit: 1_000 },
} as const;

export function sensitiveRoutes(manifests: readonly ServiceManifest[]): SensitiveRoute[] {
  const [purchaseService, purchaseName] = PURCHASE_FUNCTION.split('.');
  const found: SensitiveRoute[] = [];
  for (const manifest of manifests) {
    for (const [name, route] of Object.entries(manifest.routes)) {
      if (route.path === '$default') continue;
      const group =
        manifest.service === purchaseService && name === purchaseName
          ? 'purchase'
          : manifest.service === SIGN_IN_SERVICE && route.method !== 'GET'
            ? 'sign-in'
            : undefined;
      if (group) found.push({ group, method: route.method, path: route.path, routeKey: routeKeyOf(route) });
    }
  }
  return found;
}
