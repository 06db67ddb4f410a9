// The local API Gateway (HTTP API, payload format 2.0): routes each request to its manifest function, runs the JWT
// authorizer on protected routes, builds the same event Lambda receives and writes the function's result back.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROBLEM_CONTENT_TYPE, problemType } from '../layers/common/errors';
import { functionLimits } from '../layers/common/function-defaults';
import { answerHeaders, noneMatch } from '../layers/common/http';
import type { RouteTable } from '../layers/common/routes';
import { collectTimings, serverTiming } from '../layers/common/timings';
import type { AuthorizerResult } from './authorizer';
import { type EdgeCache, type EdgeEntry, edgeKey } from './edge-cache';
import { type AnyHandler, FunctionTimeoutError, invoke, lambdaContext } from './lambda';

/** API Gateway's own payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|[a-z.+-]*\+json|x-www-form-urlencoded|xml|javascript))/i;

/**
 * How many connections the gateway holds and how long a client may take to send its request. Slow or idle clients
 * cannot hold the process: past the limit a new connection is closed at once, and a request whose headers (or whole
 * body) have not arrived in time is answered 408 and its connection closed. Handlers are not bounded by these; their
 * own timeout is.
 */
export interface GatewayLimits {
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

const positive = (value: string | undefined, fallback: number) => {
  const number = Number(value);
  return value && Number.isInteger(number) && number > 0 ? number : fallback;
};

/** The limits from GATEWAY_* variables, each with its default (see the README's environment table). */
export function gatewayLimits(env: NodeJS.ProcessEnv = process.env): GatewayLimits {
  return {
    maxConnections: positive(env.GATEWAY_MAX_CONNECTIONS, 512),
    headersTimeoutMs: positive(env.GATEWAY_HEADERS_TIMEOUT_MS, 10_000),
    requestTimeoutMs: positive(env.GATEWAY_REQUEST_TIMEOUT_MS, 30_000),
    keepAliveTimeoutMs: positive(env.GATEWAY_KEEP_ALIVE_TIMEOUT_MS, 65_000),
  };
}

export interface GatewayOptions {
  port: number;
  host?: string;
  table: RouteTable;
  /** The function of each route, keyed "<service>.<name>". */
  handlers: Map<string, AnyHandler>;
  authorize: (authorization: string | undefined) => Promise<AuthorizerResult>;
  corsOrigins: string[];
  /** Answers GET/HEAD requests that match no route (the web app, local/web-app.ts); false leaves them to the API. */
  staticSite?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
  /** Pages of the runtime itself (the test-mode payment page), asked before the static site; they get the body. */
  pages?: (request: IncomingMessage, response: ServerResponse, body: Buffer) => Promise<boolean>;
  /** Failures of the gateway or a function: logged with their stack. */
  onError?: (error: unknown) => void;
  /** What is expected under load and no fault of ours (a client gone, a function timed out, a connection refused). */
  onNotice?: (message: string) => void;
  /** Default: gatewayLimits() (the environment). */
  limits?: Partial<GatewayLimits>;
  /** Added to every function's answer: which API worker answered (x-local-worker), when there are several. */
  headers?: Record<string, string>;
  /** The shared cache in front of routes declared with `edgeCacheSeconds` (CloudFront in AWS); none without it. */
  edgeCache?: EdgeCache;
}

export interface Gateway {
  url: string;
  port: number;
  /** Requests received and not yet answered. */
  inFlight(): number;
  close(): Promise<void>;
}

function problem(
  response: ServerResponse,
  status: number,
  slug: string,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, {
    ...headers,
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
  });
  response.end(JSON.stringify({ type: problemType(slug), title, status, detail }));
}

function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function queryOf(rawQuery: string): Record<string, string> | undefined {
  if (!rawQuery) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    // API Gateway joins repeated parameters with commas.
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return out;
}

