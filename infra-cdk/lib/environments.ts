// The two deployable environments, chosen with `-c env=dev|prod` (default dev): what each one pays for in size,
// redundancy and retention. Everything that differs between a developer's sandbox account and the flash-sale
// production lives here, so a reviewer reads the difference in one place.

export type EnvironmentName = 'dev' | 'prod';
export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ['dev', 'prod'];

export interface DatabaseProfile {
  /** RDS instance class (without the `db.` prefix) of every service database not named in `instanceClasses`. */
  instanceClass: string;
  /** Per-service classes: the tickets database takes the flash-sale writes and must not run out of CPU credits. */
  instanceClasses: Readonly<Record<string, string>>;
  multiAz: boolean;
  /** Automated backups and point-in-time recovery window (RDS allows at most 35 days). */
  backupRetentionDays: number;
  /** Performance Insights on the databases whose class is not burstable (it is not offered on the smallest ones). */
  performanceInsights: boolean;
}

export interface EnvironmentProfile {
  name: EnvironmentName;
  databases: DatabaseProfile;
  redis: { nodeType: string; nodes: number };
  /** One NAT gateway per AZ in prod, so losing an AZ does not cut the other AZ's functions off AWS APIs. */
  natGateways: number;
  /** Days CloudWatch keeps function, API and database logs. */
  logRetentionDays: number;
  /**
   * Reserved concurrency by function (`<service>.<name>`, the log shipper under its manifest service): the purchase
   * function keeps capacity no other burst can take, the log shipper cannot take the purchase path's. Dev accounts
   * often have an account limit of 10, where any reservation fails the deploy, so dev reserves nothing.
   */
  reservedConcurrency: Readonly<Record<string, number>>;
  /** Per-function pool size where reserved concurrency makes connection use computable (DB_POOL_MAX). */
  reservedPoolMax: number;
  /** AWS Backup plan with a copy in a second region; dev relies on the automated backups alone. */
  backupPlan: boolean;
  /** A synth without an alarm recipient is refused: nobody would hear a prod alarm. */
  requiresAlarmRecipient: boolean;
  /** prod needs a stable JWT issuer (custom domain): the API's generated endpoint changes if the API is replaced. */
  requiresIssuerUrl: boolean;
}

export const PURCHASE_FUNCTION = 'tickets.purchase';

export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentProfile>> = {
  dev: {
    name: 'dev',
    databases: {
      instanceClass: 't4g.micro',
      instanceClasses: {},
      multiAz: false,
      backupRetentionDays: 7,
      performanceInsights: false,
    },
    redis: { nodeType: 'cache.t4g.micro', nodes: 1 },
    natGateways: 1,
    // A sandbox's logs matter for days of debugging; prod keeps a quarter for incident reviews and disputes.
    logRetentionDays: 14,
    reservedConcurrency: {},
    reservedPoolMax: 2,
    backupPlan: false,
    requiresAlarmRecipient: false,
    requiresIssuerUrl: false,
  },
  prod: {
    name: 'prod',
    databases: {
      instanceClass: 't4g.small',
      // Graviton general purpose, 2 vCPU and 8 GiB: steady CPU through a sale, max_connections about 860.
      instanceClasses: { tickets: 'm7g.large' },
      multiAz: true,
      backupRetentionDays: 35,
      performanceInsights: true,
    },
    redis: { nodeType: 'cache.m7g.large', nodes: 2 },
    natGateways: 2,
    logRetentionDays: 90,
    reservedConcurrency: { [PURCHASE_FUNCTION]: 200, 'ops.shipLogs': 20 },
    reservedPoolMax: 2,
    backupPlan: true,
    requiresAlarmRecipient: true,
    requiresIssuerUrl: true,
  },
};

/** Memory of the RDS classes used above, in GiB: PostgreSQL's default max_connections derives from it. */
const CLASS_MEMORY_GIB: Readonly<Record<string, number>> = {
  't4g.micro': 1,
  't4g.small': 2,
  't4g.medium': 4,
  'm7g.large': 8,
  'm7g.xlarge': 16,
  'r7g.large': 16,
};

/** RDS PostgreSQL's default `max_connections`: LEAST(DBInstanceClassMemory / 9531392, 5000), memory less ~5 % for the OS. */
export function defaultMaxConnections(instanceClass: string): number {
  const gib = CLASS_MEMORY_GIB[instanceClass];
  if (gib === undefined)
    throw new Error(`Unknown RDS instance class ${instanceClass}: add its memory to CLASS_MEMORY_GIB`);
  return Math.min(Math.floor((gib * 0.95 * 1024 ** 3) / 9_531_392), 5000);
}

/** Burstable (T) classes run on CPU credits and cannot carry Performance Insights on the small sizes. */
export const isBurstable = (instanceClass: string): boolean => instanceClass.startsWith('t');

export function instanceClassOf(profile: EnvironmentProfile, service: string): string {
  return profile.databases.instanceClasses[service] ?? profile.databases.instanceClass;
}
