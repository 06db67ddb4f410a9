// One service's PostgreSQL: an RDS instance in the isolated subnets, reached only through its RDS Proxy (TLS required),
// with two logins in Secrets Manager: the master user, which only the migrate function uses, and the service's app user
// (DML on the service's tables, granted by the migrations), which every other function uses and which rotates with the
// alternating-users scheme. Functions get access through ServiceFunction.bindDatabase.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { appRoleOf } from '../../../layers/common/app-role';
import type { ServiceName } from '../../../layers/common/manifest';
import { type EnvironmentProfile, instanceClassOf, isBurstable } from '../environments';
import { acknowledge, checkovSkip } from '../nag';

/** The master user of every service database: migrations, and the rotation of the app user's secret. */
export const DATABASE_USER = 'tol_admin';
/** How often the passwords change; the app user's previous login stays valid until the rotation after. */
export const SECRET_ROTATION = Duration.days(30);
/** RDS Proxy listens on the engine's default port, whatever the instance's port. */
export const PROXY_PORT = 5432;
/** Share of the instance's max_connections the proxy may open; the rest stays for operators and RDS itself. */
export const PROXY_MAX_CONNECTIONS_PERCENT = 90;

export interface ServiceDatabaseProps {
  service: ServiceName;
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  /** Where the rotation function runs: it calls Secrets Manager, so it needs the subnets with egress. */
  rotationSubnets: ec2.SubnetSelection;
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
  /** The master user's secret: readable by the migrate function only (and the rotation, which clones the app user). */
  readonly secret: secretsmanager.ISecret;
  /** `<service>_app`, the role the migrations grant DML to. */
  readonly appUser: string;
  /** The app user's secret (attached to the instance): what every function but the migrate function reads. */
  readonly appSecret: secretsmanager.ISecret;

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

    // The migrate function creates this login with the generated password and grants it (layers/common/app-role.ts).
    this.appUser = appRoleOf(props.service);
    this.appSecret = new rds.DatabaseSecret(this, 'AppUserSecret', {
      username: this.appUser,
      dbname: props.service,
      // Its `masterarn` names the master secret, which the multi-user rotation logs in with to clone the user.
      masterSecret: this.secret,
    }).attach(this.instance);
    // Alternating users: each rotation sets a new password on the login the secret does not name right now
    // (<service>_app or <service>_app_clone, a member of <service>_app created on the first rotation) and then
    // points the secret at it. The login a function container read at its start stays valid in the database until the
    // next rotation, 30 days later, far beyond a container's life; and the proxy, which logs in to the database with
    // what it last read from the secret, never holds a password the database has already changed.
    this.instance.addRotationMultiUser('AppUserRotation', {
      secret: this.appSecret,
      automaticallyAfter: SECRET_ROTATION,
      // Not on creation: the login exists only once the service stack's migrate function has run, after this stack,
      // and the rotation first logs in with the secret's current login (it would fail and leave a pending version).
      rotateImmediatelyOnUpdate: false,
      vpcSubnets: props.rotationSubnets,
    });
    // Single user for the master: only the migrate function logs in with it, reading it afresh in each new container
    // (one per deploy that changes migrations), and the multi-user rotation above reads it at each run.
    this.instance.addRotationSingleUser({
      automaticallyAfter: SECRET_ROTATION,
      vpcSubnets: props.rotationSubnets,
    });

    this.proxy = this.instance.addProxy('Proxy', {
      // The one app secret whose username alternates (the proxy looks a client's login up in the secret's current
      // value), and the master secret for the migrate function. No function but the migrate function may read the
      // master secret, so no other function can log in as the master user through the proxy.
      secrets: [this.appSecret, this.secret],
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
  }
}