/**
 * At most `max` open connections. A new one beyond them first takes the place of the connection idle the longest
 * (a keep-alive connection between requests, which any HTTP client must expect to be closed), as a proxy reuses its
 * idle connections; only when every connection is busy is the new one closed at once (`refuse`). Node's own
 * `server.maxConnections` does not do this: behind node:cluster a worker at its limit hands the connection back to be
 * offered again, and the client waits, unanswered, until some keep-alive connection times out (65 s).
 */
function connectionLimit(server: Server, max: number, refuse: () => void) {
  const open = new Set<Socket>();
  // Idle connections, the longest idle first (a Set iterates in insertion order).
  const idle = new Set<Socket>();
  const active = new WeakMap<Socket, number>();
  server.on('connection', (socket: Socket) => {
    if (open.size >= max) {
      const oldest = idle.values().next().value;
      if (!oldest) {
        socket.destroy();
        return refuse();
      }
      idle.delete(oldest);
      open.delete(oldest);
      oldest.destroy();
    }
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      idle.delete(socket);
    });
  });
  return {
    /** A request arrived on `socket`: it is busy until the answer is written or abandoned. */
    busy(socket: Socket, response: ServerResponse) {
      idle.delete(socket);
      active.set(socket, (active.get(socket) ?? 0) + 1);
      response.once('close', () => {
        const left = (active.get(socket) ?? 1) - 1;
        active.set(socket, left);
        if (left === 0 && open.has(socket) && !socket.destroyed) idle.add(socket);
      });
    },
  };
}

