// The HTTP handler wrapper every route uses: correlation id, access log, CORS, security headers, request parsing
// and zod validation, and the one place where errors become RFC 9457 problem+json.
import { createHash, randomUUID } from 'node:crypto';
import middy, { type MiddlewareObj } from '@middy/core';
import httpCors from '@middy/http-cors';
import httpSecurityHeaders from '@middy/http-security-headers';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from 'zod';
import { optionalEnv } from './config';
import { ENV } from './env-names';
import {
  AppError,
  BadRequestError,
  type FieldError,
  isOutage,
  OAuthError,
  PayloadTooLargeError,
  PROBLEM_CONTENT_TYPE,
  ServiceUnavailableError,
  toProblem,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';
import { getLogger } from './logger';
import { DEFAULT_MAX_BODY_BYTES, type RouteSpec } from './manifest';
import { flushMetrics } from './metrics';
import { timedSync } from './timings';
import { issuesToFieldErrors, unstorableTextFields } from './validation';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResponse = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;
type Req<R extends RouteSpec> = NonNullable<R['request']>;

export interface Caller {
  userId: string;
  clientId?: string;
  scopes: string[];
  /** The sign-in session (refresh-token family) the access token belongs to. */
  sessionId?: string;
  /** Every claim of the verified token, as the authorizer handed them over (strings). */
  claims: Record<string, string | number | boolean | string[]>;
}

export interface HttpRequest<R extends RouteSpec> {
  params: Infer<Req<R>['params']>;
  query: Infer<Req<R>['query']>;
  body: Infer<Req<R>['body']>;
  /** The headers the route declares, validated, under the names it declares them with. */
  declaredHeaders: Infer<Req<R>['headers']>;
  /** Every header, lower-case names. */
  headers: Record<string, string | undefined>;
  /** Present on routes declared with `auth: true` (the authorizer has verified the token). */
  caller: R['auth'] extends true ? Caller : Caller | undefined;
  correlationId: string;
  sourceIp: string;
  event: HttpEvent;
  context: Context;
}

export interface HttpResult {
  statusCode: number;
  /** Serialised as JSON unless it is a string or a Buffer and a content-type header is given. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * What a 200 answer's representation depends on: its hash becomes a weak ETag, and a request whose If-None-Match
   * names it is answered 304 without a body. Usually the body; a body with parts that change on every request (e.g.
   * presigned URLs) names what matters instead.
   */
  etag?: unknown;
}

export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's correlation id when it is a usable one, else a new one. */
function incomingCorrelationId(headers: Record<string, string | undefined> | undefined): string {
  const incoming = headers?.[CORRELATION_HEADER];
  return incoming && CORRELATION_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Cache-Control of a route declared with `edgeCacheSeconds`: shared caches keep the answer that long, browsers
 * revalidate every time (the ETag makes that a 304 while it is unchanged).
 */
export function edgeCacheControl(route: RouteSpec): string {
  return route.edgeCacheSeconds
    ? `public, max-age=0, s-maxage=${route.edgeCacheSeconds}`
    : 'public, no-cache';
}

export const ok = (body: unknown, headers?: Record<string, string>): HttpResult => ({
  statusCode: 200,
  body,
  headers,
});
export const created = (body: unknown, location?: string): HttpResult => ({
  statusCode: 201,
  body,
  headers: location ? { location } : undefined,
});
export const noContent = (): HttpResult => ({ statusCode: 204 });

export interface HttpHandlerOptions {
  /** Content-Security-Policy directives that replace the strict API default (e.g. for an HTML page). */
  contentSecurityPolicy?: Record<string, string | false>;
  /** Cross-Origin-Embedder-Policy require-corp blocks cross-origin scripts a page may load; off for such pages. */
  allowCrossOriginScripts?: boolean;
  /** An OAuth endpoint: a request that fails validation is RFC 6749's `invalid_request`, not problem+json. */
  oauthErrors?: boolean;
}

/** Builds the Lambda handler of one manifest route. */
export function httpHandler<R extends RouteSpec>(
  service: string,
  route: R,
  fn: (request: HttpRequest<R>) => Promise<HttpResult>,
  options: HttpHandlerOptions = {},
) {
  const logger = getLogger(service);
  const core = async (event: HttpEvent, context: Context): Promise<HttpResponse> => {
    const request = timedSync('validation', () => parseRequest(route, event, context, options));
    return toResponse(await fn(request), request.headers['if-none-match']);
  };
  return middy<HttpEvent, HttpResponse>(core, {
    // Middy answers just before Lambda's deadline, by default with an error that would become a 500. A function out
    // of time is overloaded or waiting on something that is: 503 with Retry-After, so clients back off and retry.
    timeoutEarlyResponse: () => {
      throw new ServiceUnavailableError('The request did not finish in time; try again shortly.', 2);
    },
  })
    .use(observe(logger, route))
    .use(cors())
    .use(securityHeaders(options))
    .use(problemDetails(logger));
}

function cors() {
  const corsOrigins = optionalEnv(ENV.corsAllowedOrigins, '*')
    .split(',')
    .map((origin) => origin.trim());
  return httpCors({
    origins: corsOrigins,
    exposeHeaders:
      'x-correlation-id, location, retry-after, ratelimit, ratelimit-policy, x-degraded, idempotent-replayed, content-disposition, link, x-next-cursor, x-export-rows, x-cache, etag',
    maxAge: 600,
  });
}

function securityHeaders(options: HttpHandlerOptions) {
  return httpSecurityHeaders({
    // middy's typing says string values; false (drop the directive) is what its builder handles too.
    ...(options.contentSecurityPolicy
      ? { contentSecurityPolicy: options.contentSecurityPolicy as Record<string, string> }
      : {}),
    ...(options.allowCrossOriginScripts ? { crossOriginEmbedderPolicy: false } : {}),
    // The API is read by browsers on other origins (CORS decides who), so resources must not be same-origin only.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // Browser-feature policies mean nothing on JSON; dropping them saves a kilobyte on every response.
    permissionsPolicy: false,
  });
}

/**
 * The headers the wrapper adds to every answer (CORS for the request's origin, the security headers, the
 * correlation id), for an answer given before any function runs: the local gateway's own 401.
 */
export function answerHeaders(requestHeaders: Record<string, string | undefined>): Record<string, string> {
  const request = {
    event: { headers: requestHeaders },
    response: { statusCode: 401, headers: {} as Record<string, string> },
  };
  for (const middleware of [securityHeaders({}), cors()]) middleware.after?.(request as never);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.response.headers))
    headers[key.toLowerCase()] = String(value);
  headers[CORRELATION_HEADER] = incomingCorrelationId(requestHeaders);
  return headers;
}

