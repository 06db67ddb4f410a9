// The names of the environment variables that the local runtime and the CDK app set and that functions read, in one
// place so a setter and its reader cannot drift apart. Per-resource names are built from the manifests' names.
import { envKey } from './config';

/** Variables with one fixed name. */
export const ENV = {
  /** Bucket of event images and profile pictures. */
  mediaBucket: 'MEDIA_BUCKET',
  /** S3 addressing by path, for emulators that do not serve buckets as host names. */
  s3ForcePathStyle: 'S3_FORCE_PATH_STYLE',
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
  redisUrl: 'REDIS_URL',
  /** The Secrets Manager secret holding Redis's AUTH token (AWS; the URL then is rediss://). */
  redisAuthSecretArn: 'REDIS_AUTH_SECRET_ARN',
  /** The Secrets Manager secret with the Stripe keys (a `payments` bind). */
  stripeSecretArn: 'STRIPE_SECRET_ARN',
  openSearchUrl: 'OPENSEARCH_URL',
  logRetentionDays: 'LOG_RETENTION_DAYS',
  /** SES sender address in AWS. */
  mailFrom: 'MAIL_FROM',
  /** Local SMTP; its absence means "send through SES". */
  smtpHost: 'SMTP_HOST',
  smtpPort: 'SMTP_PORT',
  /** The service whose database a migrate function migrates. */
  serviceName: 'SERVICE_NAME',
  /** The app user's secret, which a migrate function (running as the master user) creates and grants (AWS). */
  dbAppSecretArn: 'DB_APP_SECRET_ARN',
  /** Where Lambda Invoke calls go locally (the runtime's Invoke API). */
  lambdaEndpoint: 'AWS_ENDPOINT_URL_LAMBDA',
  corsAllowedOrigins: 'CORS_ALLOWED_ORIGINS',
  /** Redirect URIs of the first-party web client (the auth service's OAuth endpoints). */
  oauthWebRedirectUris: 'OAUTH_WEB_REDIRECT_URIS',
  dbPoolMax: 'DB_POOL_MAX',
  dbConnectTimeoutMs: 'DB_CONNECT_TIMEOUT_MS',
  dbStatementTimeoutMs: 'DB_STATEMENT_TIMEOUT_MS',
  /** Powertools Metrics prints nothing when true (no CloudWatch to read EMF lines outside Lambda). */
  metricsDisabled: 'POWERTOOLS_METRICS_DISABLED',
  /** Set by Lambda Managed Instances: above 1, one environment serves invocations at once and runs between them. */
  maxConcurrency: 'AWS_LAMBDA_MAX_CONCURRENCY',
} as const;

/** ARN of an SNS topic a function publishes to: TOPIC_ARN_<TOPIC>. */
export const topicArnEnv = (topic: string) => envKey('TOPIC_ARN', topic);
/** URL of an SQS queue a function sends to: QUEUE_URL_<QUEUE>. */
export const queueUrlEnv = (queue: string) => envKey('QUEUE_URL', queue);
/** Deployed name of internal function "<service>.<name>": FUNCTION_NAME_<SERVICE>_<NAME>. */
export const functionNameEnv = (target: string) => envKey('FUNCTION_NAME', ...target.split('.'));
/** A service's own database as a connection URL (local runtime): <SERVICE>_DATABASE_URL. */
export const databaseUrlEnv = (service: string) => envKey(service, 'DATABASE_URL');
/** A service's RDS Proxy endpoint (AWS): <SERVICE>_DB_HOST. */
export const databaseHostEnv = (service: string) => envKey(service, 'DB_HOST');
/** The Secrets Manager secret with a service's database credentials (AWS): <SERVICE>_DB_SECRET_ARN. */
export const databaseSecretArnEnv = (service: string) => envKey(service, 'DB_SECRET_ARN');

/** JWT_AUDIENCE unless a deploy names another (CDK context `jwtAudience`). */
export const DEFAULT_JWT_AUDIENCE = 'ticketorleaveit-api';
