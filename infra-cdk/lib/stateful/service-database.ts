// One service's PostgreSQL: an RDS instance in the isolated subnets, reached only through its RDS Proxy (TLS required),
// with Secrets Manager credentials. Functions get access through ServiceFunction.bindDatabase.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ServiceName } from '../../../layers/common/manifest';
import { type EnvironmentProfile, instanceClassOf, isBurstable } from '../environments';
import { acknowledge, checkovSkip } from '../nag';

/** The master user of every service database; the proxy authenticates clients with its generated secret. */
export const DATABASE_USER = 'tol_admin';
/** RDS Proxy listens on the engine's default port, whatever the instance's port. */
export const PROXY_PORT = 5432;
/** Share of the instance's max_connections the proxy may open; the rest stays for operators and RDS itself. */
export const PROXY_MAX_CONNECTIONS_PERCENT = 90;

export interface ServiceDatabaseProps {
  service: ServiceName;
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  environment: EnvironmentProfile;
  /** The customer-managed key of the data tier: storage, Performance Insights and backups. */
  key: kms.IKey;
  logRetention: logs.RetentionDays;
}

export class ServiceDatabase extends Construct {
  readonly service: ServiceName;
  /** `tol-<service>`: fixed, so alarms and dashboards in the stateless stack name it without a cross-stack reference. */
  readonly instanceIdentifier: string;
  /** `m7g.large`, without `db.`. */
  readonly instanceClass: string;
  readonly instance: rds.DatabaseInstance;
  readonly proxy: rds.DatabaseProxy;
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: ServiceDatabaseProps) {
    super(scope, id);
    this.service = props.service;
    const instanceIdentifier = `tol-${props.service}`;
    this.instanceIdentifier = instanceIdentifier;

    const databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: props.vpc,
      description: `${props.service} PostgreSQL: reachable from its RDS Proxy only`,
      allowAllOutbound: false,
    });
    const proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
      vpc: props.vpc,
      description: `${props.service} RDS Proxy: reachable from the functions that bind this database`,
      allowAllOutbound: false,
    });

    // Created up front with a retention, otherwise RDS creates it on first export and keeps the logs forever.
    const postgresLogs = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/instance/${instanceIdentifier}/postgresql`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const { databases } = props.environment;
    this.instanceClass = instanceClassOf(props.environment, props.service);
    const performanceInsights = databases.performanceInsights && !isBurstable(this.instanceClass);

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      instanceIdentifier,
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      instanceType: new ec2.InstanceType(this.instanceClass),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [databaseSecurityGroup],
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_USER),
      databaseName: props.service,
      // prod: a synchronous standby in the second AZ, so "no data loss" holds through the loss of an AZ.
      multiAz: databases.multiAz,
      storageEncrypted: true,
      storageEncryptionKey: props.key,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      // Also the point-in-time recovery window: any second within it can be restored (docs/restore-drill.md).
      backupRetention: Duration.days(databases.backupRetentionDays),
      preferredBackupWindow: '03:00-03:30',
      ...(performanceInsights
        ? {
            enablePerformanceInsights: true,
            performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
            performanceInsightEncryptionKey: props.key,
          }
        : {}),
      copyTagsToSnapshot: true,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      cloudwatchLogsExports: ['postgresql'],
    });
    this.instance.node.addDependency(postgresLogs);
    // biome-ignore lint/style/noNonNullAssertion: credentials are generated above, so the instance always has a secret.
    this.secret = this.instance.secret!;

    this.proxy = this.instance.addProxy('Proxy', {
      secrets: [this.secret],
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [proxySecurityGroup],
      requireTLS: true,
      // Clients authenticate with the secret's password (layers/common/db.ts); IAM auth at the proxy would need
      // token signing in the pool, so neither the proxy nor the instance accepts IAM tokens.
      iamAuth: false,
      // A Lambda burst waits this long for a pooled connection before failing, instead of overloading the DB.
      borrowTimeout: Duration.seconds(10),
      maxConnectionsPercent: PROXY_MAX_CONNECTIONS_PERCENT,
    });
    this.instance.connections.allowDefaultPortFrom(this.proxy, 'RDS Proxy to PostgreSQL');

    if (!databases.multiAz) {
      const why =
        `env=${props.environment.name} is a development sandbox: a standby doubles the instance cost for an ` +
        'availability nobody relies on there. prod runs Multi-AZ (environments.ts).';
      acknowledge(this.instance, 'RDS3', why);
      checkovSkip(this.instance, 'CKV_AWS_157', why);
    }
    acknowledge(
      this.instance,
      'RDS11',
      'Clients never reach the instance port: they connect to the RDS Proxy, which listens on 5432 whatever the ' +
        'instance port is, while layers/common/db.ts takes the port from the generated secret (the instance port). ' +
        'A non-default port would break that; the instance sits in isolated subnets and only the proxy security ' +
        'group may connect.',
    );
    acknowledge(
      this.instance,
      'SMG4',
      'Single-user rotation changes the one password that each Lambda container reads once, when it creates its ' +
        'pool (layers/common/db.ts), and reuses for every new connection until the container is recycled, so ' +
        'warm functions would fail to connect through the proxy after a rotation. Rotation needs the alternating-' +
        'users scheme first; until then the secret is readable only by the proxy role and the functions that bind ' +
        'this database.',
    );
  }
}
