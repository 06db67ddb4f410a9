// The API half of the local runtime: the gateway on its port with the web app and the test-mode payment page, the
// JWT authorizer, and every route's function. The platform runs it in its own process, or in each API worker
// (local/api-worker.ts) when LOCAL_WORKERS asks for more than one.
import { ENV } from '../layers/common/env-names';
import type { ServiceManifest } from '../layers/common/manifest';
import { compileRoutes } from '../layers/common/routes';
import { jwtAuthorizer } from './authorizer';
import { EdgeCache } from './edge-cache';
import { type Gateway, startGateway } from './gateway';
import type { AnyHandler } from './lambda';
import { paymentsPage } from './payments-page';
import { webApp } from './web-app';

export interface ApiOptions {
  manifests: readonly ServiceManifest[];
  port: number;
  /** The built web app served at /; false serves none. */
  webAppDir: string | false;
  /** Where the media bucket's objects are served from, which the web app's CSP allows. */
  mediaOrigin: string;
  /** The audience access tokens must carry. */
  audience: string;
  /** Headers added to every function's answer (GatewayOptions.headers). */
  headers?: Record<string, string>;
  log: (message: string) => void;
}

export interface Api {
  gateway: Gateway;
  /**
   * Loads every route's function and turns the authorizer on. Call it once the functions' environment (issuer,
   * databases, queues) is in process.env.
   */
  load(handlerOf: (manifest: ServiceManifest, file: string) => Promise<AnyHandler>): Promise<void>;
  /** Serves the loaded functions; until then their routes answer 503 "starting". */
  open(): void;
}

/** Listens before any function loads, so the issuer URL (which carries the port) is known to them. */
export async function startApi(options: ApiOptions): Promise<Api> {
  const { manifests, log } = options;
  const handlers = new Map<string, AnyHandler>();
  const loaded = new Map<string, AnyHandler>();
  const authorizers: { check?: ReturnType<typeof jwtAuthorizer> } = {};
  const gateway: Gateway = await startGateway({
    port: options.port,
    table: compileRoutes(manifests),
    handlers,
    corsOrigins: (process.env[ENV.corsAllowedOrigins] ?? '*').split(','),
    staticSite:
      options.webAppDir === false
        ? undefined
        : webApp({ dir: options.webAppDir, mediaOrigins: [options.mediaOrigin] }),
    pages: paymentsPage(() => gateway.url),
    authorize: (authorization) =>
      authorizers.check
        ? authorizers.check(authorization)
        : Promise.resolve({ ok: false, reason: 'starting' }),
    onError: (error) => log(`gateway: ${(error as Error).stack ?? error}`),
    onNotice: (message) => log(`gateway: ${message}`),
    headers: options.headers,
    // CloudFront's cache in front of the API; LOCAL_EDGE_CACHE=off sends every request to the functions.
    edgeCache: process.env.LOCAL_EDGE_CACHE === 'off' ? undefined : new EdgeCache(),
  });
  return {
    gateway,
    load: async (handlerOf) => {
      authorizers.check = jwtAuthorizer({
        issuer: gateway.url,
        audiences: [options.audience],
        jwksUrl: process.env.JWT_JWKS_URL ?? `${gateway.url}/.well-known/jwks.json`,
      });
      const loading = manifests.flatMap((manifest) =>
        Object.entries(manifest.routes).map(async ([name, route]) => {
          loaded.set(`${manifest.service}.${name}`, await handlerOf(manifest, route.handler));
        }),
      );
      await Promise.all(loading);
    },
    open: () => {
      for (const [key, handler] of loaded) handlers.set(key, handler);
    },
  };
}