/** Correlation id in, out and on every log line; one access-log line per request with status and latency. */
function observe(
  logger: ReturnType<typeof getLogger>,
  route: RouteSpec,
): MiddlewareObj<HttpEvent, HttpResponse> {
  const started = new WeakMap<object, number>();
  const finish = (request: { event: HttpEvent; response?: HttpResponse | null }) => {
    const response = request.response;
    if (!response) return;
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(response.headers ?? {}))
      headers[key.toLowerCase()] = String(value);
    headers[CORRELATION_HEADER] = correlationIdOf(request.event);
    response.headers = headers;
    const status = response.statusCode ?? 200;
    const line = {
      status,
      latency_ms: Date.now() - (started.get(request.event) ?? Date.now()),
    };
    // A 503 is a dependency down or load shed, logged where its cause is (a warning); other 5xx are bugs.
    if (status === 503) logger.warn('request failed', line);
    else if (status >= 500) logger.error('request failed', line);
    else logger.info('request completed', line);
    logger.resetKeys();
    flushMetrics();
  };
  return {
    before: (request) => {
      started.set(request.event, Date.now());
      const event = request.event;
      const correlationId = incomingCorrelationId(event.headers);
      event.headers = { ...event.headers, [CORRELATION_HEADER]: correlationId };
      const userId = event.requestContext?.authorizer?.jwt?.claims?.sub;
      logger.addContext(request.context);
      logger.appendKeys({
        correlation_id: correlationId,
        request_id: event.requestContext?.requestId,
        route: `${route.method} ${route.path}`,
        method: event.requestContext?.http?.method,
        path: event.rawPath,
        ...(userId ? { user_id: String(userId) } : {}),
      });
    },
    after: finish,
    onError: finish,
  };
}

