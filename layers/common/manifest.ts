// The shape of a service manifest: the one declaration of a service's routes, consumers, schedules, database,
// topics and queues, read by the CDK app, the local runtime and the OpenAPI generator alike.
import type * as z from 'zod';

export const SERVICES = ['auth', 'users', 'events', 'tickets', 'notifications', 'platform', 'ops'] as const;
export type ServiceName = (typeof SERVICES)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a function may touch; the CDK app turns each into an env var plus exactly the IAM grant it needs. */
export interface Binds {
  /** This service's own database (read and write). */
  database?: boolean;
  /** Other services' databases, read-only liveness checks only (the health function). */
  pingDatabases?: ServiceName[];
  /** Topics (by name, owned by any service) this function publishes to. */
  publishes?: string[];
  /** Queues (by name) this function sends to directly. */
  sends?: string[];
  /** The media bucket. */
  bucket?: 'read' | 'readwrite';
  redis?: boolean;
  /**
   * Takes payments: STRIPE_SECRET_ARN, the Secrets Manager secret holding the Stripe keys ({ secretKey,
   * webhookSecret }), and read access to it. The local runtime's test-mode payment page stands in for Stripe.
   */
  payments?: boolean;
  /**
   * Reads the key that encrypts TOTP secrets at rest (two-step sign-in): TOTP_ENCRYPTION_SECRET_ARN and read access
   * to that secret in AWS; the local runtime sets TOTP_ENCRYPTION_KEY for every function instead.
   */
  totpKey?: boolean;
  /** Sends email (SES in AWS, SMTP locally). */
  mail?: boolean;
  /** Internal functions of other services this function calls synchronously, as "<service>.<name>". */
  invokes?: string[];
  /**
   * The OpenSearch domain (log search): OPENSEARCH_URL and HTTP access (GET, POST, PUT). `manage` adds DELETE, for
   * the retention job that drops old indices.
   */
  logSearch?: boolean | 'manage';
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
}

export interface RouteSpec {
  method: HttpMethod;
  /** API Gateway route path, e.g. /v1/events/{id}. `$default` catches every unmatched request. */
  path: string;
  /** Handler file, relative to the service folder, exporting `handler`. */
  handler: string;
  summary: string;
  /** true: the JWT authorizer must accept a bearer token before the function runs. */
  auth: boolean;
  request?: {
    params?: z.ZodType;
    query?: z.ZodType;
    /**
     * Request headers the route reads, as an object schema keyed by the header's name (any letter case: lookup is
     * case-insensitive). Validated with the rest of the request and listed in the OpenAPI document.
     */
    headers?: z.ZodType;
    body?: z.ZodType;
    /** Media type the body must have; defaults to application/json. */
    contentType?: 'application/json' | 'application/x-www-form-urlencoded';
    /** Largest accepted body; defaults to 64 KiB. */
    maxBodyBytes?: number;
    /**
     * A body this route accepts, shown in the OpenAPI document (a unit test parses it with `body`). Needed unless the
     * body schema carries examples of its own (`.meta({ examples })`).
     */
    example?: unknown;
  };
  responses: Record<number, ResponseSpec>;
  binds?: Binds;
  /**
   * Files from installed packages the handler reads at run time (e.g. `redoc/bundles/redoc.standalone.js`): the CDK
   * app copies each into the function's bundle under its base name; locally they are read from node_modules.
   */
  files?: string[];
  memoryMb?: number;
  timeoutSeconds?: number;
  /**
   * Shared caches in front of the API (CloudFront in AWS, the local gateway locally) keep this route's 200 answers
   * this many seconds (whole seconds: CloudFront's unit), one copy for every viewer: for anonymous GET routes whose
   * answer is the same for everyone, read by crowds (the event page during a sale). The handler's answer says so
   * with `edgeCacheControl(route)`; browsers still revalidate every time (a 304 from the edge while unchanged).
   */
  edgeCacheSeconds?: number;
  /** Tags for the OpenAPI document; default: the service name. */
  tags?: string[];
  /** Hidden from the OpenAPI document (e.g. the catch-all). */
  internal?: boolean;
}

/** A queue this service owns and consumes. Every queue gets a dead-letter queue. */
export interface ConsumerSpec {
  /** Queue name, unique across the platform. */
  queue: string;
  handler: string;
  summary: string;
  /** Topics whose messages are delivered to this queue (raw message delivery). */
  subscribesTo?: string[];
  batchSize?: number;
  /** Receives before a message is moved to the DLQ. */
  maxReceiveCount?: number;
  visibilityTimeoutSeconds?: number;
  binds?: Binds;
  timeoutSeconds?: number;
  memoryMb?: number;
}

export interface ScheduleSpec {
  name: string;
  handler: string;
  summary: string;
  /** EventBridge schedule expression, e.g. "rate(15 minutes)". */
  expression: string;
  /** How often the local runtime fires it. */
  localEverySeconds: number;
  binds?: Binds;
  timeoutSeconds?: number;
  memoryMb?: number;
}

/**
 * A function other services call synchronously (Lambda Invoke in AWS), never exposed through the API. Used where a
 * caller needs an answer now, e.g. the events service asking tickets whether a capacity change is below what is sold.
 */
export interface InternalFunctionSpec {
  handler: string;
  summary: string;
  binds?: Binds;
  timeoutSeconds?: number;
  memoryMb?: number;
}

/**
 * The function every other function's log group is subscribed to (a CloudWatch Logs subscription filter in AWS): it
 * indexes the log lines into OpenSearch. Lines it cannot deliver go to `deadLetterQueue`, a queue of its own (created
 * with an alarm, consumed by nobody). At most one manifest declares it; its own log group is not subscribed.
 */
export interface LogShipperSpec {
  handler: string;
  summary: string;
  /** Queue name, unique across the platform. */
  deadLetterQueue: string;
  binds?: Binds;
  timeoutSeconds?: number;
  memoryMb?: number;
}

export interface ServiceManifest {
  service: ServiceName;
  description: string;
  /** Absolute folder of the handler files and migrations; default functions/<service>. Test fixtures set it. */
  dir?: string;
  /** This service owns a PostgreSQL database; its migrations live in functions/<service>/migrations. */
  database: boolean;
  /** SNS topics this service owns and publishes its domain events to. */
  topics?: string[];
  /** Routes keyed by function name. */
  routes: Record<string, RouteSpec>;
  consumers?: Record<string, ConsumerSpec>;
  schedules?: Record<string, ScheduleSpec>;
  /** Internal functions, keyed by name; callers bind them with `invokes: ['<service>.<name>']`. */
  functions?: Record<string, InternalFunctionSpec>;
  logShipper?: LogShipperSpec;
}

/** Identity function that keeps the literal keys of a manifest's routes for handlers to import. */
export function defineService<const M extends ServiceManifest>(manifest: M): M {
  return manifest;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
