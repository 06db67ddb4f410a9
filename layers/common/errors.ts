// Typed application errors and their one mapping to RFC 9457 problem+json.
export interface FieldError {
  /** Which part of the request holds the field. */
  in: 'path' | 'query' | 'body' | 'header';
  /** Dotted path of the offending field inside that part, e.g. "ticketTiers.0.price"; empty for the whole part. */
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem type URIs are relative references under /problems/, so `type` ends in the slug (e.g. "/problems/sold-out"). */
export const problemType = (slug: string) => `/problems/${slug}`;

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }

  /** Media type of the error body; problem+json unless a protocol mandates another (OAuth 2.0). */
  get contentType(): string {
    return PROBLEM_CONTENT_TYPE;
  }

  /** The error body. Subclasses for other protocols override it. */
  toBody(instance?: string): Record<string, unknown> {
    return this.toProblem(instance);
  }

  toProblem(instance?: string): Problem {
    return {
      type: problemType(this.slug),
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly errors: FieldError[],
    detail = 'The request is not valid; see `errors` for each field.',
  ) {
    super(400, 'validation-error', 'Your request is not valid', detail, { errors });
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string, slug = 'bad-request') {
    super(400, slug, 'Bad request', detail);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'A valid bearer token is required.') {
    super(401, 'unauthorized', 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You may not do this.') {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

/**
 * The caller's account was deleted: its access token, valid for minutes more, acts on nothing once a service has
 * processed the AccountDeleted message (each keeps a tombstone of erased accounts).
 */
export const accountDeleted = () =>
  new AppError(
    403,
    'account-deleted',
    'Account deleted',
    'This account was deleted; sign up again to continue.',
  );

export class NotFoundError extends AppError {
  constructor(detail = 'No such resource.') {
    super(404, 'not-found', 'Not found', detail);
  }
}

export class MethodNotAllowedError extends AppError {
  constructor(method: string, allowed: string[]) {
    super(
      405,
      'method-not-allowed',
      'Method not allowed',
      `${method} is not allowed here; use ${allowed.join(', ')}.`,
      {},
      { allow: allowed.join(', ') },
    );
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, slug = 'conflict', extensions: Record<string, unknown> = {}) {
    super(409, slug, 'Conflict', detail, extensions);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(
      413,
      'payload-too-large',
      'Payload too large',
      `The request body must not exceed ${limitBytes} bytes.`,
    );
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(expected: string, got: string | undefined) {
    super(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `Send the body as ${expected}${got ? `, not ${got}` : ''}.`,
    );
  }
}

export class UnprocessableError extends AppError {
  constructor(detail: string, slug = 'unprocessable') {
    super(422, slug, 'Unprocessable request', detail);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(retryAfterSeconds: number, headers: Record<string, string> = {}) {
    super(
      429,
      'rate-limited',
      'Too many requests',
      `Slow down; retry in ${retryAfterSeconds} s.`,
      {},
      {
        'retry-after': String(retryAfterSeconds),
        ...headers,
      },
    );
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail = 'A dependency is unavailable; try again shortly.', retryAfterSeconds = 5) {
    super(
      503,
      'service-unavailable',
      'Service unavailable',
      detail,
      {},
      { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

/** RFC 6749 §5.2 error response of the token and revocation endpoints: `{ error, error_description }`. */
export class OAuthError extends AppError {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'invalid_scope'
      | 'unsupported_token_type',
    description: string,
  ) {
    super(
      error === 'invalid_client' ? 401 : 400,
      error.replaceAll('_', '-'),
      'OAuth error',
      description,
      {},
      {
        pragma: 'no-cache',
        ...(error === 'invalid_client' ? { 'www-authenticate': 'Basic realm="oauth"' } : {}),
      },
    );
  }

  override get contentType(): string {
    return 'application/json';
  }

  override toBody(): Record<string, unknown> {
    return { error: this.error, error_description: this.message };
  }
}

/** Socket errors meaning the other end cannot be reached (refused, reset, timed out, unknown host). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);
/** PostgreSQL SQLSTATEs of a server shutting down, starting up or dropping the connection (classes 08 and 57P). */
const UNAVAILABLE_SQLSTATE = /^(08\d{3}|57P0[1-3])$/;
/** What node-postgres and pg-pool say when a connection ends or cannot be had in time. */
const UNREACHABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Connection ended unexpectedly|the database system is (starting up|shutting down)/i;

/**
 * Whether an error means a dependency is down rather than a bug: a database or service that cannot be reached, or
 * a circuit breaker that has opened on it. Such requests answer 503 with Retry-After, so clients retry later.
 */
export function isOutage(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  const { code, name } = error as Error & { code?: unknown };
  if (name === 'BrokenCircuitError' || name === 'TaskCancelledError') return true;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)))
    return true;
  if (UNREACHABLE_MESSAGE.test(error.message)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => isOutage(inner, depth + 1)))
    return true;
  return isOutage(error.cause, depth + 1);
}

/** Maps any thrown value to a problem. Errors that are not ours become a generic 500 that carries no internals. */
export function toProblem(
  error: unknown,
  instance?: string,
): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof AppError) return { problem: error.toProblem(instance), headers: error.headers };
  if (isOutage(error)) {
    const outage = new ServiceUnavailableError();
    return { problem: outage.toProblem(instance), headers: outage.headers };
  }
  return {
    problem: {
      type: problemType('internal'),
      title: 'Internal server error',
      status: 500,
      detail:
        'Something went wrong on our side. It has been logged; quote the correlation id if you contact us.',
      ...(instance ? { instance } : {}),
    },
    headers: {},
  };
}