function correlationIdOf(event: HttpEvent): string {
  return event.headers?.[CORRELATION_HEADER] ?? randomUUID();
}

/** The single mapping of thrown errors to problem+json. 5xx bodies never carry internals; the log line does. */
function problemDetails(logger: ReturnType<typeof getLogger>): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof AppError) {
        request.response = {
          statusCode: error.status,
          headers: { ...error.headers, 'content-type': error.contentType, 'cache-control': 'no-store' },
          body: JSON.stringify(error.toBody(request.event.rawPath)),
        };
        return;
      }
      const { problem, headers } = toProblem(error, request.event.rawPath);
      if (isOutage(error)) logger.warn('dependency unavailable', outageOf(error));
      else logger.error('unhandled error', { error: error as Error });
      request.response = {
        statusCode: problem.status,
        headers: { ...headers, 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' },
        body: JSON.stringify(problem),
      };
    },
  };
}

/**
 * What an outage log line says instead of a stack: the dependency (the address a socket could not reach, or the
 * innermost cause's name, e.g. an open circuit breaker) and why.
 */
function outageOf(error: unknown): { dependency: string; reason: string } {
  let current = error as (Error & { code?: unknown; address?: unknown; port?: unknown }) | undefined;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const { code, address, port, name, message } = current;
    if (typeof address === 'string')
      return { dependency: port ? `${address}:${port}` : address, reason: String(code ?? message) };
    // Node's connect tries every address of a host name: the first one names the dependency.
    if (current instanceof AggregateError && current.errors[0] instanceof Error) {
      current = current.errors[0];
      continue;
    }
    if (!(current.cause instanceof Error))
      return { dependency: name === 'Error' ? 'unknown' : name, reason: String(code ?? message) };
    current = current.cause as typeof current;
  }
  return { dependency: 'unknown', reason: String(error) };
}

function parseRequest<R extends RouteSpec>(
  route: R,
  event: HttpEvent,
  context: Context,
  options: HttpHandlerOptions,
): HttpRequest<R> {
  const spec = route.request ?? {};
  const headers = event.headers ?? {};
  const issues: { in: FieldError['in']; issues: z.core.$ZodIssue[] }[] = [];
  const textErrors: FieldError[] = [];

  const parsePart = (where: FieldError['in'], schema: z.ZodType | undefined, input: unknown) => {
    if (!schema) return undefined;
    // The part's other fields are still checked, so one answer lists every bad field; a field with unstorable text
    // is reported once, for that.
    const unstorable = unstorableTextFields(where, input);
    textErrors.push(...unstorable);
    const result = schema.safeParse(input);
    if (result.success) return unstorable.length > 0 ? undefined : result.data;
    const reported = new Set(unstorable.map((error) => error.field));
    const rest = result.error.issues.filter((issue) => !reported.has(issue.path.map(String).join('.')));
    if (rest.length > 0) issues.push({ in: where, issues: rest });
    return undefined;
  };

  const params = parsePart('path', spec.params, event.pathParameters ?? {});
  const query = parsePart('query', spec.query, event.queryStringParameters ?? {});
  const declaredHeaders = parsePart('header', spec.headers, declaredHeaderValues(spec.headers, headers));
  const body = spec.body ? parsePart('body', spec.body, readBody(route, event)) : undefined;
  if (issues.length > 0 || textErrors.length > 0) {
    const errors = [...textErrors, ...issues.flatMap((part) => issuesToFieldErrors(part.in, part.issues))];
    if (options.oauthErrors) {
      const fields = errors.map((error) => `${error.field || error.in}: ${error.message}`).join('; ');
      throw new OAuthError('invalid_request', `The request is not valid (${fields}).`);
    }
    throw new ValidationError(errors);
  }

  const claims = event.requestContext?.authorizer?.jwt?.claims;
  let caller: Caller | undefined;
  if (claims?.sub) {
    const scope = claims.scope;
    caller = {
      userId: String(claims.sub),
      clientId: claims.client_id === undefined ? undefined : String(claims.client_id),
      scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [],
      sessionId: claims.sid === undefined ? undefined : String(claims.sid),
      claims,
    };
  } else if (route.auth) {
    // The authorizer should have refused the request already; never run a protected handler without a caller.
    throw new UnauthorizedError();
  }

  return {
    params,
    query,
    body,
    declaredHeaders,
    headers,
    caller,
    correlationId: correlationIdOf(event),
    sourceIp: event.requestContext?.http?.sourceIp ?? 'unknown',
    event,
    context,
  } as HttpRequest<R>;
}