export function startGateway(options: GatewayOptions): Promise<Gateway> {
  const edge = options.edgeCache;
  const preflight = (request: IncomingMessage, response: ServerResponse) => {
    const origin = request.headers.origin;
    const allowed = options.corsOrigins.includes('*')
      ? '*'
      : origin && options.corsOrigins.includes(origin)
        ? origin
        : '';
    response.writeHead(204, {
      ...(allowed ? { 'access-control-allow-origin': allowed } : {}),
      'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
      'access-control-allow-headers': 'authorization,content-type,idempotency-key,x-correlation-id',
      'access-control-max-age': '600',
      vary: 'origin',
    });
    response.end();
  };

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const rawPath = url.pathname;
    if (method === 'OPTIONS' && request.headers['access-control-request-method'])
      return preflight(request, response);
    // The route, the headers and whether the edge keeps the answer: read once, before the body.
    const matched = options.table.match(method, rawPath);
    const headers = headersOf(request);
    const matchedRoute = matched && 'route' in matched ? matched.route.route : undefined;
    const edgeSeconds =
      edge && method === 'GET' && matchedRoute && !matchedRoute.auth
        ? matchedRoute.edgeCacheSeconds
        : undefined;
    const key = edgeSeconds ? edgeKey(rawPath, url.search.slice(1), headers) : undefined;
    // The edge comes first, as CloudFront does: a fresh copy answers before anything of the API runs (one due for
    // renewal is answered below, where the function that renews it can run).
    const fresh = key ? edge?.servable(key) : undefined;
    if (fresh) {
      request.resume();
      return writeFromEdge(response, fresh, headers, false, options.headers);
    }

    const body = await readBody(request);
    if (body === 'too-large') {
      return problem(
        response,
        413,
        'payload-too-large',
        'Payload too large',
        'The request body exceeds 10 MB.',
      );
    }
    if (!matched && options.pages && (await options.pages(request, response, body))) return;
    if (!matched && options.staticSite && (await options.staticSite(request, response))) return;
    const target = matched && 'route' in matched ? matched.route : options.table.fallback;
    if (!target)
      return problem(response, 404, 'not-found', 'Not found', `There is no route ${method} ${rawPath}.`);
    const handler = options.handlers.get(`${target.service}.${target.name}`);
    // The runtime serves (health, the web app) while its functions still load: those not loaded yet are starting.
    if (!handler)
      return problem(
        response,
        503,
        'service-unavailable',
        'Service unavailable',
        'The local runtime is still starting; try again shortly.',
        { 'retry-after': '1' },
      );

    let authorizer: APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer'] | undefined;
    const authorizeStarted = performance.now();
    if (target.route.auth) {
      const verdict = await options.authorize(headers.authorization);
      if (!verdict.ok) {
        // RFC 6750 §3.1: a request without a token gets the bare challenge, a refused token names the reason.
        const challenge = headers.authorization ? 'Bearer error="invalid_token"' : 'Bearer';
        return problem(response, 401, 'unauthorized', 'Unauthorized', 'A valid bearer token is required.', {
          ...answerHeaders(headers),
          'www-authenticate': challenge,
        });
      }
      authorizer = {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: verdict.claims as Record<string, string>, scopes: verdict.scopes },
      };
    }

    const callFunction = async (eventHeaders: Record<string, string>) => {
      const contentType = eventHeaders['content-type'] ?? '';
      const isText = body.length === 0 || TEXT_TYPES.test(contentType);
      const routeKey =
        target.route.path === '$default' ? '$default' : `${target.route.method} ${target.route.path}`;
      const now = new Date();
      const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
        version: '2.0',
        routeKey,
        rawPath,
        rawQueryString: url.search.slice(1),
        cookies: eventHeaders.cookie ? eventHeaders.cookie.split(/;\s*/) : undefined,
        headers: eventHeaders,
        queryStringParameters: queryOf(url.search.slice(1)),
        pathParameters:
          matched && 'route' in matched && target.paramNames.length > 0 ? matched.params : undefined,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: eventHeaders.host ?? 'localhost',
          domainPrefix: (eventHeaders.host ?? 'localhost').split('.')[0] ?? 'localhost',
          http: {
            method,
            path: rawPath,
            protocol: `HTTP/${request.httpVersion}`,
            sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
            userAgent: eventHeaders['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey,
          stage: '$default',
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
          authorizer: authorizer as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer'],
        },
        body: body.length === 0 ? undefined : isText ? body.toString('utf8') : body.toString('base64'),
        isBase64Encoded: !isText,
      };
      const limits = functionLimits('route', target.route);
      const context = lambdaContext(`${target.service}-${target.name}`, limits);
      const authorizerMs = target.route.auth ? performance.now() - authorizeStarted : 0;
      const invoked = performance.now();
      const { result, timings } = await collectTimings(() =>
        invoke<APIGatewayProxyStructuredResultV2 | undefined>(handler, event, context, limits.timeoutSeconds),
      );
      // Where the time went (W3C Server Timing), for dev tools and the bench: the authorizer, the whole function, and
      // the stages inside it (validation, database statements, publishing) with how often each ran.
      const timing = serverTiming(timings, {
        ...(target.route.auth ? { authorizer: authorizerMs } : {}),
        function: performance.now() - invoked,
      });
      return { result, timing };
    };

    if (edgeSeconds && key && edge) {
      // What the edge asks the function is the same for every viewer: unconditional (it answers conditionals itself).
      const { 'if-none-match': _tag, 'if-modified-since': _since, ...shared } = headers;
      let own: Awaited<ReturnType<typeof callFunction>> | undefined;
      const entry = await edge.lookup(
        key,
        edgeSeconds,
        async () => {
          own = await callFunction(shared);
          return (
            own.result && { ...own.result, headers: { ...own.result.headers, 'server-timing': own.timing } }
          );
        },
        // A renewal nobody waits for: its failure is logged as a viewer's would be, the copy serves until it expires.
        (error) =>
          error instanceof FunctionTimeoutError
            ? notice(`${method} ${rawPath} (renewing the edge's copy): ${error.message}`)
            : options.onError?.(error),
      );
      if (entry) return writeFromEdge(response, entry, headers, own !== undefined, options.headers);
      // Not shareable (an error, a degraded answer): the request that fetched it has its answer; the others ask.
      if (own) return writeResult(response, own.result, own.timing, options.headers);
    }
    const { result, timing } = await callFunction(headers);
    writeResult(response, result, timing, options.headers);
  };

  const notice = options.onNotice ?? (() => undefined);
  const limits = { ...gatewayLimits(), ...options.limits };
  // Node checks header and request deadlines on this interval (30 s by default, which would let them overrun).
  const checkEveryMs = Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)));

  let inFlight = 0;
  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: checkEveryMs,
    },
    (request, response) => {
      inFlight += 1;
      connections.busy(request.socket, response);
      // Once per request: when its response closes, or when its connection does (a pipelined response still queued
      // behind another gets no 'close' of its own if the client goes away).
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inFlight -= 1;
        request.socket.off('close', release);
      };
      response.once('close', () => {
        release();
        if (!response.writableFinished)
          notice(`client closed request ${request.method} ${request.url} before the answer`);
      });
      request.socket.once('close', release);
      serve(request, response).catch((error) => {
        // The client went away (mid-body or while the function ran): nobody to answer, and not a failure of ours.
        if (request.socket.destroyed || response.destroyed) return;
        if (error instanceof FunctionTimeoutError) {
          notice(`${request.method} ${request.url}: ${error.message}; answered 504, its result is discarded`);
          return problem(
            response,
            504,
            'gateway-timeout',
            'Gateway timeout',
            'The function did not answer in time; try again.',
          );
        }
        options.onError?.(error);
        if (!response.headersSent) {
          // What API Gateway answers when the integration fails: a 500 without internals.
          problem(
            response,
            500,
            'internal',
            'Internal server error',
            'The function failed; see the runtime log.',
          );
        } else response.end();
      });
    },
  );
  let refused = 0;
  let refusalReported = 0;
  const connections = connectionLimit(server, limits.maxConnections, () => {
    refused += 1;
    // One line per 10 s at most: a flood of connections must not become a flood of log lines.
    if (Date.now() - refusalReported < 10_000) return;
    refusalReported = Date.now();
    notice(
      `refused ${refused} connection(s): ${limits.maxConnections} open already (GATEWAY_MAX_CONNECTIONS)`,
    );
    refused = 0;
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://localhost:${port}`,
        port,
        inFlight: () => inFlight,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * An answer from the edge's copy: a 304 when the viewer already holds it (If-None-Match), else the stored answer. As
 * CloudFront: `x-cache` says Hit or Miss, a hit carries its age in seconds, and the stored headers (the correlation id
 * of the request that made the copy among them) are the answer's.
 */
function writeFromEdge(
  response: ServerResponse,
  entry: EdgeEntry,
  requestHeaders: Record<string, string>,
  fetched: boolean,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = { ...extra, ...entry.headers };
  if (fetched) headers['x-cache'] = 'Miss from cloudfront';
  else {
    headers['x-cache'] = 'Hit from cloudfront';
    headers.age = String(Math.floor((Date.now() - entry.storedAt) / 1000));
    // Server-Timing as the functions give it (desc is how often a stage ran): this answer ran no function.
    headers['server-timing'] = 'edge-hit;desc=1';
  }
  const etag = entry.headers.etag;
  if (etag && noneMatch(requestHeaders['if-none-match'], etag)) {
    const { 'content-type': _type, 'content-length': _length, ...notModified } = headers;
    response.writeHead(304, notModified);
    return response.end();
  }
  if (entry.body) headers['content-length'] = String(entry.body.length);
  response.writeHead(entry.status, headers);
  response.end(entry.body);
}

function writeResult(
  response: ServerResponse,
  result: APIGatewayProxyStructuredResultV2 | undefined,
  timing: string,
  extra: Record<string, string> = {},
) {
  const status = result?.statusCode ?? 200;
  const headers: Record<string, string | string[]> = { ...extra, 'server-timing': timing };
  for (const [key, value] of Object.entries(result?.headers ?? {}))
    headers[key.toLowerCase()] = String(value);
  if (result?.cookies?.length) headers['set-cookie'] = result.cookies;
  const body =
    result?.body === undefined
      ? undefined
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (body) headers['content-length'] = String(body.length);
  response.writeHead(status, headers);
  response.end(body);
}