/** The values of the headers a schema declares, under its own names (HTTP header names are case-insensitive). */
function declaredHeaderValues(schema: z.ZodType | undefined, headers: Record<string, string | undefined>) {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
  return Object.fromEntries(Object.keys(shape).map((name) => [name, headers[name.toLowerCase()]]));
}

function readBody(route: RouteSpec, event: HttpEvent): unknown {
  const expected = route.request?.contentType ?? 'application/json';
  const limit = route.request?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > limit) throw new PayloadTooLargeError(limit);
  // An empty form is a form without fields: its schema says which were required (on an OAuth endpoint, as RFC 6749's
  // invalid_request). An empty JSON body is no document at all.
  if (bytes.length === 0 && expected === 'application/x-www-form-urlencoded') return {};
  if (bytes.length === 0)
    throw new ValidationError([{ in: 'body', field: '', message: 'A request body is required.' }]);

  const contentType = event.headers?.['content-type'];
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  const text = bytes.toString('utf8');
  if (expected === 'application/json') {
    if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
      throw new UnsupportedMediaTypeError(expected, contentType);
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new BadRequestError(`The body is not valid JSON: ${(error as Error).message}`, 'malformed-json');
    }
  }
  if (mediaType !== expected) throw new UnsupportedMediaTypeError(expected, contentType);
  return Object.fromEntries(new URLSearchParams(text));
}

/** A weak entity tag of a value (weak: equal JSON, not byte-equal bodies). */
const etagOf = (value: unknown) =>
  `W/"${createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 27)}"`;

/** RFC 9110 13.1.2: If-None-Match is a list of tags or `*`, compared weakly. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

function toResponse(result: HttpResult, ifNoneMatch?: string): HttpResponse {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(result.headers ?? {})) headers[key.toLowerCase()] = value;
  if (result.etag !== undefined && result.statusCode === 200) {
    headers.etag = etagOf(result.etag);
    if (noneMatch(ifNoneMatch, headers.etag)) return { statusCode: 304, headers };
  }
  if (result.body === undefined || result.statusCode === 204)
    return { statusCode: result.statusCode, headers };
  // Binary bodies (an image) travel base64-encoded, as API Gateway expects them.
  if (Buffer.isBuffer(result.body) && headers['content-type']) {
    return {
      statusCode: result.statusCode,
      headers,
      body: result.body.toString('base64'),
      isBase64Encoded: true,
    };
  }
  if (typeof result.body === 'string' && headers['content-type']) {
    return { statusCode: result.statusCode, headers, body: result.body };
  }
  headers['content-type'] ??= 'application/json';
  return { statusCode: result.statusCode, headers, body: JSON.stringify(result.body) };
}
